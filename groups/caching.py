"""What a change to groups and meetups changes on pages (kit/scopes.py).

`groups` covers everything the Meetups pages show but a date's answers: groups, their members
and counts, series, dates (moved, cancelled, paused), venues. A date's RSVPs, seats and
attendance are `occurrence:<pk>`, so an RSVP drops the pages and list entries that show that
date, not every meetup page; the member who answered sees their own answer (`member:<pk>`).
Services that write with bulk `update()`s or `bulk_create()`s (no signal) call
`groups_changed()` or `answers_changed()` themselves."""

from groups.models import (
    RSVP,
    Attendance,
    CalendarToken,
    Group,
    Meetup,
    MeetupPause,
    Membership,
    Occurrence,
    ReminderSent,
    SeriesRSVP,
)
from kit import scopes
from kit.scopes import DIRECTORY, GROUPS, linked_by, member, occurrence, shown_by


@shown_by(Group)
def _group_changed(instance: Group, **kwargs) -> list[str]:
    return [GROUPS, DIRECTORY]  # directory entries list the groups that belong to them


@linked_by(Group.organisations.through)
def _group_organisations_changed(instance, reverse: bool, pk_set) -> list[str]:
    return [GROUPS, DIRECTORY]


@shown_by(Membership)
def _membership_changed(instance: Membership, **kwargs) -> list[str]:
    return [GROUPS, member(instance.member_id)]  # member counts, and the member's own view


@shown_by(Meetup, MeetupPause)
def _series_changed(instance, **kwargs) -> list[str]:
    return [GROUPS]


@shown_by(Occurrence)
def _date_changed(instance: Occurrence, **kwargs) -> list[str]:
    return [GROUPS, occurrence(instance.pk)]


@shown_by(RSVP, Attendance)
def _answer_changed(instance, **kwargs) -> list[str]:
    return [occurrence(instance.occurrence_id), member(instance.member_id)]


@shown_by(SeriesRSVP, CalendarToken)
def _personal_changed(instance, **kwargs) -> list[str]:
    return [member(instance.member_id)]  # "I come every time"; the private calendar address


@shown_by(ReminderSent)
def _reminder_sent(instance: ReminderSent, **kwargs) -> list[str]:
    return []


def groups_changed() -> None:
    """Dates, series or answers changed in bulk: every Meetups page and list entry."""
    scopes.changed(GROUPS)


def answers_changed(occurrence_pk: int, member_pks=()) -> None:
    """Answers for one date changed in bulk (seats given to people waiting, attendance)."""
    scopes.changed(occurrence(occurrence_pk), *map(member, member_pks))
