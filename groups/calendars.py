"""iCalendar (RFC 5545) for meetups, built with the `icalendar` package.

- A group's feed carries each series once: DTSTART;TZID + RRULE, EXDATE for cancelled dates and
  an override VEVENT (same UID, RECURRENCE-ID = the original start) for each moved date, with
  the VTIMEZONEs it uses. A one-off meetup is a plain VEVENT (STATUS:CANCELLED if cancelled).
- A member's "my meetups" feed and a single-date download carry separate VEVENTs per date
  (UID per occurrence), with the online link when the member is going.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from groups.models import Group, Meetup, Occurrence

PRODID = "-//Librarian Commons//Meetups//EN"
TIMEZONE_YEARS_AHEAD = 10


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    return calendar


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _description(meetup: Meetup, *, note: str = "", online_url: str = "", url: str) -> str:
    lines = []
    if note:
        lines += [note, ""]
    if meetup.description:
        lines += [meetup.description.strip(), ""]
    lines.append(f"Group: {meetup.group.name}")
    lines.append(f"Cost: {'free' if meetup.is_free else meetup.cost_note}")
    if meetup.pd_credit_hours:
        lines.append(f"Professional-development credit: {meetup.pd_credit_hours.normalize():f} h")
    if online_url:
        lines.append(f"Join online: {online_url}")
    lines.append(f"Details and RSVP: {url}")
    return "\n".join(lines)


def _event(
    *,
    uid: str,
    meetup: Meetup,
    start: datetime,
    end: datetime,
    location: str,
    url: str,
    sequence: int,
    note: str = "",
    online_url: str = "",
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", meetup.title)
    event.add("description", _description(meetup, note=note, online_url=online_url, url=url))
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("sequence", sequence)
    return event


def _finish(calendar: Calendar, starts: Iterable[datetime]) -> bytes:
    starts = list(starts)
    first = min((s.date() for s in starts), default=timezone.now().date()) - timedelta(days=1)
    last = date(timezone.now().year + TIMEZONE_YEARS_AHEAD, 1, 1)
    calendar.add_missing_timezones(first_date=first, last_date=max(last, first))
    return calendar.to_ical()


def group_calendar(group: Group, meetups: Iterable[Meetup]) -> bytes:
    """The group's meetups; each meetup needs its `occurrences` (prefetched is best)."""
    calendar = _calendar(f"{group.name} · {settings.SITE_NAME}")
    starts = []
    for meetup in meetups:
        meetup.group = group
        url = _absolute(meetup.get_absolute_url())
        occurrences = list(meetup.occurrences.all())
        if not meetup.rrule:
            for occurrence in occurrences:  # one, for a one-off meetup
                event = _occurrence_event(occurrence, uid=meetup.ical_uid, url=url)
                calendar.add_component(event)
                starts.append(occurrence.local_start)
            continue
        dtstart = meetup.dtstart
        master = _event(
            uid=meetup.ical_uid,
            meetup=meetup,
            start=dtstart,
            end=dtstart + meetup.duration,
            location=meetup.venue.location_line,
            url=url,
            sequence=max((o.sequence for o in occurrences), default=0),
        )
        master.add("rrule", vRecur.from_ical(meetup.rrule))
        cancelled = [o.local_original_start for o in occurrences if o.is_cancelled]
        if cancelled:
            master.add("exdate", cancelled)
        calendar.add_component(master)
        starts.append(dtstart)
        for occurrence in occurrences:
            if occurrence.is_cancelled or not occurrence.is_changed:
                continue
            occurrence.meetup = meetup
            override = _occurrence_event(
                occurrence,
                uid=meetup.ical_uid,
                url=_absolute(occurrence.get_absolute_url()),
            )
            override.add("recurrence-id", occurrence.local_original_start)
            calendar.add_component(override)
            starts.append(occurrence.local_start)
    return _finish(calendar, starts)


def _occurrence_event(occurrence: Occurrence, *, uid: str, url: str, online_url: str = "") -> Event:
    venue = occurrence.venue
    event = _event(
        uid=uid,
        meetup=occurrence.meetup,
        start=occurrence.local_start,
        end=occurrence.local_end,
        location=venue.location_line,
        url=url,
        sequence=occurrence.sequence,
        note=occurrence.note,
        online_url=online_url,
    )
    event.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
    return event


def occurrences_calendar(
    name: str, occurrences: Iterable[Occurrence], *, with_links: AbstractSet[int] = frozenset()
) -> bytes:
    """Separate VEVENTs per date (a member's feed, a single download). `with_links`: ids of
    occurrences whose online link the member may see."""
    calendar = _calendar(name)
    starts = []
    for occurrence in occurrences:
        venue = occurrence.venue
        online_url = venue.online_url if occurrence.pk in with_links and venue.online else ""
        calendar.add_component(
            _occurrence_event(
                occurrence,
                uid=occurrence.ical_uid,
                url=_absolute(occurrence.get_absolute_url()),
                online_url=online_url,
            )
        )
        starts.append(occurrence.local_start)
    return _finish(calendar, starts)
