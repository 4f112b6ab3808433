"""The friendly schedule form builds RFC 5545 rules; nobody types RRULE text."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from groups.forms import GroupForm, ScheduleForm

DETROIT = ZoneInfo("America/Detroit")


def today():
    return timezone.now().astimezone(DETROIT).date()


def next_weekday(weekday, *, after_days=1):
    day = today() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def schedule_form(**overrides):
    data = {
        "starts_on": next_weekday(1).isoformat(),
        "start_time": "12:00",
        "end_time": "13:30",
        "timezone": "America/Detroit",
        "repeat": "once",
        "weekday": "",
        "week_of_month": "",
        "ends": "never",
        "until": "",
        "count": "",
        **overrides,
    }
    return ScheduleForm(data)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({}, ""),
        ({"repeat": "weekly"}, "FREQ=WEEKLY;BYDAY=TU"),
        ({"repeat": "weekly", "weekday": "3"}, "FREQ=WEEKLY;BYDAY=TH"),
        ({"repeat": "biweekly", "weekday": "3"}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ({"repeat": "monthly_nth", "weekday": "1", "week_of_month": "2"}, "FREQ=MONTHLY;BYDAY=2TU"),
        ({"repeat": "monthly_last", "weekday": "4"}, "FREQ=MONTHLY;BYDAY=-1FR"),
        ({"repeat": "yearly"}, "FREQ=YEARLY"),
        ({"repeat": "weekly", "ends": "count", "count": "6"}, "FREQ=WEEKLY;BYDAY=TU;COUNT=6"),
        # a one-off has no end to choose
        ({"ends": "count", "count": "6"}, ""),
    ],
)
def test_choices_become_a_rule(overrides, rule):
    form = schedule_form(**overrides)
    assert form.is_valid(), form.errors
    assert form.schedule.rrule == rule
    assert form.schedule.duration == timedelta(minutes=90)


def test_the_first_date_moves_to_the_first_that_fits_the_pattern():
    tuesday = next_weekday(1)
    form = schedule_form(starts_on=tuesday.isoformat(), repeat="weekly", weekday="3")

    assert form.is_valid(), form.errors
    assert form.schedule.start_date == tuesday + timedelta(days=2)


def test_an_end_date_before_the_first_meetup_is_refused():
    tuesday = next_weekday(1)
    form = schedule_form(
        starts_on=tuesday.isoformat(),
        repeat="weekly",
        weekday="4",
        ends="until",
        until=(tuesday + timedelta(days=1)).isoformat(),
    )
    assert not form.is_valid()
    assert "The first meetup would be on" in form.errors["until"][0]


def test_until_is_written_in_utc_for_the_end_of_the_local_day():
    until = next_weekday(1) + timedelta(weeks=4)
    form = schedule_form(repeat="weekly", ends="until", until=until.isoformat())
    assert form.is_valid(), form.errors
    assert form.schedule.rrule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")
    assert form.schedule.rrule.endswith("Z")


def test_a_start_time_already_passed_today_is_refused():
    # Detroit and Tokyo are 13–14 hours apart: in one of them midnight is long gone
    zone = next(
        name
        for name in ("America/Detroit", "Asia/Tokyo")
        if timezone.now().astimezone(ZoneInfo(name)).hour >= 1
    )
    local_today = timezone.now().astimezone(ZoneInfo(zone)).date()
    form = schedule_form(
        starts_on=local_today.isoformat(), start_time="00:00", end_time="00:30", timezone=zone
    )
    assert not form.is_valid()
    assert "already passed" in form.errors["start_time"][0]


@pytest.mark.django_db
def test_the_group_form_accepts_state_names_and_codes():
    data = {
        "name": "Metro dinner",
        "country": "US",
        "visibility": "public",
        "join_policy": "open",
    }
    assert GroupForm({**data, "state": "kansas"}).is_valid()
    form = GroupForm({**data, "state": "ks"})
    assert form.is_valid()
    assert form.cleaned_data["state"] == "KS"
    assert GroupForm({**data, "country": "GB", "state": "Yorkshire"}).is_valid()
