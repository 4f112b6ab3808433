"""Groups and meetups in a real browser: an organizer sets up a group and a monthly series
through the forms, two members compete for a single seat, and the group's calendar feed is
read the way a calendar program reads it."""

import re
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group, Meetup, Occurrence
from tests.factories import UserFactory

DETROIT = ZoneInfo("America/Detroit")


def log_in(page, base_url, user):
    """Start a signed-in session for `user` in this browser (the sign-in form itself belongs
    to the accounts app and has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def run_queue(task_queue):
    """Run deferred jobs in a thread of their own: Playwright keeps an event loop in this one."""

    def run():
        try:
            task_queue.run_all()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)


def test_organizer_schedules_a_series_and_members_share_one_seat(page, base_url, axe, task_queue):
    organizer = UserFactory(display_name="Olive Organizer")
    ann = UserFactory(display_name="Ann Early")
    ben = UserFactory(display_name="Ben Later")

    # the organizer starts a group
    log_in(page, base_url, organizer)
    page.goto(base_url + "/groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups and meetups")
    page.get_by_role("link", name="Start a group").click()
    page.get_by_label("Name").fill("Middle school librarians – long lunch")
    page.get_by_label("About the group").fill("Once a month, a long lunch and collaboration.")
    page.get_by_label("State or province").fill("MI")
    page.get_by_label("City, county or metro area").fill("Ann Arbor")
    page.get_by_label("Middle school").check()
    page.get_by_label("Everyone, including visitors").check()
    page.get_by_label("Anyone can join straight away").check()
    assert axe(page) == []
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Middle school librarians – long lunch"
    )

    # …and a monthly series through the friendly form: no RRULE typed anywhere
    page.get_by_role("link", name="New meetup").click()
    page.get_by_label("Title").fill("Long lunch and collaboration")
    tomorrow = timezone.now().astimezone(DETROIT).date() + timedelta(days=1)
    page.get_by_label("Date of the first meetup").fill(tomorrow.isoformat())
    page.get_by_label("Starts at").fill("12:00")
    page.get_by_label("Ends at").fill("13:30")
    page.get_by_label("Time zone").select_option("America/Detroit")
    expect(page.get_by_label("On which weekday")).to_be_hidden()  # one-off by default
    page.get_by_label("Every month on a weekday").check()
    page.get_by_label("On which weekday").select_option(label="Tuesday")
    page.get_by_label("Which week of the month").select_option(label="Second")
    page.get_by_label("Keeps going until changed").check()
    expect(page.get_by_label("Last date")).to_be_hidden()
    page.get_by_label("Venue").fill("Pierce Middle School library")
    page.get_by_label("Address").fill("25 Pierce Road, Ann Arbor")
    page.get_by_label("Capacity").fill("1")
    assert axe(page) == []
    page.get_by_role("button", name="Schedule the meetup").click()

    expect(page.get_by_role("status")).to_contain_text("Every month on the second Tuesday")
    meetup = Meetup.objects.get()
    assert meetup.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert axe(page) == []
    first = meetup.occurrences.order_by("start").first()
    group_url = Group.objects.get().get_absolute_url()

    # Ann joins and takes the only seat
    log_in(page, base_url, ann)
    page.goto(base_url + group_url)
    page.get_by_role("button", name="Join this group").click()
    page.get_by_role("link", name="Long lunch and collaboration").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Long lunch and collaboration")
    page.get_by_role("button", name="I’m going").click()
    expect(page.get_by_text("You’re going.", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 1 seats taken — full.")).to_be_visible()
    assert axe(page) == []

    # Ben joins too; the meetup is full, so he joins the waiting list
    log_in(page, base_url, ben)
    page.goto(base_url + group_url)
    page.get_by_role("button", name="Join this group").click()
    page.goto(base_url + first.get_absolute_url())
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("status")).to_contain_text("number 1 on the waiting list")
    expect(page.get_by_text("You’re number 1 on the waiting list.")).to_be_visible()

    # Ann can't go after all: the seat passes to Ben, who is emailed
    log_in(page, base_url, ann)
    page.goto(base_url + first.get_absolute_url())
    page.get_by_role("button", name="I can’t go after all").click()
    expect(page.get_by_text("You said you can’t come.")).to_be_visible()
    run_queue(task_queue)
    assert [m.to for m in mail.outbox] == [[ben.email]]
    assert "You have a seat" in mail.outbox[0].body  # the subject is the date's thread

    log_in(page, base_url, ben)
    page.goto(base_url + first.get_absolute_url())
    expect(page.get_by_text("You’re going.", exact=True)).to_be_visible()
    going = page.get_by_role("region", name="Who’s going")
    expect(going.get_by_role("link")).to_have_text(["Ben Later"])

    # the group's calendar, read as a calendar program reads it
    page.goto(base_url + group_url)
    feed = page.get_by_role("link", name=re.compile("Subscribe to this group’s calendar"))
    response = page.request.get(feed.get_attribute("href"))
    assert response.ok
    calendar = icalendar.Calendar.from_ical(response.body())
    start, end = timezone.now(), timezone.now() + timedelta(days=300)
    shown = [
        (event.start, event.end) for event in recurring_ical_events.of(calendar).between(start, end)
    ]
    listed = [
        (o.start, o.end)
        for o in Occurrence.objects.filter(start__gte=start, start__lt=end).order_by("start")
    ]
    assert sorted(shown) == listed
    assert len(listed) >= 9
    for event_start, event_end in shown:
        local = event_start.astimezone(DETROIT)
        assert (local.weekday(), local.hour, local.minute) == (1, 12, 0)
        assert 8 <= local.day <= 14
        assert event_end - event_start == timedelta(minutes=90)
    assert "America/Detroit" in {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}


def test_meetup_pages_are_accessible_in_the_dark_and_on_a_phone(page, base_url, axe):
    from groups.recurrence import Repeat, RuleSpec
    from groups.services import rsvp_set
    from tests.factories import GroupFactory, MembershipFactory
    from tests.groups.conftest import make_details, make_schedule

    organizer = UserFactory()
    group = GroupFactory(organizer=organizer)
    from groups.services import meetup_create, occurrence_cancel

    meetup = meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(spec=RuleSpec(repeat=Repeat.WEEKLY, weekday=3)),
        details=make_details(capacity=1, venue_kind="hybrid", online_url="https://meet.example/x"),
    )
    dates = list(meetup.occurrences.order_by("start"))
    occurrence_cancel(occurrence=dates[1], by=organizer, reason="Snow day")
    member = MembershipFactory(group=group).member
    rsvp_set(occurrence=dates[0], member=member, going=True)
    log_in(page, base_url, organizer)
    page.set_viewport_size({"width": 390, "height": 844})

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in [
            "/groups/",
            group.get_absolute_url(),
            meetup.get_absolute_url(),
            dates[0].get_absolute_url(),
            dates[1].get_absolute_url(),
            f"/groups/{group.slug}/members/",
            f"/groups/{group.slug}/dates/{dates[0].pk}/move/",
            f"/groups/{group.slug}/meetups/{meetup.pk}/pause/",
            "/groups/mine/",
        ]:
            page.goto(base_url + path)
            assert axe(page) == [], (scheme, path)
