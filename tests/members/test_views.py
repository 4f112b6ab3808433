import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from accounts.models import BIO_MAX_LENGTH, ContactMessage, Profile
from kit.vocabularies import LibraryType
from members.services import CONTACT_LIMIT_PER_HOUR
from members.views import MemberListView
from notifications.kinds import NotificationKind
from tests.factories import TEST_PASSWORD, UserFactory, profile_for
from tests.xss import XSS_PAYLOADS, assert_inert

pytestmark = pytest.mark.django_db
User = get_user_model()
Visibility = Profile.Visibility


def member(**fields):
    user = UserFactory(
        display_name=fields.pop("display_name", "A. Member"),
        **({"email": fields.pop("email")} if "email" in fields else {}),
    )
    profile_for(user, **fields)
    return user


def html(response) -> str:
    return response.content.decode()


def card_names(response) -> list[str]:
    return [profile.user.display_name for profile in response.context["profiles"]]


# --- directory ----------------------------------------------------------------------------------
@pytest.fixture
def people():
    return {
        "public": member(display_name="Pat Public", visibility=Visibility.PUBLIC, state="MI"),
        "members": member(display_name="Mo Members", visibility=Visibility.MEMBERS, state="MI"),
        "hidden": member(display_name="Hal Hidden", visibility=Visibility.HIDDEN, state="MI"),
    }


def test_visitors_see_public_profiles_in_the_directory(client, people):
    response = client.get(reverse("accounts:list"))

    assert response.status_code == 200
    assert card_names(response) == ["Pat Public"]
    assert "Sign in" in html(response)


def test_members_see_everyone_but_hidden_profiles(client, people):
    viewer = member(display_name="Vi Viewer", state="MI")
    client.force_login(viewer)

    response = client.get(reverse("accounts:list"), {"sort": "name"})

    assert card_names(response) == ["Mo Members", "Pat Public"]  # not the viewer themself
    assert "Hal Hidden" not in html(response)


def test_search_with_a_typo_finds_the_librarian(client):
    member(display_name="Rosa", job_title="Teacher librarian", visibility=Visibility.PUBLIC)
    member(
        display_name="Gus",
        job_title="Archivist",
        library_name="County Archives",
        visibility=Visibility.PUBLIC,
    )

    response = client.get(reverse("accounts:list"), {"q": "librarain"})

    assert card_names(response) == ["Rosa"]


def test_a_close_spelling_counts_when_full_text_finds_nobody_the_filters_keep(client):
    member(display_name="Rosa Delgado", state="MI", visibility=Visibility.PUBLIC)
    member(display_name="Dan Delgada", state="OH", visibility=Visibility.PUBLIC)
    url = reverse("accounts:list")

    assert card_names(client.get(url, {"q": "Delgado"})) == ["Rosa Delgado"]
    # the word-for-word match is in another state: the close spelling in Ohio is the answer
    assert card_names(client.get(url, {"q": "Delgado", "state": "OH"})) == ["Dan Delgada"]


def test_directory_filters(member_client):
    member(
        display_name="Ann",
        library_type=LibraryType.PUBLIC,
        state="NJ",
        open_to_mentoring=True,
        can_help_with=["grant writing"],
    )
    member(display_name="Ben", library_type=LibraryType.ACADEMIC, state="NJ")
    member(display_name="Cy", library_type=LibraryType.PUBLIC, state="OH", open_to_mentoring=True)
    url = reverse("accounts:list")

    def found(**params):
        response = member_client.get(url, {"sort": "name", **params})
        return [name for name in card_names(response) if name in {"Ann", "Ben", "Cy"}]

    assert found(library_type=["public"]) == ["Ann", "Cy"]
    assert found(library_type=["public", "academic"]) == ["Ann", "Ben", "Cy"]
    assert found(country="US", state="New Jersey") == ["Ann", "Ben"]
    assert found(open_to=["mentoring"]) == ["Ann", "Cy"]
    assert found(help="Grant Writing") == ["Ann"]
    assert found(q="Ann", library_type=["academic"]) == []


def test_directory_ignores_nonsense_filters_instead_of_failing(member_client):
    response = member_client.get(
        reverse("accounts:list"), {"library_type": "spaceship", "sort": "??", "page": "1"}
    )

    assert response.status_code == 200


def test_nearest_first_with_distances_for_us_members(client):
    viewer = member(display_name="Me", postal_code="48104", state="MI")
    member(display_name="Lansing", postal_code="48933", state="MI")
    member(display_name="Ypsilanti", postal_code="48197", state="MI")
    member(display_name="Chicago", postal_code="60601", state="IL")
    client.force_login(viewer)

    response = client.get(reverse("accounts:list"))

    assert response.context["sort"] == "near"
    assert card_names(response) == ["Ypsilanti", "Lansing", "Chicago"]
    page = html(response)
    assert "about 5 miles away" in page or "about 6 miles away" in page
    assert "about 55 miles away" in page
    assert "about 200 miles away" in page
    within = client.get(reverse("accounts:list"), {"within": "25"})
    assert card_names(within) == ["Ypsilanti"]


def test_directory_pages_through_results(member_client):
    for number in range(30):
        member(display_name=f"Member {number:02}", state="WY")

    first = member_client.get(reverse("accounts:list"), {"sort": "name", "state": "WY"})
    second = member_client.get(reverse("accounts:list"), {"sort": "name", "state": "WY", "page": 2})

    assert len(first.context["profiles"]) == 24
    assert card_names(second) == [f"Member {number}" for number in range(24, 30)]
    assert 'href="?sort=name&amp;state=WY&amp;page=2"' in html(first)
    assert "Page 2 of 2" in html(second)


def test_directory_query_count_does_not_grow_with_page_size_or_data(
    client, django_assert_max_num_queries, monkeypatch
):
    viewer = member(display_name="Me", postal_code="48104", state="MI")
    client.force_login(viewer)
    url = reverse("accounts:list")
    params = {"q": "colleague", "help": "makerspace", "open_to": ["visits"], "within": "50"}

    def add_members(count):
        for number in range(count):
            member(
                display_name=f"Colleague {number}",
                postal_code="48197",
                state="MI",
                can_help_with=["makerspace", f"topic {number}"],
                want_to_learn=["OER"],
                open_to_visits=True,
            )

    def queries_for_page(size):
        monkeypatch.setattr(MemberListView, "paginate_by", size)
        caches["pages"].clear()  # the page size changed behind the site's back: render again
        caches["process"].clear()  # and count the map's figures afresh each time, like for like
        # session, user, versions with the unread count, own profile, the map's counts, the
        # suggested topics (both kept by the process once counted), the count, the page, topics
        with django_assert_max_num_queries(9) as captured:
            response = client.get(url, params)
        return len(response.context["profiles"]), len(captured.captured_queries)

    client.get(url)  # the first request of a session records onboarding in it
    add_members(3)
    few = queries_for_page(24)
    add_members(40)
    small = queries_for_page(5)
    large = queries_for_page(40)

    assert (few[0], small[0], large[0]) == (3, 5, 40)
    assert few[1] == small[1] == large[1]


# --- profile page -------------------------------------------------------------------------------
def test_public_profiles_are_visible_to_visitors(client, people):
    response = client.get(people["public"].get_absolute_url())

    assert response.status_code == 200
    assert "Pat Public" in html(response)


def test_members_only_profiles_send_visitors_to_log_in(client, people):
    response = client.get(people["members"].get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_hidden_profiles_are_not_found_by_other_members(client, people):
    client.force_login(people["public"])

    assert client.get(people["hidden"].get_absolute_url()).status_code == 404
    assert client.get(people["members"].get_absolute_url()).status_code == 200


def test_unknown_members_are_not_found(member_client):
    assert member_client.get(reverse("accounts:detail", kwargs={"pk": 999999})).status_code == 404


def test_owner_sees_own_hidden_profile_with_hint_and_colleagues_near(client):
    owner = member(
        display_name="Olive Owner",
        library_type=LibraryType.HIGH_SCHOOL,
        postal_code="48104",
        state="MI",
        visibility=Visibility.HIDDEN,
        bio="",
    )
    member(display_name="Paul Public", library_type=LibraryType.PUBLIC, postal_code="48197")
    member(display_name="Sam School", library_type=LibraryType.MIDDLE_SCHOOL, postal_code="48197")
    client.force_login(owner)

    response = client.get(owner.get_absolute_url())

    page = html(response)
    assert response.status_code == 200
    assert "only you can see it" in page
    assert "Edit profile" in page
    assert "Help colleagues find you" in page
    assert "a short bio" in page
    assert "Colleagues near you of other library types" in page
    assert [p.user.display_name for p in response.context["colleagues"]] == ["Paul Public"]
    assert "about 5 miles away" in page or "about 6 miles away" in page
    assert "{# affiliations #}" not in page


def test_profile_shows_distance_from_the_viewer(client):
    viewer = member(postal_code="48104", state="MI")
    other = member(display_name="Lansing Librarian", postal_code="48933", state="MI")
    client.force_login(viewer)

    assert "about 55 miles away" in html(client.get(other.get_absolute_url()))


def test_profile_page_renders_markdown_bio_safely(client):
    owner = member(bio="We run a **makerspace**.\n\n" + "\n\n".join(XSS_PAYLOADS))
    client.force_login(owner)

    page = html(client.get(owner.get_absolute_url()))

    assert "<strong>makerspace</strong>" in page
    assert_inert(page)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_member_written_fields_are_inert_everywhere(client, payload):
    author = member(
        display_name=payload[:150],
        job_title=payload[:120],
        library_name=payload[:200],
        city=payload[:120],
        can_help_with=[payload[:100]],
        visibility=Visibility.PUBLIC,
    )
    client.force_login(UserFactory())

    for url in [
        author.get_absolute_url(),
        reverse("accounts:list"),
        reverse("accounts:contact", kwargs={"pk": author.pk}),
    ]:
        assert_inert(html(client.get(url)))


def test_profile_page_query_count(client, django_assert_max_num_queries):
    viewer = member(postal_code="48104", state="MI")
    other = member(can_help_with=["makerspace", "OER", "ebooks"], want_to_learn=["grant writing"])
    client.force_login(viewer)
    client.get(viewer.get_absolute_url())  # the first request of a session records onboarding

    with django_assert_max_num_queries(9):  # 8, plus the Follow button's state
        assert client.get(other.get_absolute_url()).status_code == 200


# --- no email address anywhere ------------------------------------------------------------------
def test_no_page_shows_an_email_address(client):
    owner = member(
        email="owner.secret@library.example",
        display_name="Olive",
        postal_code="48104",
        state="MI",
        can_help_with=["makerspace"],
    )
    other = member(
        email="other.secret@library.example",
        display_name="Otto",
        library_type=LibraryType.ACADEMIC,
        postal_code="48197",
        state="MI",
        visibility=Visibility.PUBLIC,
    )
    incomplete = UserFactory(email="new.secret@library.example")
    incomplete.profile.library_type = ""
    incomplete.profile.save()
    client.force_login(owner)
    pages = [
        reverse("home"),
        reverse("accounts:list"),
        reverse("accounts:list") + "?q=Otto",
        owner.get_absolute_url(),
        other.get_absolute_url(),
        reverse("accounts:update", kwargs={"pk": owner.pk}),
        reverse("accounts:settings", kwargs={"pk": owner.pk}),
        reverse("accounts:contact", kwargs={"pk": other.pk}),
        reverse("accounts:delete", kwargs={"pk": owner.pk}),
        reverse("accounts:onboarding"),
    ]
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert email.findall(html(response)) == [], url
    client.force_login(incomplete)
    assert email.findall(html(client.get(reverse("accounts:onboarding")))) == []
    client.logout()
    for url in [reverse("accounts:list"), other.get_absolute_url()]:
        assert email.findall(html(client.get(url))) == [], url


# --- own pages refuse everyone else -------------------------------------------------------------
OWN_PAGES = ["accounts:update", "accounts:settings", "accounts:export", "accounts:delete"]


@pytest.mark.parametrize("name", OWN_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_members_cannot_use_someone_elses_pages(client, name, method):
    owner = member(display_name="Owner", library_name="Owner's Library")
    client.force_login(member(display_name="Intruder"))
    url = reverse(name, kwargs={"pk": owner.pk})

    response = getattr(client, method)(
        url,
        {
            "display_name": "Hacked",
            "library_type": "public",
            "state": "MI",
            "country": "US",
            "visibility": "hidden",
            "password": TEST_PASSWORD,
            "stories": "delete",
        },
    )

    assert response.status_code == 404
    owner.refresh_from_db()
    assert owner.display_name == "Owner"
    assert owner.profile.visibility == Visibility.MEMBERS
    assert Profile.objects.get(user=owner).library_name == "Owner's Library"


@pytest.mark.parametrize("name", [*OWN_PAGES, "accounts:contact"])
def test_visitors_are_asked_to_log_in(client, member, name):
    response = client.get(reverse(name, kwargs={"pk": member.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_me_goes_to_my_profile(member_client, member):
    response = member_client.get(reverse("accounts:me"))

    assert response["Location"] == member.get_absolute_url()


# --- edit profile -------------------------------------------------------------------------------
def edit_data(**overrides):
    data = {
        "display_name": "Rosa Delgado",
        "job_title": "Teacher librarian",
        "library_name": "Lincoln High School",
        "library_type": "high_school",
        "audiences": ["teens", "faculty"],
        "country": "US",
        "state": "",
        "city": "",
        "postal_code": "48104",
        "bio": "I run a **makerspace**.",
        "can_help_with": "makerspace, college readiness",
        "want_to_learn": "OER",
        "open_to_visits": "on",
        "open_to_joint_programs": "on",
        "website": "lincoln.example",
        "social_url": "",
    }
    return {**data, **overrides}


def test_editing_the_profile_saves_every_field(client, member):
    client.force_login(member)

    response = client.post(reverse("accounts:update", kwargs={"pk": member.pk}), edit_data())

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    member.refresh_from_db()
    assert member.display_name == "Rosa Delgado"
    assert (profile.job_title, profile.library_name) == ("Teacher librarian", "Lincoln High School")
    assert profile.library_type == "high_school"
    assert profile.audiences == ["teens", "faculty"]
    assert (profile.state, profile.city) == ("MI", "Ann Arbor")  # filled in from the ZIP code
    assert profile.latitude is not None
    assert profile.bio == "I run a **makerspace**."
    assert sorted(profile.can_help_with.names()) == ["college readiness", "makerspace"]
    assert list(profile.want_to_learn.names()) == ["OER"]
    assert profile.open_to_visits
    assert profile.open_to_joint_programs
    assert not profile.open_to_mentoring
    assert profile.website == "https://lincoln.example"


def test_edit_form_shows_current_topics_and_suggests_existing_ones(client):
    owner = member(can_help_with=["college readiness", "makerspace"])
    member(can_help_with=["information literacy"])
    client.force_login(owner)

    page = html(client.get(reverse("accounts:update", kwargs={"pk": owner.pk})))

    assert 'value="college readiness, makerspace"' in page
    assert '<datalist id="topic-suggestions">' in page
    assert '<option value="information literacy">' in page
    assert 'list="topic-suggestions"' in page


def test_a_topic_someone_just_added_is_suggested_at_once(client):
    owner = member(can_help_with=["makerspace"])
    client.force_login(owner)
    edit = reverse("accounts:update", kwargs={"pk": owner.pk})
    assert '<option value="makerspace">' in html(client.get(edit))

    member(can_help_with=["seed libraries"])

    assert '<option value="seed libraries">' in html(client.get(edit))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"postal_code": "99999"}, "postal_code", "We don&#x27;t know the ZIP code 99999"),
        ({"postal_code": "4810"}, "postal_code", "five digits"),
        ({"state": "OH"}, "postal_code", "ZIP code 48104 is in Michigan, not Ohio"),
        ({"postal_code": "", "state": "Narnia"}, "state", "two-letter code"),
        ({"library_type": ""}, "library_type", "This field is required"),
        ({"display_name": "   "}, "display_name", "Tell colleagues your name."),
        ({"website": "javascript:alert(1)"}, "website", "Enter a valid URL"),
        ({"can_help_with": ", ".join(f"t{n}" for n in range(21))}, "can_help_with", "at most 20"),
        # PostgreSQL refuses NUL in text: these used to answer 500
        ({"can_help_with": "a\x00b"}, "can_help_with", "Null characters are not allowed"),
        ({"want_to_learn": "ebooks, \x00"}, "want_to_learn", "Null characters are not allowed"),
        ({"bio": "I run a\x00 makerspace"}, "bio", "Null characters are not allowed"),
        ({"bio": "x" * (BIO_MAX_LENGTH + 1)}, "bio", f"{BIO_MAX_LENGTH:,} characters or fewer"),
    ],
)
def test_bad_profile_input_gets_a_clear_message_and_changes_nothing(
    client, member, change, field, message
):
    client.force_login(member)
    before = Profile.objects.get(user=member)

    response = client.post(
        reverse("accounts:update", kwargs={"pk": member.pk}), edit_data(**change)
    )

    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', page)
    after = Profile.objects.get(user=member)
    assert (after.library_name, after.postal_code) == (before.library_name, before.postal_code)
    assert 'value="Lincoln High School"' in page  # what they typed is kept


def test_outside_the_us_any_region_and_postal_code_are_accepted(client, member):
    client.force_login(member)

    response = client.post(
        reverse("accounts:update", kwargs={"pk": member.pk}),
        edit_data(country="CA", state="Ontario", city="Toronto", postal_code="M5V 2T6"),
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert (profile.country, profile.state, profile.postal_code) == ("CA", "Ontario", "M5V 2T6")
    assert profile.latitude is None


# --- onboarding ---------------------------------------------------------------------------------
@pytest.fixture
def newcomer(client):
    user = UserFactory(display_name="")
    user.profile.library_type = ""
    user.profile.state = ""
    user.profile.save()
    client.force_login(user)
    return user


@pytest.mark.parametrize("path", ["/members/", "/stories/", "/groups/", "/"])
def test_newcomers_complete_onboarding_before_anything_else(client, newcomer, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:onboarding"))


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/change/",
        "/accounts/email/",
        "/healthz",
        "/members/welcome/",
        "/members/{pk}/export/",
        "/members/{pk}/delete/",
    ],
)
def test_onboarding_lets_newcomers_manage_their_account_and_leave(client, newcomer, path):
    assert client.get(path.format(pk=newcomer.pk)).status_code == 200


def test_onboarding_lets_newcomers_log_out(client, newcomer):
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_onboarding_saves_type_and_region_then_returns_to_where_they_were_going(client, newcomer):
    redirect = client.get("/members/?q=makerspace")["Location"]
    page = client.get(redirect)
    assert 'name="next" value="/members/?q=makerspace"' in html(page)

    response = client.post(
        redirect,
        {
            "display_name": "Nina Newcomer",
            "library_type": "public",
            "library_name": "Ypsilanti District Library",
            "country": "US",
            "state": "",
            "city": "",
            "postal_code": "48197",
            "next": "/members/?q=makerspace",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/members/?q=makerspace"
    profile = Profile.objects.get(user=newcomer)
    assert (profile.library_type, profile.state, profile.city) == ("public", "MI", "Ypsilanti")
    assert profile.latitude is not None
    assert client.get("/members/").status_code == 200


def test_onboarding_without_next_shows_the_profile_with_the_completeness_hint(client, newcomer):
    response = client.post(
        reverse("accounts:onboarding"),
        {
            "display_name": "Nina",
            "library_type": "academic",
            "country": "GB",
            "state": "Kent",
            "next": "https://evil.example/",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == newcomer.get_absolute_url()
    assert "Help colleagues find you" in html(response)


def test_onboarding_asks_what_it_says_and_shows_the_name_given_at_sign_up(client, newcomer):
    newcomer.display_name = "Nina Newcomer"
    newcomer.save(update_fields=["display_name"])

    page = html(client.get(reverse("accounts:onboarding")))

    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.DOTALL).group(1)
    assert "Three things first" in lead
    for thing in ("your name", "your kind of library", "where it is"):
        assert thing in lead
    # the three things are the form's required fields, and the name is already filled in
    assert re.search(r'<input[^>]*name="display_name"[^>]*value="Nina Newcomer"', page)
    assert re.search(r'<input[^>]*name="display_name"[^>]*required', page)
    assert re.search(r'<select[^>]*name="library_type"[^>]*required', page)


def test_onboarding_requires_type_and_region(client, newcomer):
    response = client.post(
        reverse("accounts:onboarding"),
        {"display_name": "Nina", "library_type": "", "country": "US"},
    )

    assert response.status_code == 200
    page = html(response)
    assert 'id="id_library_type_error"' in page
    assert 'id="id_state_error"' in page
    assert Profile.objects.get(user=newcomer).library_type == ""


# --- settings -----------------------------------------------------------------------------------
def test_settings_page_has_a_checkbox_per_notification_kind(member_client, member):
    page = html(member_client.get(reverse("accounts:settings", kwargs={"pk": member.pk})))

    for kind in NotificationKind.optional():
        assert f'name="email_{kind.value}"' in page
    # moderation notices always reach the author
    assert 'name="email_moderation_notice"' not in page
    # organizers can tell the "is it still on?" question apart from meetup reminders
    assert "asked to confirm it is still on" in page
    assert "Download my data" in page
    assert "Delete my account" in page


def test_settings_page_shows_the_current_choices(member_client, member):
    member.profile.email_preferences = {NotificationKind.WEEKLY_DIGEST: False}
    member.profile.visibility = Visibility.PUBLIC
    member.profile.save()

    form = member_client.get(reverse("accounts:settings", kwargs={"pk": member.pk})).context["form"]
    page = form.render()

    assert re.search(r'name="email_story_comment"[^>]*checked', page)
    assert not re.search(r'name="email_weekly_digest"[^>]*checked', page)
    assert re.search(r'name="visibility" value="public"[^>]*checked', page)
    assert re.search(r'name="accepts_help_requests"[^>]*checked', page)


def test_settings_save_notifications_and_privacy(member_client, member):
    data = {f"email_{kind}": "on" for kind in NotificationKind.values}
    del data["email_weekly_digest"]
    data.update(visibility="public")  # accepts_help_requests unticked

    response = member_client.post(reverse("accounts:settings", kwargs={"pk": member.pk}), data)

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.wants_email(NotificationKind.WEEKLY_DIGEST) is False
    assert profile.wants_email(NotificationKind.CONTACT_MESSAGE) is True
    assert profile.visibility == "public"
    assert profile.accepts_help_requests is False


def test_settings_refuse_an_unknown_visibility(member_client, member):
    response = member_client.post(
        reverse("accounts:settings", kwargs={"pk": member.pk}), {"visibility": "everyone!"}
    )

    assert response.status_code == 200
    assert Profile.objects.get(user=member).visibility == "members"


# --- download my data, delete my account --------------------------------------------------------
def test_download_my_data(member_client, member):
    response = member_client.get(reverse("accounts:export", kwargs={"pk": member.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["accounts"]["account"]["email_addresses"][0]["email"] == member.email


def test_deleting_needs_the_password(member_client, member):
    response = member_client.post(
        reverse("accounts:delete", kwargs={"pk": member.pk}),
        {"stories": "keep", "password": "not-my-password"},
    )

    assert response.status_code == 200
    assert "That is not your password" in html(response)
    assert User.objects.filter(pk=member.pk).exists()


def test_deleting_the_account_signs_out_and_removes_it(member_client, member):
    response = member_client.post(
        reverse("accounts:delete", kwargs={"pk": member.pk}),
        {"stories": "delete", "password": TEST_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account and your personal data are deleted" in html(response)
    assert not User.objects.filter(pk=member.pk).exists()
    assert "_auth_user_id" not in member_client.session


def test_password_guessing_on_the_delete_page_is_limited(member_client, member):
    url = reverse("accounts:delete", kwargs={"pk": member.pk})
    for _ in range(5):
        member_client.post(url, {"stories": "keep", "password": "guess"})

    response = member_client.post(url, {"stories": "keep", "password": TEST_PASSWORD})

    assert "Too many attempts" in html(response)
    assert User.objects.filter(pk=member.pk).exists()


# --- contact ------------------------------------------------------------------------------------
def test_contact_a_member_through_the_site(client, task_queue):
    sender = member(display_name="Sara")
    recipient = member(display_name="Rick", email="rick@library.example")
    client.force_login(sender)
    url = reverse("accounts:contact", kwargs={"pk": recipient.pk})

    assert "Contact Rick" in html(client.get(recipient.get_absolute_url()))
    response = client.post(url, {"message": "Lunch next month?", "share_email": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == recipient.get_absolute_url()
    assert "Your message to Rick is on its way" in html(response)
    task_queue.run_all()
    assert mail.outbox[0].to == ["rick@library.example"]
    assert mail.outbox[0].reply_to == [sender.email]
    assert ContactMessage.objects.filter(sender=sender, recipient=recipient).count() == 1


def test_contact_over_the_limit_keeps_the_message_and_says_why(client):
    sender = member()
    recipient = member()
    client.force_login(sender)
    url = reverse("accounts:contact", kwargs={"pk": recipient.pk})
    for _ in range(CONTACT_LIMIT_PER_HOUR):
        client.post(url, {"message": "Hello"})

    response = client.post(url, {"message": "My carefully written note"})

    assert response.status_code == 200
    page = html(response)
    assert "try again later" in page
    assert "My carefully written note" in page
    assert ContactMessage.objects.count() == CONTACT_LIMIT_PER_HOUR


def test_members_who_switched_messages_off_cannot_be_contacted(client):
    recipient = member(display_name="Quiet")
    recipient.profile.email_preferences = {NotificationKind.CONTACT_MESSAGE: False}
    recipient.profile.save()
    client.force_login(member())

    assert "is not accepting messages" in html(client.get(recipient.get_absolute_url()))
    response = client.post(
        reverse("accounts:contact", kwargs={"pk": recipient.pk}), {"message": "Hi"}
    )
    assert "is not accepting messages" in html(response)
    assert not ContactMessage.objects.exists()


def test_hidden_members_and_oneself_cannot_be_contacted(client):
    hidden = member(visibility=Visibility.HIDDEN)
    me = member()
    client.force_login(me)

    for target in (hidden, me):
        url = reverse("accounts:contact", kwargs={"pk": target.pk})
        assert client.post(url, {"message": "Hi"}).status_code == 404
    assert not ContactMessage.objects.exists()


def test_profile_page_lists_the_members_affiliations(client):
    from tests.factories import AffiliationFactory, OrganisationFactory

    viewer = member()
    owner = member(display_name="Ada Affiliated")
    AffiliationFactory(
        member=owner, organisation=OrganisationFactory(name="Panhandle Cooperative"), role="chair"
    )
    client.force_login(viewer)

    page = html(client.get(owner.get_absolute_url()))

    assert "Panhandle Cooperative" in page
