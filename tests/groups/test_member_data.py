"""Export and erase a member's groups data when they delete their account."""

import json

import pytest

from groups import member_data, services
from groups.models import RSVP, CalendarToken, Group, Meetup, Membership, SeriesRSVP
from groups.recurrence import Repeat, RuleSpec
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.groups.conftest import make_details, make_schedule

pytestmark = pytest.mark.django_db

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=4)


def test_export_lists_memberships_rsvps_and_series(group, organizer, create_meetup, add_member):
    meetup = create_meetup(spec=WEEKLY, title="Long lunch")
    member = add_member()
    services.series_rsvp_set(meetup=meetup, member=member, going=True)
    services.calendar_token_reset(member=member)

    data = member_data.export(member)

    json.dumps(data)  # serialisable as it is
    assert [m["group"] for m in data["group_memberships"]] == [group.name]
    assert len(data["meetup_rsvps"]) == meetup.occurrences.count()
    assert {r["meetup"] for r in data["meetup_rsvps"]} == {"Long lunch"}
    assert data["series_rsvps"][0]["meetup"] == "Long lunch"
    assert data["has_private_calendar_address"] is True
    assert member_data.export(organizer)["meetups_created"][0]["meetup"] == "Long lunch"


def test_erase_removes_everything_and_gives_seats_to_people_waiting(
    group, create_meetup, add_member, task_queue
):
    meetup = create_meetup(spec=WEEKLY, capacity=1)
    leaving, waiting = add_member(), add_member()
    services.series_rsvp_set(meetup=meetup, member=leaving, going=True)
    services.series_rsvp_set(meetup=meetup, member=waiting, going=True)
    services.calendar_token_reset(member=leaving)

    member_data.erase(leaving, keep_content=True)
    task_queue.run_all()

    for model in (RSVP, SeriesRSVP, Membership, CalendarToken):
        assert not model.objects.filter(member=leaving).exists()
    assert set(RSVP.objects.filter(member=waiting).values_list("status", flat=True)) == {"going"}


def test_a_group_organized_alone_goes_to_its_longest_standing_member(organizer):
    group = GroupFactory(organizer=organizer)
    first = MembershipFactory(group=group)
    MembershipFactory(group=group)
    # joined earlier, but still only asking: not a member yet
    MembershipFactory(group=group, status=Membership.Status.PENDING)
    Membership.objects.filter(pk=first.pk).update(joined_at=first.joined_at.replace(year=2020))

    summary = member_data.erase(organizer, keep_content=False)

    assert summary["handed_over"] == 1
    assert list(Membership.objects.organizers().filter(group=group)) == [
        Membership.objects.get(pk=first.pk)
    ]


def test_groups_with_other_organizers_are_left_to_them(organizer, add_member, group):
    co = add_member()
    Membership.objects.filter(group=group, member=co).update(role=Membership.Role.ORGANIZER)
    other = add_member()

    member_data.erase(organizer, keep_content=False)

    assert set(
        Membership.objects.organizers().filter(group=group).values_list("member", flat=True)
    ) == {co.pk}
    assert Membership.objects.get(group=group, member=other).role == Membership.Role.MEMBER


@pytest.mark.parametrize(("keep_content", "kept"), [(True, True), (False, False)])
def test_a_group_with_nobody_else_is_kept_or_deleted_with_the_content(keep_content, kept):
    alone = UserFactory()
    group = services.group_create(by=alone, name="Solo circle")
    services.meetup_create(group=group, by=alone, schedule=make_schedule(), details=make_details())

    summary = member_data.erase(alone, keep_content=keep_content)

    assert Group.objects.filter(pk=group.pk).exists() is kept
    assert Meetup.objects.filter(group_id=group.pk).exists() is kept
    assert summary["groups_deleted"] == (0 if kept else 1)
    if kept:
        assert Meetup.objects.get(group=group).created_by is None
