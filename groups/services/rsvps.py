"""RSVPs and waiting lists: answering for one date or a whole series, seats handed to whoever
waits first when one frees up (they are emailed), and the personal calendar's secret address.

Capacity is never exceeded: every change to who is going happens with the occurrence row locked
(`SELECT … FOR UPDATE`) and the seats counted in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from groups.caching import answers_changed, groups_changed
from groups.models import (
    RSVP,
    CalendarToken,
    Meetup,
    Occurrence,
    SeriesRSVP,
)
from groups.notices import (
    waitlist_promoted_notify,
)
from groups.permissions import require_active_member

# --- RSVPs -------------------------------------------------------------------------------


def locked_occurrence(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("meetup__group")
        .get(pk=occurrence.pk)
    )


def going_counts(occurrences: Iterable[Occurrence]) -> dict[int, int]:
    return dict(
        RSVP.objects.going()
        .filter(occurrence__in=occurrences)
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values_list("occurrence", "n")
    )


def _has_seat(occurrence: Occurrence) -> bool:
    capacity = occurrence.meetup.capacity
    if capacity is None:
        return True
    return RSVP.objects.going().filter(occurrence=occurrence).count() < capacity


def waitlist_promote(occurrence: Occurrence, *, now: datetime) -> list[RSVP]:
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
    if promoted:
        answers_changed(occurrence.pk, [rsvp.member_id for rsvp in promoted])
    for rsvp in promoted:
        waitlist_promoted_notify.defer(rsvp_id=rsvp.pk)
    return promoted


@transaction.atomic
def rsvp_set(*, occurrence: Occurrence, member: User, going: bool) -> RSVP:
    """Answer for one date. Going takes a seat if one is free, else a place on the waiting
    list; not going gives the seat to the first person waiting."""
    occurrence = locked_occurrence(occurrence)
    require_active_member(occurrence.meetup.group, member)
    now = timezone.now()
    if occurrence.is_cancelled:
        raise ValidationError("This meetup was cancelled.", code="cancelled")
    if occurrence.has_started(now):
        raise ValidationError("This meetup has started: RSVPs are closed.", code="closed")
    rsvp = RSVP.objects.filter(occurrence=occurrence, member=member).first()
    previous = rsvp.status if rsvp else None
    if going:
        if rsvp is not None and previous in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
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
        waitlist_promote(occurrence, now=now)
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
    require_active_member(meetup.group, member)
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
        waitlist_promote(occurrence, now=now)
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
    going = going_counts(locked)
    groups_changed()  # answers for many dates at once
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


def rsvps_withdraw(*, member_id: int, group_id: int | None = None) -> None:
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
        waitlist_promote(occurrence, now=now)


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
