"""Writes with side effects for groups, meetups and RSVPs.

Rules kept here:
- Capacity is never exceeded: every change to who is going happens with the occurrence row
  locked (`SELECT … FOR UPDATE`) and the seats counted in the same transaction.
- Lock order is meetup, then its occurrences by (start, pk): series-wide changes take the
  meetup first, single-date changes only their occurrence, so no two services wait on each
  other in opposite orders.
- When a seat frees up before the start, the first person waiting is promoted and emailed.
- People going (or waiting) are told about any change to their date, from the task queue.
- New "going" answers are taken until the RSVP deadline; "not going" until the start.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import slugify

from accounts.models import User
from groups import recurrence
from groups.models import (
    HORIZON,
    RSVP,
    VENUE_FIELDS,
    Attendance,
    CalendarToken,
    Group,
    Meetup,
    MeetupPause,
    Membership,
    Occurrence,
    SeriesRSVP,
    reserved_slugs,
)
from groups.notices import (
    join_answer_notify,
    join_request_notify,
    meetup_changed_notify,
    meetup_followers_notify,
    organizer_message_notify,
    waitlist_promoted_notify,
)
from groups.templatetags.groups_tags import when

GROUP_FIELDS = (
    "name",
    "description",
    "country",
    "state",
    "city",
    "library_types",
    "visibility",
    "join_policy",
)
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


# --- permissions -------------------------------------------------------------------------


def membership_of(group: Group, member: User | None) -> Membership | None:
    if member is None or not member.is_authenticated:
        return None
    return Membership.objects.filter(group=group, member=member).first()


def is_organizer(group: Group, member: User | None) -> bool:
    if member is None or not member.is_authenticated:
        return False
    return Membership.objects.organizers().filter(group=group, member=member).exists()


def _require_organizer(group: Group, by: User) -> None:
    if not is_organizer(group, by):
        raise PermissionDenied("Only the group's organizers can do that.")


def _require_active_member(group: Group, member: User) -> None:
    if not Membership.objects.active().filter(group=group, member=member).exists():
        raise ValidationError("Join the group to RSVP to its meetups.", code="not_member")


# --- groups and memberships --------------------------------------------------------------


def slug_base(name: str) -> str:
    """A group's slug before de-duplication (`_unique_slug`; set-based in groups/demo.py)."""
    # dashes and slashes separate words: "public–school" → "public-school"
    return (slugify(re.sub(r"[\u2010-\u2015/]", " ", name)) or "group")[:120]


def _unique_slug(name: str) -> str:
    base = slug_base(name)
    slug, n = base, 2
    while slug in reserved_slugs() or Group.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_create(*, by: User, **fields: Any) -> Group:
    """A new group, with its creator as its first organizer."""
    group = Group(**{name: fields[name] for name in GROUP_FIELDS if name in fields})
    group.slug = _unique_slug(group.name)
    group.full_clean()
    group.save()
    if fields.get("organisations"):
        group.organisations.set(fields["organisations"])
    now = timezone.now()
    Membership.objects.create(
        group=group,
        member=by,
        role=Membership.Role.ORGANIZER,
        status=Membership.Status.ACTIVE,
        requested_at=now,
        joined_at=now,
    )
    return group


@transaction.atomic
def group_update(*, group: Group, by: User, **fields: Any) -> Group:
    _require_organizer(group, by)
    for name in GROUP_FIELDS:
        if name in fields:
            setattr(group, name, fields[name])
    group.full_clean()
    group.save()
    if "organisations" in fields:
        group.organisations.set(fields["organisations"])
    return group


@transaction.atomic
def membership_join(*, group: Group, member: User, message: str = "") -> Membership:
    """Join an open group at once; ask to join one that needs approval (organizers are told)."""
    is_open = group.join_policy == Group.JoinPolicy.OPEN
    membership, created = Membership.objects.get_or_create(
        group=group,
        member=member,
        defaults={
            "status": Membership.Status.ACTIVE if is_open else Membership.Status.PENDING,
            "joined_at": timezone.now() if is_open else None,
            "message": "" if is_open else message.strip(),
        },
    )
    if created and not is_open:
        join_request_notify.defer(membership_id=membership.pk)
    return membership


@transaction.atomic
def membership_leave(*, group: Group, member: User) -> None:
    membership = Membership.objects.select_for_update().filter(group=group, member=member).first()
    if membership is None:
        return
    if membership.is_organizer and _is_last_organizer_with_others(membership):
        raise ValidationError(
            "You are this group's only organizer. Make another member an organizer before "
            "you leave, so the group is not left without one.",
            code="last_organizer",
        )
    _depart(membership)


def _is_last_organizer_with_others(membership: Membership) -> bool:
    group = membership.group
    other_organizers = Membership.objects.organizers().filter(group=group).exclude(pk=membership.pk)
    others = Membership.objects.active().filter(group=group).exclude(pk=membership.pk)
    return not other_organizers.exists() and others.exists()


def _depart(membership: Membership) -> None:
    """Remove a membership with the member's series RSVPs and answers for dates to come."""
    _withdraw_rsvps(member_id=membership.member_id, group_id=membership.group_id)
    membership.delete()


def _withdraw_rsvps(*, member_id: int, group_id: int | None = None) -> None:
    """Delete a member's series RSVPs and answers for future dates (in one group, or all),
    promoting whoever waits for the seats they free."""
    now = timezone.now()
    series = SeriesRSVP.objects.filter(member_id=member_id)
    upcoming = RSVP.objects.filter(member_id=member_id, occurrence__start__gt=now)
    if group_id is not None:
        series = series.filter(meetup__group_id=group_id)
        upcoming = upcoming.filter(occurrence__meetup__group_id=group_id)
    series.delete()
    occurrence_ids = list(
        upcoming.filter(status=RSVP.Status.GOING).values_list("occurrence_id", flat=True)
    )
    locked = list(
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("meetup")
        .filter(pk__in=occurrence_ids)
        .order_by("start", "pk")
    )
    upcoming.delete()
    for occurrence in locked:
        _promote_waitlist(occurrence, now=now)


@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_organizer(membership.group, by)
    if membership.status == Membership.Status.ACTIVE:
        return membership
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    join_answer_notify.defer(
        group_id=membership.group_id, member_id=membership.member_id, approved=True
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, by: User) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_organizer(membership.group, by)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError("Only requests to join can be declined.", code="not_pending")
    membership.delete()
    join_answer_notify.defer(
        group_id=membership.group_id, member_id=membership.member_id, approved=False
    )


@transaction.atomic
def membership_promote(*, membership: Membership, by: User) -> Membership:
    """Make an active member a co-organizer."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_organizer(membership.group, by)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError("Approve the request to join first.", code="not_active")
    membership.role = Membership.Role.ORGANIZER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_demote(*, membership: Membership, by: User) -> Membership:
    """An organizer steps down (or is stepped down) to member; one organizer must remain."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_organizer(membership.group, by)
    organizers = Membership.objects.select_for_update().organizers()
    if not organizers.filter(group=membership.group).exclude(pk=membership.pk).exists():
        raise ValidationError("A group needs at least one organizer.", code="last_organizer")
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """An organizer removes a member (not themselves: that is leaving)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_organizer(membership.group, by)
    if membership.member_id == by.pk:
        raise ValidationError("To remove yourself, leave the group.", code="self")
    if membership.is_organizer:
        raise ValidationError(
            "Organizers can’t be removed; make them a member first.", code="organizer"
        )
    _depart(membership)


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
    _require_organizer(group, by)
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
    going = _going_counts(locked)
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


def _going_counts(occurrences) -> dict[int, int]:
    return dict(
        RSVP.objects.going()
        .filter(occurrence__in=occurrences)
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values_list("occurrence", "n")
    )


@transaction.atomic
def meetup_update(*, meetup: Meetup, by: User, details: dict[str, Any]) -> list[str]:
    """Change what, where, cost, capacity, deadline or credit for every date of the series.
    People going to upcoming dates hear about changes to title, venue or cost; more seats (or
    none) promote people waiting. Lowering capacity never takes a seat from anyone."""
    meetup = (
        Meetup.objects.select_for_update(of=("self",)).select_related("group").get(pk=meetup.pk)
    )
    _require_organizer(meetup.group, by)
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
        _notify_change(meetup, upcoming, change="updated")
    if meetup.capacity is None or (old_capacity is not None and meetup.capacity > old_capacity):
        for occurrence in upcoming:
            occurrence.meetup = meetup
            _promote_waitlist(occurrence, now=now)
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


def _lock_occurrence(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("meetup__group")
        .get(pk=occurrence.pk)
    )


@transaction.atomic
def occurrence_cancel(*, occurrence: Occurrence, by: User, reason: str = "") -> Occurrence:
    """Cancel one date; the rest of the series is untouched. Answers are kept, so restoring
    the date brings everyone back."""
    occurrence = _lock_occurrence(occurrence)
    _require_organizer(occurrence.meetup.group, by)
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
    occurrence = _lock_occurrence(occurrence)
    _require_organizer(occurrence.meetup.group, by)
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
    occurrence = _lock_occurrence(occurrence)
    _require_organizer(occurrence.meetup.group, by)
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
    _require_organizer(meetup.group, by)
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
    _require_organizer(meetup.group, by)
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
    _require_organizer(meetup.group, by)
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
        for pause in meetup.pauses.filter(ends_on__gte=split_local):
            MeetupPause.objects.create(
                meetup=target,
                starts_on=max(pause.starts_on, split_local),
                ends_on=pause.ends_on,
                note=pause.note,
                created_by=pause.created_by,
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
        _promote_waitlist(row, now=now)
    _apply_series_rsvps(target, scheduled, now=now)
    _notify_change(
        target,
        list(target.occurrences.filter(pk__in=[o.pk for o in reused])),
        change="rescheduled",
        member_ids=expecting,
    )
    return target


# --- RSVPs -------------------------------------------------------------------------------


def _has_seat(occurrence: Occurrence) -> bool:
    capacity = occurrence.meetup.capacity
    if capacity is None:
        return True
    return RSVP.objects.going().filter(occurrence=occurrence).count() < capacity


def _promote_waitlist(occurrence: Occurrence, *, now: datetime) -> list[RSVP]:
    """Give free seats to the people waiting longest. The caller holds the occurrence lock."""
    if occurrence.is_cancelled or now >= occurrence.start:
        return []
    waiting = RSVP.objects.filter(occurrence=occurrence).in_waitlist_order()
    capacity = occurrence.meetup.capacity
    if capacity is not None:
        free = capacity - RSVP.objects.going().filter(occurrence=occurrence).count()
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = RSVP.Status.GOING
        rsvp.status_changed_at = now
    RSVP.objects.bulk_update(promoted, ["status", "status_changed_at"])
    for rsvp in promoted:
        waitlist_promoted_notify.defer(rsvp_id=rsvp.pk)
    return promoted


@transaction.atomic
def rsvp_set(*, occurrence: Occurrence, member: User, going: bool) -> RSVP:
    """Answer for one date. Going takes a seat if one is free, else a place on the waiting
    list; not going gives the seat to the first person waiting."""
    occurrence = _lock_occurrence(occurrence)
    _require_active_member(occurrence.meetup.group, member)
    now = timezone.now()
    if occurrence.is_cancelled:
        raise ValidationError("This meetup was cancelled.", code="cancelled")
    if occurrence.has_started(now):
        raise ValidationError("This meetup has started: RSVPs are closed.", code="closed")
    rsvp = RSVP.objects.filter(occurrence=occurrence, member=member).first()
    previous = rsvp.status if rsvp else None
    if going:
        if previous in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
            if rsvp.source != RSVP.Source.EXPLICIT:
                rsvp.source = RSVP.Source.EXPLICIT
                rsvp.save(update_fields=["source"])
            return rsvp
        if not occurrence.rsvp_open(now):
            raise ValidationError("RSVPs for this meetup have closed.", code="closed")
        status = RSVP.Status.GOING if _has_seat(occurrence) else RSVP.Status.WAITLISTED
    else:
        status = RSVP.Status.NOT_GOING
    if rsvp is None:
        rsvp = RSVP(occurrence=occurrence, member=member, created_at=now)
    rsvp.status = status
    rsvp.source = RSVP.Source.EXPLICIT
    rsvp.status_changed_at = now
    rsvp.save()
    if previous == RSVP.Status.GOING and status == RSVP.Status.NOT_GOING:
        _promote_waitlist(occurrence, now=now)
    return rsvp


def waitlist_position(rsvp: RSVP) -> int | None:
    """1 for the first person waiting."""
    if rsvp.status != RSVP.Status.WAITLISTED:
        return None
    ahead = (
        RSVP.objects.waitlisted()
        .filter(occurrence_id=rsvp.occurrence_id, status_changed_at__lte=rsvp.status_changed_at)
        .exclude(status_changed_at=rsvp.status_changed_at, pk__gt=rsvp.pk)
        .count()
    )
    return ahead


@transaction.atomic
def series_rsvp_set(*, meetup: Meetup, member: User, going: bool) -> SeriesRSVP | None:
    """ "I come every time" (going=True) or stop it (going=False).

    Going: the member is answered "going" for each future date whose RSVPs are open and that
    they have not answered themselves; on a full date they join its waiting list, behind the
    people already waiting. Stopping removes those series answers from dates to come (seats go
    to people waiting); answers they gave for single dates stay.
    """
    meetup = (
        Meetup.objects.select_for_update(of=("self",)).select_related("group").get(pk=meetup.pk)
    )
    _require_active_member(meetup.group, member)
    if not meetup.is_recurring:
        raise ValidationError("This is a one-off meetup: RSVP to its date.", code="one_off")
    now = timezone.now()
    if going:
        subscription, _ = SeriesRSVP.objects.get_or_create(meetup=meetup, member=member)
        upcoming = list(
            meetup.occurrences.scheduled().filter(start__gt=now).order_by("start", "pk")
        )
        _apply_series_rsvps_for(meetup, member.pk, upcoming, now=now)
        return subscription
    SeriesRSVP.objects.filter(meetup=meetup, member=member).delete()
    from_series = RSVP.objects.filter(
        member=member,
        source=RSVP.Source.SERIES,
        occurrence__meetup=meetup,
        occurrence__start__gt=now,
    )
    freed = list(
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("meetup")
        .filter(pk__in=from_series.going().values("occurrence_id"))
        .order_by("start", "pk")
    )
    from_series.delete()
    for occurrence in freed:
        _promote_waitlist(occurrence, now=now)
    return None


def _apply_series_rsvps_for(
    meetup: Meetup, member_id: int, occurrences: list[Occurrence], *, now: datetime
) -> None:
    ids = [o.pk for o in occurrences if o.rsvp_open(now)]
    locked = list(Occurrence.objects.select_for_update().filter(pk__in=ids).order_by("start", "pk"))
    answered = set(
        RSVP.objects.filter(occurrence__in=locked, member_id=member_id).values_list(
            "occurrence_id", flat=True
        )
    )
    going = _going_counts(locked)
    RSVP.objects.bulk_create(
        RSVP(
            occurrence=occurrence,
            member_id=member_id,
            status=RSVP.Status.GOING
            if meetup.capacity is None or going.get(occurrence.pk, 0) < meetup.capacity
            else RSVP.Status.WAITLISTED,
            source=RSVP.Source.SERIES,
            created_at=now,
            status_changed_at=now,
        )
        for occurrence in locked
        if occurrence.pk not in answered
    )


# --- personal calendar -------------------------------------------------------------------


@transaction.atomic
def calendar_token_reset(*, member: User) -> CalendarToken:
    """A new secret URL for "my meetups"; the old one stops working at once."""
    token, created = CalendarToken.objects.select_for_update().get_or_create(
        member=member, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not created:
        token.token = secrets.token_urlsafe(32)
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


# --- attendance and credit ----------------------------------------------------------------


def _new_attendance(*, occurrence: Occurrence, member: User, by: User, method: str) -> Attendance:
    return Attendance(
        occurrence=occurrence,
        member=member,
        marked_by=by,
        method=method,
        hours=occurrence.meetup.pd_credit_hours,
        verification_code=secrets.token_urlsafe(18),
    )


@transaction.atomic
def attendance_mark(
    *, occurrence: Occurrence, by: User, present: set[int], now: datetime | None = None
) -> tuple[int, int]:
    """The organizer's checklist: exactly the active members in `present` attended (others
    lose an attendance the organizer had recorded). Only once the date has started. Returns
    (added, removed)."""
    group = occurrence.meetup.group
    _require_organizer(group, by)
    now = now or timezone.now()
    if occurrence.is_cancelled:
        raise ValidationError("This date was cancelled, so nobody attended it.")
    if not occurrence.has_started(now):
        raise ValidationError("You can mark who attended once the meetup has started.")
    members = set(
        Membership.objects.active()
        .filter(group=group, member__in=present)
        .values_list("member_id", flat=True)
    )
    already = set(
        Attendance.objects.filter(occurrence=occurrence).values_list("member_id", flat=True)
    )
    removed, _ = (
        Attendance.objects.filter(occurrence=occurrence, member__group_memberships__group=group)
        .exclude(member__in=members)
        .delete()
    )
    users = User.objects.filter(pk__in=members - already)
    Attendance.objects.bulk_create(
        [
            _new_attendance(
                occurrence=occurrence, member=user, by=by, method=Attendance.Method.ORGANIZER
            )
            for user in users
        ],
        ignore_conflicts=True,
    )
    return len(members - already), removed


@transaction.atomic
def attendance_check_in(
    *, occurrence: Occurrence, member: User, code: str, now: datetime | None = None
) -> Attendance:
    """A member checks in with the code the organizer shows; refused with a clear message when
    the code is wrong or check-in is not open."""
    now = now or timezone.now()
    if (
        not Membership.objects.active()
        .filter(group=occurrence.meetup.group, member=member)
        .exists()
    ):
        raise ValidationError("Join the group to check in to its meetups.", code="not_member")
    existing = Attendance.objects.filter(occurrence=occurrence, member=member).first()
    if existing is not None:
        return existing
    if occurrence.is_cancelled:
        raise ValidationError("This date was cancelled: there is nothing to check in to.")
    if now < occurrence.checkin_opens_at:
        opens = date_format(occurrence.checkin_opens_at.astimezone(occurrence.tz), "H:i T")
        raise ValidationError(
            f"Check-in has not opened yet: it opens at {opens}, shortly before the start.",
            code="too_early",
        )
    if now > occurrence.checkin_closes_at:
        raise ValidationError(
            "Check-in for this meetup has closed. Ask an organizer to mark you as attended.",
            code="expired",
        )
    given = re.sub(r"[\s-]", "", code or "").upper()
    # as bytes: compare_digest refuses a str with anything but ASCII in it (a TypeError, 500)
    if not secrets.compare_digest(given.encode(), occurrence.checkin_code.encode()):
        raise ValidationError(
            "That code is not right. Check the code the organizer shows and try again.",
            code="wrong_code",
        )
    attendance = _new_attendance(
        occurrence=occurrence, member=member, by=member, method=Attendance.Method.CODE
    )
    attendance.save()
    return attendance


# --- organizer messages ---------------------------------------------------------------------

MESSAGE_AUDIENCES = ("going", "attended", "members")


@transaction.atomic
def organizer_message_send(
    *, occurrence: Occurrence, by: User, audience: str, subject: str, body: str
) -> int:
    """Email the chosen members (in the background); the recipients are fixed now, so someone
    who joins later does not get it. The sender gets a copy only if they are in the audience.
    Returns the number of recipients."""
    group = occurrence.meetup.group
    _require_organizer(group, by)
    if audience == "going":
        member_ids = occurrence.rsvps.going().values_list("member_id", flat=True)
    elif audience == "attended":
        member_ids = Attendance.objects.filter(occurrence=occurrence).values_list(
            "member_id", flat=True
        )
    elif audience == "members":
        member_ids = (
            Membership.objects.active().filter(group=group).values_list("member_id", flat=True)
        )
    else:
        raise ValidationError("Choose who the message is for.")
    ids = sorted(
        set(User.objects.filter(pk__in=member_ids, is_active=True).values_list("pk", flat=True))
    )
    if ids:
        organizer_message_notify.defer(
            occurrence_id=occurrence.pk,
            sender_id=by.pk,
            member_ids=ids,
            subject=subject,
            body=body,
        )
    return len(ids)


# --- series health ----------------------------------------------------------------------------


@transaction.atomic
def occurrence_confirm(*, occurrence: Occurrence, by: User) -> Occurrence:
    """An organizer says this date is still on; the series is no longer flagged."""
    _require_organizer(occurrence.meetup.group, by)
    if occurrence.is_cancelled:
        raise ValidationError("This date is cancelled; put it back on first.")
    now = timezone.now()
    Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_at=now)
    Meetup.objects.filter(pk=occurrence.meetup_id).update(needs_confirmation=False)
    occurrence.confirmed_at = now
    occurrence.meetup.needs_confirmation = False
    return occurrence
