"""Attendance and professional-development credit: organizers mark who came, members check in
with the date's code."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import User
from groups.caching import answers_changed
from groups.models import (
    Attendance,
    Membership,
    Occurrence,
)
from groups.permissions import require_organizer

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
    require_organizer(group, by)
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
    answers_changed(occurrence.pk, members - already)
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
