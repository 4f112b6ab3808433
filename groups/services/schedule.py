"""Meetups, their series and their dates: creating a meetup, keeping a year of dates
materialised (with series subscribers' answers), changing details, cancelling, restoring and
moving one date, pausing a series and rescheduling it — and telling the people going or waiting
about each change, from the task queue.

Lock order is meetup, then its occurrences by (start, pk): series-wide changes take the meetup
first, single-date changes only their occurrence, so no two services wait on each other in
opposite orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import User
from groups import recurrence
from groups.caching import groups_changed
from groups.models import (
    HORIZON,
    RSVP,
    VENUE_FIELDS,
    Group,
    Meetup,
    MeetupPause,
    Occurrence,
    SeriesRSVP,
)
from groups.notices import (
    meetup_changed_notify,
    meetup_followers_notify,
)
from groups.permissions import require_organizer
from groups.services.rsvps import going_counts, locked_occurrence, waitlist_promote
from groups.templatetags.groups_tags import when

DETAIL_FIELDS = (
    "title",
    "description",
    *VENUE_FIELDS,
    "cost_note",
    "capacity",
    "rsvp_deadline_hours",
    "pd_credit_hours",
)
# a change to these is news for the people going
NEWSWORTHY_FIELDS = ("title", *VENUE_FIELDS, "cost_note")


@dataclass(frozen=True)
class Schedule:
    """When a series happens: DTSTART in local wall time, its zone, length and RRULE."""

    start_date: date
    start_time: time
    duration: timedelta
    timezone: str
    rrule: str = ""

    @classmethod
    def of(cls, meetup: Meetup) -> Schedule:
        return cls(
            start_date=meetup.start_date,
            start_time=meetup.start_time,
            duration=meetup.duration,
            timezone=meetup.timezone,
            rrule=meetup.rrule,
        )

    def apply_to(self, meetup: Meetup) -> None:
        meetup.start_date = self.start_date
        meetup.start_time = self.start_time
        meetup.duration = self.duration
        meetup.timezone = self.timezone
        meetup.rrule = self.rrule


# --- meetups and their occurrences -------------------------------------------------------


def _apply_details(meetup: Meetup, details: dict[str, Any]) -> list[str]:
    changed = []
    for name in DETAIL_FIELDS:
        if name in details and getattr(meetup, name) != details[name]:
            setattr(meetup, name, details[name])
            changed.append(name)
    return changed


@transaction.atomic
def meetup_create(*, group: Group, by: User, schedule: Schedule, details: dict[str, Any]) -> Meetup:
    """A meetup (a series, or one date when the rule is empty) and its occurrences."""
    require_organizer(group, by)
    meetup = Meetup(group=group, created_by=by)
    _apply_details(meetup, details)
    schedule.apply_to(meetup)
    meetup.full_clean()
    meetup.save()
    occurrences_materialize(meetup=meetup)
    meetup_followers_notify.defer(meetup_id=meetup.pk)
    return meetup


@transaction.atomic
def occurrences_materialize(
    *, meetup: Meetup, now: datetime | None = None, horizon: datetime | None = None
) -> list[Occurrence]:
    """Create the occurrences of `meetup` that start before the horizon (a year ahead) and do
    not exist yet; dates inside a pause are created cancelled; series RSVPs are applied."""
    now = now or timezone.now()
    horizon = horizon or now + HORIZON
    meetup = Meetup.objects.select_for_update().get(pk=meetup.pk)
    existing = set(meetup.occurrences.values_list("original_start", flat=True))
    pauses = list(meetup.pauses.all())
    created = []
    for start in meetup.expand(before=horizon):
        if start in existing:
            continue
        pause = next((p for p in pauses if p.covers(start, meetup.tz)), None)
        created.append(
            Occurrence(
                meetup=meetup,
                original_start=start,
                start=start,
                end=start + meetup.duration,
                status=Occurrence.Status.CANCELLED if pause else Occurrence.Status.SCHEDULED,
                cancel_reason=pause.note if pause else "",
                pause=pause,
            )
        )
    Occurrence.objects.bulk_create(created)
    groups_changed()  # new dates, and series subscribers' answers for them
    meetup.materialized_until = max(horizon, meetup.materialized_until or horizon)
    meetup.save(update_fields=["materialized_until"])
    _apply_series_rsvps(meetup, [o for o in created if not o.is_cancelled], now=now)
    return created


def _apply_series_rsvps(meetup: Meetup, occurrences: list[Occurrence], *, now: datetime) -> None:
    """Give series subscribers an answer for these dates, in the order they subscribed: going
    while seats last, then the waiting list. Dates they already answered are left alone.
    Caller holds the lock on `meetup`; the occurrences are locked here."""
    subscribers = list(
        meetup.series_rsvps.order_by("created_at", "pk").values_list("member_id", flat=True)
    )
    if not subscribers or not occurrences:
        return
    ids = [o.pk for o in occurrences if o.rsvp_open(now)]
    locked = list(Occurrence.objects.select_for_update().filter(pk__in=ids).order_by("start", "pk"))
    answered = set(
        RSVP.objects.filter(occurrence__in=locked, member_id__in=subscribers).values_list(
            "occurrence_id", "member_id"
        )
    )
    going = going_counts(locked)
    rows = []
    for occurrence in locked:
        seats = going.get(occurrence.pk, 0)
        for member_id in subscribers:
            if (occurrence.pk, member_id) in answered:
                continue
            has_seat = meetup.capacity is None or seats < meetup.capacity
            seats += has_seat
            rows.append(
                RSVP(
                    occurrence=occurrence,
                    member_id=member_id,
                    status=RSVP.Status.GOING if has_seat else RSVP.Status.WAITLISTED,
                    source=RSVP.Source.SERIES,
                    created_at=now,
                    status_changed_at=now,
                )
            )
    RSVP.objects.bulk_create(rows)


@transaction.atomic
def meetup_update(*, meetup: Meetup, by: User, details: dict[str, Any]) -> list[str]:
    """Change what, where, cost, capacity, deadline or credit for every date of the series.
    People going to upcoming dates hear about changes to title, venue or cost; more seats (or
    none) promote people waiting. Lowering capacity never takes a seat from anyone."""
    meetup = (
        Meetup.objects.select_for_update(of=("self",)).select_related("group").get(pk=meetup.pk)
    )
    require_organizer(meetup.group, by)
    old_capacity = meetup.capacity
    changed = _apply_details(meetup, details)
    if not changed:
        return []
    meetup.full_clean()
    meetup.save()
    now = timezone.now()
    upcoming = list(
        meetup.occurrences.select_for_update()
        .scheduled()
        .filter(start__gt=now)
        .order_by("start", "pk")
    )
    if any(name in NEWSWORTHY_FIELDS for name in changed):
        Occurrence.objects.filter(pk__in=[o.pk for o in upcoming]).update(
            sequence=F("sequence") + 1
        )
        groups_changed()
        _notify_change(meetup, upcoming, change="updated")
    if meetup.capacity is None or (old_capacity is not None and meetup.capacity > old_capacity):
        for occurrence in upcoming:
            occurrence.meetup = meetup
            waitlist_promote(occurrence, now=now)
    return changed


def _expecting(occurrences: list[Occurrence]) -> list[int]:
    """Members going to, or waiting for, any of these dates."""
    if not occurrences:
        return []
    return sorted(
        set(
            RSVP.objects.filter(
                occurrence__in=occurrences,
                status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            ).values_list("member_id", flat=True)
        )
    )


def _notify_change(
    meetup: Meetup,
    occurrences: list[Occurrence],
    *,
    change: str,
    message: str = "",
    member_ids: list[int] | None = None,
) -> None:
    """Tell everyone going to (or waiting for) these dates, once each, from the task queue."""
    if member_ids is None:
        member_ids = _expecting(occurrences)
    if member_ids:
        meetup_changed_notify.defer(
            meetup_id=meetup.pk,
            dates=[_date_line(o) for o in sorted(occurrences, key=lambda o: o.start)],
            member_ids=member_ids,
            change=change,
            message=message,
        )


def _date_line(occurrence: Occurrence) -> str:
    """The date as it is now, for an email sent a moment later (it may change again)."""
    venue = occurrence.venue
    return f"{when(occurrence)} — {venue.location_line or venue.kind_label}"


@transaction.atomic
def occurrence_cancel(*, occurrence: Occurrence, by: User, reason: str = "") -> Occurrence:
    """Cancel one date; the rest of the series is untouched. Answers are kept, so restoring
    the date brings everyone back."""
    occurrence = locked_occurrence(occurrence)
    require_organizer(occurrence.meetup.group, by)
    if occurrence.is_past():
        raise ValidationError("This meetup has already taken place.", code="past")
    if occurrence.is_cancelled:
        return occurrence
    occurrence.status = Occurrence.Status.CANCELLED
    occurrence.cancel_reason = reason.strip()
    occurrence.sequence += 1
    occurrence.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    _notify_change(occurrence.meetup, [occurrence], change="cancelled", message=reason.strip())
    return occurrence


@transaction.atomic
def occurrence_restore(*, occurrence: Occurrence, by: User) -> Occurrence:
    """Undo a cancellation (also one made by a pause)."""
    occurrence = locked_occurrence(occurrence)
    require_organizer(occurrence.meetup.group, by)
    if occurrence.is_past():
        raise ValidationError("This meetup has already taken place.", code="past")
    if not occurrence.is_cancelled:
        return occurrence
    occurrence.status = Occurrence.Status.SCHEDULED
    occurrence.cancel_reason = ""
    occurrence.pause = None
    occurrence.sequence += 1
    occurrence.save(update_fields=["status", "cancel_reason", "pause", "sequence", "updated_at"])
    _notify_change(occurrence.meetup, [occurrence], change="restored")
    return occurrence


@transaction.atomic
def occurrence_move(
    *,
    occurrence: Occurrence,
    by: User,
    start: datetime,
    end: datetime,
    venue: dict[str, str] | None = None,
    note: str = "",
) -> Occurrence:
    """Move one date to another time and/or venue; it keeps its original start as its
    RECURRENCE-ID. `venue=None` means the series' usual venue."""
    occurrence = locked_occurrence(occurrence)
    require_organizer(occurrence.meetup.group, by)
    now = timezone.now()
    if occurrence.is_past(now):
        raise ValidationError("This meetup has already taken place.", code="past")
    if start <= now:
        raise ValidationError({"date": "Choose a time in the future."})
    if end <= start:
        raise ValidationError({"end_time": "The end must be after the start."})
    old = (occurrence.start, occurrence.end, occurrence.venue, occurrence.note)
    occurrence.start, occurrence.end = start, end
    for name in VENUE_FIELDS:
        setattr(occurrence, name, (venue or {}).get(name, ""))
    occurrence.note = note.strip()
    if (occurrence.start, occurrence.end, occurrence.venue, occurrence.note) == old:
        return occurrence
    occurrence.sequence += 1
    occurrence.full_clean(exclude=["meetup", "pause"])
    occurrence.save()
    _notify_change(occurrence.meetup, [occurrence], change="moved", message=note.strip())
    return occurrence


@transaction.atomic
def meetup_pause(
    *, meetup: Meetup, by: User, starts_on: date, ends_on: date, note: str = ""
) -> tuple[MeetupPause, list[Occurrence]]:
    """Pause a series for a date range in one step: its dates in the range are cancelled, and
    dates created later inside the range start cancelled."""
    meetup = (
        Meetup.objects.select_for_update(of=("self",)).select_related("group").get(pk=meetup.pk)
    )
    require_organizer(meetup.group, by)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The end of the break must be after its start."})
    pause = MeetupPause.objects.create(
        meetup=meetup, starts_on=starts_on, ends_on=ends_on, note=note.strip(), created_by=by
    )
    now = timezone.now()
    candidates = (
        meetup.occurrences.select_for_update()
        .scheduled()
        .filter(end__gt=now)
        .order_by("start", "pk")
    )
    cancelled = [o for o in candidates if pause.covers(o.start, meetup.tz)]
    for occurrence in cancelled:
        occurrence.status = Occurrence.Status.CANCELLED
        occurrence.cancel_reason = pause.note
        occurrence.pause = pause
        occurrence.sequence += 1
    Occurrence.objects.bulk_update(
        cancelled, ["status", "cancel_reason", "pause", "sequence", "updated_at"]
    )
    groups_changed()
    _notify_change(meetup, cancelled, change="paused", message=pause.note)
    return pause, cancelled


@transaction.atomic
def pause_delete(*, pause: MeetupPause, by: User) -> list[Occurrence]:
    """End a pause early: its dates still to come are back on."""
    meetup = (
        Meetup.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=pause.meetup_id)
    )
    require_organizer(meetup.group, by)
    now = timezone.now()
    restored = list(
        pause.occurrences.select_for_update().cancelled().filter(start__gt=now).order_by("start")
    )
    for occurrence in restored:
        occurrence.status = Occurrence.Status.SCHEDULED
        occurrence.cancel_reason = ""
        occurrence.pause = None
        occurrence.sequence += 1
    Occurrence.objects.bulk_update(
        restored, ["status", "cancel_reason", "pause", "sequence", "updated_at"]
    )
    groups_changed()
    pause.delete()
    _notify_change(meetup, restored, change="restored")
    return restored


@transaction.atomic
def meetup_reschedule(
    *, occurrence: Occurrence, by: User, schedule: Schedule, details: dict[str, Any]
) -> Meetup:
    """Edit "this and following": from `occurrence` on, the series follows `schedule` and
    `details`.

    If earlier dates exist, the series is split: the old rule ends the day before this date
    (COUNT becomes UNTIL) and a new series continues from it. Otherwise the series changes in
    place. Either way the rows of this and later dates are re-dated in order — the n-th date
    from here keeps the n-th old date's RSVPs (and URL) — extra old dates are deleted, and
    series RSVPs move to the continuing series. One-date changes (moves, cancellations) from
    here on are replaced by the new schedule; pauses still apply. Everyone going is told.
    """
    meetup = (
        Meetup.objects.select_for_update(of=("self",))
        .select_related("group")
        .get(pk=occurrence.meetup_id)
    )
    require_organizer(meetup.group, by)
    occurrence = Occurrence.objects.get(pk=occurrence.pk)
    now = timezone.now()
    if occurrence.is_past(now):
        raise ValidationError("Choose a date that has not happened yet.", code="past")
    split_local = occurrence.local_original_start.date()
    if schedule.start_date < split_local:
        earliest = date_format(split_local, "j F Y")
        raise ValidationError(
            {"starts_on": f"The new schedule can start on {earliest} at the earliest."}
        )
    following = list(
        meetup.occurrences.select_for_update()
        .filter(original_start__gte=occurrence.original_start)
        .order_by("original_start", "pk")
    )
    expecting = _expecting(following)
    earlier = meetup.occurrences.filter(original_start__lt=occurrence.original_start).exists()
    if earlier:
        # only a repeating series has dates before this one
        meetup.rrule = recurrence.with_until(
            meetup.rrule, split_local - timedelta(days=1), tz=meetup.tz
        )
        meetup.save(update_fields=["rrule", "updated_at"])
        target = Meetup(
            group=meetup.group,
            created_by=by,
            split_from=meetup,
            **{name: getattr(meetup, name) for name in DETAIL_FIELDS},
        )
    else:
        target = meetup
    _apply_details(target, details)
    schedule.apply_to(target)
    target.full_clean()
    target.save()
    if earlier:
        SeriesRSVP.objects.filter(meetup=meetup).update(meetup=target)
        for earlier_pause in meetup.pauses.filter(ends_on__gte=split_local):
            MeetupPause.objects.create(
                meetup=target,
                starts_on=max(earlier_pause.starts_on, split_local),
                ends_on=earlier_pause.ends_on,
                note=earlier_pause.note,
                created_by=earlier_pause.created_by,
            )
    horizon = now + HORIZON
    starts = target.expand(before=horizon)
    pauses = list(target.pauses.all())
    reused, extra = following[: len(starts)], following[len(starts) :]
    for occurrence_row, start in zip(reused, starts, strict=False):
        pause = next((p for p in pauses if p.covers(start, target.tz)), None)
        occurrence_row.meetup = target
        occurrence_row.original_start = occurrence_row.start = start
        occurrence_row.end = start + target.duration
        occurrence_row.status = (
            Occurrence.Status.CANCELLED if pause else Occurrence.Status.SCHEDULED
        )
        occurrence_row.cancel_reason = pause.note if pause else ""
        occurrence_row.pause = pause
        for name in VENUE_FIELDS:
            setattr(occurrence_row, name, "")
        occurrence_row.note = ""
        occurrence_row.sequence += 1
    groups_changed()  # dates re-dated in bulk, series answers moved to the new series
    Occurrence.objects.bulk_update(
        reused,
        [
            "meetup",
            "original_start",
            "start",
            "end",
            "status",
            "cancel_reason",
            "pause",
            *VENUE_FIELDS,
            "note",
            "sequence",
            "updated_at",
        ],
    )
    Occurrence.objects.filter(pk__in=[o.pk for o in extra]).delete()
    # the re-dated rows may have swapped RECURRENCE-IDs on the way: check uniqueness now
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS occurrence_unique_recurrence_id IMMEDIATE")
        cursor.execute("SET CONSTRAINTS occurrence_unique_recurrence_id DEFERRED")
    target.materialized_until = None
    target.save(update_fields=["materialized_until"])
    occurrences_materialize(meetup=target, now=now, horizon=horizon)
    # more seats go to people waiting first, then series subscribers fill the gaps
    scheduled = [row for row in reused if not row.is_cancelled]
    for row in scheduled:
        row.meetup = target
        waitlist_promote(row, now=now)
    _apply_series_rsvps(target, scheduled, now=now)
    _notify_change(
        target,
        list(target.occurrences.filter(pk__in=[o.pk for o in reused])),
        change="rescheduled",
        member_ids=expecting,
    )
    return target
