"""Meetup pictures, checked against a known data set: upcoming series by state (each tile
leading to exactly its meetups), an organizer's series chart and a member's credit chart."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from groups.charts import credit_chart, series_chart
from groups.models import Occurrence
from tests.pictures import ATTENDED, CANCELLED, CAPACITY, GOING, build_pictures_world

pytestmark = pytest.mark.django_db

UPCOMING = reverse("groups:upcoming")


def tiles(html: str) -> dict[str, tuple[str, int]]:
    found = re.findall(r'<a href="([^"]+)" class="tile[^"]*" aria-label="([^":]+): ([^"]+)"', html)
    return {
        name: (href.replace("&amp;", "&"), 0 if words.startswith("no ") else int(words.split()[0]))
        for href, name, words in found
    }


def listed_count(html: str) -> int:
    return int(re.search(r'<h2 id="results-title">(\d+) meetup', html)[1])


# --- upcoming meetups by state ---------------------------------------------------------------
def test_series_counts_follow_what_each_viewer_may_see():
    world = build_pictures_world()

    for viewer, expected in (
        (AnonymousUser(), world.meetups_for_visitors),
        (world.member, world.meetups_for_members),
    ):
        dates = Occurrence.objects.discoverable(viewer)
        assert dates.series_count_by_state() == expected
        texas = Occurrence.objects.discoverable(viewer, state="TX").next_per_series().count()
        assert texas == expected.get("TX", 0)


def test_every_tile_leads_to_exactly_its_upcoming_meetups(client):
    world = build_pictures_world()
    client.force_login(world.member)
    client.get("/")
    html = client.get(UPCOMING).content.decode()
    found = tiles(html)

    assert found["Michigan"] == ("/groups/upcoming/?state=MI", 1)
    assert found["Texas"][1] == 1  # a members-only group: members see it
    assert found["Ohio"][1] == 0  # its only series waits for an organizer's confirmation
    assert "Groups outside the United States: 1" in html
    for name, (href, count) in found.items():
        assert listed_count(client.get(href).content.decode()) == count, name


def test_visitors_map_leaves_members_only_groups_out(client):
    build_pictures_world()

    found = tiles(client.get(UPCOMING).content.decode())

    assert found["Texas"][1] == 0
    assert found["Michigan"][1] == 1


def test_a_days_page_has_no_map(client):
    build_pictures_world()

    html = client.get(UPCOMING, {"on": timezone.localdate().isoformat()}).content.decode()

    assert "tile-grid" not in html


# --- the organizer's series chart --------------------------------------------------------------
def test_the_series_chart_shows_the_last_twelve_dates_as_the_database_has_them():
    world = build_pictures_world()

    chart = series_chart(world.series)

    shown = world.past_dates[-12:]
    assert len(chart.categories) == 12
    going, attended = GOING[-12:], ATTENDED[-12:]
    cancelled_at = CANCELLED - 2
    for index, category in enumerate(chart.categories):
        occurrence = shown[index]
        assert category.label == f"{occurrence.start.astimezone(world.series.tz):%-d %b}"
        if index == cancelled_at:
            assert category.note == "cancelled"
            assert category.bars == []
            continue
        assert category.cells == [str(going[index]), str(attended[index])]
        assert occurrence.rsvps.filter(status="going").count() == going[index]
        assert occurrence.attendance.count() == attended[index]
    assert chart.reference_value == str(CAPACITY)
    held = [a for i, a in enumerate(attended) if i != cancelled_at]
    average = round(sum(held) / len(held), 1)
    assert f"{average:g} attended on average over the 11 dates held" in chart.description
    assert "1 date was cancelled. Capacity: 8 seats." in chart.description
    assert chart.description.startswith("The last 12 dates of this series. On ")
    assert f"2 said they were going and {attended[-1]} attended" in chart.description


def test_only_organizers_see_the_series_chart(client):
    world = build_pictures_world()
    url = world.series.get_absolute_url()

    client.force_login(world.organizer)
    organizer_page = client.get(url).content.decode()
    client.force_login(world.member)
    member_page = client.get(url).content.decode()

    assert "How the series is doing" in organizer_page
    assert 'role="img"' in organizer_page
    assert "Capacity 8" in organizer_page
    assert "How the series is doing" not in member_page
    client.logout()
    assert "How the series is doing" not in client.get(url).content.decode()


def test_a_series_with_no_date_begun_has_no_chart(create_meetup):
    assert series_chart(create_meetup()) is None


def test_the_series_page_for_organizers_stays_within_budget(client, django_assert_max_num_queries):
    world = build_pictures_world()
    client.force_login(world.organizer)
    client.get("/")
    with django_assert_max_num_queries(10):
        assert client.get(world.series.get_absolute_url()).status_code == 200


# --- a member's credit chart --------------------------------------------------------------------
def test_the_credit_chart_sums_hours_per_local_month():
    world = build_pictures_world()
    today = timezone.localdate()

    chart = credit_chart(world.member, today=today)

    last_year, this_year = chart.series
    assert (last_year.name, this_year.name) == (str(today.year - 1), str(today.year))
    for (year, month), hours in world.credit_hours.items():
        shown = (this_year if year == today.year else last_year).values[month - 1]
        assert shown == hours, (year, month)
    assert sum(v for v in this_year.values if v) + sum(v for v in last_year.values if v) == sum(
        world.credit_hours.values()
    )
    assert this_year.values[today.month :] == [None] * (12 - today.month)  # months to come
    assert last_year.values[2] == Decimal("2.5")
    this_total = sum(h for (y, _m), h in world.credit_hours.items() if y == today.year)
    same_months = "2.5" if today.month >= 3 else "0"  # last year's date was in March
    assert chart.description == (
        f"{this_total:g} hours so far in {today.year}, against {same_months} in the same months "
        f"of {today.year - 1} (2.5 in all of {today.year - 1})."
    )


def test_the_credit_page_shows_the_chart_and_its_table(client):
    world = build_pictures_world()
    client.force_login(world.member)

    html = client.get(reverse("groups:credit")).content.decode()

    assert "Month by month" in html
    assert 'id="credit-chart-title"' in html
    assert '<th scope="row">Mar</th><td>2.5</td>' in html
