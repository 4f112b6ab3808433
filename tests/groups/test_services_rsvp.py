"""RSVPs: capacity, the waiting list, deadlines and "I come every time"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups import services
from groups.models import RSVP, Occurrence, SeriesRSVP
from groups.recurrence import Repeat, RuleSpec
from tests.factories import UserFactory

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=3)

pytestmark = pytest.mark.django_db


def status_of(occurrence, member):
    return RSVP.objects.get(occurrence=occurrence, member=member).status


def test_going_until_full_then_the_waiting_list_in_order(create_meetup, add_member):
    meetup = create_meetup(capacity=2)
    occurrence = meetup.occurrences.get()
    people = [add_member() for _ in range(4)]

    answers = [services.rsvp_set(occurrence=occurrence, member=p, going=True) for p in people]

    assert [a.status for a in answers] == ["going", "going", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(a) for a in answers] == [None, None, 1, 2]


def test_a_freed_seat_goes_to_the_first_person_waiting_who_is_emailed(
    create_meetup, add_member, task_queue
):
    meetup = create_meetup(capacity=1)
    occurrence = meetup.occurrences.get()
    first, second, third = add_member(), add_member(), add_member()
    for person in (first, second, third):
        services.rsvp_set(occurrence=occurrence, member=person, going=True)

    services.rsvp_set(occurrence=occurrence, member=first, going=False)
    task_queue.run_all()

    assert status_of(occurrence, first) == "not_going"
    assert status_of(occurrence, second) == "going"
    assert status_of(occurrence, third) == "waitlisted"
    [email] = mail.outbox
    assert email.to == [second.email]
    assert email.subject == f"[Librarian Commons] {occurrence.mail_thread().title}"
    assert email.body.startswith("You have a seat: Long lunch and collaboration")
    assert occurrence.get_absolute_url() in email.body


def test_saying_going_twice_keeps_the_place(create_meetup, add_member):
    occurrence = create_meetup(capacity=1).occurrences.get()
    first, second = add_member(), add_member()
    services.rsvp_set(occurrence=occurrence, member=first, going=True)
    waiting = services.rsvp_set(occurrence=occurrence, member=second, going=True)

    again = services.rsvp_set(occurrence=occurrence, member=second, going=True)

    assert again.status == "waitlisted"
    assert again.status_changed_at == waiting.status_changed_at


def test_leaving_the_waiting_list_promotes_nobody(create_meetup, add_member, task_queue):
    occurrence = create_meetup(capacity=1).occurrences.get()
    first, second, third = add_member(), add_member(), add_member()
    for person in (first, second, third):
        services.rsvp_set(occurrence=occurrence, member=person, going=True)

    services.rsvp_set(occurrence=occurrence, member=second, going=False)
    task_queue.run_all()

    assert status_of(occurrence, third) == "waitlisted"
    assert services.waitlist_position(RSVP.objects.get(member=third)) == 1
    assert mail.outbox == []


def test_promoted_person_who_already_left_gets_no_email(create_meetup, add_member, task_queue):
    occurrence = create_meetup(capacity=1).occurrences.get()
    first, second = add_member(), add_member()
    services.rsvp_set(occurrence=occurrence, member=first, going=True)
    services.rsvp_set(occurrence=occurrence, member=second, going=True)
    services.rsvp_set(occurrence=occurrence, member=first, going=False)
    services.rsvp_set(occurrence=occurrence, member=second, going=False)

    task_queue.run_all()

    assert mail.outbox == []


def test_only_active_members_rsvp(create_meetup, group):
    occurrence = create_meetup().occurrences.get()
    outsider = UserFactory()
    with pytest.raises(ValidationError, match="Join the group"):
        services.rsvp_set(occurrence=occurrence, member=outsider, going=True)
    assert not RSVP.objects.exists()


def test_rsvps_close_at_the_deadline_but_people_can_still_free_their_seat(
    create_meetup, add_member, task_queue
):
    meetup = create_meetup(capacity=1, rsvp_deadline_hours=0)  # 8 days from now
    occurrence = meetup.occurrences.get()
    first, second = add_member(), add_member()
    services.rsvp_set(occurrence=occurrence, member=first, going=True)
    services.rsvp_set(occurrence=occurrence, member=second, going=True)
    # the deadline moves to before now: 400 hours before a start 8 days away
    meetup.rsvp_deadline_hours = 400
    meetup.save()
    occurrence.refresh_from_db()
    assert not occurrence.rsvp_open()

    with pytest.raises(ValidationError, match="closed"):
        services.rsvp_set(occurrence=occurrence, member=add_member(), going=True)
    services.rsvp_set(occurrence=occurrence, member=first, going=False)

    assert status_of(occurrence, second) == "going"


def test_rsvps_close_when_the_meetup_starts(create_meetup, add_member):
    occurrence = create_meetup().occurrences.get()
    member = add_member()
    services.rsvp_set(occurrence=occurrence, member=member, going=True)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=timezone.now() - timedelta(minutes=5), end=timezone.now() + timedelta(hours=1)
    )

    for going in (True, False):
        with pytest.raises(ValidationError, match="started"):
            services.rsvp_set(occurrence=occurrence, member=member, going=going)
    assert status_of(occurrence, member) == "going"


# --- series RSVPs ------------------------------------------------------------------------


def test_a_series_rsvp_counts_as_going_to_every_future_date(create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY)
    regular = add_member()

    services.series_rsvp_set(meetup=meetup, member=regular, going=True)

    answers = RSVP.objects.filter(member=regular)
    assert answers.count() == meetup.occurrences.count()
    assert set(answers.values_list("status", "source")) == {("going", "series")}


def test_a_series_rsvp_never_exceeds_capacity(create_meetup, add_member):
    """The rule: a series RSVP takes a seat on each date that has one; on a full date the
    subscriber joins the waiting list behind the people already waiting."""
    meetup = create_meetup(spec=WEEKLY, capacity=1)
    dates = list(meetup.occurrences.order_by("start"))
    taken = add_member()
    services.rsvp_set(occurrence=dates[1], member=taken, going=True)
    regular = add_member()

    services.series_rsvp_set(meetup=meetup, member=regular, going=True)

    assert status_of(dates[0], regular) == "going"
    assert status_of(dates[1], regular) == "waitlisted"
    assert status_of(dates[2], regular) == "going"
    for occurrence in dates:
        assert occurrence.rsvps.going().count() <= 1


def test_answers_for_single_dates_win_over_the_series(create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY)
    dates = list(meetup.occurrences.order_by("start"))
    regular = add_member()
    services.rsvp_set(occurrence=dates[2], member=regular, going=False)

    services.series_rsvp_set(meetup=meetup, member=regular, going=True)
    services.rsvp_set(occurrence=dates[4], member=regular, going=False)

    assert status_of(dates[2], regular) == "not_going"
    assert RSVP.objects.get(occurrence=dates[4], member=regular).source == "explicit"
    assert status_of(dates[3], regular) == "going"


def test_new_dates_get_series_rsvps_in_the_order_people_subscribed(create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY, capacity=1)
    early, late = add_member(), add_member()
    services.series_rsvp_set(meetup=meetup, member=early, going=True)
    services.series_rsvp_set(meetup=meetup, member=late, going=True)

    created = services.occurrences_materialize(
        meetup=meetup, now=timezone.now() + timedelta(days=21)
    )

    assert len(created) == 3
    for occurrence in created:
        assert status_of(occurrence, early) == "going"
        assert status_of(occurrence, late) == "waitlisted"


def test_stopping_a_series_rsvp_frees_the_seats_and_keeps_single_answers(
    create_meetup, add_member, task_queue
):
    meetup = create_meetup(spec=WEEKLY, capacity=1)
    dates = list(meetup.occurrences.order_by("start"))
    regular, waiting = add_member(), add_member()
    services.series_rsvp_set(meetup=meetup, member=regular, going=True)
    services.rsvp_set(occurrence=dates[0], member=regular, going=True)  # now their own answer
    services.rsvp_set(occurrence=dates[1], member=waiting, going=True)

    services.series_rsvp_set(meetup=meetup, member=regular, going=False)
    task_queue.run_all()

    assert not SeriesRSVP.objects.exists()
    assert list(RSVP.objects.filter(member=regular).values_list("occurrence", flat=True)) == [
        dates[0].pk
    ]
    assert status_of(dates[1], waiting) == "going"
    assert [m.to for m in mail.outbox] == [[waiting.email]]


def test_a_one_off_meetup_has_no_series_rsvp(create_meetup, add_member):
    with pytest.raises(ValidationError, match="one-off"):
        services.series_rsvp_set(meetup=create_meetup(), member=add_member(), going=True)


def test_cancelled_dates_get_no_series_rsvps(create_meetup, add_member, organizer):
    meetup = create_meetup(spec=WEEKLY)
    cancelled = meetup.occurrences.order_by("start").first()
    services.occurrence_cancel(occurrence=cancelled, by=organizer)

    services.series_rsvp_set(meetup=meetup, member=add_member(), going=True)

    assert not cancelled.rsvps.exists()
