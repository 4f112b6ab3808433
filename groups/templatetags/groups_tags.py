"""Dates of meetups, always in the meetup's own time zone (with its abbreviation)."""

from zoneinfo import ZoneInfo

from django import template
from django.utils.dateformat import format as date_format

from groups.models import Group, Occurrence

register = template.Library()


@register.filter
def when(occurrence) -> str:
    """ "Tuesday 8 December 2026, 12:00–13:30 EST"."""
    start, end = occurrence.local_start, occurrence.local_end
    if start.date() == end.date():
        return f"{date_format(start, 'l j F Y, H:i')}–{date_format(end, 'H:i T')}"
    return f"{date_format(start, 'l j F Y, H:i T')} – {date_format(end, 'l j F Y, H:i T')}"


@register.filter
def when_short(occurrence) -> str:
    """ "Tue 8 Dec 2026, 12:00 EST"."""
    return date_format(occurrence.local_start, "D j M Y, H:i T")


def _zone(tz):
    return ZoneInfo(tz) if isinstance(tz, str) else tz


@register.filter
def local_date(value, tz) -> str:
    """A datetime as a date in the meetup's zone (a ZoneInfo or its name):
    "Tuesday 8 December 2026"."""
    return date_format(value.astimezone(_zone(tz)), "l j F Y")


@register.filter
def local_date_short(value, tz) -> str:
    """ "Tue 8 Dec 2026", in the meetup's zone."""
    return date_format(value.astimezone(_zone(tz)), "D j M Y")


@register.filter
def local_datetime(value, tz) -> str:
    return date_format(value.astimezone(_zone(tz)), "l j F Y, H:i T")


@register.filter
def hours(value) -> str:
    """Decimal("1.50") → "1.5"."""
    text = f"{value.normalize():f}" if value is not None else "0"
    return text


@register.simple_tag(takes_context=True)
def organisation_groups(context, organisation):
    """Groups linked to a directory entry that the viewer may see, and the next date of each
    of their series: two queries, whatever the numbers."""
    user = context.get("user")
    groups = list(
        Group.objects.visible_to(user)
        .filter(organisations=organisation)
        .with_member_count()
        .only("name", "slug", "city", "state", "country")
        .order_by("name", "pk")
    )
    dates = list(
        Occurrence.objects.filter(meetup__group__in=[g.pk for g in groups])
        .exclude(meetup__needs_confirmation=True)
        .next_per_series()
        .select_related("meetup__group")
        .defer("meetup__description", "meetup__group__description")[:10]
    )
    return {"groups": groups, "dates": dates}
