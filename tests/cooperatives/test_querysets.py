import datetime

import pytest

from cooperatives.models import Affiliation, Organisation
from tests.factories import AffiliationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    return {
        "pplcs": OrganisationFactory(
            name="Panhandle Public Library Cooperative System",
            acronym="PPLCS",
            kind="library_system",
            states=["FL"],
            description="Administrative office of a multi-county public library cooperative.",
        ),
        "uprlc": OrganisationFactory(
            name="Upper Peninsula Region of Library Cooperation",
            acronym="UPRLC",
            states=["MI"],
            library_types=["public", "academic", "tribal"],
            activities=["resource_sharing"],
            description="Libraries in the Upper Peninsula share resources.",
        ),
        "ala": OrganisationFactory(
            name="American Library Association",
            acronym="ALA",
            kind="national_association",
            states=[],
            library_types=[],
            all_library_types=True,
            description="National professional association for libraries.",
        ),
        "tenn": OrganisationFactory(
            name="Tenn-Share",
            states=["TN"],
            activities=["purchasing", "delivery"],
            description="Purchasing consortium with an interlibrary loan courier.",
        ),
    }


def names(queryset):
    return [organisation.name for organisation in queryset]


def test_a_misspelt_name_finds_the_entry(directory):
    assert names(Organisation.objects.search("Panhandel")) == [directory["pplcs"].name]


def test_an_acronym_finds_the_entry_first(directory):
    assert names(Organisation.objects.search("UPRLC"))[0] == directory["uprlc"].name
    # the source document's own misspelling of it
    assert names(Organisation.objects.search("UPROC")) == [directory["uprlc"].name]


def test_full_text_search_uses_stemmed_words_of_the_description(directory):
    assert names(Organisation.objects.search("couriers")) == ["Tenn-Share"]
    assert names(Organisation.objects.search("sharing resources")) == [directory["uprlc"].name]


def test_search_ranks_a_name_match_above_a_description_mention(directory):
    OrganisationFactory(name="Lakeland Cooperative", description="Works closely with UPRLC.")

    found = names(Organisation.objects.search("UPRLC"))

    assert found == [directory["uprlc"].name, "Lakeland Cooperative"]


def test_unrelated_words_find_nothing(directory):
    assert names(Organisation.objects.search("zebra xylophone")) == []


def test_blank_search_keeps_everything(directory):
    assert Organisation.objects.search("   ").count() == 4


def test_filters_by_state_kind_activity_and_status(directory):
    directory["tenn"].status = "inactive"
    directory["tenn"].save()

    assert names(Organisation.objects.in_state("MI")) == [directory["uprlc"].name]
    assert names(Organisation.objects.of_kind("library_system")) == [directory["pplcs"].name]
    assert names(Organisation.objects.doing("delivery")) == ["Tenn-Share"]
    assert names(Organisation.objects.with_status("inactive")) == ["Tenn-Share"]


def test_library_type_filter_includes_entries_serving_every_type(directory):
    assert names(Organisation.objects.serving("tribal")) == [
        directory["ala"].name,
        directory["uprlc"].name,
    ]
    assert names(Organisation.objects.serving("high_school")) == [directory["ala"].name]


def test_not_verified_since_includes_never_verified_and_stale_entries(directory):
    today = datetime.date(2026, 6, 1)
    Organisation.objects.filter(pk=directory["ala"].pk).update(
        last_verified_on=today - datetime.timedelta(days=30)
    )
    Organisation.objects.filter(pk=directory["uprlc"].pk).update(
        last_verified_on=today - datetime.timedelta(days=400)
    )

    stale = names(Organisation.objects.not_verified_since(today - datetime.timedelta(days=365)))

    assert directory["ala"].name not in stale
    assert directory["uprlc"].name in stale
    assert "Tenn-Share" in stale  # never verified


def test_matching_reference_prefers_the_full_name_then_slug_then_acronym():
    wisconsin = OrganisationFactory(name="Wisconsin Library Association", acronym="WLA")
    washington = OrganisationFactory(name="Washington Library Association", acronym="WLA")
    wla_named = OrganisationFactory(name="WLA", acronym="")

    assert Organisation.objects.matching_reference("wisconsin library association") == [wisconsin]
    assert Organisation.objects.matching_reference(washington.slug) == [washington]
    assert Organisation.objects.matching_reference("WLA") == [wla_named]
    wla_named.delete()
    assert set(Organisation.objects.matching_reference("wla")) == {wisconsin, washington}


# --- who sees an affiliation ----------------------------------------------------------------


@pytest.fixture
def affiliations():
    organisation = OrganisationFactory()
    by_visibility = {}
    for visibility in ("public", "members", "hidden"):
        member = UserFactory(display_name=f"{visibility} member")
        member.profile.visibility = visibility
        member.profile.save()
        by_visibility[visibility] = AffiliationFactory(member=member, organisation=organisation)
    return by_visibility


def visible_names(viewer):
    return sorted(str(a.member) for a in Affiliation.objects.visible_to(viewer))


def test_visitors_see_only_public_profiles(affiliations):
    from django.contrib.auth.models import AnonymousUser

    assert visible_names(AnonymousUser()) == ["public member"]
    assert visible_names(None) == ["public member"]


def test_members_see_public_and_members_profiles_not_hidden_ones(affiliations):
    assert visible_names(UserFactory()) == ["members member", "public member"]


def test_a_hidden_member_still_sees_their_own_affiliation(affiliations):
    hidden = affiliations["hidden"].member

    assert visible_names(hidden) == ["hidden member", "members member", "public member"]


def test_inactive_accounts_are_never_shown(affiliations):
    public = affiliations["public"].member
    public.is_active = False
    public.save()

    assert visible_names(UserFactory()) == ["members member"]
