"""Reads for groups and meetups. Who may see what is decided once, in `visibility_q()`, and
every list, feed and detail view goes through a `visible_to(viewer)` built on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Cast, RowNumber, TruncMonth
from django.utils import timezone

from kit.scopes import version_of

if TYPE_CHECKING:
    from accounts.models import User, Viewer
    from groups.models import (
        RSVP,
        Attendance,
        Group,  # noqa: F401 named by GroupQuerySet's (quoted) base
        Meetup,
        Membership,
        Occurrence,
    )

PUBLIC = "public"
# the longest a date lasts: a series' are at most a day, a moved date ends on its own day (25
# hours on the day clocks go back); a constraint on Occurrence holds it
MAX_DATE_LENGTH = timedelta(hours=25)
VENUES = {
    "in_person": ["in_person", "hybrid"],
    "online": ["online", "hybrid"],
}


class Turnout(TypedDict):
    """What `OccurrenceQuerySet.with_turnout()` annotates."""

    going_count: int
    attended_count: int


class ViewerRsvp(TypedDict):
    """What `OccurrenceQuerySet.with_viewer_rsvp()` (and `for_listing()`) annotates."""

    viewer_rsvp: str | None


class UpcomingCount(TypedDict):
    """What `GroupQuerySet.with_upcoming_count()` annotates."""

    upcoming_count: int


def local_day(occurrence: str = "") -> Cast:
    """The day an occurrence starts on in its meetup's own time zone: the day a calendar shows
    it on (PostgreSQL's `timezone(zone, timestamptz)` gives the local wall-clock time).
    `occurrence` reaches the occurrence from another model ("occurrence__")."""
    local = Func(
        F(f"{occurrence}meetup__timezone"),
        F(f"{occurrence}start"),
        function="timezone",
        output_field=models.DateTimeField(),
    )
    return Cast(local, output_field=models.DateField())


def discoverable_series_q(
    viewer: Viewer,
    *,
    state: str = "",
    library_type: str = "",
    near_state: str = "",
    prefix: str = "meetup__",
) -> Q:
    """The series discovery lists (see `OccurrenceQuerySet.discoverable`): groups the viewer
    may see, series not waiting for an organizer to confirm them, and the filters of the
    series' group. `prefix` reaches the meetup from another model."""
    group = f"{prefix}group__"
    series = visibility_q(viewer, prefix=group) & ~Q(**{f"{prefix}needs_confirmation": True})
    if state:
        series &= Q(**{f"{group}country": "US", f"{group}state": state})
    if library_type:
        series &= Q(**{f"{group}library_types__contains": [library_type]})
    if near_state:
        series &= Q(**{f"{group}state": near_state})
    return series


def subquery_count(rows: models.QuerySet[Any], *, per: str) -> models.functions.Coalesce:
    """How many of `rows` (filtered on an `OuterRef`) each outer row has, 0 when none: `per`
    is the field of `rows` that points at the outer row."""
    counted = rows.order_by().values(per).annotate(n=Count("pk")).values("n")
    return models.functions.Coalesce(Subquery(counted), 0)


def visibility_q(viewer: Viewer, *, prefix: str = "") -> Q:
    """Groups a viewer may see: public ones for everybody; members-only ones for signed-in
    members of Librarian Commons. `prefix` reaches the group from another model."""
    if viewer is not None and viewer.is_authenticated and viewer.is_active:
        return Q()
    return Q(**{f"{prefix}visibility": PUBLIC})


# each name the querysets look up, with the model it gives
@overload
def _model(name: Literal["Membership"]) -> type[Membership]: ...
@overload
def _model(name: Literal["Meetup"]) -> type[Meetup]: ...
@overload
def _model(name: Literal["Occurrence"]) -> type[Occurrence]: ...
@overload
def _model(name: Literal["RSVP"]) -> type[RSVP]: ...
@overload
def _model(name: Literal["Attendance"]) -> type[Attendance]: ...
def _model(name: str) -> type[models.Model]:
    """A model of this app, by name: groups/models.py imports this module for its managers, so
    the querysets look the other models up in the app registry when they build a query."""
    return apps.get_model("meetup_groups", name)


class GroupQuerySet(models.QuerySet["Group"]):
    def visible_to(self, viewer: Viewer) -> GroupQuerySet:
        return self.filter(visibility_q(viewer))

    def with_member_count(self) -> GroupQuerySet:
        Membership = _model("Membership")

        active = Membership.objects.filter(group=OuterRef("pk"), status=Membership.Status.ACTIVE)
        return self.annotate(member_count=subquery_count(active, per="group"))

    def with_upcoming_count(self, now: datetime | None = None) -> GroupQuerySet:
        """How many of its dates are not yet over (what the group page pages through)."""
        Occurrence = _model("Occurrence")

        upcoming = Occurrence.objects.filter(
            meetup__group=OuterRef("pk"), end__gt=now or timezone.now()
        )
        return self.annotate(upcoming_count=subquery_count(upcoming, per="meetup__group"))

    def with_pending_count(self) -> GroupQuerySet:
        Membership = _model("Membership")

        pending = Membership.objects.filter(group=OuterRef("pk"), status=Membership.Status.PENDING)
        return self.annotate(pending_count=subquery_count(pending, per="group"))

    def with_viewer(self, viewer: Viewer) -> GroupQuerySet:
        """`viewer_role` and `viewer_status` of the viewer's membership (None if none)."""
        Membership = _model("Membership")

        if viewer is None or not viewer.is_authenticated:
            return self.annotate(
                viewer_role=models.Value(None, output_field=models.CharField()),
                viewer_status=models.Value(None, output_field=models.CharField()),
            )
        mine = Membership.objects.filter(group=OuterRef("pk"), member=viewer)
        return self.annotate(
            viewer_role=Subquery(mine.values("role")[:1]),
            viewer_status=Subquery(mine.values("status")[:1]),
        )

    def with_next_start(self, now: datetime | None = None) -> GroupQuerySet:
        Occurrence = _model("Occurrence")

        upcoming = Occurrence.objects.filter(meetup__group=OuterRef("pk")).scheduled().upcoming(now)
        return self.annotate(
            next_start=Subquery(upcoming.values("start")[:1]),
            next_timezone=Subquery(upcoming.values("meetup__timezone")[:1]),
        )

    def organized_by(self, member: User) -> GroupQuerySet:
        Membership = _model("Membership")

        return self.filter(
            memberships__member=member,
            memberships__role=Membership.Role.ORGANIZER,
            memberships__status=Membership.Status.ACTIVE,
        )


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status="active")

    def pending(self) -> MembershipQuerySet:
        return self.filter(status="pending")

    def organizers(self) -> MembershipQuerySet:
        return self.filter(status="active", role="organizer")

    def by_standing(self) -> MembershipQuerySet:
        """Organizers first, then everyone by how long they have been in the group."""
        return self.order_by(
            models.Case(models.When(role="organizer", then=0), default=1),
            "joined_at",
            "pk",
        )


class MeetupQuerySet(models.QuerySet["Meetup"]):
    def visible_to(self, viewer: Viewer) -> MeetupQuerySet:
        return self.filter(visibility_q(viewer, prefix="group__"))

    def continuing(self, now: datetime | None = None) -> MeetupQuerySet:
        """Meetups with at least one occurrence still to come."""
        Occurrence = _model("Occurrence")

        return self.filter(
            Exists(Occurrence.objects.filter(meetup=OuterRef("pk")).scheduled().upcoming(now))
        )


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def visible_to(self, viewer: Viewer) -> OccurrenceQuerySet:
        return self.filter(visibility_q(viewer, prefix="meetup__group__"))

    def scheduled(self) -> OccurrenceQuerySet:
        return self.filter(status="scheduled")

    def cancelled(self) -> OccurrenceQuerySet:
        return self.filter(status="cancelled")

    def upcoming(self, now: datetime | None = None) -> OccurrenceQuerySet:
        """Not yet over (a meetup in progress still counts), soonest first."""
        return self.filter(end__gt=now or timezone.now()).order_by("start", "pk")

    def past(self, now: datetime | None = None) -> OccurrenceQuerySet:
        return self.filter(end__lte=now or timezone.now()).order_by("-start", "-pk")

    def with_counts(self) -> OccurrenceQuerySet:
        RSVP = _model("RSVP")

        def count(status: str) -> models.functions.Coalesce:
            answers = RSVP.objects.filter(occurrence=OuterRef("pk"), status=status)
            return subquery_count(answers, per="occurrence")

        return self.annotate(going_count=count("going"), waitlist_count=count("waitlisted"))

    def with_viewer_rsvp(self, viewer: Viewer) -> OccurrenceQuerySet:
        """`viewer_rsvp`: the viewer's answer for each occurrence (None if none)."""
        RSVP = _model("RSVP")

        if viewer is None or not viewer.is_authenticated:
            return self.annotate(viewer_rsvp=models.Value(None, output_field=models.CharField()))
        mine = RSVP.objects.filter(occurrence=OuterRef("pk"), member=viewer).values("status")
        return self.annotate(viewer_rsvp=Subquery(mine[:1]))

    def next_per_series(self, now: datetime | None = None) -> OccurrenceQuerySet:
        """The next scheduled date of each series (a weekly meetup appears once), soonest
        first. Filters applied before this narrow the dates considered.

        A walk of the `start` index from now that keeps a date when its series has no
        earlier one to come (one probe of the (meetup, start) index each): a page of 20 reads
        about 20 dates, where picking every series' first date (DISTINCT ON) sorted all of
        the 30,000 dates to come at benchmark scale before the first page could be cut.
        Dates last at most MAX_DATE_LENGTH, so none in progress started before that."""
        now = now or timezone.now()
        dates = self.scheduled().filter(end__gt=now, start__gt=now - MAX_DATE_LENGTH)
        earlier = dates.filter(meetup=OuterRef("meetup_id")).filter(
            Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk"))
        )
        return dates.filter(~Exists(earlier)).order_by("start", "pk")

    def with_turnout(self) -> OccurrenceQuerySet:
        """`going_count` (answers "going") and `attended_count` (attendance recorded)."""
        RSVP, Attendance = _model("RSVP"), _model("Attendance")

        going = RSVP.objects.filter(occurrence=OuterRef("pk"), status="going")
        attended = Attendance.objects.filter(occurrence=OuterRef("pk"))
        return self.annotate(
            going_count=subquery_count(going, per="occurrence"),
            attended_count=subquery_count(attended, per="occurrence"),
        )

    def series_count_by_state(self, now: datetime | None = None) -> dict[str, int]:
        """{state code: how many series} with a scheduled date to come, as the upcoming list
        filtered to that state counts them (`next_per_series`); "" for groups outside the
        United States. One aggregate query."""
        place = models.Case(
            models.When(meetup__group__country="US", then=F("meetup__group__state")),
            default=models.Value(""),
            output_field=models.CharField(),
        )
        rows = (
            self.scheduled()
            .filter(end__gt=now or timezone.now())
            .order_by()
            .annotate(place=place)
            .values("place")
            .annotate(n=Count("meetup", distinct=True))
        )
        return {row["place"]: row["n"] for row in rows}

    def venue_in(self, kinds: list[str]) -> OccurrenceQuerySet:
        """Dates held in one of `kinds` of venue (a date's own venue wins over its series')."""
        return self.filter(Q(venue_kind__in=kinds) | Q(venue_kind="", meetup__venue_kind__in=kinds))

    def discoverable(
        self,
        viewer: Viewer,
        *,
        state: str = "",
        library_type: str = "",
        where: str = "",
        near_state: str = "",
        on: date | None = None,
    ) -> OccurrenceQuerySet:
        """Dates listed to `viewer` in discovery (the upcoming list, its day view and the month
        calendar) that match the filters of `DiscoveryForm.filters()`: the one place both
        pages filter. `on` keeps the dates of that local day only."""
        dates = self.filter(
            discoverable_series_q(
                viewer, state=state, library_type=library_type, near_state=near_state
            )
        )
        if where in VENUES:
            dates = dates.venue_in(VENUES[where])
        if on is not None:
            dates = dates.on_local_days(on, on + timedelta(days=1))
        return dates

    def discoverable_series_count(
        self,
        viewer: Viewer,
        *,
        state: str = "",
        library_type: str = "",
        where: str = "",
        near_state: str = "",
        now: datetime | None = None,
    ) -> int:
        """How many series `discoverable(...).next_per_series()` lists: the series' own
        filters once each, then one index probe for a date to come. Asked of the dates, the
        filters were joined again for each of them (17,000 blocks at benchmark scale)."""
        dates = self.scheduled().filter(meetup=OuterRef("pk"), end__gt=now or timezone.now())
        if where in VENUES:
            dates = dates.venue_in(VENUES[where])
        meetups = _model("Meetup").objects
        series = discoverable_series_q(
            viewer, state=state, library_type=library_type, near_state=near_state, prefix=""
        )
        return meetups.filter(series).filter(Exists(dates)).count()

    def on_local_days(self, first: date, end: date) -> OccurrenceQuerySet:
        """Dates whose local start day (`local_day`, annotated) is in [first, end). UTC offsets
        stay within a day, so a day of slack either side lets the `start` index narrow first."""
        slack = timedelta(days=1)
        return (
            self.filter(
                start__gte=datetime.combine(first - slack, time.min, tzinfo=UTC),
                start__lt=datetime.combine(end + slack, time.min, tzinfo=UTC),
            )
            .annotate(local_day=local_day())
            .filter(local_day__gte=first, local_day__lt=end)
        )

    def first_per_day(self, per_day: int | None) -> OccurrenceQuerySet:
        """Soonest first, at most `per_day` dates of each local day (all when None), each with
        `day_total`: how many dates that day holds in all. After `on_local_days()`."""
        dates = self.annotate(
            day_rank=Window(
                RowNumber(), partition_by=[F("local_day")], order_by=[F("start"), F("pk")]
            ),
            day_total=Window(Count("pk"), partition_by=[F("local_day")]),
        )
        if per_day is not None:
            dates = dates.filter(day_rank__lte=per_day)
        return dates.order_by("start", "pk")

    def for_listing(self, viewer: Viewer) -> OccurrenceQuerySet:
        return (
            self.select_related("meetup__group")
            .with_counts()
            .with_viewer_rsvp(viewer)
            .defer("meetup__group__description", "meetup__description")
            # read with the row: a list's entry is kept under it (kit/fragments.py)
            .annotate(scope_version=version_of("occurrence"))
        )


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def hours_by_local_month(self, *, since: date) -> dict[date, Decimal]:
        """{first day of a month: hours of credit}, months as the meetups' own calendars show
        them, from `since` (a first of a month) on. One aggregate query."""
        # a day of slack: a local day starts up to 14 hours before or after UTC's
        day = local_day("occurrence__")
        rows = (
            self.filter(
                occurrence__start__gte=datetime.combine(
                    since - timedelta(days=1), time.min, tzinfo=UTC
                )
            )
            .order_by()
            .annotate(day=day)
            .filter(day__gte=since)
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(hours=Sum("hours"))
        )
        return {row["month"]: row["hours"] for row in rows}


class RSVPQuerySet(models.QuerySet["RSVP"]):
    def going(self) -> RSVPQuerySet:
        return self.filter(status="going")

    def waitlisted(self) -> RSVPQuerySet:
        return self.filter(status="waitlisted")

    def in_waitlist_order(self) -> RSVPQuerySet:
        return self.waitlisted().order_by("status_changed_at", "pk")
