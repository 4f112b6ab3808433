"""Writes with side effects for groups, meetups and RSVPs, by concern:

- `memberships`: groups, joining and leaving, organizers managing members;
- `schedule`: meetups, their series and dates (materialising, cancelling, moving, pausing,
  rescheduling), and telling the people going about changes;
- `rsvps`: answers for a date or a series, waiting lists, the personal calendar;
- `attendance`: who came, check-in codes, professional-development credit;
- `messages`: organizers' messages, and confirming a date is still on (series health).

Rules kept throughout:
- Capacity is never exceeded: every change to who is going happens with the occurrence row
  locked (`SELECT … FOR UPDATE`) and the seats counted in the same transaction.
- Lock order is meetup, then its occurrences by (start, pk): series-wide changes take the
  meetup first, single-date changes only their occurrence, so no two services wait on each
  other in opposite orders.
- When a seat frees up before the start, the first person waiting is promoted and emailed.
- People going (or waiting) are told about any change to their date, from the task queue.
- New "going" answers are taken until the RSVP deadline; "not going" until the start.

`from groups import services` then `services.rsvp_set(…)` works for every service here.
"""

from groups.services.attendance import attendance_check_in, attendance_mark
from groups.services.memberships import (
    GROUP_FIELDS,
    group_create,
    group_update,
    membership_approve,
    membership_decline,
    membership_demote,
    membership_join,
    membership_leave,
    membership_promote,
    membership_remove,
    slug_base,
)
from groups.services.messages import MESSAGE_AUDIENCES, occurrence_confirm, organizer_message_send
from groups.services.rsvps import (
    calendar_token_reset,
    going_counts,
    locked_occurrence,
    rsvp_set,
    rsvps_withdraw,
    series_rsvp_set,
    waitlist_position,
    waitlist_promote,
)
from groups.services.schedule import (
    DETAIL_FIELDS,
    NEWSWORTHY_FIELDS,
    Schedule,
    meetup_create,
    meetup_pause,
    meetup_reschedule,
    meetup_update,
    occurrence_cancel,
    occurrence_move,
    occurrence_restore,
    occurrences_materialize,
    pause_delete,
)

__all__ = [
    "DETAIL_FIELDS",
    "GROUP_FIELDS",
    "MESSAGE_AUDIENCES",
    "NEWSWORTHY_FIELDS",
    "Schedule",
    "attendance_check_in",
    "attendance_mark",
    "calendar_token_reset",
    "going_counts",
    "group_create",
    "group_update",
    "locked_occurrence",
    "meetup_create",
    "meetup_pause",
    "meetup_reschedule",
    "meetup_update",
    "membership_approve",
    "membership_decline",
    "membership_demote",
    "membership_join",
    "membership_leave",
    "membership_promote",
    "membership_remove",
    "occurrence_cancel",
    "occurrence_confirm",
    "occurrence_move",
    "occurrence_restore",
    "occurrences_materialize",
    "organizer_message_send",
    "pause_delete",
    "rsvp_set",
    "rsvps_withdraw",
    "series_rsvp_set",
    "slug_base",
    "waitlist_position",
    "waitlist_promote",
]
