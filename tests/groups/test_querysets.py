"""Reads: who sees which group, upcoming and past dates, counts and the viewer's answers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups import services
from groups.models import Group, Meetup, Membership, Occurrence
from groups.recurrence import Repeat, RuleSpec
from tests.factories import GroupFactory, MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_visible_to_shows_members_only_groups_to_signed_in_members_only():
    public = GroupFactory(visibility=Group.Visibility.PUBLIC)
    members_only = GroupFactory(visibility=Group.Visibility.MEMBERS)
    public_meetup, hidden_meetup = MeetupFactory(group=public), MeetupFactory(group=members_only)
    visitor, member = AnonymousUser(), UserFactory()
    inactive = UserFactory(is_active=False)

    assert list(Group.objects.visible_to(visitor)) == [public]
    assert list(Group.objects.visible_to(inactive)) == [public]
    assert set(Group.objects.visible_to(member)) == {public, members_only}
    assert list(Meetup.objects.visible_to(visitor)) == [public_meetup]
    assert set(Occurrence.objects.visible_to(visitor)) == set(public_meetup.occurrences.all())
    assert set(Occurrence.objects.visible_to(member)) == set(
        Occurrence.objects.filter(meetup__in=[public_meetup, hidden_meetup])
    )


def test_upcoming_includes_a_meetup_in_progress_and_past_the_finished_ones():
    meetup = MeetupFactory(materialize=False)
    now = timezone.now()

    def occurrence(start, hours=1):
        return Occurrence.objects.create(
            meetup=meetup, original_start=start, start=start, end=start + timedelta(hours=hours)
        )

    finished = occurrence(now - timedelta(days=1))
    in_progress = occurrence(now - timedelta(minutes=30))
    later = occurrence(now + timedelta(days=1))

    assert list(Occurrence.objects.upcoming()) == [in_progress, later]
    assert list(Occurrence.objects.past()) == [finished]


def test_counts_and_the_viewers_answer(create_meetup, add_member):
    occurrence = create_meetup(capacity=1).occurrences.get()
    first, second, outsider = add_member(), add_member(), UserFactory()
    services.rsvp_set(occurrence=occurrence, member=first, going=True)
    services.rsvp_set(occurrence=occurrence, member=second, going=True)

    def listed(viewer):
        return Occurrence.objects.for_listing(viewer).get(pk=occurrence.pk)

    assert (listed(first).going_count, listed(first).waitlist_count) == (1, 1)
    assert listed(first).viewer_rsvp == "going"
    assert listed(second).viewer_rsvp == "waitlisted"
    assert listed(outsider).viewer_rsvp is None
    assert listed(AnonymousUser()).viewer_rsvp is None


def test_group_annotations(group, organizer, create_meetup):
    MembershipFactory(group=group)
    MembershipFactory(group=group, status=Membership.Status.PENDING)
    meetup = create_meetup(spec=RuleSpec(repeat=Repeat.WEEKLY, weekday=0))
    first = meetup.occurrences.order_by("start").first()
    services.occurrence_cancel(occurrence=first, by=organizer)

    annotated = (
        Group.objects.with_member_count()
        .with_pending_count()
        .with_viewer(organizer)
        .with_next_start()
        .get(pk=group.pk)
    )

    assert (annotated.member_count, annotated.pending_count) == (2, 1)
    assert (annotated.viewer_role, annotated.viewer_status) == ("organizer", "active")
    # the cancelled date is not the next meetup
    assert annotated.next_start == meetup.occurrences.scheduled().order_by("start")[0].start
    assert annotated.next_timezone == "America/Detroit"


def test_organizers_first_then_by_standing(group, organizer):
    early = MembershipFactory(group=group)
    late = MembershipFactory(group=group)
    Membership.objects.filter(pk=early.pk).update(joined_at=timezone.now() - timedelta(days=400))

    order = list(group.memberships.active().by_standing().values_list("member", flat=True))

    assert order == [organizer.pk, early.member_id, late.member_id]


def test_continuing_meetups(create_meetup):
    ongoing = create_meetup(title="Ongoing")
    over = create_meetup(title="Over")
    Occurrence.objects.filter(meetup=over).update(
        start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=2, hours=-1)
    )
    assert list(Meetup.objects.continuing()) == [ongoing]


def _dates(meetup, *starts, hours=1):
    return [
        Occurrence.objects.create(
            meetup=meetup, original_start=start, start=start, end=start + timedelta(hours=hours)
        )
        for start in starts
    ]


def test_next_per_series_keeps_each_series_first_date_to_come_even_in_progress():
    now = timezone.now()
    weekly, monthly = MeetupFactory(materialize=False), MeetupFactory(materialize=False)
    _dates(weekly, now - timedelta(days=7), now + timedelta(days=7))
    (in_progress,) = _dates(weekly, now - timedelta(hours=20), hours=21)
    in_a_month, _later = _dates(monthly, now + timedelta(days=30), now + timedelta(days=60))
    # the longest a date may last: it started a day ago and is still on
    long_day = MeetupFactory(materialize=False)
    (all_day,) = _dates(long_day, now - timedelta(hours=24), hours=25)

    assert list(Occurrence.objects.next_per_series()) == [all_day, in_progress, in_a_month]
    assert Occurrence.objects.discoverable_series_count(None) == 3


def test_a_date_cannot_last_more_than_a_day_and_an_hour():
    with pytest.raises(IntegrityError), transaction.atomic():
        _dates(MeetupFactory(materialize=False), timezone.now(), hours=26)
