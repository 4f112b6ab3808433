"""Capacity holds under simultaneous RSVPs: each thread has its own database connection and
transaction, as concurrent requests would."""

import threading

import pytest
from django.db import connection

from groups import services
from groups.models import RSVP
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.groups.conftest import make_details, make_schedule

SEATS = 3


def run_at_once(calls):
    """Run each call in its own thread, released together; return the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.mark.django_db(transaction=True)
def test_capacity_is_never_exceeded_by_concurrent_rsvps():
    organizer = UserFactory()
    group = GroupFactory(organizer=organizer)
    meetup = services.meetup_create(
        group=group, by=organizer, schedule=make_schedule(), details=make_details(capacity=SEATS)
    )
    occurrence = meetup.occurrences.get()
    crowd = [MembershipFactory(group=group).member for _ in range(12)]

    errors = run_at_once(
        [
            lambda member=member: services.rsvp_set(
                occurrence=occurrence, member=member, going=True
            )
            for member in crowd
        ]
    )

    assert errors == []
    answers = RSVP.objects.filter(occurrence=occurrence)
    assert answers.going().count() == SEATS
    assert answers.waitlisted().count() == len(crowd) - SEATS
    going = set(answers.going().values_list("member", flat=True))
    waiting_order = list(answers.in_waitlist_order().values_list("member", flat=True))

    # the people going cancel while newcomers RSVP, all at once
    newcomers = [MembershipFactory(group=group).member for _ in range(5)]
    calls = [
        lambda member_id=member_id: services.rsvp_set(
            occurrence=occurrence, member=UserFactory._meta.model(pk=member_id), going=False
        )
        for member_id in going
    ] + [
        lambda member=member: services.rsvp_set(occurrence=occurrence, member=member, going=True)
        for member in newcomers
    ]
    errors = run_at_once(calls)

    assert errors == []
    # a freed seat never stands empty: it goes to the longest waiting in the same transaction
    assert set(answers.going().values_list("member", flat=True)) == set(waiting_order[:SEATS])
    assert answers.waitlisted().count() == len(waiting_order) - SEATS + len(newcomers)
    assert set(answers.filter(member__in=newcomers).values_list("status", flat=True)) == {
        "waitlisted"
    }


@pytest.mark.django_db(transaction=True)
def test_series_and_single_rsvps_at_once_never_exceed_capacity():
    from groups.recurrence import Repeat, RuleSpec

    organizer = UserFactory()
    group = GroupFactory(organizer=organizer)
    meetup = services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(
            spec=RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=3, week_of_month=1)
        ),
        details=make_details(capacity=2),
    )
    first = meetup.occurrences.order_by("start").first()
    regulars = [MembershipFactory(group=group).member for _ in range(4)]
    drop_ins = [MembershipFactory(group=group).member for _ in range(4)]

    errors = run_at_once(
        [
            lambda member=member: services.series_rsvp_set(meetup=meetup, member=member, going=True)
            for member in regulars
        ]
        + [
            lambda member=member: services.rsvp_set(occurrence=first, member=member, going=True)
            for member in drop_ins
        ]
    )

    assert errors == []
    for occurrence in meetup.occurrences.all():
        answers = RSVP.objects.filter(occurrence=occurrence)
        assert answers.going().count() == 2
    assert RSVP.objects.filter(occurrence=first).count() == len(regulars) + len(drop_ins)
