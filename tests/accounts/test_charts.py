"""The colleagues' map: counts of the members each viewer may see, checked against the
database for a known data set; each tile leads to that state's colleagues, exactly as many."""

import re

import pytest
from django.urls import reverse

from accounts.charts import listed_colleagues
from tests.pictures import build_pictures_world

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:list")


def tiles(html: str) -> dict[str, tuple[str, int]]:
    found = re.findall(r'<a href="([^"]+)" class="tile[^"]*" aria-label="([^":]+): ([^"]+)"', html)
    return {
        name: (href.replace("&amp;", "&"), 0 if words.startswith("no ") else int(words.split()[0]))
        for href, name, words in found
    }


def listed_count(html: str) -> int:
    match = re.search(r'<h2 id="results-title">(\d+) colleague|No colleagues found', html)
    return int(match[1]) if match[1] else 0


def signed_in(client, user):
    client.force_login(user)
    client.get("/")  # onboarding is recorded in the session
    return client


def test_counts_follow_what_each_viewer_may_see():
    world = build_pictures_world()
    from django.contrib.auth.models import AnonymousUser

    for viewer, expected in (
        (AnonymousUser(), world.colleagues_for_visitors),
        (world.organizer, world.colleagues_for_organizer),
    ):
        counts = listed_colleagues(viewer).count_by_place()
        assert counts == expected
        assert counts["MI"] == listed_colleagues(viewer).in_region(country="US", state="mi").count()


def test_visitors_see_public_profiles_on_the_map(client):
    build_pictures_world()

    html = client.get(LIST).content.decode()
    found = tiles(html)

    assert found["Michigan"] == ("/members/?country=US&state=MI", 4)
    assert found["Texas"][1] == 2
    assert found["Ohio"][1] == 0
    assert "Michigan: 4 colleagues" in html
    assert "Outside the United States: 1" in html


def test_a_member_sees_members_only_profiles_but_not_their_own(client):
    world = build_pictures_world()

    html = signed_in(client, world.organizer).get(LIST).content.decode()

    assert tiles(html)["Michigan"][1] == 6
    assert "Colleagues by state" in html


def test_every_tile_leads_to_exactly_its_colleagues(client):
    world = build_pictures_world()
    signed_in(client, world.organizer)
    html = client.get(LIST).content.decode()

    for name, (href, count) in tiles(html).items():
        page = client.get(href).content.decode()
        assert listed_count(page) == count, name
    assert 'aria-current="true"' in client.get("/members/?country=US&state=MI").content.decode()


def test_the_unfiltered_list_takes_its_total_from_the_map(client, django_assert_max_num_queries):
    world = build_pictures_world()
    signed_in(client, world.organizer)
    with django_assert_max_num_queries(10) as unfiltered:
        html = client.get(LIST, {"sort": "name"}).content.decode()
    sqls = [q["sql"] for q in unfiltered.captured_queries]

    assert "9 colleagues" in html  # 6 in Michigan, 2 in Texas, 1 in Canada
    assert not any(sql.startswith("SELECT COUNT(*) FROM (SELECT") for sql in sqls)
    assert listed_count(client.get(LIST, {"q": "Texan"}).content.decode()) == 2
