"""The directory's map: counts checked against the database for a known data set, every tile
leads to the list filtered to its state, and the list shows exactly the tile's count."""

import re

import pytest
from django.urls import reverse

from cooperatives.models import Organisation
from tests.factories import OrganisationFactory
from tests.pictures import build_pictures_world

pytestmark = pytest.mark.django_db

LIST = reverse("cooperatives:list")


def tiles(html: str) -> dict[str, tuple[str, str]]:
    """{state name: (link, accessible name)} of the map's tiles."""
    found = re.findall(r'<a href="([^"]+)" class="tile[^"]*" aria-label="([^":]+): ([^"]+)"', html)
    return {name: (href.replace("&amp;", "&"), f"{name}: {words}") for href, name, words in found}


def heading_count(html: str) -> int:
    match = re.search(r'<h2 id="results-heading">\s*(?:All )?(\d+) (?:matching )?entr', html)
    return int(match[1])


def test_the_counts_are_the_databases_for_a_known_data_set():
    world = build_pictures_world()

    counts = Organisation.objects.count_by_area()

    for code in ("MI", "OH", "IN", "TX"):
        assert counts[code] == world.directory[code] == Organisation.objects.in_state(code).count()
    assert counts["nationwide"] == 2
    assert counts["several"] == 1
    assert counts["abroad"] == 1
    assert counts["CA"] == counts["AK"] == 0
    assert counts["total"] == Organisation.objects.count() == 13


def test_the_map_names_each_tile_and_counts_apart_what_no_state_holds(client):
    build_pictures_world()

    html = client.get(LIST).content.decode()
    found = tiles(html)

    assert len(found) == 54
    assert found["Michigan"] == ("/directory/?state=MI", "Michigan: 7 directory entries")
    assert found["Texas"][1] == "Texas: 3 directory entries"
    assert found["Ohio"][1] == "Ohio: 1 directory entry"
    assert found["Alaska"][1] == "Alaska: no directory entries"
    assert found["District of Columbia"][0] == "/directory/?state=DC"
    assert found["Puerto Rico"][0] == "/directory/?state=PR"
    assert '<a href="/directory/?state=nationwide">Nationwide, no single state: 2</a>' in html
    assert '<a href="/directory/?state=several">Serving several states: 1</a>' in html
    assert "Outside the United States: 1" in html
    assert "Most directory entries: Michigan (7), Texas (3)" in html


def test_every_tile_leads_to_the_list_of_exactly_its_entries(client):
    build_pictures_world()
    html = client.get(LIST).content.decode()

    for name, (href, label) in tiles(html).items():
        count = label.split(": ", 1)[1]
        expected = 0 if count.startswith("no ") else int(count.split()[0])
        page = client.get(href).content.decode()
        assert heading_count(page) == expected, name
        assert 'aria-current="true"' in page  # the chosen state is marked on the map


def test_nationwide_and_several_states_are_filters_of_their_own(client):
    build_pictures_world()

    nationwide = client.get(LIST, {"state": "nationwide"}).content.decode()
    several = client.get(LIST, {"state": "several"}).content.decode()

    assert heading_count(nationwide) == 2
    assert "National association" in nationwide
    assert "Ontario" not in nationwide
    assert heading_count(several) == 1
    assert "Great Lakes alliance" in several


def test_the_map_is_kept_until_the_directory_changes(client, django_assert_max_num_queries):
    OrganisationFactory(states=["MI"])
    client.get(LIST)
    with django_assert_max_num_queries(2) as other_page:  # versions, then rows: no map query
        client.get(LIST, {"kind": "consortium"})
    versions, *rows = [query["sql"] for query in other_page.captured_queries]
    assert "config_scopeversion" in versions
    assert all("cooperatives_organisation" in sql for sql in rows)
    OrganisationFactory(states=["MI"])  # moves the directory on

    html = client.get(LIST, {"kind": "committee"}).content.decode()

    assert "Michigan: 2 directory entries" in html


def test_the_map_needs_one_query_whatever_the_size(client, django_assert_max_num_queries):
    OrganisationFactory.create_batch(3, states=["MI"])
    with django_assert_max_num_queries(4) as few:
        client.get(LIST)
    for code in ("TX", "OH", "CA", "NY", "PR", "DC"):
        OrganisationFactory.create_batch(5, states=[code, "MI"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
