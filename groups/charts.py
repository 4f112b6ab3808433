"""Pictures of meetups (kit/charts.py draws them): upcoming series by state, an organizer's
view of a series' last dates, and a member's credit month by month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from groups.models import Attendance, Meetup, Occurrence
from groups.querysets import Turnout, visibility_q
from kit import scopes
from kit.charts import Apart, BarChart, BarSeries, TileMap, format_number, grouped_bars, tile_map
from kit.pagecache import kept_figures

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SERIES = ("upcoming meetup", "upcoming meetups")
LAST_DATES = 12
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# --- upcoming meetups by state ------------------------------------------------------------------
def meetup_counts(request) -> dict[str, int]:
    """Series with a date to come by state, as "Upcoming meetups" lists them to this viewer;
    visitors and members see different groups (`visibility_q`), so each have their figures."""
    viewer = request.user
    # visibility_q narrows what visitors see (members see every group): Q() is falsy
    whose = "visitors" if visibility_q(viewer) else "members"
    return kept_figures(
        f"meetups:{whose}",
        lambda: Occurrence.objects.discoverable(viewer).series_count_by_state(),
        shows=[scopes.GROUPS],
    )


def meetups_map(counts: dict[str, int], *, selected: str = "") -> TileMap:
    address = reverse("groups:upcoming")
    return tile_map(
        counts,
        id="meetups-map",
        heading="Upcoming meetups by state",
        noun=SERIES,
        href=lambda code: f"{address}?{urlencode({'state': code})}",
        selected=selected,
        apart=[Apart("Groups outside the United States", counts.get("", 0))],
        note="A series that repeats counts once; online meetups count in their group’s state.",
    )


# --- an organizer's series chart ---------------------------------------------------------------
def series_chart(meetup: Meetup, *, now=None) -> BarChart | None:
    """The last dates of a series that have begun (this schedule and the one it continues):
    going, attended, the capacity, cancelled dates marked. None before the first date."""
    now = now or timezone.now()
    turnout = list(
        Occurrence.objects.filter(Q(meetup=meetup) | Q(meetup_id=meetup.split_from_id))
        .filter(start__lte=now)
        .with_turnout()
        .order_by("-start", "-pk")[:LAST_DATES]
    )[::-1]
    dates = cast("list[WithAnnotations[Occurrence, Turnout]]", turnout)  # with_turnout()
    if not dates:
        return None
    tz = meetup.tz
    labels = [f"{d.start.astimezone(tz):%-d %b}" for d in dates]
    held = [d for d in dates if not d.is_cancelled]
    cancelled = len(dates) - len(held)
    words = [f"The last {len(dates)} dates of this series."]
    if held:
        latest = held[-1]
        average = sum(d.attended_count for d in held) / len(held)
        words.append(
            f"On {latest.start.astimezone(tz):%-d %B %Y}, {latest.going_count} said they were "
            f"going and {latest.attended_count} attended; {format_number(round(average, 1))} "
            f"attended on average over the {len(held)} date{'s' if len(held) != 1 else ''} held."
        )
    if cancelled:
        words.append(f"{cancelled} date{'s were' if cancelled != 1 else ' was'} cancelled.")
    if meetup.capacity:
        words.append(f"Capacity: {meetup.capacity} seats.")
    return grouped_bars(
        id=f"series-{meetup.pk}",
        title=f"Going and attended, last {len(dates)} dates of {meetup.title}",
        description=" ".join(words),
        labels=labels,
        label_heading="Date",
        series=[
            BarSeries("Going", [d.going_count for d in dates], "outline"),
            BarSeries("Attended", [d.attended_count for d in dates], "solid"),
        ],
        notes=["cancelled" if d.is_cancelled else "" for d in dates],
        reference=("Capacity", meetup.capacity) if meetup.capacity else None,
    )


# --- a member's credit, month by month ---------------------------------------------------------
def credit_chart(member, *, today: date | None = None) -> BarChart:
    """Hours of credit per month, this year beside last year."""
    today = today or timezone.localdate()
    this_year, last_year = today.year, today.year - 1
    hours = Attendance.objects.filter(member=member).hours_by_local_month(
        since=date(last_year, 1, 1)
    )

    def year_of(year: int) -> list[Decimal | None]:
        return [
            hours.get(date(year, month, 1), Decimal(0))
            if (year, month) <= (today.year, today.month)
            else None
            for month in range(1, 13)
        ]

    previous, current = year_of(last_year), year_of(this_year)
    this_total = sum(v for v in current if v is not None)
    last_total = sum(v for v in previous if v is not None)
    same_time_last_year = sum(v for v in previous[: today.month] if v is not None)
    description = (
        f"{format_number(this_total)} hours so far in {this_year}, against "
        f"{format_number(same_time_last_year)} in the same months of {last_year} "
        f"({format_number(last_total)} in all of {last_year})."
    )
    return grouped_bars(
        id="credit-chart",
        title=f"Hours of credit per month, {last_year} and {this_year}",
        description=description,
        labels=MONTHS,
        label_heading="Month",
        series=[
            BarSeries(str(last_year), previous, "outline"),
            BarSeries(str(this_year), current, "solid"),
        ],
    )
