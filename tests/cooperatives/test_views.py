import pytest
from django.urls import reverse

from cooperatives.models import (
    DESCRIPTION_MAX_LENGTH,
    SUGGESTION_NOTE_MAX_LENGTH,
    Affiliation,
    Organisation,
    Suggestion,
)
from cooperatives.views import SUGGESTIONS_PER_HOUR
from tests.factories import AffiliationFactory, OrganisationFactory, UserFactory
from tests.xss import XSS_PAYLOADS, assert_inert

pytestmark = pytest.mark.django_db

LIST = reverse("cooperatives:list")


def listed(response) -> list[str]:
    return [organisation.name for organisation in response.context["organisations"]]


@pytest.fixture
def directory():
    ala = OrganisationFactory(
        name="American Library Association",
        acronym="ALA",
        kind="national_association",
        states=[],
        library_types=[],
        all_library_types=True,
    )
    return {
        "ala": ala,
        "pplcs": OrganisationFactory(
            name="Panhandle Public Library Cooperative System",
            acronym="PPLCS",
            kind="library_system",
            states=["FL"],
        ),
        "uprlc": OrganisationFactory(
            name="Upper Peninsula Region of Library Cooperation",
            acronym="UPRLC",
            states=["MI"],
            library_types=["public", "academic"],
            activities=["resource_sharing"],
        ),
        "mla": OrganisationFactory(
            name="Michigan Library Association",
            kind="state_library_association",
            states=["MI"],
            status="inactive",
            parents=[ala],
        ),
    }


# --- browsing -----------------------------------------------------------------------------


def test_the_directory_lists_every_entry_kept_until_change(client, directory):
    response = client.get(LIST)

    assert response.status_code == 200
    assert listed(response) == sorted(o.name for o in directory.values())
    page = response.content.decode()
    assert "<h1>Directory of cooperatives</h1>" in page
    assert "All 4 entries" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "library_system"}, ["Panhandle Public Library Cooperative System"]),
        (
            {"state": "MI"},
            ["Michigan Library Association", "Upper Peninsula Region of Library Cooperation"],
        ),
        (
            {"library_type": "academic"},
            ["American Library Association", "Upper Peninsula Region of Library Cooperation"],
        ),
        ({"activity": "resource_sharing"}, ["Upper Peninsula Region of Library Cooperation"]),
        ({"status": "inactive"}, ["Michigan Library Association"]),
        ({"state": "MI", "status": "active"}, ["Upper Peninsula Region of Library Cooperation"]),
        ({"q": "Panhandel"}, ["Panhandle Public Library Cooperative System"]),
        ({"q": "UPRLC"}, ["Upper Peninsula Region of Library Cooperation"]),
        ({"q": "UPRLC", "state": "FL"}, []),
    ],
)
def test_browse_by_filters_and_search(client, directory, query, expected):
    assert listed(client.get(LIST, query)) == expected


def test_an_unknown_filter_value_is_explained_and_ignored(client, directory):
    response = client.get(LIST, {"state": "ZZ", "kind": "library_system"})

    assert listed(response) == ["Panhandle Public Library Cooperative System"]
    assert "Select a valid choice" in response.content.decode()


def test_no_match_explains_what_to_try(client, directory):
    page = client.get(LIST, {"q": "zebra xylophone"}).content.decode()

    assert "No entry matches “zebra xylophone”" in page
    assert reverse("cooperatives:suggest") in page


def test_pagination_keeps_the_filters(client):
    for number in range(25):
        OrganisationFactory(name=f"Cooperative {number:02}", states=["NJ"])
    OrganisationFactory(name="Elsewhere", states=["TX"])

    first = client.get(LIST, {"state": "NJ"})
    second = client.get(LIST, {"state": "NJ", "page": 2})

    assert len(listed(first)) == 20
    assert listed(second) == [f"Cooperative {n}" for n in range(20, 25)]
    assert "state=NJ&amp;page=2" in first.content.decode()


def test_the_list_uses_few_queries_whatever_the_size(client, member, django_assert_max_num_queries):
    client.force_login(member)
    client.get(LIST)  # the first visit also records onboarding in the session
    # both measurements follow a change, so both count the map's figures afresh
    OrganisationFactory.create_batch(3)
    with django_assert_max_num_queries(7) as small:
        client.get(LIST, {"q": "cooperative", "state": "MI"})
    OrganisationFactory.create_batch(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST, {"q": "cooperative", "state": "MI"})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST, {"page": 2})


# --- an entry's page ----------------------------------------------------------------------


def test_the_page_shows_parents_parts_and_facts(client, directory):
    committee = OrganisationFactory(
        name="Legislation Committee", kind="committee", parents=[directory["mla"]]
    )

    page = client.get(directory["mla"].get_absolute_url()).content.decode()

    assert "<h2>Part of</h2>" in page
    assert directory["ala"].get_absolute_url() in page
    assert committee.get_absolute_url() in page
    assert "No longer active" in page
    assert "Groups and upcoming meetups" in page  # the groups app's place, wired at merge


def test_a_merged_entry_points_to_its_successor(client, directory):
    old = OrganisationFactory(
        name="INFOLINK", status="merged", merged_into=directory["uprlc"], states=["NJ"]
    )

    page = client.get(old.get_absolute_url()).content.decode()

    assert "Merged into" in page
    assert directory["uprlc"].get_absolute_url() in page


def test_doubtful_entries_say_so(client):
    organisation = OrganisationFactory(needs_verification=True, curator_notes="Check the site")

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "not been confirmed by a curator" in page
    assert "Check the site" not in page  # curators' notes stay in the admin


def test_only_contacts_marked_public_are_shown(client):
    organisation = OrganisationFactory()
    organisation.contacts.create(name="Pat Public", role="Director", show_publicly=True)
    organisation.contacts.create(name="Quinn Private", email="quinn@home.example")

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "Pat Public" in page
    assert "Quinn Private" not in page
    assert "quinn@home.example" not in page


def test_an_unknown_entry_is_404(client):
    assert client.get(reverse("cooperatives:detail", args=["nowhere"])).status_code == 404


@pytest.fixture
def members_of(directory):
    organisation = directory["uprlc"]
    result = {}
    for visibility in ("public", "members", "hidden"):
        member = UserFactory(display_name=f"{visibility.title()} Person")
        member.profile.visibility = visibility
        member.profile.save()
        AffiliationFactory(member=member, organisation=organisation, role="officer")
        result[visibility] = member
    return organisation, result


def test_affiliated_members_respect_profile_visibility(client, members_of):
    organisation, _ = members_of
    url = organisation.get_absolute_url()

    as_visitor = client.get(url).content.decode()
    client.force_login(UserFactory())
    as_member = client.get(url).content.decode()

    assert "Public Person" in as_visitor
    assert "Members Person" not in as_visitor
    assert "Hidden Person" not in as_visitor
    assert "Public Person" in as_member
    assert "Members Person" in as_member
    assert "Hidden Person" not in as_member


def test_a_hidden_member_sees_their_own_affiliation_with_a_warning(client, members_of):
    organisation, members = members_of
    client.force_login(members["hidden"])

    response = client.get(organisation.get_absolute_url())

    assert response.context["my_affiliation"].member == members["hidden"]
    assert "only you see this" in response.content.decode()


def test_the_entry_page_uses_few_queries_whatever_the_size(
    client, members_of, django_assert_max_num_queries
):
    organisation, members = members_of
    client.force_login(members["public"])
    client.get(organisation.get_absolute_url())  # first visit records onboarding
    with django_assert_max_num_queries(10) as small:
        client.get(organisation.get_absolute_url())
    for _ in range(10):
        AffiliationFactory(organisation=organisation)
        OrganisationFactory(parents=[organisation], kind="committee")
    organisation.contacts.create(name="Pat", show_publicly=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(organisation.get_absolute_url())
    # the viewer's own affiliation is shown apart; the hidden member's not at all
    assert len(response.context["others"]) == 11


# --- my affiliation -----------------------------------------------------------------------


def test_a_member_lists_changes_and_removes_their_affiliation(member_client, member, directory):
    organisation = directory["uprlc"]
    url = reverse("cooperatives:affiliation", args=[organisation.slug])

    response = member_client.post(url, {"role": "member"})
    assert response.status_code == 302
    assert response["Location"].endswith("#affiliation")
    member_client.post(url, {"role": "chair"})
    assert Affiliation.objects.get(member=member, organisation=organisation).role == "chair"
    page = member_client.get(organisation.get_absolute_url()).content.decode()
    assert "You are listed as <strong>chair</strong>" in page

    member_client.post(url, {"remove": "1"})
    assert not Affiliation.objects.filter(member=member).exists()


def test_affiliation_changes_need_sign_in_and_post(client, member, directory):
    url = reverse("cooperatives:affiliation", args=[directory["uprlc"].slug])

    response = client.post(url, {"role": "member"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Affiliation.objects.exists()
    client.force_login(member)
    assert client.get(url).status_code == 405
    member_client = client
    member_client.post(url, {"role": "emperor"})
    assert not Affiliation.objects.exists()


def test_removing_never_touches_other_members(member_client, directory):
    other = AffiliationFactory(organisation=directory["uprlc"])

    member_client.post(
        reverse("cooperatives:affiliation", args=[directory["uprlc"].slug]), {"remove": "1"}
    )

    assert Affiliation.objects.filter(pk=other.pk).exists()


# --- suggestions --------------------------------------------------------------------------


def test_suggesting_needs_sign_in(client, directory):
    for url in (
        reverse("cooperatives:suggest"),
        reverse("cooperatives:suggest_correction", args=[directory["uprlc"].slug]),
        reverse("cooperatives:suggestions"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_member_suggests_a_new_entry(member_client, member):
    response = member_client.post(
        reverse("cooperatives:suggest"),
        {
            "name": "Lakeland Library Cooperative",
            "kind": "regional_cooperative",
            "country": "US",
            "states": ["MI"],
            "library_types": ["public"],
            "website": "https://lakeland.example.org/",
            "note": "Listed at michigan.gov",
        },
    )

    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == "new"
    assert suggestion.submitted_by == member
    assert suggestion.proposed == {
        "name": "Lakeland Library Cooperative",
        "kind": "regional_cooperative",
        "country": "US",
        "states": ["MI"],
        "library_types": ["public"],
        "website": "https://lakeland.example.org/",
    }
    assert not Organisation.objects.filter(name="Lakeland Library Cooperative").exists()
    listing = member_client.get(reverse("cooperatives:suggestions")).content.decode()
    assert "Lakeland Library Cooperative" in listing
    assert "Waiting for a curator" in listing


def test_a_correction_stores_only_what_changed(member_client, directory):
    organisation = directory["uprlc"]
    url = reverse("cooperatives:suggest_correction", args=[organisation.slug])
    form = member_client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data["website"] = "https://www.uprlc.org/"
    data["states"] = ["MI", "WI"]

    response = member_client.post(url, data)

    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.organisation == organisation
    assert suggestion.proposed == {"website": "https://www.uprlc.org/", "states": ["MI", "WI"]}
    organisation.refresh_from_db()
    assert organisation.states == ["MI"]  # nothing changes until a curator approves


def test_bad_input_is_explained_and_kept(member_client):
    response = member_client.post(
        reverse("cooperatives:suggest"),
        {"name": "", "kind": "guild", "website": "not a url", "note": "Please add them"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"name", "kind", "website"}
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_name_error"' in page
    assert "Please add them" in page  # nothing the member wrote is lost
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("description", DESCRIPTION_MAX_LENGTH), ("note", SUGGESTION_NOTE_MAX_LENGTH)],
)
def test_a_text_over_its_limit_is_refused_and_kept(member_client, field, limit):
    too_long = "x" * (limit + 1)

    response = member_client.post(
        reverse("cooperatives:suggest"),
        {"name": "Lakeland", "kind": "consortium", "country": "US", field: too_long},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{limit:,} characters or fewer" in page
    assert too_long in page
    assert f"Up to {limit:,} characters." in page
    assert not Suggestion.objects.exists()


def test_an_empty_correction_is_refused(member_client, directory):
    organisation = directory["pplcs"]
    url = reverse("cooperatives:suggest_correction", args=[organisation.slug])
    form = member_client.get(url).context["form"]
    data = {n: v for n, v in form.initial.items() if v not in (None, False, [])}

    response = member_client.post(url, data)

    assert response.status_code == 200
    assert "Change at least one detail" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_suggestions_are_rate_limited(member_client):
    url = reverse("cooperatives:suggest")
    for number in range(SUGGESTIONS_PER_HOUR):
        member_client.post(
            url, {"name": f"Cooperative {number}", "kind": "consortium", "country": "US"}
        )

    response = member_client.post(
        url, {"name": "One too many", "kind": "consortium", "country": "US"}
    )

    assert response.status_code == 200
    assert "wait a little" in response.content.decode()
    assert Suggestion.objects.count() == SUGGESTIONS_PER_HOUR


def test_a_rejected_suggestion_shows_the_reason_to_its_author_only(client, member, directory):
    from cooperatives.services import suggestion_reject
    from tests.factories import SuggestionFactory, make_curator

    suggestion = SuggestionFactory(submitted_by=member, organisation=directory["ala"])
    suggestion_reject(suggestion=suggestion, by=make_curator(), reason="Already correct.")

    client.force_login(member)
    assert "Already correct." in client.get(reverse("cooperatives:suggestions")).content.decode()
    client.force_login(UserFactory())
    assert (
        "Already correct." not in client.get(reverse("cooperatives:suggestions")).content.decode()
    )


# --- what members and curators write stays inert --------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_entry_text_is_rendered_inert(client, payload):
    organisation = OrganisationFactory(
        name=f"Co-op {payload}",
        description=payload,
        address=payload,
        membership_notes=payload,
        counties_regions=payload[:300],
        website="https://example.org/",
    )
    organisation.contacts.create(name=payload[:150], role=payload[:150], show_publicly=True)
    member = UserFactory(display_name=payload[:150])
    member.profile.visibility = "public"
    member.profile.save()
    AffiliationFactory(member=member, organisation=organisation)

    assert_inert(client.get(organisation.get_absolute_url()).content.decode())
    assert_inert(client.get(LIST).content.decode())
    assert_inert(client.get(LIST, {"q": payload}).content.decode())
