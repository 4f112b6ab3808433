"""A member's data in the groups app, for account export and deletion (called by accounts).

Deletion rule for groups they organize alone: the group goes to its longest-standing active
member (earliest `joined_at`), who becomes an organizer. A group with no other member is
deleted with its meetups when content is not kept (`keep_content=False`), and otherwise kept
without an organizer (staff can appoint one in the admin).
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from groups.caching import groups_changed
from groups.models import (
    RSVP,
    Attendance,
    CalendarToken,
    Group,
    Meetup,
    Membership,
    ReminderSent,
    SeriesRSVP,
)
from groups.services.rsvps import rsvps_withdraw


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict:
    memberships = Membership.objects.filter(member=user).select_related("group")
    rsvps = RSVP.objects.filter(member=user).select_related("occurrence__meetup__group")
    series = SeriesRSVP.objects.filter(member=user).select_related("meetup__group")
    return {
        "group_memberships": [
            {
                "group": m.group.name,
                "role": m.role,
                "status": m.status,
                "message": m.message,
                "requested_at": _iso(m.requested_at),
                "joined_at": _iso(m.joined_at),
            }
            for m in memberships.order_by("requested_at", "pk")
        ],
        "meetup_rsvps": [
            {
                "meetup": r.occurrence.meetup.title,
                "group": r.occurrence.meetup.group.name,
                "start": _iso(r.occurrence.local_start),
                "status": r.status,
                "source": r.source,
                "answered_at": _iso(r.status_changed_at),
            }
            for r in rsvps.order_by("occurrence__start", "pk")
        ],
        "series_rsvps": [
            {"meetup": s.meetup.title, "group": s.meetup.group.name, "since": _iso(s.created_at)}
            for s in series.order_by("created_at", "pk")
        ],
        "meetups_created": [
            {"meetup": m.title, "group": m.group.name, "created_at": _iso(m.created_at)}
            for m in Meetup.objects.filter(created_by=user)
            .select_related("group")
            .order_by("created_at", "pk")
        ],
        "has_private_calendar_address": CalendarToken.objects.filter(member=user).exists(),
        "meetups_attended": [
            {
                "meetup": a.occurrence.meetup.title,
                "group": a.occurrence.meetup.group.name,
                "start": _iso(a.occurrence.local_start),
                "hours": str(a.hours),
                "method": a.method,
                "recorded_at": _iso(a.created),
                "certificate_code": a.verification_code,
            }
            for a in Attendance.objects.filter(member=user)
            .select_related("occurrence__meetup__group")
            .order_by("occurrence__start", "pk")
        ],
    }


@transaction.atomic
def erase(user: User, *, keep_content: bool) -> dict[str, int]:
    """Remove the member from every group and meetup; see the module docstring for groups
    they organize alone. Returns what was done, by kind."""
    summary = {"handed_over": 0, "groups_deleted": 0, "groups_kept_without_organizer": 0}
    organizing = Membership.objects.organizers().filter(member=user).select_related("group")
    for membership in organizing:
        group = membership.group
        if Membership.objects.organizers().filter(group=group).exclude(member=user).exists():
            continue
        successor = (
            Membership.objects.select_for_update()
            .active()
            .filter(group=group)
            .exclude(member=user)
            .order_by("joined_at", "pk")
            .first()
        )
        if successor is not None:
            successor.role = Membership.Role.ORGANIZER
            successor.save(update_fields=["role"])
            summary["handed_over"] += 1
        elif keep_content:
            summary["groups_kept_without_organizer"] += 1
        else:
            Group.objects.filter(pk=group.pk).delete()
            summary["groups_deleted"] += 1
    groups_changed()  # their name leaves rosters and "who's going"; counts change
    # answers for dates to come go first, so people waiting get the seats
    rsvps_withdraw(member_id=user.pk)
    RSVP.objects.filter(member=user).delete()
    SeriesRSVP.objects.filter(member=user).delete()
    Membership.objects.filter(member=user).delete()
    CalendarToken.objects.filter(member=user).delete()
    # their attendance and certificates go with them (a certificate names its holder)
    Attendance.objects.filter(member=user).delete()
    Attendance.objects.filter(marked_by=user).update(marked_by=None)
    ReminderSent.objects.filter(member=user).delete()
    Meetup.objects.filter(created_by=user).update(created_by=None)
    return summary
