"""Expansion of RFC 5545 rules with dateutil, in the series' own time zone."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from groups.recurrence import (
    Ends,
    Repeat,
    RuleSpec,
    UnsupportedRule,
    build_rrule,
    describe,
    expand,
    first_date,
    nth_weekday_of,
    parse_rrule,
    with_until,
)

DETROIT = ZoneInfo("America/Detroit")
LONDON = ZoneInfo("Europe/London")
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def local(starts, tz):
    return [s.astimezone(tz).replace(tzinfo=None) for s in starts]


def test_monthly_second_tuesday_stays_at_noon_in_detroit_across_dst():
    dtstart = datetime(2027, 1, 12, 12, 0, tzinfo=DETROIT)
    rule = build_rrule(
        RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=1, week_of_month=2, ends=Ends.COUNT, count=12),
        tz=DETROIT,
    )

    starts = expand(dtstart=dtstart, rule=rule, before=FAR)

    assert rule == "FREQ=MONTHLY;BYDAY=2TU;COUNT=12"
    assert [s.date() for s in starts] == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13),
        date(2027, 5, 11), date(2027, 6, 8), date(2027, 7, 13), date(2027, 8, 10),
        date(2027, 9, 14), date(2027, 10, 12), date(2027, 11, 9), date(2027, 12, 14),
    ]  # fmt: skip
    assert {s.astimezone(DETROIT).time() for s in starts} == {time(12, 0)}
    # the UTC instant moves with daylight saving time, the wall time does not
    assert starts[0].astimezone(UTC).hour == 17  # EST, UTC-5
    assert starts[6].astimezone(UTC).hour == 16  # EDT, UTC-4
    # DST starts on 14 March 2027 in the US: the 9 March lunch is still on EST
    assert starts[2].astimezone(UTC).hour == 17
    assert starts[3].astimezone(UTC).hour == 16


def test_london_evening_meetup_keeps_local_time_across_bst():
    dtstart = datetime(2027, 3, 18, 18, 30, tzinfo=LONDON)
    rule = build_rrule(RuleSpec(repeat=Repeat.WEEKLY, weekday=3), tz=LONDON)

    starts = expand(dtstart=dtstart, rule=rule, before=datetime(2027, 4, 9, tzinfo=UTC))

    assert rule == "FREQ=WEEKLY;BYDAY=TH"
    assert local(starts, LONDON) == [
        datetime(2027, 3, 18, 18, 30),
        datetime(2027, 3, 25, 18, 30),  # BST began on Sunday 28 March 2027
        datetime(2027, 4, 1, 18, 30),
        datetime(2027, 4, 8, 18, 30),
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [18, 18, 17, 17]


def test_last_friday_of_each_month():
    rule = build_rrule(RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=4), tz=DETROIT)
    dtstart = datetime(2027, 1, 29, 15, 0, tzinfo=DETROIT)

    starts = expand(dtstart=dtstart, rule=rule, before=datetime(2027, 6, 1, tzinfo=UTC))

    assert rule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert [s.date() for s in starts] == [
        date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30),
        date(2027, 5, 28),
    ]  # fmt: skip


def test_every_other_thursday():
    rule = build_rrule(RuleSpec(repeat=Repeat.BIWEEKLY, weekday=3), tz=DETROIT)
    dtstart = datetime(2027, 1, 7, 16, 0, tzinfo=DETROIT)

    starts = expand(dtstart=dtstart, rule=rule, before=datetime(2027, 3, 1, tzinfo=UTC))

    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert [s.date() for s in starts] == [
        date(2027, 1, 7), date(2027, 1, 21), date(2027, 2, 4), date(2027, 2, 18),
    ]  # fmt: skip
    assert all(b - a == timedelta(weeks=2) for a, b in itertools.pairwise(starts))


def test_yearly_on_the_same_date():
    rule = build_rrule(RuleSpec(repeat=Repeat.YEARLY, ends=Ends.COUNT, count=3), tz=DETROIT)
    dtstart = datetime(2027, 11, 11, 8, 30, tzinfo=ZoneInfo("America/Chicago"))

    starts = expand(dtstart=dtstart, rule=rule, before=FAR)

    assert [s.date() for s in starts] == [
        date(2027, 11, 11),
        date(2028, 11, 11),
        date(2029, 11, 11),
    ]


def test_until_includes_the_whole_last_local_day():
    spec = RuleSpec(repeat=Repeat.WEEKLY, weekday=1, ends=Ends.UNTIL, until=date(2027, 2, 2))
    rule = build_rrule(spec, tz=DETROIT)
    # an evening meetup on the last day is after midnight UTC, and still included
    dtstart = datetime(2027, 1, 19, 19, 0, tzinfo=DETROIT)

    starts = expand(dtstart=dtstart, rule=rule, before=FAR)

    assert rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270203T045959Z"
    assert [s.date() for s in starts] == [date(2027, 1, 19), date(2027, 1, 26), date(2027, 2, 2)]


def test_count_limits_the_series():
    rule = build_rrule(
        RuleSpec(repeat=Repeat.WEEKLY, weekday=0, ends=Ends.COUNT, count=2), tz=LONDON
    )
    starts = expand(dtstart=datetime(2027, 1, 4, 9, 0, tzinfo=LONDON), rule=rule, before=FAR)
    assert len(starts) == 2


def test_one_off_meetup_has_one_date():
    dtstart = datetime(2027, 5, 5, 10, 0, tzinfo=DETROIT)
    assert expand(dtstart=dtstart, rule="", before=FAR) == [dtstart]
    assert expand(dtstart=dtstart, rule="", before=dtstart) == []


def test_expand_window_is_half_open():
    rule = "FREQ=WEEKLY;BYDAY=MO"
    dtstart = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)
    after = datetime(2027, 1, 11, 9, 0, tzinfo=LONDON)
    before = datetime(2027, 1, 25, 9, 0, tzinfo=LONDON)

    starts = expand(dtstart=dtstart, rule=rule, after=after, before=before)

    assert [s.date() for s in starts] == [date(2027, 1, 11), date(2027, 1, 18)]


def test_expand_refuses_a_naive_start():
    with pytest.raises(ValueError, match="aware"):
        expand(dtstart=datetime(2027, 1, 1, 9, 0), rule="FREQ=WEEKLY", before=FAR)


@pytest.mark.parametrize(
    "spec",
    [
        RuleSpec(),
        RuleSpec(repeat=Repeat.WEEKLY, weekday=2),
        RuleSpec(repeat=Repeat.BIWEEKLY, weekday=3, ends=Ends.COUNT, count=10),
        RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=1, week_of_month=2),
        RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=4, ends=Ends.UNTIL, until=date(2027, 6, 30)),
        RuleSpec(repeat=Repeat.YEARLY, ends=Ends.UNTIL, until=date(2030, 12, 31)),
    ],
)
def test_rules_read_back_into_the_form_choices(spec):
    for tz in (DETROIT, LONDON):
        assert parse_rrule(build_rrule(spec, tz=tz), tz=tz) == spec


def test_rules_the_form_cannot_show_are_reported():
    with pytest.raises(UnsupportedRule):
        parse_rrule("FREQ=DAILY;INTERVAL=3", tz=DETROIT)


def test_with_until_replaces_count_with_the_end_of_a_local_day():
    rule = with_until("FREQ=MONTHLY;BYDAY=2TU;COUNT=10", date(2027, 6, 30), tz=LONDON)
    assert rule == "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T225959Z"


@pytest.mark.parametrize(
    ("spec", "on_or_after", "expected"),
    [
        (RuleSpec(repeat=Repeat.WEEKLY, weekday=3), date(2027, 1, 4), date(2027, 1, 7)),
        (RuleSpec(repeat=Repeat.WEEKLY, weekday=0), date(2027, 1, 4), date(2027, 1, 4)),
        (
            RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=1, week_of_month=2),
            date(2027, 1, 13),
            date(2027, 2, 9),
        ),
        (RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=4), date(2027, 1, 1), date(2027, 1, 29)),
        (RuleSpec(repeat=Repeat.YEARLY), date(2027, 11, 11), date(2027, 11, 11)),
        (RuleSpec(), date(2027, 3, 3), date(2027, 3, 3)),
    ],
)
def test_first_date_fits_the_pattern(spec, on_or_after, expected):
    assert first_date(spec, on_or_after) == expected


def test_nth_weekday_of_a_date():
    assert nth_weekday_of(date(2027, 1, 12)) == 2
    assert nth_weekday_of(date(2027, 3, 30)) == 5


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("", "Once"),
        ("FREQ=WEEKLY;BYDAY=TH", "Every week on Thursday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "Every other week on Thursday"),
        ("FREQ=MONTHLY;BYDAY=2TU", "Every month on the second Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", "Every month on the last Friday, 6 times"),
        ("FREQ=YEARLY;UNTIL=20300101T045959Z", "Every year on 11 November, until 31 December 2029"),
        ("FREQ=DAILY", "Repeats on a custom schedule"),
    ],
)
def test_rules_are_described_for_people(rule, text):
    assert describe(rule, dtstart=datetime(2027, 11, 11, 12, 0, tzinfo=DETROIT)) == text
