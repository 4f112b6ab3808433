"""RFC 5545 recurrence for meetups: build a rule from friendly choices, read it back, describe it
and expand it with python-dateutil.

A series is stored as its first start in local wall time (a date, a time and an IANA time zone)
plus an RRULE. Expanding from an aware DTSTART whose tzinfo is a `ZoneInfo` keeps the wall time:
dateutil builds each occurrence as `datetime.combine(day, time(tzinfo=zone))`, so a 12:00
America/Detroit lunch is 12:00 local in January (17:00 UTC) and in July (16:00 UTC).

UNTIL is written in UTC (RFC 5545 §3.3.10 requires it when DTSTART has a TZID) and always marks
the end of a local day, so "until 30 June" round-trips through the form without surprises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.db import models
from django.utils.dateformat import format as date_format

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
UNTIL_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_COUNT = 520


class Repeat(models.TextChoices):
    ONCE = "once", "Doesn’t repeat (a one-off meetup)"
    WEEKLY = "weekly", "Every week"
    BIWEEKLY = "biweekly", "Every other week"
    MONTHLY_NTH = "monthly_nth", "Every month on a weekday (for example the second Tuesday)"
    MONTHLY_LAST = "monthly_last", "Every month on the last weekday (for example the last Friday)"
    YEARLY = "yearly", "Every year on the same date"


class Ends(models.TextChoices):
    NEVER = "never", "Keeps going until changed"
    UNTIL = "until", "On a date"
    COUNT = "count", "After a number of meetups"


class UnsupportedRule(ValueError):
    """A rule the friendly form cannot show (only rules this module builds are expected)."""


@dataclass(frozen=True)
class RuleSpec:
    """The friendly form's choices; `build_rrule` turns them into RRULE text."""

    repeat: str = Repeat.ONCE
    weekday: int | None = None  # 0 = Monday
    week_of_month: int | None = None  # 1..4, for MONTHLY_NTH
    ends: str = Ends.NEVER
    until: date | None = None  # local date, inclusive
    count: int | None = None


def until_instant(day: date, tz: ZoneInfo) -> datetime:
    """The last second of `day` in `tz`, in UTC: the UNTIL that includes the whole local day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def rule_parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)


def _join(parts: dict[str, str]) -> str:
    order = ["FREQ", "INTERVAL", "BYMONTH", "BYDAY", "UNTIL", "COUNT"]
    keys = sorted(parts, key=lambda key: order.index(key) if key in order else len(order))
    return ";".join(f"{key}={parts[key]}" for key in keys)


def build_rrule(spec: RuleSpec, *, tz: ZoneInfo) -> str:
    """RRULE text (without the `RRULE:` prefix) for `spec`; "" for a one-off meetup."""
    if spec.repeat == Repeat.ONCE:
        return ""
    parts: dict[str, str] = {}
    if spec.repeat in (Repeat.WEEKLY, Repeat.BIWEEKLY):
        parts["FREQ"] = "WEEKLY"
        if spec.repeat == Repeat.BIWEEKLY:
            parts["INTERVAL"] = "2"
        parts["BYDAY"] = WEEKDAY_CODES[_weekday(spec)]
    elif spec.repeat == Repeat.MONTHLY_NTH:
        if spec.week_of_month not in (1, 2, 3, 4):
            raise ValueError("week_of_month must be 1 to 4")
        parts["FREQ"] = "MONTHLY"
        parts["BYDAY"] = f"{spec.week_of_month}{WEEKDAY_CODES[_weekday(spec)]}"
    elif spec.repeat == Repeat.MONTHLY_LAST:
        parts["FREQ"] = "MONTHLY"
        parts["BYDAY"] = f"-1{WEEKDAY_CODES[_weekday(spec)]}"
    elif spec.repeat == Repeat.YEARLY:
        parts["FREQ"] = "YEARLY"
    else:
        raise ValueError(f"unknown repeat {spec.repeat!r}")
    if spec.ends == Ends.UNTIL:
        if spec.until is None:
            raise ValueError("until is required")
        parts["UNTIL"] = until_instant(spec.until, tz).strftime(UNTIL_FORMAT)
    elif spec.ends == Ends.COUNT:
        if not spec.count or spec.count < 1:
            raise ValueError("count must be positive")
        parts["COUNT"] = str(spec.count)
    return _join(parts)


def _weekday(spec: RuleSpec) -> int:
    if spec.weekday is None or not 0 <= spec.weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    return spec.weekday


BYDAY_RE = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


def parse_rrule(rule: str, *, tz: ZoneInfo, dtstart: datetime | None = None) -> RuleSpec:
    """Read a rule built by `build_rrule` back into the form's choices.

    A weekly rule without BYDAY repeats on DTSTART's weekday (RFC 5545 §3.3.10): given
    `dtstart`, "FREQ=WEEKLY" reads as every week on that day."""
    if not rule:
        return RuleSpec()
    parts = rule_parts(rule)
    freq = parts.get("FREQ")
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError as error:
        raise UnsupportedRule(rule) from error
    match = BYDAY_RE.match(parts.get("BYDAY", ""))
    nth = int(match.group(1)) if match and match.group(1) else None
    weekday = WEEKDAY_CODES.index(match.group(2)) if match else None
    has_day = match is not None
    if freq == "WEEKLY" and dtstart is not None and not parts.keys() & EXPANDING_PARTS:
        has_day, weekday = True, dtstart.weekday()  # the day is DTSTART's
    if freq == "WEEKLY" and interval in (1, 2) and has_day and nth is None:
        repeat = Repeat.WEEKLY if interval == 1 else Repeat.BIWEEKLY
        spec = RuleSpec(repeat=repeat, weekday=weekday)
    elif freq == "MONTHLY" and interval == 1 and has_day and nth in (1, 2, 3, 4):
        spec = RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=weekday, week_of_month=nth)
    elif freq == "MONTHLY" and interval == 1 and has_day and nth == -1:
        spec = RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=weekday)
    elif freq == "YEARLY" and interval == 1 and not parts.keys() & EXPANDING_PARTS:
        spec = RuleSpec(repeat=Repeat.YEARLY)
    else:
        raise UnsupportedRule(rule)
    return _replace(spec, **_ending(parts, rule=rule, tz=tz))


# parts that add dates to what FREQ and DTSTART alone give
EXPANDING_PARTS = {"BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS"}
UNTIL_FORMATS = (UNTIL_FORMAT, "%Y%m%dT%H%M%S", "%Y%m%d")  # UTC, floating, a date (old data)


def _ending(parts: dict[str, str], *, rule: str, tz: ZoneInfo) -> dict:
    if "UNTIL" in parts:
        for form in UNTIL_FORMATS:
            try:
                # only its date is kept; the UTC form is made aware below
                until = datetime.strptime(parts["UNTIL"], form)  # noqa: DTZ007
            except ValueError:
                continue
            if form == UNTIL_FORMAT:
                until = until.replace(tzinfo=UTC).astimezone(tz)
            return {"ends": Ends.UNTIL, "until": until.date()}
        raise UnsupportedRule(rule)
    if "COUNT" in parts:
        try:
            return {"ends": Ends.COUNT, "count": int(parts["COUNT"])}
        except ValueError as error:
            raise UnsupportedRule(rule) from error
    return {}


def closest_spec(rule: str, *, tz: ZoneInfo, dtstart: datetime, on: date) -> tuple[RuleSpec, bool]:
    """The form's choices for `rule` and whether they say exactly the same thing. A rule the form
    cannot show (made in the admin or by older code, such as "FREQ=MONTHLY;BYMONTHDAY=15") gets
    the nearest choice for its frequency, with the weekday and week of `on` (the first date the
    form shows) and the rule's own end, so the form always opens filled in."""
    try:
        return parse_rrule(rule, tz=tz, dtstart=dtstart), True
    except UnsupportedRule:
        pass
    parts = rule_parts(rule)
    freq = parts.get("FREQ")
    weekday = on.weekday()
    if freq == "MONTHLY":
        week = nth_weekday_of(on)
        spec = (
            RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=weekday, week_of_month=week)
            if week <= 4
            else RuleSpec(repeat=Repeat.MONTHLY_LAST, weekday=weekday)
        )
    elif freq == "YEARLY":
        spec = RuleSpec(repeat=Repeat.YEARLY)
    else:  # weekly on several days, daily, every third week…: weekly on the first date's day
        spec = RuleSpec(repeat=Repeat.WEEKLY, weekday=weekday)
    try:
        ending = _ending(parts, rule=rule, tz=tz)
    except UnsupportedRule:
        ending = {}
    return _replace(spec, **ending), False


def _replace(spec: RuleSpec, **changes) -> RuleSpec:
    return RuleSpec(**{**spec.__dict__, **changes})


def without_end(rule: str) -> str:
    parts = rule_parts(rule)
    parts.pop("UNTIL", None)
    parts.pop("COUNT", None)
    return _join(parts)


def with_until(rule: str, until: date, *, tz: ZoneInfo) -> str:
    """`rule` ending on the local date `until` (inclusive); COUNT, if any, is replaced."""
    parts = rule_parts(without_end(rule))
    parts["UNTIL"] = until_instant(until, tz).strftime(UNTIL_FORMAT)
    return _join(parts)


def first_date(spec: RuleSpec, on_or_after: date) -> date:
    """The first date that fits the pattern on or after `on_or_after` (DTSTART must fit its own
    rule, or calendar programs and dateutil disagree about the first occurrence)."""
    if spec.repeat in (Repeat.ONCE, Repeat.YEARLY):
        return on_or_after
    rule = without_end(build_rrule(_replace(spec, ends=Ends.NEVER), tz=ZoneInfo("UTC")))
    start = datetime.combine(on_or_after, time(0))
    first = rrulestr(rule, dtstart=start).after(start, inc=True)
    if first is None:  # a pattern no date fits
        raise UnsupportedRule(rule)
    return first.date()


def nth_weekday_of(day: date) -> int:
    """1 for the first Tuesday of its month, 2 for the second…, 5 for a fifth."""
    return (day.day - 1) // 7 + 1


def is_last_weekday_of_month(day: date) -> bool:
    return (day + timedelta(days=7)).month != day.month


def expand(
    *, dtstart: datetime, rule: str, before: datetime, after: datetime | None = None
) -> list[datetime]:
    """Starts of the occurrences in [after, before), as aware datetimes in DTSTART's zone.

    `dtstart` must be aware with a `ZoneInfo` tzinfo; a one-off meetup (empty rule) has one.
    """
    if dtstart.tzinfo is None:
        raise ValueError("dtstart must be timezone-aware")
    lower = after if after is not None else dtstart
    if not rule:
        return [dtstart] if lower <= dtstart < before else []
    recurrence = rrulestr(rule, dtstart=dtstart, cache=False)
    return [start for start in recurrence.between(lower, before, inc=True) if start < before]


def describe(rule: str, *, dtstart: datetime) -> str:
    """A sentence for people: "Every month on the second Tuesday, until 30 June 2027"."""
    tz = dtstart.tzinfo if isinstance(dtstart.tzinfo, ZoneInfo) else ZoneInfo("UTC")
    try:
        spec = parse_rrule(rule, tz=tz, dtstart=dtstart)
    except UnsupportedRule:
        return "Repeats on a custom schedule"
    day = WEEKDAY_NAMES[spec.weekday] if spec.weekday is not None else ""
    if spec.repeat == Repeat.ONCE:
        return "Once"
    if spec.repeat == Repeat.WEEKLY:
        text = f"Every week on {day}"
    elif spec.repeat == Repeat.BIWEEKLY:
        text = f"Every other week on {day}"
    elif spec.repeat == Repeat.MONTHLY_NTH:
        # a MONTHLY_NTH spec has its week (RuleSpec says which it needs)
        text = f"Every month on the {ORDINALS[cast(int, spec.week_of_month)]} {day}"
    elif spec.repeat == Repeat.MONTHLY_LAST:
        text = f"Every month on the last {day}"
    else:
        text = f"Every year on {date_format(dtstart, 'j F')}"
    if spec.ends == Ends.UNTIL and spec.until is not None:
        text += f", until {date_format(spec.until, 'j F Y')}"
    elif spec.ends == Ends.COUNT:
        text += f", {spec.count} times" if spec.count != 1 else ", once"
    return text
