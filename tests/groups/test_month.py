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


# --- filters and busy days on the overall calendar ----------------------------------------

CALENDAR = reverse("groups:calendar")
UPCOMING = reverse("groups:upcoming")


def day_cell(html: str, day) -> str:
    """The calendar cell of `day`, from its "more" link back to the cell's start."""
    table = html[html.index('<table class="month-calendar">') :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)
    [cell] = [c for c in cells if f'<span class="day-number">{day.day}</span>' in c and "<li" in c]
    return cell


def busy_day(create_meetup, organizer, n: int, **group_fields):
    """`n` groups, each with one meetup on the same day (in 8 days, noon in Detroit)."""
    meetups = [
        create_meetup(
            target_group=GroupFactory(organizer=organizer, **group_fields), title=f"Busy {i:02d}"
        )
        for i in range(n)
    ]
    return meetups[0].occurrences.get().local_start.date()


def test_a_busy_day_shows_a_few_dates_and_links_to_the_rest(client, create_meetup, organizer):
    from groups.views.month import PER_DAY

    day = busy_day(create_meetup, organizer, PER_DAY + 3)

    html = text(client.get(CALENDAR, {"month": f"{day:%Y-%m}"}))

    cell = day_cell(html, day)
    assert cell.count("Busy ") == PER_DAY
    label = f"{day:%A} {day.day} {day:%B}"
    more = re.search(r'<li class="day-more"><a href="([^"]+)">(.*?)</a>', cell)
    assert more.group(2) == f"3 more on {label}"
    assert more.group(1) == f"{UPCOMING}?on={day:%Y-%m-%d}"
    assert f"{PER_DAY + 3} meetups this month" in html

    # the link leads to every date of that day, named in the heading
    listed = text(client.get(UPCOMING, {"on": f"{day:%Y-%m-%d}"}))
    assert f"<h1>Meetups on {label} {day.year}</h1>" in listed
    assert all(f"Busy {i:02d}" in listed for i in range(PER_DAY + 3))
    assert f"{PER_DAY + 3} meetups on {label}" in listed


def test_the_page_stays_small_however_busy_a_day_is(client, create_meetup, organizer):
    from groups.views.month import PER_DAY

    day = busy_day(create_meetup, organizer, 30)
    html = text(client.get(CALENDAR, {"month": f"{day:%Y-%m}"}))
    assert html.count("Busy ") == PER_DAY
    assert f"26 more on {day:%A} {day.day} {day:%B}" in html
    assert "30 meetups this month" in html


def test_filters_narrow_the_calendar_and_travel_with_its_links(client, create_meetup, organizer):
    day = busy_day(create_meetup, organizer, 6, state="KS", library_types=["academic"])
    create_meetup(title="Michigan lunch")  # the default group: MI, same day
    month = f"{day:%Y-%m}"

    html = text(client.get(CALENDAR, {"month": month, "state": "KS"}))

    assert "Michigan lunch" not in html
    assert "6 meetups this month" in html
    assert '<label for="id_state">State</label>' in html
    assert '<label for="id_library_type">Library type</label>' in html
    assert '<label for="id_where">Where</label>' in html
    assert '<option value="KS" selected>' in html
    assert f'<input type="hidden" name="month" value="{month}">' in html
    assert re.search(r'href="\?state=KS&amp;month=\d{4}-\d\d" rel="prev"', html)
    assert re.search(r'href="\?state=KS&amp;month=\d{4}-\d\d" rel="next"', html)
    more = re.search(r'<li class="day-more"><a href="([^"]+)">(\d+) more', html)
    assert more.group(1) == f"{UPCOMING}?state=KS&amp;on={day:%Y-%m-%d}"
    assert more.group(2) == "2"

    # the other filters, as on the upcoming list (the Michigan group is public + middle school)
    by_type = text(client.get(CALENDAR, {"month": month, "library_type": "academic"}))
    assert "6 meetups this month" in by_type
    assert "7 meetups this month" in text(client.get(CALENDAR, {"month": month}))
    online = text(client.get(CALENDAR, {"month": month, "where": "online"}))
    assert "0 meetups this month" in online
    assert "No meetups match your filters" in online
    in_person = text(client.get(CALENDAR, {"month": month, "where": "in_person"}))
    assert "7 meetups this month" in in_person


def test_near_me_on_the_calendar_uses_the_members_state(client, create_meetup, organizer):
    from tests.factories import UserFactory

    day = busy_day(create_meetup, organizer, 1, state="KS")
    create_meetup(title="Michigan lunch")
    viewer = UserFactory()
    viewer.profile.state = "KS"
    viewer.profile.save()
    client.force_login(viewer)
    html = text(client.get(CALENDAR, {"month": f"{day:%Y-%m}", "near_me": "on"}))
    assert "Busy 00" in html
    assert "Michigan lunch" not in html
    assert "1 meetup this month" in html


def test_busy_calendar_queries_stay_flat(
    client, member, create_meetup, organizer, django_assert_max_num_queries
):
    client.force_login(member)
    client.get("/")
    day = busy_day(create_meetup, organizer, 2, state="KS")
    params = {"month": f"{day:%Y-%m}", "state": "KS"}
    with django_assert_max_num_queries(10) as few:
        client.get(CALENDAR, params)
    busy_day(create_meetup, organizer, 12, state="KS")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = text(client.get(CALENDAR, params))
    assert "14 meetups this month" in html


def test_a_groups_own_calendar_shows_all_its_dates(client, group, create_meetup):
    from groups.views.month import PER_DAY

    meetups = [create_meetup(title=f"Own {i}") for i in range(PER_DAY + 1)]
    day = meetups[0].occurrences.get().local_start.date()
    html = text(
        client.get(reverse("groups:month", kwargs={"slug": group.slug}), {"month": f"{day:%Y-%m}"})
    )
    assert all(f"Own {i}" in html for i in range(PER_DAY + 1))
    assert "day-more" not in html


def test_a_bad_filter_on_the_calendar_is_shown_and_ignored(client, create_meetup):
    day = create_meetup(title="Michigan lunch").occurrences.get().local_start.date()
    response = client.get(CALENDAR, {"month": f"{day:%Y-%m}", "state": "ZZ"})
    html = text(response)
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_state_error">' in html
    assert "Michigan lunch" in html
    assert "1 meetup this month" in html
