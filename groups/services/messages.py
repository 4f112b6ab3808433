"""Organizers' messages to the people going (or who came, or every member), and series health:
an organizer confirming a date is still on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from groups.caching import groups_changed
from groups.models import (
    Attendance,
    Meetup,
    Membership,
    Occurrence,
)
from groups.notices import (
    organizer_message_notify,
)
from groups.permissions import require_organizer

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
    require_organizer(group, by)
    member_ids: QuerySet[Any, int]
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
    require_organizer(occurrence.meetup.group, by)
    if occurrence.is_cancelled:
        raise ValidationError("This date is cancelled; put it back on first.")
    now = timezone.now()
    Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_at=now)
    Meetup.objects.filter(pk=occurrence.meetup_id).update(needs_confirmation=False)
    groups_changed()  # a lapsed series shows in "upcoming" again
    occurrence.confirmed_at = now
    occurrence.meetup.needs_confirmation = False
    return occurrence
