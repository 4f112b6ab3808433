"""Month calendars: a real table, each event named with its date and status, flat queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from groups import services
from groups.models import Group
from groups.recurrence import Repeat, RuleSpec
from tests.factories import GroupFactory, MeetupFactory

pytestmark = pytest.mark.django_db

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=1)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def accessible_names(html: str) -> list[str]:
    """Link texts inside the calendar, hidden spans included (what a screen reader reads)."""
    table = html[html.index('<table class="month-calendar">') :]
    names = re.findall(r'<li[^>]*><a href="[^"]+">(.*?)</a>', table)
    return [re.sub(r"<[^>]+>", "", name) for name in names]


def test_group_month_lists_each_date_with_date_and_status(client, group, organizer, create_meetup):
    meetup = create_meetup(spec=WEEKLY, title="Long lunch")
    first = meetup.occurrences.order_by("start").first()
    services.occurrence_cancel(occurrence=first, by=organizer)
    month = first.local_start.strftime("%Y-%m")

    response = client.get(reverse("groups:month", kwargs={"slug": group.slug}), {"month": month})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<th scope="col"><abbr title="Sunday">Sun</abbr></th>' in html
    assert "<caption>" in html
    local = first.local_start
    expected = f"Long lunch, {local:%A} {local.day} {local:%B}, 12:00, cancelled"
    assert expected in accessible_names(html)
    assert 'rel="prev"' in html
    assert 'rel="next"' in html


def test_overall_month_hides_groups_the_viewer_cannot_see(client, create_meetup):
    meetup = create_meetup(title="Open lunch")
    hidden = MeetupFactory(
        group=GroupFactory(visibility=Group.Visibility.MEMBERS), title="Secret supper"
    )
    month = meetup.occurrences.get().local_start.strftime("%Y-%m")
    other_month = hidden.occurrences.get().local_start.strftime("%Y-%m")
    page = text(client.get(reverse("groups:calendar"), {"month": month}))
    assert "Open lunch" in page
    assert "Secret supper" not in text(
        client.get(reverse("groups:calendar"), {"month": other_month})
    )


def test_bad_months_are_not_found(client):
    assert client.get(reverse("groups:calendar"), {"month": "2026-13"}).status_code == 404
    assert client.get(reverse("groups:calendar"), {"month": "x"}).status_code == 404


def test_month_queries_stay_flat(client, member, create_meetup, django_assert_max_num_queries):
    client.force_login(member)
    client.get("/")
    meetup = create_meetup(spec=WEEKLY)
    month = (meetup.occurrences.order_by("start").first().local_start + timedelta(days=7)).strftime(
        "%Y-%m"
    )
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("groups:calendar"), {"month": month})
    for _ in range(5):
        create_meetup(spec=WEEKLY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("groups:calendar"), {"month": month})
