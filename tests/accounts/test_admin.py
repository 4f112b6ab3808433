import pytest
from django.urls import reverse

from accounts.models import Profile
from tests.factories import ContactMessageFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True, display_name="Ada Admin")
    # pinned outside every filter below: the factory's rotating state and type could match one
    profile_for(admin, library_type="special_other", state="WY")
    client.force_login(admin)
    return client


@pytest.fixture
def members():
    ann = UserFactory(email="ann@library.example", display_name="Ann Archer")
    profile_for(ann, library_name="Kalamazoo Public Library", library_type="public", state="MI")
    ben = UserFactory(email="ben@college.example", display_name="Ben Brook", verified=False)
    profile_for(ben, library_name="Hope College Library", library_type="academic", state="NJ")
    return ann, ben


def changelist_names(response):
    return sorted(str(obj) for obj in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ann@library"}, ["Ann Archer"]),
        ({"q": "Brook"}, ["Ben Brook"]),
        ({"q": "Kalamazoo"}, ["Ann Archer"]),
        ({"profile__library_type__exact": "academic"}, ["Ben Brook"]),
        ({"profile__state": "MI"}, ["Ann Archer"]),
        ({"verified": "no"}, ["Ben Brook"]),
        ({"verified": "yes", "is_staff__exact": "0"}, ["Ann Archer"]),
    ],
)
def test_user_admin_search_and_filters(admin_client, members, params, expected):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), params)

    assert response.status_code == 200
    assert changelist_names(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ben@college"}, ["Profile of Ben Brook"]),
        ({"q": "Hope College"}, ["Profile of Ben Brook"]),
        ({"library_type__exact": "public"}, ["Profile of Ann Archer"]),
        ({"state": "NJ"}, ["Profile of Ben Brook"]),
    ],
)
def test_profile_admin_search_and_filters(admin_client, members, params, expected):
    response = admin_client.get(reverse("admin:accounts_profile_changelist"), params)

    assert response.status_code == 200
    assert changelist_names(response) == expected


def test_editing_a_profile_in_the_admin_updates_location_and_search(admin_client, members):
    ann = members[0]
    profile = ann.profile
    url = reverse("admin:accounts_profile_change", args=[profile.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        user=ann.pk,
        library_name="Portage District Library",
        postal_code="49002",
        audiences="",
        can_help_with="",
        want_to_learn="",
        email_preferences="{}",
    )
    data = {key: value for key, value in data.items() if value is not False}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.latitude is not None
    assert list(Profile.objects.search("Portage")) == [profile]


def test_user_and_contact_log_pages_open(admin_client, members):
    ContactMessageFactory(sender=members[0], recipient=members[1])

    assert (
        admin_client.get(reverse("admin:accounts_user_change", args=[members[0].pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:accounts_contactmessage_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200
