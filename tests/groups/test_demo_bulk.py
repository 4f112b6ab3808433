"""Generated groups (`seed_groups_bulk`, used by `seed_demo --scale` and the benchmark) are
inserted in bulk, but must look to every page, feed and service exactly like groups made through
the services."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.demo import GROUPS_PER_SCALE, seed_groups, seed_groups_bulk
from groups.models import RSVP, Attendance, Group, Meetup, Membership, Occurrence, SeriesRSVP
from groups.recurrence import parse_rrule
from tests.factories import UserFactory
from tests.groups.test_calendars import listed_by_site, shown_by_calendar_program

pytestmark = pytest.mark.django_db

OCCURRENCE_FIELDS = ("original_start", "start", "end", "status", "cancel_reason", "sequence")


@pytest.fixture
def crowd(db):
    return UserFactory.create_batch(40)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def generated(crowd, now):
    ids = seed_groups_bulk(6, now=now)
    return list(Group.objects.filter(pk__in=ids).order_by("pk"))


def test_each_generated_group_has_an_organizer_members_and_one_recurring_series(generated):
    assert len(generated) == 6
    assert len({g.name for g in generated}) == 6
    for group in generated:
        assert group.slug == services.slug_base(group.name) or group.slug.startswith(
            services.slug_base(group.name) + "-"
        )
        active = group.memberships.active()
        assert 6 <= active.count() <= 31
        assert active.organizers().exists()
        assert not group.memberships.exclude(status="active").exclude(status="pending").exists()
        (meetup,) = group.meetups.all()
        assert meetup.is_recurring
        parse_rrule(meetup.rrule, tz=meetup.tz)  # a rule the edit form can show
        assert meetup.created_by_id == active.organizers().order_by("joined_at").first().member_id


def test_dates_are_exactly_what_the_service_materialises(generated, now):
    """A copy of each series, materialised by `occurrences_materialize`, has the same dates;
    and the service finds nothing missing in the generated one."""
    for group in generated:
        meetup = group.meetups.get()
        cancelled = set(meetup.occurrences.cancelled().values_list("pk", flat=True))
        copy = Meetup.objects.get(pk=meetup.pk)
        copy.pk = None
        copy.materialized_until = None
        copy.save()
        made = services.occurrences_materialize(meetup=copy, now=now)

        generated_dates = list(
            meetup.occurrences.exclude(pk__in=cancelled)
            .order_by("original_start")
            .values_list(*OCCURRENCE_FIELDS)
        )
        cancelled_starts = set(
            Occurrence.objects.filter(pk__in=cancelled).values_list("original_start", flat=True)
        )
        service_dates = [
            tuple(getattr(o, name) for name in OCCURRENCE_FIELDS)
            for o in sorted(made, key=lambda o: o.original_start)
            if o.original_start not in cancelled_starts
        ]
        assert generated_dates == service_dates
        assert len(made) == meetup.occurrences.count() > 0
        assert services.occurrences_materialize(meetup=meetup, now=now) == []
        assert Meetup.objects.get(pk=meetup.pk).materialized_until == now + timedelta(days=365)


def test_rsvps_follow_the_services_rules(generated, now):
    for group in generated:
        meetup = group.meetups.get()
        deadline = timedelta(hours=meetup.rsvp_deadline_hours)
        open_dates = [
            o
            for o in meetup.occurrences.filter(start__gt=now).order_by("start")
            if o.start - deadline > now
        ]
        regulars = set(SeriesRSVP.objects.filter(meetup=meetup).values_list("member", flat=True))
        assert regulars
        assert regulars <= set(group.memberships.active().values_list("member", flat=True))
        for occurrence in open_dates:  # "I come every time" answers every open date
            from_series = occurrence.rsvps.filter(source="series")
            assert set(from_series.values_list("member", flat=True)) == regulars
        for occurrence in meetup.occurrences.all():
            if meetup.capacity is not None:
                assert occurrence.rsvps.going().count() <= meetup.capacity
    assert RSVP.objects.filter(source="explicit", occurrence__start__gt=now).exists()
    # past dates were attended, with the series' credit
    attended = Attendance.objects.select_related("occurrence__meetup")
    assert attended.exists()
    for attendance in attended:
        assert attendance.occurrence.end <= now
        assert attendance.hours == attendance.occurrence.meetup.pd_credit_hours
        assert RSVP.objects.filter(
            occurrence=attendance.occurrence, member=attendance.member, status="going"
        ).exists()


def test_pages_and_feeds_work_on_generated_groups(client, crowd, generated):
    client.force_login(crowd[0])
    client.get("/")  # onboarding check recorded in the session
    for group in generated:
        next_date = Occurrence.objects.filter(meetup__group=group).scheduled().upcoming().first()
        page = client.get(group.get_absolute_url())
        assert page.status_code == 200
        if next_date is not None:
            assert next_date.get_absolute_url() in page.content.decode()
            assert client.get(next_date.get_absolute_url()).status_code == 200
        assert client.get(reverse("groups:month", kwargs={"slug": group.slug})).status_code == 200
    assert client.get(reverse("groups:upcoming")).status_code == 200
    assert client.get(reverse("groups:calendar")).status_code == 200

    client.logout()
    public = [g for g in generated if g.is_public]
    assert public
    for group in public:
        response = client.get(reverse("groups:feed", kwargs={"slug": group.slug}))
        assert response.status_code == 200
        calendar = icalendar.Calendar.from_ical(response.content)
        start, end = timezone.now() - timedelta(days=60), timezone.now() + timedelta(days=300)
        assert shown_by_calendar_program(calendar, start, end) == listed_by_site(group, start, end)


def test_seeding_tops_up_and_adds_nothing_the_second_time(crowd):
    demo = UserFactory(email="demo@example.org")
    first = seed_groups(scale=3, demo=demo)
    again = seed_groups(scale=3, demo=demo)

    assert first == again
    assert first["groups"] == 5 + GROUPS_PER_SCALE * 2
    assert Membership.objects.filter(group__in=Group.objects.all()).count() > 8 * 6
