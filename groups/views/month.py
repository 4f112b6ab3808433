"""A server-rendered month calendar of meetups, overall and per group."""

import calendar
from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_safe

from config.pagecache import for_visitors
from groups.models import Occurrence
from groups.permissions import viewable_group

WEEK = calendar.Calendar(firstweekday=calendar.SUNDAY)
DAY_NAMES = [("Sunday", "Sun")] + [(calendar.day_name[i], calendar.day_abbr[i]) for i in range(6)]


def _month(request) -> date:
    value = request.GET.get("month", "")
    if not value:
        today = timezone.localdate()
        return today.replace(day=1)
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise Http404("No such month.") from error
    if not 2000 <= first.year <= 2100:
        raise Http404("No such month.")
    return first


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _render(request, *, dates, group=None):
    first = _month(request)
    after = _shift(first, 1)
    # a day of slack either side: each date is placed on its own local day below
    tz = timezone.get_current_timezone()
    window_start = datetime.combine(first - timedelta(days=1), time.min, tzinfo=tz)
    window_end = datetime.combine(after + timedelta(days=1), time.min, tzinfo=tz)
    by_day: dict[date, list] = {}
    for occurrence in (
        dates.filter(start__gte=window_start, start__lt=window_end)
        .select_related("meetup__group")
        .defer("meetup__description", "meetup__group__description")
        .order_by("start", "pk")
    ):
        local = occurrence.local_start
        if local.year == first.year and local.month == first.month:
            by_day.setdefault(local.date(), []).append(
                {
                    "occurrence": occurrence,
                    "title": occurrence.meetup.title,
                    "day_label": date_format(local, "l j F"),
                    "time": date_format(local, "H:i"),
                }
            )
    weeks = [
        [
            {"day": day, "in_month": day.month == first.month, "events": by_day.get(day, [])}
            for day in week
        ]
        for week in WEEK.monthdatescalendar(first.year, first.month)
    ]
    return render(
        request,
        "groups/month.html",
        {
            "group": group,
            "first": first,
            "weeks": weeks,
            "day_names": DAY_NAMES,
            "previous": _shift(first, -1),
            "next": after,
            "today": timezone.localdate(),
            "count": sum(len(v) for v in by_day.values()),
        },
    )


@require_safe
@for_visitors
def month_all(request):
    return _render(
        request,
        dates=Occurrence.objects.visible_to(request.user).exclude(meetup__needs_confirmation=True),
    )


@require_safe
@for_visitors
def month_group(request, slug):
    group = viewable_group(request, slug)
    return _render(request, dates=Occurrence.objects.filter(meetup__group=group), group=group)
