"""A server-rendered month calendar of meetups, overall and per group."""

import calendar
from datetime import date, datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_safe

from groups.forms import DiscoveryForm
from groups.models import Occurrence
from groups.permissions import viewable_group
from kit.pagecache import kept_until_change
from kit.scopes import GROUPS

# dates shown in one day of the overall calendar; the rest are one "n more on <day>" link away
PER_DAY = 4

WEEK = calendar.Calendar(firstweekday=calendar.SUNDAY)
DAY_NAMES = [("Sunday", "Sun")] + [(calendar.day_name[i], calendar.day_abbr[i]) for i in range(6)]


def _month(request) -> date:
    value = request.GET.get("month", "")
    if not value:
        today = timezone.localdate()
        return today.replace(day=1)
    try:
        first = datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 — only its date is kept
    except ValueError as error:
        raise Http404("No such month.") from error
    if not 2000 <= first.year <= 2100:
        raise Http404("No such month.")
    return first


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _render(request, *, dates, group=None, form=None, per_day=None):
    first = _month(request)
    after = _shift(first, 1)
    by_day: dict[date, list] = {}
    totals: dict[date, int] = {}
    for occurrence in (
        dates.on_local_days(first, after)
        .first_per_day(per_day)
        .select_related("meetup__group")
        .defer("meetup__description", "meetup__group__description")
    ):
        local = occurrence.local_start
        day = occurrence.local_day
        totals[day] = occurrence.day_total
        by_day.setdefault(day, []).append(
            {
                "occurrence": occurrence,
                "title": occurrence.meetup.title,
                "day_label": date_format(local, "l j F"),
                "time": date_format(local, "H:i"),
            }
        )
    # the filters (not the month, nor a page or day) go along on every link of the page
    query = request.GET.copy()
    for key in ("month", "page", "on"):
        query.pop(key, None)
    filter_query = query.urlencode()
    weeks = [
        [
            {
                "day": day,
                "in_month": day.month == first.month,
                "events": by_day.get(day, []),
                "more": totals.get(day, 0) - len(by_day.get(day, [])),
            }
            for day in week
        ]
        for week in WEEK.monthdatescalendar(first.year, first.month)
    ]
    return render(
        request,
        "groups/month.html",
        {
            "group": group,
            "form": form,
            "near_state": form.near_state if form else "",
            "first": first,
            "weeks": weeks,
            "day_names": DAY_NAMES,
            "previous": _shift(first, -1),
            "next": after,
            "today": timezone.localdate(),
            "count": sum(totals.values()),
            "filter_query": filter_query,
        },
    )


@require_safe
@kept_until_change(shows=[GROUPS])
def month_all(request):
    form = DiscoveryForm(request.GET or None, viewer=request.user, with_day=False)
    dates = Occurrence.objects.discoverable(request.user, **form.filters())
    return _render(request, dates=dates, form=form, per_day=PER_DAY)


@require_safe
@kept_until_change(shows=[GROUPS])
def month_group(request, slug):
    # one group's dates are few a day: all of them are shown
    group = viewable_group(request, slug)
    return _render(request, dates=Occurrence.objects.filter(meetup__group=group), group=group)
