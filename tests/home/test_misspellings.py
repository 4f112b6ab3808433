"""Every search box forgives one misspelt word among several (issue 14, item 10): stories,
the member directory, the directory of cooperatives and each section of site search find the
entry, rank what matches as typed first and say what they searched for instead."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from kit.spelling import search_words_rebuild
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    OrganisationFactory,
    StoryFactory,
    UserFactory,
    profile_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commons():
    """One findable thing per search box, named as librarians name them."""
    OrganisationFactory(
        name="Keweenaw Reading Cooperative",
        acronym="",
        description="Libraries of the Copper Country share a courier and a catalog.",
    )
    StoryFactory(
        title="Bookmobile visits to rural schools",
        summary="Our bookmobile reached eleven schools.",
        tags=["outreach"],
    )
    StoryFactory(title="Genealogy workshop for beginners", summary="Family history nights.")
    rosa = UserFactory(display_name="Rosa Delgado")
    profile_for(
        rosa,
        visibility="public",
        library_type="public",
        state="MI",
        job_title="Teacher librarian",
        library_name="Marquette Public Library",
        can_help_with=["makerspace"],
    )
    GroupFactory(name="Upper Peninsula Makerspace Librarians", description="", city="Houghton")
    MeetupFactory(
        title="Summer reading kickoff",
        venue_name="Carnegie annex",
        group=GroupFactory(name="Michigan youth services", description="", city="Lansing"),
    )


# what people typed, where they typed it, what they were looking for, what we searched for
MISSPELLINGS = [
    ("keweenaw cooprative", "directory", "Keweenaw Reading Cooperative", "keweenaw cooperative"),
    ("keewenaw courier", "directory", "Keweenaw Reading Cooperative", "keweenaw courier"),
    ("bookmoble rural", "stories", "Bookmobile visits to rural schools", "bookmobile rural"),
    ("geneology workshop", "stories", "Genealogy workshop for beginners", "genealogy workshop"),
    ("rosa delagdo", "members", "Rosa Delgado", "rosa delgado"),
    ("marquette libary", "members", "Rosa Delgado", "marquette library"),
]
SITE_MISSPELLINGS = [
    ("keweenaw cooprative", "organisations", "Keweenaw Reading Cooperative"),
    ("bookmoble rural", "stories", "Bookmobile visits to rural schools"),
    ("geneology workshop", "stories", "Genealogy workshop for beginners"),
    ("rosa delagdo", "members", "Rosa Delgado"),
    ("makerspce librarians", "groups", "Upper Peninsula Makerspace Librarians"),
    ("upper peninsla makerspace", "groups", "Upper Peninsula Makerspace Librarians"),
    ("sumer reading kickoff", "meetups", "Summer reading kickoff"),
    ("summer reading kickof", "meetups", "Summer reading kickoff"),
]
LISTS = {
    "directory": (reverse("cooperatives:list"), "organisations"),
    "stories": (reverse("stories:list"), "stories"),
    "members": (reverse("accounts:list"), "profiles"),
}


def names(rows) -> list[str]:
    """Titles of stories and meetup dates, names of members, groups and entries."""
    rows = [getattr(row, "meetup", None) or getattr(row, "user", None) or row for row in rows]
    return [str(getattr(row, "title", None) or getattr(row, "name", None) or row) for row in rows]


def page(client, path: str, text: str):
    caches["pages"].clear()  # each look renders: a kept copy carries no template context
    return client.get(path, {"q": text})


@pytest.mark.parametrize(("typed", "box", "wanted", "corrected"), MISSPELLINGS)
def test_a_misspelt_word_among_several_finds_the_entry(
    client, commons, typed, box, wanted, corrected
):
    path, rows = LISTS[box]

    response = page(client, path, typed)

    assert names(response.context[rows]) == [wanted]
    assert f"Showing results for “<strong>{corrected}</strong>”" in response.content.decode()


@pytest.mark.parametrize(("typed", "section", "wanted"), SITE_MISSPELLINGS)
def test_site_search_finds_it_in_every_section(client, commons, typed, section, wanted):
    response = page(client, reverse("search"), typed)

    assert wanted in names(response.context["results"][section])
    assert "Showing results for" in response.content.decode()


def test_members_see_members_only_words_corrected_too(client, commons):
    GroupFactory(name="Quiltmakers of the Keweenaw", visibility="members", description="")
    client.force_login(UserFactory())

    response = page(client, reverse("search"), "quiltmaker keweenaw")

    assert names(response.context["results"]["groups"]) == ["Quiltmakers of the Keweenaw"]


def test_what_matches_as_typed_comes_first(client, commons):
    """A misspelling someone published is found as typed, first; the entry it misspells,
    a word far more common (as the nightly recount finds it), comes after, and the page says
    it searched for both."""
    OrganisationFactory(name="Keweenaw Cooprative Archive", acronym="", description="")
    for region in range(20):
        OrganisationFactory(name=f"Region {region} Library Cooperative", description="")
    search_words_rebuild()

    response = page(client, reverse("cooperatives:list"), "keweenaw cooprative")

    assert names(response.context["organisations"]) == [
        "Keweenaw Cooprative Archive",
        "Keweenaw Reading Cooperative",
    ]
    assert "Also showing results for “<strong>keweenaw cooperative</strong>”" in (
        response.content.decode()
    )


def test_words_spelt_right_say_nothing_of_corrections(client, commons):
    for path in (reverse("cooperatives:list"), reverse("stories:list"), reverse("search")):
        assert "Showing results for" not in page(client, path, "keweenaw courier").content.decode()


def test_nothing_close_finds_nothing_and_the_empty_state_speaks_of_words_not_filters(
    client, commons
):
    stories = page(client, reverse("stories:list"), "xylophonics quartet").content.decode()
    members = page(client, reverse("accounts:list"), "xylophonics quartet").content.decode()
    entries = page(client, reverse("cooperatives:list"), "xylophonics quartet").content.decode()

    assert "No stories match “xylophonics quartet” yet." in stories
    assert "Nobody matches “xylophonics quartet”." in members
    assert "No entry matches “xylophonics quartet”." in entries
    for empty in (stories, members, entries):
        assert "filters" not in empty.split('class="empty-state"')[1].split("</div>")[0]
    assert "Showing results for" not in stories + members + entries


def test_with_a_filter_the_empty_state_names_the_filters(client, commons):
    response = page(client, reverse("cooperatives:list"), "xylophonics")
    filtered = client.get(reverse("cooperatives:list"), {"q": "xylophonics", "state": "MI"})

    assert "with these filters" not in response.content.decode()
    assert "No entry matches “xylophonics” with these filters." in filtered.content.decode()
    stories = client.get(reverse("stories:list"), {"q": "xylophonics", "kind": "success"})
    assert "No stories match “xylophonics” with these filters yet." in stories.content.decode()
