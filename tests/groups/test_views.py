"""Pages and forms as members use them, with query counts that stay flat as data grows."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups import services
from groups.models import (
    ACCESSIBILITY_NOTES_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    JOIN_MESSAGE_MAX_LENGTH,
    RSVP,
    Group,
    Meetup,
    Membership,
    Occurrence,
)
from groups.recurrence import Repeat, RuleSpec
from tests.factories import GroupFactory, MeetupFactory, MembershipFactory, UserFactory
from tests.groups.conftest import local_today
from tests.xss import XSS_PAYLOADS, assert_inert

pytestmark = pytest.mark.django_db

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=1)
MAX_QUERIES = 10


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the landing page and the group page -------------------------------------------------


def test_landing_lists_groups_and_upcoming_meetups(client, group, create_meetup):
    create_meetup(title="Long lunch")
    hidden = GroupFactory(name="Private circle", visibility=Group.Visibility.MEMBERS)
    MeetupFactory(group=hidden, title="Secret supper")

    page = text(client.get(reverse("groups:list")))

    assert "<h1>Groups and meetups</h1>" in page
    assert group.name in page
    assert "Long lunch" in page
    assert "Private circle" not in page
    assert "Secret supper" not in page


def test_landing_shows_members_only_groups_to_signed_in_members(member_client):
    GroupFactory(name="Private circle", visibility=Group.Visibility.MEMBERS)
    assert "Private circle" in text(member_client.get(reverse("groups:list")))


def test_group_page_puts_upcoming_first_then_about_members_and_past(
    client, group, organizer, create_meetup
):
    meetup = create_meetup(title="Long lunch", spec=WEEKLY)
    Occurrence.objects.create(
        meetup=meetup,
        original_start=meetup.dtstart - timedelta(days=70),
        start=meetup.dtstart - timedelta(days=70),
        end=meetup.dtstart - timedelta(days=70) + meetup.duration,
    )
    client.force_login(organizer)

    page = text(client.get(group.get_absolute_url()))

    headings = re.findall(r'<h2 id="[a-z-]+">([^<]+)</h2>', page)
    assert headings == ["Upcoming meetups", "About", "Members", "Past meetups"]
    assert "Olive Organizer" in page
    assert "Every week on Tuesday" in page


def _fill(group, *, meetups: int, weekly: bool, members: int, organizer):
    for i in range(meetups):
        meetup = MeetupFactory(
            group=group,
            title=f"Meetup {i}",
            rrule="FREQ=WEEKLY;BYDAY=" + ["MO", "TU", "WE", "TH", "FR"][i % 5] if weekly else "",
            start_date=local_today() + timedelta(days=7 + i),
            capacity=5,
        )
        past = meetup.dtstart - timedelta(days=30)
        Occurrence.objects.create(
            meetup=meetup, original_start=past, start=past, end=past + meetup.duration
        )
        for _ in range(2):
            person = MembershipFactory(group=group).member
            if weekly:
                services.series_rsvp_set(meetup=meetup, member=person, going=True)
            else:
                services.rsvp_set(
                    occurrence=meetup.occurrences.upcoming().first(), member=person, going=True
                )
    for _ in range(members):
        MembershipFactory(group=group)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_group_page_queries_stay_flat_as_meetups_grow(client, organizer, signed_in):
    small, large = GroupFactory(organizer=organizer), GroupFactory(organizer=organizer)
    _fill(small, meetups=1, weekly=False, members=1, organizer=organizer)
    _fill(large, meetups=6, weekly=True, members=30, organizer=organizer)
    assert large.meetups.count() == 6
    assert Occurrence.objects.filter(meetup__group=large).count() > 300
    if signed_in:
        client.force_login(organizer)
        client.get("/")  # a session's first request records onboarding once

    few = count_queries(client, small.get_absolute_url())
    many = count_queries(client, large.get_absolute_url())

    print(f"group page: {few} queries with little data, {many} with a lot")
    assert few == many
    # the follow button reads the follow state annotated on the group (no query of its own)
    assert many <= MAX_QUERIES


@pytest.mark.parametrize(
    "url_for",
    [
        lambda g, m, o: reverse("groups:list"),
        lambda g, m, o: reverse("groups:past", kwargs={"slug": g.slug}),
        lambda g, m, o: reverse("groups:members", kwargs={"slug": g.slug}),
        lambda g, m, o: reverse("groups:meetup", kwargs={"slug": g.slug, "pk": m.pk}),
        lambda g, m, o: reverse("groups:occurrence", kwargs={"slug": g.slug, "pk": o.pk}),
        lambda g, m, o: reverse("groups:mine"),
        lambda g, m, o: reverse("groups:feed", kwargs={"slug": g.slug}),
    ],
    ids=["list", "past", "members", "meetup", "occurrence", "mine", "feed"],
)
def test_other_pages_stay_within_the_query_budget_as_data_grows(client, organizer, url_for):
    small, large = GroupFactory(organizer=organizer), GroupFactory(organizer=organizer)
    _fill(small, meetups=1, weekly=True, members=1, organizer=organizer)
    client.force_login(organizer)
    client.get("/")  # a session's first request records onboarding once
    small_meetup = small.meetups.first()
    small_date = small_meetup.occurrences.upcoming().first()
    few = count_queries(client, url_for(small, small_meetup, small_date))

    _fill(large, meetups=6, weekly=True, members=30, organizer=organizer)
    large_meetup = large.meetups.first()
    large_date = large_meetup.occurrences.upcoming().first()
    for meetup in large.meetups.all():
        services.series_rsvp_set(meetup=meetup, member=organizer, going=True)
    many = count_queries(client, url_for(large, large_meetup, large_date))

    print(f"{few} queries with little data, {many} with a lot")
    assert many <= MAX_QUERIES
    assert many == few


def test_upcoming_meetups_are_paginated(client, group, create_meetup):
    create_meetup(spec=WEEKLY)

    first = client.get(group.get_absolute_url())
    second = client.get(group.get_absolute_url(), {"page": 2})

    assert len(first.context["upcoming"]) == 10
    assert first.context["page_obj"].paginator.num_pages >= 5
    assert set(first.context["upcoming"]).isdisjoint(second.context["upcoming"])


def test_visitors_do_not_see_who_is_in_a_group(client, group, add_member):
    add_member(display_name="Quiet Member")
    page = text(client.get(group.get_absolute_url()))
    assert "Quiet Member" not in page
    assert "Log in</a> to see who" in page


# --- creating a group and a meetup through the forms ------------------------------------


def test_creating_a_group_through_the_form(member_client, member):
    response = member_client.post(
        reverse("groups:create"),
        {
            "name": "Metro librarians’ dinner",
            "description": "Dinner once a month, with credit for attending.",
            "country": "US",
            "state": "Missouri",
            "city": "Kansas City",
            "library_types": ["high_school", "public", "academic"],
            "visibility": "public",
            "join_policy": "approval",
        },
    )

    group = Group.objects.get()
    assert response.status_code == 302
    assert response["Location"] == group.get_absolute_url()
    assert group.state == "MO"
    assert group.library_types == ["high_school", "public", "academic"]
    assert Membership.objects.organizers().get(group=group).member == member


def assert_too_long(response, field: str, limit: int, kept: str):
    """Refused beside the field, with the limit and the length, and the text kept to shorten."""
    assert response.status_code == 200
    page = response.content.decode()
    error_list = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert error_list, page
    assert f"{limit:,} characters or fewer" in error_list.group(1)
    assert kept in page
    assert f"Up to {limit:,} characters." in page  # the hint, and the counter's limit
    assert re.search(rf'<textarea[^>]*data-maxlength="{limit}"[^>]*id="id_{field}"', page)


def test_a_group_description_over_the_limit_is_refused_with_the_text_kept(client, organizer):
    group = GroupFactory(organizer=organizer, name="Before", description="Before")
    client.force_login(organizer)
    too_long = "[a](b)" * (DESCRIPTION_MAX_LENGTH // 6 + 1)  # worst-case Markdown to render

    response = client.post(
        reverse("groups:update", kwargs={"slug": group.slug}),
        {
            "name": "Renamed",
            "description": too_long,
            "country": "US",
            "visibility": "public",
            "join_policy": "open",
        },
    )

    assert_too_long(response, "description", DESCRIPTION_MAX_LENGTH, too_long)
    group.refresh_from_db()
    assert (group.name, group.description) == ("Before", "Before")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("description", DESCRIPTION_MAX_LENGTH),
        ("accessibility_notes", ACCESSIBILITY_NOTES_MAX_LENGTH),
    ],
)
def test_meetup_texts_over_the_limit_are_refused_with_the_text_kept(
    client, group, organizer, field, limit
):
    client.force_login(organizer)
    too_long = "x" * (limit + 1)

    response = client.post(
        reverse("groups:meetup_create", kwargs={"slug": group.slug}),
        meetup_post(**{field: too_long}),
    )

    assert_too_long(response, field, limit, too_long)
    assert not Meetup.objects.exists()


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("x" * (JOIN_MESSAGE_MAX_LENGTH + 1), f"{JOIN_MESSAGE_MAX_LENGTH:,} characters or fewer"),
        ("Hello\x00", "Null characters are not allowed"),
    ],
)
def test_a_bad_join_message_is_refused_not_dropped(client, message, error):
    # it used to be dropped without a word, and the request sent without it
    group = GroupFactory(join_policy=Group.JoinPolicy.APPROVAL)
    client.force_login(UserFactory())

    response = client.post(
        reverse("groups:join", kwargs={"slug": group.slug}), {"message": message}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert message.replace("\x00", "") in page
    assert not Membership.objects.filter(group=group).exclude(role="organizer").exists()


def slugs_a_route_would_steal(candidates) -> set[str]:
    """The candidate slugs for which some page of such a group would resolve to another view
    (found by reversing and resolving every group page, not by reading groups/urls.py)."""
    from django.urls import resolve

    from groups.urls import urlpatterns

    group_pages = [p for p in urlpatterns if str(p.pattern).startswith("<slug:slug>/")]
    stolen = set()
    for slug in candidates:
        for page in group_pages:
            kwargs = {"slug": slug} | {k: 1 for k in page.pattern.converters if k != "slug"}
            if resolve(reverse(f"groups:{page.name}", kwargs=kwargs)).url_name != page.name:
                stolen.add(slug)
    return stolen


def test_the_reserved_group_slugs_are_every_fixed_path_under_groups():
    from groups.models import reserved_slugs
    from groups.urls import urlpatterns

    segments = {str(p.pattern).split("/")[0].split(".")[0] for p in urlpatterns}
    candidates = {s for s in segments if s and "<" not in s} | {"book-club", "credit", "past"}
    assert reserved_slugs() == slugs_a_route_would_steal(candidates)
    assert {"new", "mine", "upcoming", "calendar", "certificates"} <= reserved_slugs()


def test_a_new_route_under_groups_is_reserved_without_listing_it(monkeypatch):
    from django.urls import path

    from groups import models, urls

    monkeypatch.setattr(urls, "urlpatterns", [path("archive/", lambda r: None), *urls.urlpatterns])
    models.reserved_slugs.cache_clear()
    try:
        assert "archive" in models.reserved_slugs()
    finally:
        monkeypatch.undo()
        models.reserved_slugs.cache_clear()


@pytest.mark.parametrize("name", ["Upcoming", "Calendar", "Certificates", "New", "Mine"])
def test_a_group_named_like_a_fixed_path_gets_its_own_address(member_client, name):
    """A name is the organizers' choice: the group is created, at an address no route takes."""
    response = member_client.post(
        reverse("groups:create"),
        {"name": name, "country": "US", "visibility": "public", "join_policy": "open"},
    )

    group = Group.objects.get()
    assert response.status_code == 302
    assert group.slug == f"{name.lower()}-2"
    assert member_client.get(group.get_absolute_url()).context["group"] == group
    fixed = f"/groups/{name.lower()}/"
    if name != "Certificates":  # only /groups/certificates/<code>/ exists
        page = member_client.get(fixed)
        assert page.status_code in (200, 302)
        assert (page.context or {}).get("group") != group


def test_renaming_a_group_like_a_fixed_path_keeps_its_address(client, group, organizer):
    client.force_login(organizer)
    slug = group.slug

    response = client.post(
        reverse("groups:update", kwargs={"slug": slug}),
        {"name": "Calendar", "country": "US", "visibility": "public", "join_policy": "open"},
    )

    group.refresh_from_db()
    assert response.status_code == 302
    assert (group.name, group.slug) == ("Calendar", slug)
    assert client.get(reverse("groups:calendar")).context.get("group") is None
    assert client.get(group.get_absolute_url()).context["group"] == group


@pytest.mark.parametrize("slug", ["calendar", "upcoming", "certificates", "new", "mine"])
def test_a_fixed_path_cannot_be_given_as_a_slug_by_hand(admin_client, slug):
    """The admin fills the slug in from the name: it must refuse one a route takes."""
    response = admin_client.post(
        reverse("admin:meetup_groups_group_add"),
        {
            "name": slug.title(),
            "slug": slug,
            "country": "US",
            "visibility": "public",
            "join_policy": "open",
            "library_types": "",
        },
    )

    assert response.status_code == 200
    assert not Group.objects.filter(slug=slug).exists()
    assert "is a page of the site" in response.content.decode()


def test_a_group_form_with_mistakes_explains_them_and_saves_nothing(member_client):
    response = member_client.post(
        reverse("groups:create"),
        {
            "name": "",
            "country": "US",
            "state": "Atlantis",
            "visibility": "public",
            "join_policy": "x",
        },
    )

    assert response.status_code == 200
    assert not Group.objects.exists()
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'id="id_state_error"' in page
    assert "two-letter code" in page
    assert 'aria-describedby="id_state_helptext id_state_error"' in page


def meetup_post(**overrides):
    return {
        "title": "Long lunch and collaboration",
        "description": "Bring a lesson that worked.",
        "starts_on": (local_today() + timedelta(days=3)).isoformat(),
        "start_time": "12:00",
        "end_time": "13:30",
        "timezone": "America/Detroit",
        "repeat": "monthly_nth",
        "weekday": "1",
        "week_of_month": "2",
        "ends": "never",
        "until": "",
        "count": "",
        "venue_kind": "in_person",
        "venue_name": "Pierce Middle School library",
        "address": "25 Pierce Road",
        "accessibility_notes": "Step-free entrance on the north side.",
        "online_url": "",
        "cost_note": "Lunch on your own",
        "capacity": "12",
        "rsvp_deadline_hours": "24",
        "pd_credit_hours": "1.5",
        **overrides,
    }


def test_organizer_schedules_a_monthly_series_through_the_friendly_form(client, group, organizer):
    client.force_login(organizer)

    response = client.post(
        reverse("groups:meetup_create", kwargs={"slug": group.slug}), meetup_post()
    )

    meetup = Meetup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meetup.get_absolute_url()
    assert meetup.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert meetup.start_time.isoformat() == "12:00:00"
    assert meetup.duration == timedelta(minutes=90)
    assert meetup.timezone == "America/Detroit"
    assert str(meetup.pd_credit_hours) == "1.50"
    first = meetup.occurrences.order_by("start").first()
    assert first.local_start.weekday() == 1
    assert 8 <= first.local_start.day <= 14
    assert first.local_start.date() >= local_today() + timedelta(days=3)
    assert "Every month on the second Tuesday" in messages_of(client.get(response["Location"]))[0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "11:00"}, "end_time", "must end after it starts"),
        ({"starts_on": "2020-01-01"}, "starts_on", "or a later date"),
        ({"ends": "until", "until": ""}, "until", "Give the last date"),
        ({"ends": "count", "count": ""}, "count", "Give the number of meetups"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice"),
        ({"venue_kind": "online", "online_url": ""}, "online_url", "Add the link"),
        ({"venue_name": "", "address": ""}, "venue_name", "Say where people meet"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"pd_credit_hours": "-1"}, "pd_credit_hours", "greater than or equal to 0"),
    ],
)
def test_the_meetup_form_explains_mistakes_and_saves_nothing(
    client, group, organizer, overrides, field, message
):
    client.force_login(organizer)

    response = client.post(
        reverse("groups:meetup_create", kwargs={"slug": group.slug}), meetup_post(**overrides)
    )

    assert response.status_code == 200
    assert not Meetup.objects.exists()
    page = response.content.decode()
    error_list = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert error_list, page
    assert message in error_list.group(1)
    assert "Please check" in page  # the summary at the top links to each problem
    assert 'value="Pierce Middle School library"' in page or field == "venue_name"


def test_every_mistake_shows_at_once_in_one_summary(client, group, organizer):
    client.force_login(organizer)

    response = client.post(
        reverse("groups:meetup_create", kwargs={"slug": group.slug}),
        meetup_post(title="", starts_on="", end_time="11:00", repeat="weekly", ends="until"),
    )

    page = text(response)
    assert page.count('class="error-summary"') == 1
    assert "Please check these 4 things" in page
    for field in ("title", "starts_on", "end_time", "until"):
        assert f'href="#id_{field}"' in page


def test_the_form_refuses_a_fifth_weekday_that_not_every_month_has(client, group, organizer):
    client.force_login(organizer)
    fifth_tuesday = next(
        local_today() + timedelta(days=d)
        for d in range(1, 400)
        if (local_today() + timedelta(days=d)).weekday() == 1
        and (local_today() + timedelta(days=d)).day > 28
    )

    response = client.post(
        reverse("groups:meetup_create", kwargs={"slug": group.slug}),
        meetup_post(starts_on=fifth_tuesday.isoformat(), week_of_month=""),
    )

    assert "fifth Tuesday" in response.content.decode()
    assert not Meetup.objects.exists()


def test_editing_the_details_of_every_date(client, group, organizer, create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY, capacity=1)
    first = meetup.occurrences.order_by("start").first()
    ann, ben = add_member(), add_member()
    services.rsvp_set(occurrence=first, member=ann, going=True)
    services.rsvp_set(occurrence=first, member=ben, going=True)
    url = reverse("groups:meetup_update", kwargs={"slug": group.slug, "pk": meetup.pk})
    client.force_login(organizer)

    form = client.get(url).context["details"]
    assert form.initial["title"] == "Long lunch and collaboration"
    bad = client.post(url, meetup_post(title="", capacity="3"))
    assert "This field is required." in bad.content.decode()
    client.post(url, meetup_post(title="Long lunch (new room)", capacity="3"))

    meetup.refresh_from_db()
    assert (meetup.title, meetup.capacity) == ("Long lunch (new room)", 3)
    assert meetup.rrule == "FREQ=WEEKLY;BYDAY=TU"  # the schedule is not changed here
    assert RSVP.objects.get(member=ben).status == RSVP.Status.GOING


def test_the_schedule_form_is_prefilled_from_the_series(client, group, organizer, create_meetup):
    meetup = create_meetup(spec=RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=4))
    client.force_login(organizer)

    form = client.get(
        reverse("groups:meetup_reschedule", kwargs={"slug": group.slug, "pk": meetup.pk})
    ).context["schedule"]

    assert form.initial["repeat"] == "monthly_last"
    assert form.initial["weekday"] == 4
    assert form.initial["timezone"] == "America/Detroit"


@pytest.mark.parametrize(
    ("rrule", "repeat", "ends"),
    [
        ("FREQ=WEEKLY", "weekly", "never"),  # BYDAY taken from DTSTART (RFC 5545)
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=6", "biweekly", "count"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "monthly_nth", "never"),
        ("FREQ=MONTHLY;UNTIL=20991231", "monthly_nth", "until"),
        ("FREQ=DAILY", "weekly", "never"),
    ],
)
def test_the_schedule_form_opens_for_a_rule_without_byday(
    client, group, organizer, create_meetup, rrule, repeat, ends
):
    """Rules made in the admin or by older code: the form opens, filled in from DTSTART."""
    meetup = create_meetup(spec=WEEKLY)
    Meetup.objects.filter(pk=meetup.pk).update(rrule=rrule)
    meetup.refresh_from_db()
    first = meetup.occurrences.upcoming().order_by("start").first()
    client.force_login(organizer)

    response = client.get(
        reverse("groups:meetup_reschedule", kwargs={"slug": group.slug, "pk": meetup.pk})
    )

    assert response.status_code == 200
    initial = response.context["schedule"].initial
    day = first.local_original_start.date()
    week = (day.day - 1) // 7 + 1
    if repeat == "monthly_nth" and week == 5:  # a fifth weekday: the nearest is "the last"
        repeat = "monthly_last"
    assert initial["starts_on"] == day
    assert initial["repeat"] == repeat
    assert initial["ends"] == ends
    if repeat != "yearly":
        assert initial["weekday"] == day.weekday()
    if repeat == "monthly_nth":
        assert initial["week_of_month"] == week
    custom = rrule not in ("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;COUNT=6")
    assert any("custom schedule" in m for m in messages_of(response)) is custom
    assert re.search(rf'name="repeat" value="{repeat}"[^>]* checked', text(response))


def test_a_weekly_rule_without_byday_is_described_by_its_first_day(group, create_meetup):
    meetup = create_meetup(spec=WEEKLY)
    Meetup.objects.filter(pk=meetup.pk).update(rrule="FREQ=WEEKLY")
    meetup.refresh_from_db()

    assert meetup.schedule_label == "Every week on Tuesday"


def test_changing_the_schedule_through_the_form(client, group, organizer, create_meetup):
    meetup = create_meetup(spec=WEEKLY)
    second = meetup.occurrences.order_by("start")[1]
    client.force_login(organizer)

    response = client.post(
        reverse("groups:meetup_reschedule", kwargs={"slug": group.slug, "pk": meetup.pk}),
        meetup_post(
            **{
                "from": second.pk,
                "starts_on": second.local_start.date().isoformat(),
                "repeat": "biweekly",
                "weekday": "3",
                "capacity": "",
            }
        ),
    )

    assert response.status_code == 302
    continuing = Meetup.objects.get(split_from=meetup)
    assert continuing.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert response["Location"] == continuing.get_absolute_url()


# --- RSVPs -------------------------------------------------------------------------------


def test_rsvp_going_then_waitlisted_then_promoted(client, group, create_meetup, add_member):
    occurrence = create_meetup(capacity=1).occurrences.get()
    first, second = add_member(), add_member()
    url = reverse("groups:rsvp", kwargs={"slug": group.slug, "pk": occurrence.pk})

    client.force_login(first)
    assert "You’re going" in messages_of(client.post(url, {"answer": "going"}, follow=True))[0]
    client.force_login(second)
    page = client.post(url, {"answer": "going"}, follow=True)
    assert "number 1 on the waiting list" in messages_of(page)[0]
    assert "You’re number 1 on the waiting list" in text(page)
    client.force_login(first)
    client.post(url, {"answer": "not_going"})

    assert RSVP.objects.get(member=second).status == RSVP.Status.GOING


def test_rsvp_needs_a_post_and_a_sign_in(client, create_meetup):
    occurrence = create_meetup().occurrences.get()
    url = reverse("groups:rsvp", kwargs={"slug": occurrence.meetup.group.slug, "pk": occurrence.pk})
    assert client.post(url, {"answer": "going"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 405
    assert not RSVP.objects.exists()


def test_a_non_member_is_told_to_join_first(client, create_meetup):
    occurrence = create_meetup().occurrences.get()
    client.force_login(UserFactory())
    response = client.post(
        reverse("groups:rsvp", kwargs={"slug": occurrence.meetup.group.slug, "pk": occurrence.pk}),
        {"answer": "going"},
        follow=True,
    )
    assert "Join the group to RSVP" in messages_of(response)[0]
    assert not RSVP.objects.exists()


def test_online_link_only_for_members_going(client, group, create_meetup, add_member):
    meetup = create_meetup(venue_kind="online", online_url="https://meet.example/secret-room")
    occurrence = meetup.occurrences.get()
    going, maybe = add_member(), add_member()
    services.rsvp_set(occurrence=occurrence, member=going, going=True)

    assert "secret-room" not in client.get(occurrence.get_absolute_url()).content.decode()
    client.force_login(maybe)
    assert "secret-room" not in client.get(occurrence.get_absolute_url()).content.decode()
    client.force_login(going)
    assert "secret-room" in client.get(occurrence.get_absolute_url()).content.decode()


def test_series_rsvp_through_the_page(client, group, create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY)
    regular = add_member()
    client.force_login(regular)
    url = reverse("groups:series_rsvp", kwargs={"slug": group.slug, "pk": meetup.pk})

    client.post(url, {"answer": "going", "next": "https://evil.example/"})
    assert RSVP.objects.filter(member=regular).count() == meetup.occurrences.count()
    response = client.post(url, {"answer": "not_going"})

    assert response["Location"] == meetup.get_absolute_url()
    assert not RSVP.objects.filter(member=regular).exists()


# --- joining and the roster --------------------------------------------------------------


def test_join_and_leave(client, group):
    newcomer = UserFactory()
    client.force_login(newcomer)

    client.post(reverse("groups:join", kwargs={"slug": group.slug}))
    assert Membership.objects.get(member=newcomer).is_active
    client.post(reverse("groups:leave", kwargs={"slug": group.slug}))
    assert not Membership.objects.filter(member=newcomer).exists()


def test_asking_to_join_and_being_approved_through_the_pages(client, group, organizer, task_queue):
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.APPROVAL)
    newcomer = UserFactory(display_name="Nora Newcomer")
    client.force_login(newcomer)
    client.post(reverse("groups:join", kwargs={"slug": group.slug}), {"message": "Hi!"})
    membership = Membership.objects.get(member=newcomer)
    assert membership.status == Membership.Status.PENDING
    task_queue.run_all()
    assert [m.to for m in mail.outbox] == [[organizer.email]]

    client.force_login(organizer)
    roster = text(client.get(reverse("groups:members", kwargs={"slug": group.slug})))
    assert "Nora Newcomer" in roster
    assert "Hi!" in roster
    client.post(
        reverse("groups:membership_approve", kwargs={"slug": group.slug, "pk": membership.pk})
    )
    task_queue.run_all()

    membership.refresh_from_db()
    assert membership.is_active
    assert [m.to for m in mail.outbox] == [[organizer.email], [newcomer.email]]


def test_requests_to_join_are_rate_limited(client, organizer, task_queue):
    client.force_login(UserFactory())
    groups = [
        GroupFactory(organizer=organizer, join_policy=Group.JoinPolicy.APPROVAL) for _ in range(11)
    ]
    for group in groups:
        response = client.post(reverse("groups:join", kwargs={"slug": group.slug}), follow=True)

    assert "many groups in the last hour" in messages_of(response)[0]
    assert Membership.objects.pending().count() == 10
    task_queue.run_all()
    assert len(mail.outbox) == 10


def test_the_last_organizer_is_told_why_they_cannot_leave(client, group, organizer, add_member):
    add_member()
    client.force_login(organizer)
    response = client.post(reverse("groups:leave", kwargs={"slug": group.slug}), follow=True)
    assert "only organizer" in messages_of(response)[0]


# --- organizer tools through the pages ---------------------------------------------------


def test_cancel_move_and_pause_through_the_pages(client, group, organizer, create_meetup):
    meetup = create_meetup(spec=WEEKLY)
    dates = list(meetup.occurrences.order_by("start"))
    client.force_login(organizer)

    client.post(
        reverse("groups:occurrence_cancel", kwargs={"slug": group.slug, "pk": dates[0].pk}),
        {"reason": "Snow day"},
    )
    client.post(
        reverse("groups:occurrence_move", kwargs={"slug": group.slug, "pk": dates[1].pk}),
        {
            "date": (dates[1].local_start.date() + timedelta(days=1)).isoformat(),
            "start_time": "15:00",
            "end_time": "16:00",
            "other_venue": "on",
            "venue_kind": "online",
            "online_url": "https://meet.example/lunch",
            "note": "Online this week",
        },
    )
    client.post(
        reverse("groups:meetup_pause", kwargs={"slug": group.slug, "pk": meetup.pk}),
        {
            "starts_on": dates[4].local_start.date().isoformat(),
            "ends_on": dates[6].local_start.date().isoformat(),
            "note": "Winter break",
        },
    )

    statuses = {o.pk: o for o in meetup.occurrences.all()}
    assert statuses[dates[0].pk].cancel_reason == "Snow day"
    moved = statuses[dates[1].pk]
    assert moved.local_start.hour == 15
    assert moved.venue.online_url == "https://meet.example/lunch"
    assert [o.pk for o in meetup.occurrences.cancelled().order_by("start")] == [
        dates[0].pk,
        dates[4].pk,
        dates[5].pk,
        dates[6].pk,
    ]
    page = text(client.get(dates[1].get_absolute_url()))
    assert "Moved</strong> from" in page
    assert "Online this week" in page


def test_a_move_with_mistakes_keeps_what_was_typed(client, group, organizer, create_meetup):
    occurrence = create_meetup().occurrences.get()
    client.force_login(organizer)
    response = client.post(
        reverse("groups:occurrence_move", kwargs={"slug": group.slug, "pk": occurrence.pk}),
        {"date": "2020-01-01", "start_time": "15:00", "end_time": "14:00", "note": "Keep me"},
    )
    page = response.content.decode()
    assert "Choose a date and time in the future." in page
    assert "must end after it starts" in page
    assert 'value="Keep me"' in page
    occurrence.refresh_from_db()
    assert occurrence.start == occurrence.original_start


# --- my meetups and the calendar address -------------------------------------------------


def test_my_meetups_page_and_calendar_address(client, group, create_meetup, add_member):
    member = add_member()
    occurrence = create_meetup(title="Long lunch").occurrences.get()
    services.rsvp_set(occurrence=occurrence, member=member, going=True)
    client.force_login(member)

    page = text(client.get(reverse("groups:mine")))
    assert "Long lunch" in page
    assert "Create my calendar address" in page

    client.post(reverse("groups:calendar_reset"))
    first = client.get(reverse("groups:mine")).context["feed_url"]
    client.post(reverse("groups:calendar_reset"))
    second = client.get(reverse("groups:mine")).context["feed_url"]

    assert first != second
    assert client.get(first.replace("http://testserver", "")).status_code == 404
    assert client.get(second.replace("http://testserver", "")).status_code == 200


def test_nothing_changes_on_get(client, group, organizer, create_meetup):
    """GET on every page of the app leaves the database as it was."""
    meetup = create_meetup(spec=WEEKLY)
    occurrence = meetup.occurrences.first()
    client.force_login(organizer)
    tables = (Group, Membership, Meetup, Occurrence, RSVP)
    before = [list(model.objects.order_by("pk").values()) for model in tables]
    from groups.models import CalendarToken

    for url in [
        reverse("groups:list"),
        reverse("groups:mine"),
        group.get_absolute_url(),
        meetup.get_absolute_url(),
        occurrence.get_absolute_url(),
        reverse("groups:feed", kwargs={"slug": group.slug}),
        reverse("groups:occurrence_ics", kwargs={"slug": group.slug, "pk": occurrence.pk}),
    ]:
        client.get(url)

    assert [list(model.objects.order_by("pk").values()) for model in tables] == before
    assert not CalendarToken.objects.exists()


# --- what members write is shown, never run ----------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_member_text_is_inert_on_every_page(client, organizer, payload):
    group = GroupFactory(organizer=organizer, name=payload[:120], description=payload)
    meetup = MeetupFactory(
        group=group,
        title=payload[:160],
        description=payload,
        venue_name=payload[:200],
        accessibility_notes=payload,
        cost_note=payload[:200],
    )
    occurrence = meetup.occurrences.get()
    Occurrence.objects.filter(pk=occurrence.pk).update(note=payload[:300])
    member = MembershipFactory(group=group, message=payload).member
    member.display_name = payload[:150]
    member.save()
    services.rsvp_set(occurrence=occurrence, member=member, going=True)
    client.force_login(organizer)

    for url in [
        reverse("groups:list"),
        group.get_absolute_url(),
        reverse("groups:members", kwargs={"slug": group.slug}),
        meetup.get_absolute_url(),
        occurrence.get_absolute_url(),
        reverse("groups:occurrence_move", kwargs={"slug": group.slug, "pk": occurrence.pk}),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert_inert(response.content)
