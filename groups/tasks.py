"""Background work for groups: telling people about changes, and keeping a year of dates ahead.

Services defer these inside their transaction, so a job exists only if the change committed.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from notifications.kinds import NotificationKind
from notifications.services import notify

CHANGE_SUBJECTS = {
    "cancelled": "Cancelled: {title}",
    "restored": "Back on: {title}",
    "moved": "Changed: {title}",
    "paused": "Taking a break: {title}",
    "rescheduled": "New schedule: {title}",
    "updated": "Changed: {title}",
}


@app.task(queue="notifications")
def meetup_changed_notify(
    *,
    meetup_id: int,
    dates: list[str],
    member_ids: list[int],
    change: str,
    message: str = "",
) -> int:
    """Email each member going to (or waiting for) changed dates, once. `dates` describe the
    dates as they were when the change was made. Returns the number of emails queued."""
    from groups.models import Meetup

    meetup = Meetup.objects.select_related("group").filter(pk=meetup_id).first()
    if meetup is None:
        return 0
    upcoming = list(meetup.occurrences.select_related("meetup__group").scheduled().upcoming()[:6])
    subject = CHANGE_SUBJECTS.get(change, "Changed: {title}").format(title=meetup.title)
    sent = 0
    for member in get_user_model().objects.filter(pk__in=member_ids, is_active=True):
        sent += notify(
            recipient=member,
            kind=NotificationKind.MEETUP_CHANGED,
            subject=subject,
            template="groups_meetup_changed",
            context={
                "meetup": meetup,
                "dates": dates,
                "upcoming": upcoming,
                "change": change,
                "message": message,
            },
            url=meetup.get_absolute_url(),
        )
    return sent


@app.task(queue="notifications")
def waitlist_promoted_notify(*, rsvp_id: int) -> bool:
    from groups.models import RSVP

    rsvp = (
        RSVP.objects.select_related("member", "occurrence__meetup__group")
        .filter(pk=rsvp_id, status=RSVP.Status.GOING)
        .first()
    )
    if rsvp is None:  # they changed their mind since
        return False
    occurrence = rsvp.occurrence
    return notify(
        recipient=rsvp.member,
        kind=NotificationKind.WAITLIST_PROMOTED,
        subject=f"You have a seat: {occurrence.meetup.title}",
        template="groups_waitlist_promoted",
        context={"occurrence": occurrence, "meetup": occurrence.meetup},
        url=occurrence.get_absolute_url(),
        thread=occurrence.mail_thread(),
        thread_event=f"seat-{rsvp.pk}",
    )


@app.task(queue="notifications")
def join_request_notify(*, membership_id: int) -> int:
    from groups.models import Membership

    membership = (
        Membership.objects.select_related("group", "member")
        .filter(pk=membership_id, status=Membership.Status.PENDING)
        .first()
    )
    if membership is None:
        return 0
    organizers = Membership.objects.organizers().filter(group=membership.group)
    sent = 0
    for organizer in organizers.select_related("member"):
        sent += notify(
            recipient=organizer.member,
            kind=NotificationKind.GROUP_JOIN_REQUEST,
            subject=f"{membership.member} asks to join {membership.group}",
            template="groups_join_request",
            context={"membership": membership, "group": membership.group},
            url=reverse("groups:members", kwargs={"slug": membership.group.slug}),
        )
    return sent


@app.task(queue="notifications")
def join_answer_notify(*, group_id: int, member_id: int, approved: bool) -> bool:
    from groups.models import Group

    group = Group.objects.filter(pk=group_id).first()
    member = get_user_model().objects.filter(pk=member_id).first()
    if group is None or member is None:
        return False
    verdict = "Welcome to" if approved else "About your request to join"
    return notify(
        recipient=member,
        kind=NotificationKind.GROUP_JOIN_ANSWER,
        subject=f"{verdict} {group}",
        template="groups_join_answer",
        context={"group": group, "approved": approved},
        url=group.get_absolute_url(),
    )


@app.task(queue="notifications")
def organizer_message_notify(
    *, occurrence_id: int, sender_id: int, member_ids: list[int], subject: str, body: str
) -> int:
    """An organizer's message to the members chosen when it was sent."""
    from groups.models import Occurrence

    occurrence = Occurrence.objects.select_related("meetup__group").filter(pk=occurrence_id).first()
    sender = get_user_model().objects.filter(pk=sender_id).first()
    if occurrence is None or sender is None:
        return 0
    group = occurrence.meetup.group
    # the same message sent again (a retried job) keeps its Message-ID
    message_key = hashlib.sha256(f"{sender_id}\n{subject}\n{body}".encode()).hexdigest()[:16]
    sent = 0
    for member in get_user_model().objects.filter(pk__in=member_ids, is_active=True):
        sent += notify(
            recipient=member,
            kind=NotificationKind.ORGANIZER_MESSAGE,
            subject=f"[{group.name}] {subject}",
            template="groups_organizer_message",
            context={
                "occurrence": occurrence,
                "group": group,
                "sender": sender,
                "subject": subject,
                "body": body,
            },
            url=occurrence.get_absolute_url(),
            # a reply goes to the organizers only (mailin/), never to everybody
            thread=occurrence.mail_thread(),
            thread_event=f"message-{message_key}",
            replies=True,
        )
    return sent


@app.periodic(cron="17 3 * * *")
@app.task(queue="maintenance", queueing_lock="meetups_extend_horizon")
def meetups_extend_horizon(timestamp: int) -> int:
    """Daily: keep a year of dates materialised for every repeating series. Returns the number
    of occurrences created."""
    from groups.models import HORIZON, Meetup
    from groups.services import occurrences_materialize

    now = timezone.now()
    due = Meetup.objects.exclude(rrule="").filter(
        Q(materialized_until__isnull=True)
        | Q(materialized_until__lt=now + HORIZON - timedelta(days=1))
    )
    created = 0
    for meetup in due.iterator():
        created += len(occurrences_materialize(meetup=meetup, now=now))
    return created


REMINDER_AHEAD = timedelta(hours=24)
REMINDER_NOT_WITHIN = timedelta(hours=1)  # answered at the last minute: no reminder needed


@app.periodic(cron="*/15 * * * *")
@app.task(queue="notifications", queueing_lock="meetup_reminders_send")
def meetup_reminders_send(timestamp: int) -> int:
    """Every 15 minutes: remind members going to a date that starts within the next 24 hours.
    Each (date, member) is reminded once: a `ReminderSent` row is claimed before sending, so
    a rerun or an overlapping run sends nothing more. Returns the number of emails queued."""
    from django.db import IntegrityError, transaction

    from groups.models import RSVP, ReminderSent

    now = timezone.now()
    due = (
        RSVP.objects.going()
        .filter(
            occurrence__status="scheduled",
            occurrence__start__gt=now + REMINDER_NOT_WITHIN,
            occurrence__start__lte=now + REMINDER_AHEAD,
            member__is_active=True,
        )
        .exclude(
            Exists(
                ReminderSent.objects.filter(
                    occurrence=OuterRef("occurrence"), member=OuterRef("member")
                )
            )
        )
        .select_related("member", "occurrence__meetup__group")
        .order_by("occurrence__start", "pk")
    )
    sent = 0
    for rsvp in due:
        occurrence = rsvp.occurrence
        try:
            with transaction.atomic():
                ReminderSent.objects.create(occurrence=occurrence, member=rsvp.member)
                sent += notify(
                    recipient=rsvp.member,
                    kind=NotificationKind.MEETUP_REMINDER,
                    subject=f"Tomorrow: {occurrence.meetup.title}",
                    template="groups_meetup_reminder",
                    context={"occurrence": occurrence, "meetup": occurrence.meetup},
                    url=occurrence.get_absolute_url(),
                    in_app=False,
                    thread=occurrence.mail_thread(),
                    thread_event="reminder",
                )
        except IntegrityError:  # another run got there first
            continue
    return sent


CONFIRM_AHEAD = timedelta(days=3)


@app.periodic(cron="7 * * * *")
@app.task(queue="maintenance", queueing_lock="meetups_health_check")
def meetups_health_check(timestamp: int) -> dict[str, int]:
    """Hourly. A few days before each date, ask its organizers to confirm it is still on (once
    per date); when a date starts without a confirmation, flag its series, which hides it from
    discovery until an organizer confirms a date again."""
    from django.db import transaction

    from groups.models import Meetup, Membership, Occurrence

    now = timezone.now()
    asked = 0
    due = (
        Occurrence.objects.scheduled()
        .filter(
            start__gt=now,
            start__lte=now + CONFIRM_AHEAD,
            confirmed_at__isnull=True,
            confirmation_requested_at__isnull=True,
        )
        .select_related("meetup__group")
        .order_by("start", "pk")
    )
    for occurrence in due:
        with transaction.atomic():
            claimed = Occurrence.objects.filter(
                pk=occurrence.pk, confirmation_requested_at__isnull=True
            ).update(confirmation_requested_at=now)
            if not claimed:
                continue
            organizers = Membership.objects.organizers().filter(group=occurrence.meetup.group)
            for membership in organizers.select_related("member"):
                notify(
                    recipient=membership.member,
                    kind=NotificationKind.MEETUP_CONFIRM,
                    subject=f"Is “{occurrence.meetup.title}” still on?",
                    template="groups_confirm_request",
                    context={"occurrence": occurrence, "meetup": occurrence.meetup},
                    url=occurrence.get_absolute_url(),
                    thread=occurrence.mail_thread(),
                    thread_event="confirm",
                )
            asked += 1
    # a confirmation given since (of any date of the series) settles an older lapse
    confirmed_since = Occurrence.objects.filter(
        meetup=OuterRef("meetup"), confirmed_at__gte=OuterRef("start")
    )
    lapsed = (
        Occurrence.objects.scheduled()
        .filter(start__lte=now, confirmed_at__isnull=True, confirmation_requested_at__isnull=False)
        .exclude(Exists(confirmed_since))
    )
    flagged = Meetup.objects.filter(
        needs_confirmation=False, pk__in=lapsed.values("meetup_id")
    ).update(needs_confirmation=True)
    return {"asked": asked, "flagged": flagged}
