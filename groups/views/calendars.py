"""iCalendar feeds and downloads, and the member's "my meetups" page with its secret feed URL."""

import re
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from groups import calendars, services
from groups.models import RSVP, CalendarToken, Group, Meetup, Membership, Occurrence
from groups.permissions import is_organizer
from kit.pagecache import kept_until_change
from kit.scopes import GROUPS, occurrence

PERSONAL_FEED_DAYS_BACK = 90
# what services.calendar_token_reset makes (secrets.token_urlsafe); other text can't be a key
CALENDAR_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _calendar_token(key: str) -> CalendarToken | None:
    """The token a `?key=` names, or None; malformed keys (NUL bytes, pages of text) are turned
    away before they reach PostgreSQL."""
    if not CALENDAR_KEY_RE.fullmatch(key):
        return None
    return CalendarToken.objects.select_related("member").filter(token=key).first()


def _ics(
    content: bytes, *, filename: str, attachment: bool = False, public: bool = False
) -> HttpResponse:
    """`public`: the calendar is the same for everyone who asks (no member, no key), so shared
    caches, and the site's kept copies (kit/pagecache.py), may keep it."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def _feed_viewer(request):
    """The signed-in member, or the owner of the personal calendar key in `?key=` (calendar
    programs cannot sign in, so members-only groups' feed links carry it)."""
    if request.user.is_authenticated:
        return request.user
    token = _calendar_token(request.GET.get("key", ""))
    if token and token.member.is_active:
        return token.member
    return request.user


@require_safe
@kept_until_change(shows=[GROUPS])
def group_feed(request, slug):
    viewer = _feed_viewer(request)
    group = get_object_or_404(Group.objects.visible_to(viewer), slug=slug)
    meetups = group.meetups.prefetch_related(
        Prefetch("occurrences", queryset=Occurrence.objects.order_by("original_start"))
    ).order_by("pk")
    return _ics(
        calendars.group_calendar(group, meetups),
        filename=f"{group.slug}.ics",
        public=not viewer.is_authenticated,
    )


@require_safe
@kept_until_change(shows=lambda request, slug, pk: [GROUPS, occurrence(pk)])
def occurrence_ics(request, slug, pk):
    occurrence = get_object_or_404(
        Occurrence.objects.visible_to(request.user).select_related("meetup__group"),
        pk=pk,
        meetup__group__slug=slug,
    )
    with_links = set()
    if request.user.is_authenticated and (
        occurrence.rsvps.going().filter(member=request.user).exists()
        or is_organizer(occurrence.meetup.group, request.user)
    ):
        with_links = {occurrence.pk}
    content = calendars.occurrences_calendar(
        occurrence.meetup.title, [occurrence], with_links=with_links
    )
    name = f"{occurrence.meetup.group.slug}-{occurrence.local_start:%Y-%m-%d}.ics"
    return _ics(content, filename=name, attachment=True, public=not request.user.is_authenticated)


def _my_occurrences(member):
    """Dates the member is going to or waiting for (recent past included), soonest first."""
    since = timezone.now() - timedelta(days=PERSONAL_FEED_DAYS_BACK)
    return (
        Occurrence.objects.filter(
            rsvps__member=member,
            rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            end__gt=since,
        )
        .select_related("meetup__group")
        .with_counts()
        .with_viewer_rsvp(member)
        .order_by("start", "pk")
    )


@require_safe
def my_feed(request):
    """The personal feed at its secret address (`?key=`, kept out of the request log); an
    unknown or reset key gives 404."""
    found = _calendar_token(request.GET.get("key", ""))
    if found is None or not found.member.is_active:
        raise Http404("Unknown calendar")
    occurrences = list(_my_occurrences(found.member))
    going = {o.pk for o in occurrences if o.viewer_rsvp == RSVP.Status.GOING}
    content = calendars.occurrences_calendar(
        "My meetups · Librarian Commons",
        [o for o in occurrences if o.pk in going or o.is_cancelled],
        with_links=going,
    )
    return _ics(content, filename="my-meetups.ics")


@login_required
@require_safe
def my_meetups(request):
    now = timezone.now()
    occurrences = [o for o in _my_occurrences(request.user) if o.end > now]
    token = CalendarToken.objects.filter(member=request.user).first()
    feed_url = webcal_url = ""
    if token is not None:
        feed_url = request.build_absolute_uri(reverse("groups:my_feed") + "?key=" + token.token)
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    memberships = list(
        Membership.objects.filter(member=request.user)
        .select_related("group")
        .order_by("group__name")
    )
    series = list(
        Meetup.objects.filter(series_rsvps__member=request.user)
        .select_related("group")
        .order_by("title")
    )
    return render(
        request,
        "groups/my_meetups.html",
        {
            "occurrences": occurrences,
            "feed_url": feed_url,
            "webcal_url": webcal_url,
            "memberships": memberships,
            "series": series,
        },
    )


@login_required
@require_POST
def calendar_reset(request):
    """Create the member's secret calendar address, or replace it (revoking the old one)."""
    had_one = CalendarToken.objects.filter(member=request.user).exists()
    services.calendar_token_reset(member=request.user)
    if had_one:
        messages.success(
            request,
            "Your calendar address is new. The old one no longer works: subscribe again with "
            "the address below.",
        )
    else:
        messages.success(request, "Your private calendar address is ready.")
    return redirect("groups:mine")
