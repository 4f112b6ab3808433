import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.demo_data import seed_members_bulk
from accounts.models import Profile
from config.demo import seed
from kit.bulk import (
    copy_instances,
    copy_rows,
    insert_built,
    insert_instances,
    shared_password_hash,
    spread,
)
from kit.scopes import SITE, versions
from tests.factories import TEST_PASSWORD, ProfileFactory, StoryFactory, UserFactory

User = get_user_model()


@pytest.mark.django_db
def test_insert_built_saves_factory_rows_in_batches_with_primary_keys(
    django_assert_max_num_queries,
):
    # one INSERT per batch, and one that moves the `site` scope on (kit/scopes.py)
    with django_assert_max_num_queries(4):
        users = insert_built(UserFactory, 25, batch_size=10, profile=None, is_active=False)

    assert all(user.pk for user in users)
    assert User.objects.filter(is_active=False).count() == 25


@pytest.mark.django_db
def test_insert_built_calls_a_callable_field_with_the_row_number():
    insert_built(UserFactory, 4, profile=None, email=lambda i: f"row{i}@libraries.example")

    assert sorted(User.objects.values_list("email", flat=True)) == [
        f"row{i}@libraries.example" for i in range(4)
    ]


@pytest.mark.django_db
def test_copy_instances_reserves_primary_keys_and_stores_every_column():
    users = insert_built(UserFactory, 3, profile=None)
    profiles = [
        Profile(user=user, library_type="public", audiences=["teens", "adults"], state="MI")
        for user in users
    ]

    assert copy_instances(Profile, profiles) == 3

    assert all(profile.pk for profile in profiles)
    stored = Profile.objects.get(pk=profiles[1].pk)
    assert (stored.user_id, stored.audiences, stored.email_preferences) == (
        users[1].pk,
        ["teens", "adults"],
        {},
    )
    # the sequence moved on: the next ordinary save does not collide
    assert ProfileFactory(user=UserFactory(profile=None)).pk > profiles[-1].pk


@pytest.mark.django_db
def test_insert_instances_and_copy_rows_load_related_rows(django_assert_max_num_queries):
    users = insert_built(UserFactory, 6, profile=None)
    cities = spread(["Lansing", "Trenton", "Topeka"])

    with django_assert_max_num_queries(3):  # and the `site` scope moved on, as below
        insert_instances(Profile, (ProfileFactory.build(user=u) for u in users), batch_size=4)
    with django_assert_max_num_queries(2):
        copied = copy_rows(
            EmailAddress,
            ["user", "email", "verified", "primary"],
            ((u.pk, u.email, True, True) for u in users),
        )

    assert copied == 6
    assert Profile.objects.count() == 6
    assert EmailAddress.objects.filter(verified=True).count() == 6
    assert [cities(i) for i in range(4)] == ["Lansing", "Trenton", "Topeka", "Lansing"]


def test_spread_refuses_nothing_to_spread_over():
    with pytest.raises(ValueError, match="nothing"):
        spread([])


@pytest.mark.django_db
def test_seed_members_inserts_verified_members_who_can_sign_in(client):
    seed_members_bulk(30)

    assert User.objects.count() == 30
    assert Profile.objects.count() == 30
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 30
    member = User.objects.order_by("?").first()
    assert member.password == shared_password_hash(TEST_PASSWORD)
    assert client.login(email=member.email, password=TEST_PASSWORD)
    # complete, located and findable profiles, like ones members fill in
    assert not Profile.objects.filter(latitude__isnull=True).exists()
    assert not Profile.objects.filter(library_type="").exists()
    assert not Profile.objects.filter(can_help_with__isnull=True).exists()
    assert not Profile.objects.filter(search_vector__isnull=True).exists()
    topic = member.profile.can_help_with.names()[0]
    assert Profile.objects.search(topic).filter(pk=member.profile.pk).exists()


@pytest.mark.django_db
def test_seed_tops_up_members_to_the_scale_without_duplicates():
    seed(scale=1, demo_email="demo@example.org", demo_password=TEST_PASSWORD)
    first = User.objects.count()
    seed(scale=1, demo_email="demo@example.org", demo_password=TEST_PASSWORD)
    assert User.objects.count() == first > 40

    counts = seed(scale=2, demo_email="demo@example.org", demo_password=TEST_PASSWORD)

    assert counts["members"] == User.objects.count() >= 81
    assert User.objects.values("email").distinct().count() == counts["members"]


def test_bulk_inserts_move_the_site_on(db):
    # no save() signal reaches the kept pages: the helpers say so themselves
    author = UserFactory()
    before = versions([SITE])
    insert_built(StoryFactory, 2, author=author)
    assert versions([SITE]) != before
