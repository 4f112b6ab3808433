"""The demo groups are believable, complete and can be loaded twice."""

import pytest

from config.demo import seed
from groups.models import RSVP, Group, Meetup, Membership, SeriesRSVP

pytestmark = pytest.mark.django_db


def test_demo_groups_are_seeded_once(task_queue):
    first = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-2026")
    again = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-2026")

    assert first == again
    assert first["groups"] == 5
    lunch = Meetup.objects.get(group__name="Middle school librarians – long lunch")
    assert lunch.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert lunch.timezone == "America/Detroit"
    assert lunch.occurrences.filter(end__lt=lunch.occurrences.latest("start").start).exists()
    assert lunch.pauses.get().note == "Summer break"
    dinner = Meetup.objects.get(group__name="Metro librarians’ dinner")
    assert str(dinner.pd_credit_hours) == "1.50"
    assert Meetup.objects.get(group__name__startswith="Kansas City").rrule == "FREQ=YEARLY"
    reading = Meetup.objects.get(group__name__contains="reading partnership")
    assert (reading.rrule, reading.venue_kind) == ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "online")
    demo = Membership.objects.get(member__email="demo@example.org", group__meetups=lunch)
    assert demo.role == "organizer"
    assert SeriesRSVP.objects.exists()
    assert RSVP.objects.filter(status="going").count() > 20
    for meetup in Meetup.objects.exclude(capacity=None):
        for occurrence in meetup.occurrences.all():
            assert occurrence.rsvps.going().count() <= meetup.capacity


def test_larger_demos_add_groups(task_queue):
    counts = seed(scale=2, demo_email="demo@example.org", demo_password="demo-pass-2026")
    assert counts["groups"] == 9  # the 5 hand-written and GROUPS_PER_SCALE generated
    assert Group.objects.filter(visibility="members").exists()
