from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from groups.models import Membership
from groups.recurrence import RuleSpec, build_rrule, first_date
from groups.services import Schedule, meetup_create
from tests.factories import GroupFactory, MembershipFactory, UserFactory

DETROIT = "America/Detroit"


def local_today(tz: str = DETROIT) -> date:
    return timezone.now().astimezone(ZoneInfo(tz)).date()


def make_schedule(
    *,
    start_date: date | None = None,
    start_time: time = time(12, 0),
    minutes: int = 90,
    tz: str = DETROIT,
    spec: RuleSpec | None = None,
) -> Schedule:
    """A schedule whose first date fits its rule, from `start_date` (default: in 8 days)."""
    spec = spec or RuleSpec()
    start_date = first_date(spec, start_date or local_today(tz) + timedelta(days=8))
    return Schedule(
        start_date=start_date,
        start_time=start_time,
        duration=timedelta(minutes=minutes),
        timezone=tz,
        rrule=build_rrule(spec, tz=ZoneInfo(tz)),
    )


def make_details(**overrides) -> dict:
    return {
        "title": "Long lunch and collaboration",
        "description": "Bring a lesson that worked.",
        "venue_kind": "in_person",
        "venue_name": "Central Library",
        "address": "1 Main Street",
        "accessibility_notes": "",
        "online_url": "",
        "cost_note": "",
        "capacity": None,
        "rsvp_deadline_hours": 0,
        "pd_credit_hours": Decimal("0"),
        **overrides,
    }


@pytest.fixture
def organizer(db):
    return UserFactory(display_name="Olive Organizer")


@pytest.fixture
def group(organizer):
    return GroupFactory(organizer=organizer, name="Middle school librarians – long lunch")


@pytest.fixture
def add_member(group):
    def add(target_group=None, **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(group=target_group or group, member=user)
        return user

    return add


@pytest.fixture
def create_meetup(group, organizer):
    """`create_meetup(spec=…, capacity=…)`: a meetup made through the service."""

    def create(*, spec=None, schedule=None, target_group=None, by=None, **details):
        return meetup_create(
            group=target_group or group,
            by=by or organizer,
            schedule=schedule or make_schedule(spec=spec),
            details=make_details(**details),
        )

    return create


def is_organizer(group, user) -> bool:
    return Membership.objects.organizers().filter(group=group, member=user).exists()
