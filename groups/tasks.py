"""Scheduled work for groups: keeping a year of dates ahead, reminders the day before, and
asking organizers to confirm their dates. What the services defer to tell people is in
groups/notices.py."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from procrastinate.contrib.django import app

from groups.caching import groups_changed
from groups.models import HORIZON, RSVP, Meetup, Membership, Occurrence, ReminderSent
from groups.services import occurrences_materialize
from notifications.kinds import NotificationKind
from notifications.services import notify


@app.periodic(cron="17 3 * * *")
@app.task(queue="maintenance", queueing_lock="meetups_extend_horizon")
def meetups_extend_horizon(timestamp: int) -> int:
    """Daily: keep a year of dates materialised for every repeating series. Returns the number
    of occurrences created."""
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
            groups_changed()  # its page asks organizers to confirm
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
    if flagged:
        groups_changed()  # hidden from "upcoming" until confirmed
    return {"asked": asked, "flagged": flagged}
