"""The community overview for staff (a page in the admin): what members did each week over
the last six months, and the directory entries waiting to be verified, by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class Overview:
    weeks: list[date]
    charts: list[LineChart]
    verification_map: TileMap

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
    today = today or timezone.localdate()
    start = first_week(today)
    weeks = [start + timedelta(weeks=n) for n in range(WEEKS)]
    since = timezone.make_aware(datetime.combine(start, time.min))
    labels = [f"{week:%-d %b}" for week in weeks]
    charts = []
    for number, (title, noun, rows, field) in enumerate(MEASURES):
        counts = weekly(rows(), field, since)
        values = [counts.get(week, 0) for week in weeks]
        charts.append(
            line_chart(
                id=f"overview-{number}",
                name=title,
                title=f"{title} per week, last {WEEKS} weeks",
                description=_in_words(noun, values, weeks),
                labels=labels,
                values=values,
            )
        )
    admin_list = reverse("admin:cooperatives_organisation_changelist")
    flagged = Organisation.objects.filter(needs_verification=True).count_by_area()
    return Overview(
        weeks=weeks,
        charts=charts,
        verification_map=area_map(
            flagged,
            id="verification-map",
            heading="Directory entries needing verification, by state",
            noun=("entry needing verification", "entries needing verification"),
            href=lambda area: (
                f"{admin_list}?" + urlencode({"needs_verification__exact": 1, "state": area})
            ),
        ),
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
