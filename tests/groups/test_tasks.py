"""Background work: the rolling horizon of dates, and notices about changes."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups import services
from groups.models import HORIZON, Meetup
from groups.notices import meetup_changed_notify
from groups.recurrence import Repeat, RuleSpec
from groups.tasks import meetups_extend_horizon
from notifications.kinds import NotificationKind

pytestmark = pytest.mark.django_db

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=2)


def test_the_daily_task_keeps_a_year_of_dates_ahead(create_meetup):
    meetup = create_meetup(spec=WEEKLY)
    one_off = create_meetup()
    # as if the last run was a month ago
    Meetup.objects.filter(pk=meetup.pk).update(
        materialized_until=timezone.now() + HORIZON - timedelta(days=30)
    )
    last = meetup.occurrences.order_by("-start").first()
    meetup.occurrences.filter(start__gt=last.start - timedelta(days=28)).delete()

    created = meetups_extend_horizon(timestamp=int(timezone.now().timestamp()))

    assert created == 4
    assert one_off.occurrences.count() == 1
    meetup.refresh_from_db()
    assert meetup.materialized_until >= timezone.now() + HORIZON - timedelta(minutes=1)
    # nothing is due the second time
    assert meetups_extend_horizon(timestamp=int(timezone.now().timestamp())) == 0


def test_the_daily_task_is_registered_as_periodic():
    from procrastinate.contrib.django import app

    periodic = [p.task.name for p in app.periodic_registry.periodic_tasks.values()]
    assert "groups.tasks.meetups_extend_horizon" in periodic


def test_change_notices_respect_email_preferences(create_meetup, add_member, organizer, task_queue):
    occurrence = create_meetup().occurrences.get()
    wants, opted_out = add_member(), add_member()
    opted_out.profile.email_preferences = {NotificationKind.MEETUP_CHANGED: False}
    opted_out.profile.save()
    for person in (wants, opted_out):
        services.rsvp_set(occurrence=occurrence, member=person, going=True)

    services.occurrence_cancel(occurrence=occurrence, by=organizer)
    task_queue.run_all()

    assert [m.to for m in mail.outbox] == [[wants.email]]


def test_change_notices_are_sent_from_the_queue_not_the_request(
    create_meetup, add_member, organizer, task_queue
):
    occurrence = create_meetup().occurrences.get()
    services.rsvp_set(occurrence=occurrence, member=add_member(), going=True)

    services.occurrence_cancel(occurrence=occurrence, by=organizer)

    assert mail.outbox == []
    assert len(task_queue.jobs("meetup_changed_notify")) == 1


def test_a_notice_describes_the_date_as_it_was_when_changed(
    create_meetup, add_member, organizer, task_queue
):
    occurrence = create_meetup().occurrences.get()
    member = add_member()
    services.rsvp_set(occurrence=occurrence, member=member, going=True)
    cancelled_at = f"{occurrence.local_start:%H:%M}"
    services.occurrence_cancel(occurrence=occurrence, by=organizer, reason="Snow day")
    services.occurrence_restore(occurrence=occurrence, by=organizer)
    later = occurrence.start + timedelta(hours=2)
    services.occurrence_move(
        occurrence=occurrence, by=organizer, start=later, end=later + timedelta(hours=1)
    )

    task_queue.run_all()

    cancelled, restored, moved = mail.outbox
    assert f"{cancelled_at}–" in cancelled.body
    assert "Snow day" in cancelled.body
    assert "back on" in restored.body
    assert f"{later.astimezone(occurrence.tz):%H:%M}–" in moved.body
    assert "Central Library, 1 Main Street" in moved.body


def test_a_notice_about_a_deleted_meetup_is_dropped(create_meetup, add_member):
    meetup = create_meetup()
    member = add_member()
    meetup_id = meetup.pk
    meetup.delete()

    sent = meetup_changed_notify(
        meetup_id=meetup_id, dates=[], member_ids=[member.pk], change="cancelled"
    )

    assert sent == 0


# --- reminders the day before ------------------------------------------------------------


def _starting_in(occurrence, delta):
    from groups.models import Occurrence

    start = timezone.now() + delta
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=start, end=start + timedelta(minutes=90)
    )


def test_reminders_go_once_to_members_going_the_day_before(create_meetup, add_member, task_queue):
    from groups.tasks import meetup_reminders_send

    soon = create_meetup(title="Long lunch").occurrences.get()
    later = create_meetup(title="Next week").occurrences.get()
    _starting_in(soon, timedelta(hours=23))
    going, not_going, waiting = add_member(), add_member(), add_member()
    for member in (going, not_going, waiting):
        services.rsvp_set(occurrence=later, member=member, going=True)
    # answers for the date tomorrow (set while it was still open)
    from groups.models import RSVP

    RSVP.objects.create(occurrence=soon, member=going, status="going")
    RSVP.objects.create(occurrence=soon, member=not_going, status="not_going")
    RSVP.objects.create(occurrence=soon, member=waiting, status="waitlisted")
    mail.outbox.clear()
    stamp = int(timezone.now().timestamp())

    assert meetup_reminders_send(timestamp=stamp) == 1
    assert meetup_reminders_send(timestamp=stamp) == 0  # a rerun sends nothing more
    task_queue.run_all()

    assert [m.to for m in mail.outbox] == [[going.email]]
    assert "Long lunch" in mail.outbox[0].subject
    assert soon.get_absolute_url() in mail.outbox[0].body


def test_reminders_skip_cancelled_dates_and_respect_preferences(
    create_meetup, add_member, task_queue
):
    from groups.models import RSVP, Occurrence
    from groups.tasks import meetup_reminders_send

    soon = create_meetup().occurrences.get()
    cancelled = create_meetup().occurrences.get()
    _starting_in(soon, timedelta(hours=20))
    _starting_in(cancelled, timedelta(hours=20))
    Occurrence.objects.filter(pk=cancelled.pk).update(status="cancelled")
    opted_out = add_member()
    opted_out.profile.email_preferences = {NotificationKind.MEETUP_REMINDER: False}
    opted_out.profile.save()
    RSVP.objects.create(occurrence=soon, member=opted_out, status="going")
    other = add_member()
    RSVP.objects.create(occurrence=cancelled, member=other, status="going")
    mail.outbox.clear()

    assert meetup_reminders_send(timestamp=int(timezone.now().timestamp())) == 0
    task_queue.run_all()
    assert mail.outbox == []


def test_the_reminder_task_is_periodic():
    from procrastinate.contrib.django import app

    periodic = [p.task.name for p in app.periodic_registry.periodic_tasks.values()]
    assert "groups.tasks.meetup_reminders_send" in periodic
