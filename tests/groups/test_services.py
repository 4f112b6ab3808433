"""Groups, memberships, series and their exceptions (cancel, move, pause, change schedule)."""

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from groups import services
from groups.models import HORIZON, RSVP, Group, Meetup, Membership, Occurrence, SeriesRSVP
from groups.recurrence import Ends, Repeat, RuleSpec, expand, rule_parts
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.groups.conftest import is_organizer, local_today, make_details, make_schedule

MONTHLY_2ND_TUESDAY = RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=1, week_of_month=2)
WEEKLY_TUESDAY = RuleSpec(repeat=Repeat.WEEKLY, weekday=1)

pytestmark = pytest.mark.django_db


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


# --- groups and memberships --------------------------------------------------------------


def test_group_create_makes_the_creator_its_organizer():
    creator = UserFactory()

    group = services.group_create(by=creator, name="Metro librarians’ dinner", state="MO")

    assert group.slug == "metro-librarians-dinner"
    assert is_organizer(group, creator)


def test_group_slugs_are_unique_and_avoid_fixed_paths():
    creator = UserFactory()
    first = services.group_create(by=creator, name="Book talk")
    second = services.group_create(by=creator, name="Book talk")
    reserved = services.group_create(by=creator, name="New")

    assert (first.slug, second.slug, reserved.slug) == ("book-talk", "book-talk-2", "new-2")


def test_group_update_is_for_organizers_only(group, add_member):
    member = add_member()
    with pytest.raises(PermissionDenied):
        services.group_update(group=group, by=member, name="Taken over")
    group.refresh_from_db()
    assert group.name == "Middle school librarians – long lunch"


def test_joining_an_open_group_is_immediate(group):
    newcomer = UserFactory()

    membership = services.membership_join(group=group, member=newcomer)

    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    assert services.membership_join(group=group, member=newcomer) == membership


def test_asking_to_join_tells_the_organizers_and_the_answer_tells_the_member(
    group, organizer, task_queue
):
    group.join_policy = Group.JoinPolicy.APPROVAL
    group.save()
    newcomer = UserFactory(display_name="Nora Newcomer")

    membership = services.membership_join(
        group=group, member=newcomer, message="I run the library at Pierce Middle."
    )
    task_queue.run_all()

    assert membership.status == Membership.Status.PENDING
    [request_email] = emails_to(organizer)
    assert "Nora Newcomer asks to join" in request_email.subject
    assert "I run the library at Pierce Middle." in request_email.body
    assert f"/groups/{group.slug}/members/" in request_email.body

    services.membership_approve(membership=membership, by=organizer)
    task_queue.run_all()

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    [answer] = emails_to(newcomer)
    assert answer.subject == f"[Librarian Commons] Welcome to {group}"


def test_declining_a_request_removes_it_and_tells_the_member(group, organizer, task_queue):
    group.join_policy = Group.JoinPolicy.APPROVAL
    group.save()
    newcomer = UserFactory()
    membership = services.membership_join(group=group, member=newcomer)

    services.membership_decline(membership=membership, by=organizer)
    task_queue.run_all()

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "About your request to join" in emails_to(newcomer)[0].subject


def test_members_cannot_answer_requests(group, add_member):
    group.join_policy = Group.JoinPolicy.APPROVAL
    group.save()
    member = add_member()
    pending = services.membership_join(group=group, member=UserFactory())

    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=pending, by=member)
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_organizers_promote_co_organizers_and_one_organizer_always_remains(
    group, organizer, add_member
):
    helper = add_member()
    helper_membership = Membership.objects.get(group=group, member=helper)
    organizer_membership = Membership.objects.get(group=group, member=organizer)

    services.membership_promote(membership=helper_membership, by=organizer)
    assert is_organizer(group, helper)

    services.membership_demote(membership=organizer_membership, by=helper)
    assert not is_organizer(group, organizer)

    with pytest.raises(ValidationError, match="at least one organizer"):
        services.membership_demote(
            membership=Membership.objects.get(pk=helper_membership.pk), by=helper
        )


def test_organizers_remove_members_but_not_themselves_or_organizers(group, organizer, add_member):
    member = add_member()
    membership = Membership.objects.get(group=group, member=member)
    own = Membership.objects.get(group=group, member=organizer)

    with pytest.raises(ValidationError, match="leave the group"):
        services.membership_remove(membership=own, by=organizer)
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=own, by=member)

    services.membership_remove(membership=membership, by=organizer)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_only_organizer_cannot_leave_members_behind(group, organizer, add_member):
    add_member()
    with pytest.raises(ValidationError, match="only organizer"):
        services.membership_leave(group=group, member=organizer)
    assert is_organizer(group, organizer)


def test_an_organizer_alone_in_the_group_may_leave(organizer):
    lonely = GroupFactory(organizer=organizer)
    services.membership_leave(group=lonely, member=organizer)
    assert not lonely.memberships.exists()


def test_leaving_gives_seats_to_people_waiting_and_drops_series_rsvps(
    group, add_member, create_meetup, task_queue
):
    meetup = create_meetup(spec=WEEKLY_TUESDAY, capacity=1)
    leaver, waiting = add_member(), add_member()
    services.series_rsvp_set(meetup=meetup, member=leaver, going=True)
    first = meetup.occurrences.order_by("start").first()
    services.rsvp_set(occurrence=first, member=waiting, going=True)

    services.membership_leave(group=group, member=leaver)
    task_queue.run_all()

    assert not RSVP.objects.filter(member=leaver).exists()
    assert not SeriesRSVP.objects.filter(member=leaver).exists()
    assert RSVP.objects.get(member=waiting).status == RSVP.Status.GOING
    assert "You have a seat" in emails_to(waiting)[0].body


def test_database_keeps_one_membership_per_member(group, organizer):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=group, member=organizer)


def test_database_refuses_a_pending_organizer(group):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            group=group, role=Membership.Role.ORGANIZER, status=Membership.Status.PENDING
        )


# --- series and occurrences --------------------------------------------------------------


def test_a_series_is_materialised_for_a_year(create_meetup):
    meetup = create_meetup(spec=MONTHLY_2ND_TUESDAY)
    occurrences = list(meetup.occurrences.order_by("start"))

    assert 11 <= len(occurrences) <= 13
    assert occurrences[-1].start < timezone.now() + HORIZON
    expected = meetup.expand(before=timezone.now() + HORIZON)
    assert [o.original_start for o in occurrences] == expected
    for occurrence in occurrences:
        local = occurrence.local_start
        assert local.weekday() == 1
        assert 8 <= local.day <= 14
        assert occurrence.end - occurrence.start == timedelta(minutes=90)


def test_materialised_dates_keep_noon_in_detroit_all_year(create_meetup):
    meetup = create_meetup(spec=MONTHLY_2ND_TUESDAY)
    starts = [o.local_start for o in meetup.occurrences.all()]

    assert {s.time() for s in starts} == {time(12, 0)}
    # a year of dates spans both DST changes: two UTC offsets, same wall time
    assert {s.utcoffset() for s in starts} == {timedelta(hours=-5), timedelta(hours=-4)}


def test_materialised_dates_keep_local_time_in_london(create_meetup):
    schedule = make_schedule(spec=WEEKLY_TUESDAY, tz="Europe/London", start_time=time(18, 30))
    meetup = create_meetup(schedule=schedule)
    starts = [o.local_start for o in meetup.occurrences.all()]

    assert {s.time() for s in starts} == {time(18, 30)}
    assert {s.utcoffset() for s in starts} == {timedelta(0), timedelta(hours=1)}


def test_materialising_again_adds_only_new_dates(create_meetup):
    meetup = create_meetup(spec=WEEKLY_TUESDAY)
    before = meetup.occurrences.count()

    assert services.occurrences_materialize(meetup=meetup) == []
    later = timezone.now() + timedelta(days=28)
    created = services.occurrences_materialize(meetup=meetup, now=later)

    assert len(created) == 4
    assert meetup.occurrences.count() == before + 4


def test_database_keeps_one_occurrence_per_recurrence_id(create_meetup):
    meetup = create_meetup(spec=WEEKLY_TUESDAY)
    first = meetup.occurrences.first()
    Occurrence.objects.create(
        meetup=meetup, original_start=first.original_start, start=first.start, end=first.end
    )
    # the constraint is deferred (schedule changes re-date rows): it holds by commit time
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_one_off_meetup_has_one_occurrence(create_meetup):
    meetup = create_meetup()
    assert not meetup.is_recurring
    assert meetup.occurrences.count() == 1
    assert meetup.schedule_label == "Once"


def test_only_organizers_create_meetups(group, add_member):
    member = add_member()
    with pytest.raises(PermissionDenied):
        services.meetup_create(
            group=group, by=member, schedule=make_schedule(), details=make_details()
        )
    assert not Meetup.objects.exists()


def test_a_meetup_needs_a_real_time_zone(create_meetup):
    with pytest.raises(ValidationError, match="time zone"):
        create_meetup(schedule=dataclasses.replace(make_schedule(), timezone="Mars/Olympus"))
    assert not Meetup.objects.exists()


# --- exceptions --------------------------------------------------------------------------


@pytest.fixture
def series_with_people(create_meetup, add_member):
    """A weekly series; Ann goes to the 2nd date, Ben waits for it, Cy said no."""
    meetup = create_meetup(spec=WEEKLY_TUESDAY, capacity=1)
    ann, ben, cy = add_member(), add_member(), add_member()
    second = meetup.occurrences.order_by("start")[1]
    services.rsvp_set(occurrence=second, member=ann, going=True)
    services.rsvp_set(occurrence=second, member=ben, going=True)
    services.rsvp_set(occurrence=second, member=cy, going=False)
    return meetup, second, (ann, ben, cy)


def test_cancelling_one_date_leaves_the_rest_and_tells_those_expected(
    series_with_people, organizer, task_queue
):
    meetup, second, (ann, ben, cy) = series_with_people

    services.occurrence_cancel(occurrence=second, by=organizer, reason="Snow day")
    task_queue.run_all()

    statuses = list(meetup.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses[1] == Occurrence.Status.CANCELLED
    assert statuses.count(Occurrence.Status.CANCELLED) == 1
    assert emails_to(ann)
    assert emails_to(ben)
    assert emails_to(cy) == []
    assert "Cancelled: Long lunch and collaboration" in emails_to(ann)[0].subject
    assert "Snow day" in emails_to(ann)[0].body


def test_rsvps_are_closed_on_a_cancelled_date_and_come_back_when_restored(
    series_with_people, organizer, add_member
):
    _meetup, second, (ann, _ben, _cy) = series_with_people
    services.occurrence_cancel(occurrence=second, by=organizer)

    with pytest.raises(ValidationError, match="cancelled"):
        services.rsvp_set(occurrence=second, member=add_member(), going=True)

    services.occurrence_restore(occurrence=second, by=organizer)
    assert RSVP.objects.get(occurrence=second, member=ann).status == RSVP.Status.GOING


def test_members_cannot_cancel(series_with_people):
    _meetup, second, (ann, _ben, _cy) = series_with_people
    with pytest.raises(PermissionDenied):
        services.occurrence_cancel(occurrence=second, by=ann)


def test_moving_one_date_keeps_its_recurrence_id(series_with_people, organizer, task_queue):
    meetup, second, (ann, _ben, _cy) = series_with_people
    tz = ZoneInfo(meetup.timezone)
    new_start = datetime.combine(
        second.local_start.date() + timedelta(days=1), time(13, 0), tzinfo=tz
    )

    services.occurrence_move(
        occurrence=second,
        by=organizer,
        start=new_start,
        end=new_start + timedelta(hours=1),
        venue={"venue_kind": "in_person", "venue_name": "Pierce Middle School", "address": ""},
        note="Central is closed for repairs.",
    )
    task_queue.run_all()

    second.refresh_from_db()
    assert second.original_start != second.start == new_start
    assert second.is_moved
    assert second.venue.name == "Pierce Middle School"
    assert second.sequence == 1
    others = meetup.occurrences.exclude(pk=second.pk)
    assert all(o.start == o.original_start and not o.has_own_venue for o in others)
    assert "Pierce Middle School" in emails_to(ann)[0].body


def test_moving_into_the_past_is_refused(series_with_people, organizer):
    _meetup, second, _people = series_with_people
    past = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError):
        services.occurrence_move(
            occurrence=second, by=organizer, start=past, end=past + timedelta(hours=1)
        )


def test_pausing_cancels_the_dates_in_the_range_in_one_step(
    series_with_people, organizer, task_queue
):
    meetup, _second, (ann, _ben, _cy) = series_with_people
    dates = list(meetup.occurrences.order_by("start"))
    services.rsvp_set(occurrence=dates[2], member=ann, going=True)
    starts_on, ends_on = dates[1].local_start.date(), dates[3].local_start.date()

    pause, cancelled = services.meetup_pause(
        meetup=meetup, by=organizer, starts_on=starts_on, ends_on=ends_on, note="Winter break"
    )
    task_queue.run_all()

    assert [o.pk for o in cancelled] == [dates[1].pk, dates[2].pk, dates[3].pk]
    statuses = dict(meetup.occurrences.values_list("pk", "status"))
    assert {pk for pk, s in statuses.items() if s == "cancelled"} == {o.pk for o in cancelled}
    # one email per person, naming every cancelled date they were expected at
    [email] = emails_to(ann)
    assert email.subject.endswith("Taking a break: Long lunch and collaboration")
    assert "Winter break" in email.body

    services.pause_delete(pause=pause, by=organizer)
    assert not meetup.occurrences.cancelled().exists()


def test_dates_materialised_later_inside_a_pause_start_cancelled(create_meetup, organizer):
    meetup = create_meetup(spec=WEEKLY_TUESDAY)
    beyond = max(o.local_start.date() for o in meetup.occurrences.all()) + timedelta(days=1)
    services.meetup_pause(
        meetup=meetup, by=organizer, starts_on=beyond, ends_on=beyond + timedelta(days=30)
    )

    created = services.occurrences_materialize(
        meetup=meetup, now=timezone.now() + timedelta(days=60)
    )

    in_pause = [o for o in created if o.local_start.date() <= beyond + timedelta(days=30)]
    after = [o for o in created if o.local_start.date() > beyond + timedelta(days=30)]
    assert in_pause
    assert all(o.is_cancelled for o in in_pause)
    assert after
    assert not any(o.is_cancelled for o in after)


def _series_started_weeks_ago(group, organizer, *, weeks=3, count=None):
    """A weekly series whose first dates are in the past (made directly through the model
    layer; the form refuses past dates)."""
    spec = RuleSpec(
        repeat=Repeat.WEEKLY,
        weekday=1,
        ends=Ends.COUNT if count else Ends.NEVER,
        count=count,
    )
    start = local_today() - timedelta(weeks=weeks)
    return services.meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(spec=spec, start_date=start),
        details=make_details(capacity=2),
    )


def test_changing_this_and_following_splits_the_series_and_carries_rsvps(
    group, organizer, add_member, task_queue
):
    meetup = _series_started_weeks_ago(group, organizer, weeks=3, count=20)
    past = list(meetup.occurrences.filter(start__lt=timezone.now()).order_by("start"))
    upcoming = list(meetup.occurrences.filter(start__gt=timezone.now()).order_by("start"))
    regular, once, waiting = add_member(), add_member(), add_member()
    services.series_rsvp_set(meetup=meetup, member=regular, going=True)
    services.rsvp_set(occurrence=upcoming[1], member=once, going=True)
    services.rsvp_set(occurrence=upcoming[1], member=waiting, going=True)  # full: waits
    assert RSVP.objects.get(member=waiting).status == RSVP.Status.WAITLISTED
    split_at = upcoming[0]
    new_schedule = make_schedule(
        spec=RuleSpec(repeat=Repeat.WEEKLY, weekday=2, ends=Ends.COUNT, count=5),
        start_date=split_at.local_original_start.date(),
        start_time=time(13, 0),
    )

    target = services.meetup_reschedule(
        occurrence=split_at, by=organizer, schedule=new_schedule, details=make_details(capacity=3)
    )
    task_queue.run_all()

    meetup.refresh_from_db()
    assert target.pk != meetup.pk
    assert target.split_from == meetup
    # the old rule ends the day before the split, COUNT replaced by UNTIL
    parts = rule_parts(meetup.rrule)
    assert "COUNT" not in parts
    assert "UNTIL" in parts
    old_dates = meetup.expand(before=timezone.now() + HORIZON)
    assert old_dates == [o.original_start for o in past]
    assert list(meetup.occurrences.order_by("start")) == past
    # the new series: five Wednesdays at 13:00 local, on the rows that held the old dates
    new_dates = list(target.occurrences.order_by("start"))
    assert [o.original_start for o in new_dates] == target.expand(before=timezone.now() + HORIZON)
    assert len(new_dates) == 5
    assert all(o.local_start.weekday() == 2 and o.local_start.time() == time(13) for o in new_dates)
    assert new_dates[0].pk == split_at.pk
    assert new_dates[1].pk == upcoming[1].pk
    # RSVPs carried over; the capacity went up, so the person waiting got a seat
    assert RSVP.objects.get(member=once).occurrence_id == new_dates[1].pk
    assert RSVP.objects.get(member=waiting).status == RSVP.Status.GOING
    assert SeriesRSVP.objects.get(member=regular).meetup == target
    assert set(RSVP.objects.filter(member=regular).values_list("occurrence", flat=True)) == {
        o.pk for o in new_dates
    }
    # extra old dates are gone; everyone expected was told once
    assert Occurrence.objects.filter(meetup__in=[meetup, target]).count() == len(past) + 5
    for person in (regular, once, waiting):
        assert [m.subject for m in emails_to(person) if "New schedule" in m.subject] == [
            "[Librarian Commons] New schedule: Long lunch and collaboration"
        ]


def test_changing_the_schedule_from_the_first_date_changes_the_series_in_place(
    create_meetup, organizer, add_member
):
    meetup = create_meetup(spec=MONTHLY_2ND_TUESDAY)
    member = add_member()
    first = meetup.occurrences.order_by("start").first()
    services.rsvp_set(occurrence=first, member=member, going=True)
    last_friday = RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=4)

    target = services.meetup_reschedule(
        occurrence=first,
        by=organizer,
        schedule=make_schedule(spec=last_friday, start_date=first.local_start.date()),
        details={"title": "Long lunch (Fridays now)"},
    )

    assert target.pk == meetup.pk
    assert target.rrule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert target.title == "Long lunch (Fridays now)"
    dates = list(target.occurrences.order_by("start"))
    assert [o.original_start for o in dates] == target.expand(before=timezone.now() + HORIZON)
    assert all(
        o.local_start.weekday() == 4
        and o.local_start.month != (o.local_start + timedelta(days=7)).month
        for o in dates
    )
    assert RSVP.objects.get(member=member).occurrence_id == first.pk == dates[0].pk


def test_a_new_schedule_cannot_start_before_the_date_it_replaces(create_meetup, organizer):
    meetup = create_meetup(spec=WEEKLY_TUESDAY)
    second = meetup.occurrences.order_by("start")[1]
    too_early = make_schedule(spec=WEEKLY_TUESDAY, start_date=local_today() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.meetup_reschedule(occurrence=second, by=organizer, schedule=too_early, details={})


def test_updating_details_tells_people_going_and_more_seats_promote(
    series_with_people, organizer, task_queue
):
    meetup, second, (ann, ben, _cy) = series_with_people

    changed = services.meetup_update(
        meetup=meetup, by=organizer, details={"venue_name": "Pierce Middle", "capacity": 2}
    )
    task_queue.run_all()

    assert set(changed) == {"venue_name", "capacity"}
    assert RSVP.objects.get(occurrence=second, member=ben).status == RSVP.Status.GOING
    assert any("Pierce Middle" in m.body for m in emails_to(ann))
    assert any("You have a seat" in m.body for m in emails_to(ben))


def test_lowering_capacity_keeps_everyone_going(series_with_people, organizer, add_member):
    meetup, second, (_ann, _ben, _cy) = series_with_people
    services.meetup_update(meetup=meetup, by=organizer, details={"capacity": 5})
    extra = add_member()
    services.rsvp_set(occurrence=second, member=extra, going=True)

    services.meetup_update(meetup=meetup, by=organizer, details={"capacity": 1})

    assert RSVP.objects.filter(occurrence=second).going().count() == 3
    newcomer = add_member()
    assert services.rsvp_set(occurrence=second, member=newcomer, going=True).status == "waitlisted"


def test_expansion_equals_materialisation_after_exceptions(create_meetup, organizer):
    """Cancelling and moving never change which RECURRENCE-IDs exist."""
    meetup = create_meetup(spec=WEEKLY_TUESDAY)
    dates = list(meetup.occurrences.order_by("start"))
    services.occurrence_cancel(occurrence=dates[0], by=organizer)
    moved_to = dates[1].start + timedelta(hours=2)
    services.occurrence_move(
        occurrence=dates[1], by=organizer, start=moved_to, end=moved_to + timedelta(hours=1)
    )
    horizon = max(o.original_start for o in dates) + timedelta(seconds=1)

    expected = expand(dtstart=meetup.dtstart, rule=meetup.rrule, before=horizon)

    assert sorted(meetup.occurrences.values_list("original_start", flat=True)) == [
        s.astimezone(UTC) for s in expected
    ]
