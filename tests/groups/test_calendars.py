"""iCalendar feeds, parsed with `icalendar` and expanded with `recurring_ical_events` as a
calendar program would: what it shows must be what the site lists."""

from datetime import time, timedelta

import icalendar
import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Group, Occurrence
from groups.recurrence import Ends, Repeat, RuleSpec
from tests.factories import GroupFactory, UserFactory
from tests.groups.conftest import local_today, make_details, make_schedule

pytestmark = pytest.mark.django_db

MONTHLY_2ND_TUESDAY = RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=1, week_of_month=2)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def shown_by_calendar_program(calendar, start, end):
    """(summary, start, end) of every event a calendar program would show in [start, end)."""
    return sorted(
        (str(event["SUMMARY"]), event.start, event.end)
        for event in recurring_ical_events.of(calendar).between(start, end)
        if str(event.get("STATUS", "CONFIRMED")) != "CANCELLED"
    )


def listed_by_site(group, start, end):
    return sorted(
        (o.meetup.title, o.start, o.end)
        for o in Occurrence.objects.filter(meetup__group=group, start__gte=start, start__lt=end)
        .scheduled()
        .select_related("meetup")
    )


@pytest.fixture
def busy_group(group, organizer):
    """Several kinds of meetup with every kind of exception."""
    lunch = services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(spec=MONTHLY_2ND_TUESDAY),
        details=make_details(title="Long lunch"),
    )
    dates = list(lunch.occurrences.order_by("start"))
    services.occurrence_cancel(occurrence=dates[1], by=organizer, reason="Testing week")
    moved = dates[2].start + timedelta(days=1, hours=1)
    services.occurrence_move(
        occurrence=dates[2],
        by=organizer,
        start=moved,
        end=moved + timedelta(hours=2),
        venue={"venue_kind": "in_person", "venue_name": "Pierce Middle School"},
    )
    services.occurrence_move(
        occurrence=dates[3],
        by=organizer,
        start=dates[3].start,
        end=dates[3].end,
        note="Bring your weeding lists.",
    )
    services.meetup_pause(
        meetup=lunch,
        by=organizer,
        starts_on=dates[5].local_start.date(),
        ends_on=dates[6].local_start.date(),
        note="Summer",
    )
    services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(
            spec=RuleSpec(repeat=Repeat.BIWEEKLY, weekday=3, ends=Ends.COUNT, count=8),
            tz="Europe/London",
            start_time=time(18, 30),
        ),
        details=make_details(
            title="Reading partnership (online)",
            venue_kind="online",
            online_url="https://meet.example/reading",
        ),
    )
    weekly = services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(spec=RuleSpec(repeat=Repeat.WEEKLY, weekday=0)),
        details=make_details(title="Weekly check-in"),
    )
    # a schedule change from the 4th date on splits the weekly series in two
    fourth = weekly.occurrences.order_by("start")[3]
    services.meetup_reschedule(
        occurrence=fourth,
        by=organizer,
        schedule=make_schedule(
            spec=RuleSpec(repeat=Repeat.WEEKLY, weekday=4),
            start_date=fourth.local_start.date(),
            start_time=time(9, 0),
        ),
        details={},
    )
    services.meetup_create(
        group=group, by=organizer, schedule=make_schedule(), details=make_details(title="One-off")
    )
    cancelled_once = services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(start_date=local_today() + timedelta(days=20)),
        details=make_details(title="Cancelled one-off"),
    )
    services.occurrence_cancel(occurrence=cancelled_once.occurrences.get(), by=organizer)
    return group


def test_group_feed_shows_what_the_site_lists(client, busy_group):
    calendar = parse(client.get(reverse("groups:feed", kwargs={"slug": busy_group.slug})))
    start, end = timezone.now(), timezone.now() + timedelta(days=330)

    shown = shown_by_calendar_program(calendar, start, end)

    assert shown == listed_by_site(busy_group, start, end)
    titles = {title for title, _, _ in shown}
    assert {"Long lunch", "Reading partnership (online)", "Weekly check-in", "One-off"} <= titles
    assert "Cancelled one-off" not in titles


def test_group_feed_uses_rrule_exdate_and_recurrence_id(client, busy_group):
    calendar = parse(client.get(reverse("groups:feed", kwargs={"slug": busy_group.slug})))
    lunch = busy_group.meetups.get(title="Long lunch")
    lunch_events = [e for e in calendar.walk("VEVENT") if e["UID"] == lunch.ical_uid]
    [master] = [e for e in lunch_events if "RECURRENCE-ID" not in e]
    overrides = [e for e in lunch_events if "RECURRENCE-ID" in e]

    assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=2TU"
    assert master["DTSTART"].params["TZID"] == "America/Detroit"
    assert master.start.time() == time(12, 0)
    exdates = [d.dt for d in master["EXDATE"].dts]
    cancelled = list(lunch.occurrences.cancelled().order_by("original_start"))
    assert exdates == [o.local_original_start for o in cancelled]
    assert len(cancelled) == 3  # one cancelled date and two in the summer break
    changed = [o for o in lunch.occurrences.scheduled().order_by("start") if o.is_changed]
    assert len(changed) == 2  # one moved, one with a note
    assert [e["RECURRENCE-ID"].dt for e in overrides] == [o.local_original_start for o in changed]
    moved = next(e for e in overrides if "Pierce" in str(e.get("LOCATION", "")))
    assert moved["SEQUENCE"] == 1
    timezones = {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}
    assert {"America/Detroit", "Europe/London"} <= timezones


def test_a_cancelled_one_off_stays_in_the_feed_as_cancelled(client, busy_group):
    calendar = parse(client.get(reverse("groups:feed", kwargs={"slug": busy_group.slug})))
    one_off = busy_group.meetups.get(title="Cancelled one-off")
    [event] = [e for e in calendar.walk("VEVENT") if e["UID"] == one_off.ical_uid]
    assert event["STATUS"] == "CANCELLED"


def test_group_feed_never_carries_online_links(client, busy_group):
    response = client.get(reverse("groups:feed", kwargs={"slug": busy_group.slug}))
    assert b"meet.example" not in response.content


def test_members_only_group_feed_needs_the_member_key(client, organizer):
    private = GroupFactory(organizer=organizer, visibility=Group.Visibility.MEMBERS)
    url = reverse("groups:feed", kwargs={"slug": private.slug})
    token = services.calendar_token_reset(member=organizer)

    assert client.get(url).status_code == 404
    assert client.get(url, {"key": "not-a-key"}).status_code == 404
    assert client.get(url, {"key": token.token}).status_code == 200
    client.force_login(organizer)
    assert client.get(url).status_code == 200


def test_a_public_feed_may_be_kept_and_a_keyed_one_stays_private(
    client, organizer, busy_group, django_assert_num_queries
):
    public_url = reverse("groups:feed", kwargs={"slug": busy_group.slug})
    first = client.get(public_url)
    with django_assert_num_queries(1):  # the kept copy: the versions of what it shows
        again = client.get(public_url)
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=300"

    private = GroupFactory(organizer=organizer, visibility=Group.Visibility.MEMBERS)
    token = services.calendar_token_reset(member=organizer)
    keyed = reverse("groups:feed", kwargs={"slug": private.slug})
    assert client.get(keyed, {"key": token.token})["Cache-Control"] == "private, max-age=300"


@pytest.fixture
def going_member(group, add_member, create_meetup):
    member = add_member()
    online = create_meetup(
        title="Online book talk", venue_kind="online", online_url="https://meet.example/talk"
    )
    lunch = create_meetup(spec=MONTHLY_2ND_TUESDAY, title="Long lunch")
    services.rsvp_set(occurrence=online.occurrences.get(), member=member, going=True)
    dates = list(lunch.occurrences.order_by("start"))
    services.rsvp_set(occurrence=dates[0], member=member, going=True)
    services.rsvp_set(occurrence=dates[1], member=member, going=True)
    services.rsvp_set(occurrence=dates[2], member=member, going=False)
    create_meetup(title="Not for me")
    return member, online, dates


def test_personal_feed_lists_my_meetups_with_links_and_cancellations(
    client, going_member, organizer
):
    member, online, dates = going_member
    services.occurrence_cancel(occurrence=dates[1], by=organizer)
    token = services.calendar_token_reset(member=member)

    calendar = parse(client.get(reverse("groups:my_feed"), {"key": token.token}))

    events = {(str(e["SUMMARY"]), e.start): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        ("Online book talk", online.occurrences.get().start),
        ("Long lunch", dates[0].start),
        ("Long lunch", dates[1].start),
    }
    assert events["Long lunch", dates[1].start]["STATUS"] == "CANCELLED"
    assert "https://meet.example/talk" in str(
        events["Online book talk", online.occurrences.get().start]["DESCRIPTION"]
    )
    shown = shown_by_calendar_program(
        calendar, timezone.now(), timezone.now() + timedelta(days=365)
    )
    assert sorted(s for _, s, _ in shown) == sorted(
        [online.occurrences.get().start, dates[0].start]
    )


def test_resetting_the_personal_address_revokes_the_old_one(client, going_member):
    member, _online, _dates = going_member
    old = services.calendar_token_reset(member=member).token
    new = services.calendar_token_reset(member=member).token

    assert old != new
    assert client.get(reverse("groups:my_feed"), {"key": old}).status_code == 404
    assert client.get(reverse("groups:my_feed"), {"key": new}).status_code == 200
    assert client.get(reverse("groups:my_feed")).status_code == 404


def test_single_date_download_shows_the_link_only_to_people_going(client, going_member, add_member):
    member, online, _dates = going_member
    occurrence = online.occurrences.get()
    url = reverse("groups:occurrence_ics", kwargs={"slug": online.group.slug, "pk": occurrence.pk})

    client.force_login(member)
    response = client.get(url)
    calendar = parse(response)
    [event] = calendar.walk("VEVENT")
    assert response["Content-Disposition"].startswith("attachment;")
    assert event.start == occurrence.start
    assert event["UID"] == occurrence.ical_uid
    assert "https://meet.example/talk" in str(event["DESCRIPTION"])

    client.force_login(add_member())
    assert b"meet.example" not in client.get(url).content
    client.logout()
    assert b"meet.example" not in client.get(url).content


def test_a_stranger_cannot_download_a_members_only_date(client, organizer):
    private = GroupFactory(organizer=organizer, visibility=Group.Visibility.MEMBERS)
    meetup = services.meetup_create(
        group=private, by=organizer, schedule=make_schedule(), details=make_details()
    )
    url = reverse(
        "groups:occurrence_ics",
        kwargs={"slug": private.slug, "pk": meetup.occurrences.get().pk},
    )
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 200
