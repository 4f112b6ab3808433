"""A known data set behind every picture of issue 18, with the figures each picture must show
(worked out by hand here, not by the code under test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from groups.models import RSVP, Attendance, Group, Meetup, Occurrence
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    profile_for,
)

DETROIT = ZoneInfo("America/Detroit")
# going and attended on each of the 14 past dates of the Michigan series, oldest first;
# the 12th is cancelled (its answers stay, the chart marks it instead of drawing bars)
GOING = [5, 6, 6, 5, 5, 4, 4, 4, 3, 3, 3, 4, 2, 2]
ATTENDED = [4, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 0, 1, 1]
CANCELLED = 11
CAPACITY = 8


@dataclass
class PictureWorld:
    organizer: object  # staff, organizes the Michigan group, member of the others
    member: object  # a plain member of the Michigan group, with credit
    series: Meetup
    directory: dict[str, int] = field(default_factory=dict)
    colleagues_for_visitors: dict[str, int] = field(default_factory=dict)
    colleagues_for_organizer: dict[str, int] = field(default_factory=dict)
    meetups_for_visitors: dict[str, int] = field(default_factory=dict)
    meetups_for_members: dict[str, int] = field(default_factory=dict)
    past_dates: list[Occurrence] = field(default_factory=list)
    credit_hours: dict[tuple[int, int], Decimal] = field(default_factory=dict)


def colleague(state: str, *, visibility: str = "public", country: str = "US", **user_fields):
    user = UserFactory(**user_fields)
    profile_for(user, state=state, country=country, visibility=visibility, postal_code="")
    return user


def build_pictures_world() -> PictureWorld:
    now = timezone.now()
    # --- the directory: 6 + 1 in Michigan, Texas 3, nationwide 2, abroad 1 -------------------
    for number in range(6):
        OrganisationFactory(
            name=f"Michigan cooperative {number}", states=["MI"], needs_verification=number < 2
        )
    OrganisationFactory(name="Great Lakes alliance", states=["MI", "OH", "IN"])
    for number in range(3):
        OrganisationFactory(name=f"Texas system {number}", states=["TX"])
    OrganisationFactory(name="National association", states=[], needs_verification=True)
    OrganisationFactory(name="National network", states=[])
    OrganisationFactory(name="Ontario library council", country="CA", states=[])
    directory = {"MI": 7, "OH": 1, "IN": 1, "TX": 3, "nationwide": 2, "several": 1, "abroad": 1}

    # --- members: who sees whom ------------------------------------------------------------
    organizer = colleague("MI", display_name="Olive Organizer", visibility="members")
    organizer.is_staff = organizer.is_superuser = True
    organizer.save(update_fields=["is_staff", "is_superuser"])
    member = colleague("MI", display_name="Mona Member")  # public
    for number in range(3):
        colleague("MI", display_name=f"Public Michigander {number}")
    for number in range(2):
        colleague("MI", display_name=f"Members-only Michigander {number}", visibility="members")
    colleague("MI", display_name="Hidden Michigander", visibility="hidden")
    colleague("MI", display_name="Gone Michigander", is_active=False)
    colleague("TX", display_name="Public Texan 0")
    colleague("TX", display_name="Public Texan 1")
    colleague("Ontario", country="CA", display_name="Public Canadian")
    unlisted = UserFactory(display_name="Not yet onboarded")
    profile_for(unlisted, library_type="", state="MI", visibility="public")
    # public: member + 3 public (MI), 2 Texans, 1 Canadian; the organizer's profile is members-only
    colleagues_for_visitors = {"MI": 4, "TX": 2, "": 1}
    # the organizer sees public and members-only, never themselves
    colleagues_for_organizer = {"MI": 6, "TX": 2, "": 1}

    # --- groups and meetups ------------------------------------------------------------------
    michigan = GroupFactory(name="Michigan long lunch", state="MI", organizer=organizer)
    first = (now - timedelta(weeks=14)).astimezone(DETROIT).date()
    byday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()]
    series = MeetupFactory(
        group=michigan,
        title="Long lunch",
        start_date=first,
        start_time=time(12, 0),
        rrule=f"FREQ=WEEKLY;BYDAY={byday}",
        capacity=CAPACITY,
        pd_credit_hours=Decimal("1.5"),
    )
    # hidden from the member directory, so the colleagues' figures above stay as they are
    regulars = [colleague("MI", visibility="hidden", display_name=f"Regular {n}") for n in range(5)]
    attendees = [member, *regulars]
    for person in attendees:
        MembershipFactory(group=michigan, member=person)
    past = list(series.occurrences.filter(start__lte=now).order_by("start"))[-14:]
    assert len(past) == 14, len(past)
    credit: dict[tuple[int, int], Decimal] = {}
    for number, occurrence in enumerate(past):
        for person in attendees[: GOING[number]]:
            RSVP.objects.create(occurrence=occurrence, member=person, status=RSVP.Status.GOING)
        for person in attendees[: ATTENDED[number]]:
            Attendance.objects.create(
                occurrence=occurrence,
                member=person,
                method=Attendance.Method.ORGANIZER,
                hours=Decimal("1.5"),
                verification_code=f"pictures-{occurrence.pk}-{person.pk}",
            )
            if person == member:
                local = occurrence.start.astimezone(DETROIT)
                key = (local.year, local.month)
                credit[key] = credit.get(key, Decimal(0)) + Decimal("1.5")
        if number == CANCELLED:
            occurrence.status = Occurrence.Status.CANCELLED
            occurrence.save(update_fields=["status"])
    # a date last year, for the credit chart's other year: an evening in March in Detroit,
    # already April in UTC (months are the meetup's own)
    last_year = datetime(now.year - 1, 3, 31, 21, tzinfo=DETROIT)
    old = Occurrence.objects.create(
        meetup=series, original_start=last_year, start=last_year, end=last_year + timedelta(hours=1)
    )
    Attendance.objects.create(
        occurrence=old,
        member=member,
        method=Attendance.Method.CODE,
        hours=Decimal("2.5"),
        verification_code="pictures-last-year",
    )
    credit[(now.year - 1, 3)] = Decimal("2.5")

    texas = GroupFactory(
        name="Texas members-only circle", state="TX", visibility=Group.Visibility.MEMBERS
    )
    MeetupFactory(group=texas, title="Texas coffee")
    MeetupFactory(group=GroupFactory(name="Toronto circle", country="CA", state="ON"))
    quiet = MeetupFactory(group=GroupFactory(name="Ohio circle", state="OH"), title="Unsure")
    Meetup.objects.filter(pk=quiet.pk).update(needs_confirmation=True)
    meetups_for_visitors = {"MI": 1, "": 1}
    meetups_for_members = {"MI": 1, "TX": 1, "": 1}

    return PictureWorld(
        organizer=organizer,
        member=member,
        series=series,
        directory=directory,
        colleagues_for_visitors=colleagues_for_visitors,
        colleagues_for_organizer=colleagues_for_organizer,
        meetups_for_visitors=meetups_for_visitors,
        meetups_for_members=meetups_for_members,
        past_dates=past,
        credit_hours=credit,
    )
