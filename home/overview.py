"""The community overview for staff (a page in the admin): what members did each week over
the last six months, and the directory entries waiting to be verified, by state.

Counted once, then kept for `KEPT_FOR`, and the page says when it was counted. Its eight
aggregates read six months of rows (about 0.6 s at 100,000 stories) and every comment, RSVP or
attendance moves what they count, so keeping it under the versions of what it shows
(kit/scopes.py) would drop it on nearly every view of a busy site. Keeping the weeks that
have ended and counting only this one was the other way: but ended weeks do change — an
organizer marks attendance days after the date (counted in the date's week), a story hidden
or an account deleted takes its rows out of past weeks — and the page would show those old
numbers without saying so. Here the numbers are at most `KEPT_FOR` old, the page says how old
("Counted at 14:25 UTC"), and a staff member who needs them exact now asks for a recount
(`forget_overview`, the page's "Count again now" button). They are kept in the default cache,
shared by every process, so a recount is what every process serves next, and keyed by the
first week shown, so a new week is counted at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cooperatives.charts import area_map
from cooperatives.models import Organisation
from groups.models import RSVP, Attendance
from kit.charts import LineChart, TileMap, format_number, line_chart
from stories.models import Comment, Story

WEEKS = 26
KEPT_FOR = timedelta(minutes=10)


@dataclass(frozen=True)
class Overview:
    weeks: list[date]
    charts: list[LineChart]
    verification_map: TileMap
    counted_at: datetime
    drawn_from: str  # a digest of the numbers the pictures draw: their drawing is kept under it

    @property
    def kept_for_minutes(self) -> int:
        return int(KEPT_FOR.total_seconds() // 60)

    @property
    def rows(self) -> list[tuple[date, list[int]]]:
        """The table: one row a week, one column a chart."""
        return [
            (week, [chart.values[i] for chart in self.charts]) for i, week in enumerate(self.weeks)
        ]


def first_week(today: date) -> date:
    """The Monday that starts the first of the `WEEKS` weeks ending with this one."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS - 1)


def weekly(queryset, field: str, since: datetime) -> dict[date, int]:
    """{Monday: how many rows have `field` in that week}: one aggregate over an index range."""
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .order_by()
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(n=Count("pk"))
    )
    return {timezone.localtime(row["week"]).date(): row["n"] for row in rows}


# (title, noun, rows, the field dating them)
MEASURES = [
    ("Members joined", "members joined", lambda: User.objects.all(), "date_joined"),
    ("Stories published", "stories published", lambda: Story.objects.published(), "published_at"),
    ("Comments", "comments", lambda: Comment.objects.all(), "created_at"),
    ("RSVPs", "RSVPs given", lambda: RSVP.objects.all(), "created_at"),
    (
        "Attendances",
        "attendances at meetups",
        lambda: Attendance.objects.all(),
        "occurrence__start",
    ),
]


def overview(*, today: date | None = None) -> Overview:
    """Counted now, from the database."""
    return _drawn(_counted(today or timezone.localdate()))


def kept_overview(*, now: datetime | None = None) -> Overview:
    """As counted at most `KEPT_FOR` ago (see the module's notes), else counted now."""
    now = now or timezone.now()
    key = _key(timezone.localdate(now))
    counts = cache.get(key)
    if counts is None or counts["counted_at"] <= now - KEPT_FOR:
        counts = _counted(timezone.localdate(now), now=now)
        cache.set(key, counts, KEPT_FOR.total_seconds())
    return _drawn(counts)


def forget_overview(*, today: date | None = None) -> None:
    """The next view counts afresh (a staff member's "Count again now")."""
    cache.delete(_key(today or timezone.localdate()))


def _key(today: date) -> str:
    # plain numbers, dates and a version here: a deploy that changes their shape names it anew
    return f"overview:v1:{first_week(today).isoformat()}"


def _counted(today: date, *, now: datetime | None = None) -> dict:
    """The numbers behind the page, as plain values that can be kept."""
    start = first_week(today)
    weeks = [start + timedelta(weeks=n) for n in range(WEEKS)]
    since = timezone.make_aware(datetime.combine(start, time.min))
    weekly_counts = []
    for _title, _noun, rows, field in MEASURES:
        counts = weekly(rows(), field, since)
        weekly_counts.append([counts.get(week, 0) for week in weeks])
    return {
        "counted_at": now or timezone.now(),
        "weeks": weeks,
        "weekly": weekly_counts,
        "flagged": Organisation.objects.filter(needs_verification=True).count_by_area(),
    }


def _drawn(counts: dict) -> Overview:
    weeks = counts["weeks"]
    labels = [f"{week:%-d %b}" for week in weeks]
    charts = [
        line_chart(
            id=f"overview-{number}",
            name=title,
            title=f"{title} per week, last {WEEKS} weeks",
            description=_in_words(noun, values, weeks),
            labels=labels,
            values=values,
        )
        for number, ((title, noun, _rows, _field), values) in enumerate(
            zip(MEASURES, counts["weekly"], strict=True)
        )
    ]
    admin_list = reverse("admin:cooperatives_organisation_changelist")
    return Overview(
        weeks=weeks,
        charts=charts,
        verification_map=area_map(
            counts["flagged"],
            id="verification-map",
            heading="Directory entries needing verification, by state",
            noun=("entry needing verification", "entries needing verification"),
            href=lambda area: (
                f"{admin_list}?" + urlencode({"needs_verification__exact": 1, "state": area})
            ),
        ),
        counted_at=counts["counted_at"],
        drawn_from=hashlib.blake2b(
            repr((weeks, counts["weekly"], sorted(counts["flagged"].items()))).encode(),
            digest_size=16,
        ).hexdigest(),
    )


def _in_words(noun: str, values: list[int], weeks: list[date]) -> str:
    total = sum(values)
    if not total:
        return f"No {noun} in the last {len(values)} weeks."
    busiest = max(range(len(values)), key=lambda i: (values[i], i))
    return (
        f"{format_number(total)} {noun} in the last {len(values)} weeks, "
        f"{format_number(values[-1])} this week; the busiest week began "
        f"{weeks[busiest]:%-d %B} ({format_number(values[busiest])})."
    )
