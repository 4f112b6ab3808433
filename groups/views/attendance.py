"""Attendance and professional-development credit: the organizer's checklist, check-in with a
code, the attendee list as CSV, a member's credit page, certificates and their public check."""

import csv
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups import services
from groups.charts import credit_chart
from groups.forms import OrganizerMessageForm
from groups.models import Attendance
from groups.permissions import organized_occurrence, organizer_required
from groups.views.meetups import _occurrence
from kit.ids import parse_id
from kit.pagecache import kept_until_change
from kit.ratelimit import rate_limit_hit
from kit.scopes import GROUPS
from kit.view_helpers import error_text

# attempts at a check-in code, per member and date
CHECKIN_LIMIT, CHECKIN_PERIOD = 8, 15 * 60


@organizer_required
@require_POST
def attendance_mark(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    present = {parse_id(value) for value in request.POST.getlist("attended")} - {None}
    try:
        added, removed = services.attendance_mark(
            occurrence=occurrence, by=request.user, present=present
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        total = occurrence.attendance.count()
        messages.success(
            request,
            f"Attendance saved: {total} attended ({added} added, {removed} removed).",
        )
    return redirect(occurrence.get_absolute_url() + "#attendance-title")


@login_required
@require_POST
def check_in(request, slug, pk):
    occurrence = _occurrence(request, slug, pk)
    if rate_limit_hit(
        scope="meetup-checkin",
        key=f"{request.user.pk}:{occurrence.pk}",
        limit=CHECKIN_LIMIT,
        period=CHECKIN_PERIOD,
    ):
        messages.error(
            request, "Too many tries. Wait a few minutes, or ask an organizer to mark you."
        )
        return redirect(occurrence)
    try:
        services.attendance_check_in(
            occurrence=occurrence, member=request.user, code=request.POST.get("code", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            "You’re checked in. It is on your professional development page, with a certificate.",
        )
    return redirect(occurrence)


@organizer_required
@require_safe
def attendees_csv(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    rows = occurrence.attendance.select_related("member__profile", "marked_by").order_by(
        "member__display_name", "member__pk"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"attendees-{slugify(occurrence.meetup.title)}-{occurrence.local_start:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["Name", "Email", "Library type", "State", "Checked in by", "Hours"])
    for row in rows:
        profile = getattr(row.member, "profile", None)
        writer.writerow(
            [
                _cell(row.member.display_name or str(row.member)),
                row.member.email,
                _cell(profile.get_library_type_display() if profile else ""),
                _cell(profile.state if profile else ""),
                row.get_method_display(),
                row.hours,
            ]
        )
    return response


def _cell(value: str) -> str:
    """No spreadsheet formulas from member-written text."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_safe
@kept_until_change(shows=[GROUPS])
def credit(request):
    """My professional development: every meetup attended, with totals per year.

    Kept for the member's browser (kit/pagecache.py) under `groups` (the meetups' titles,
    groups' names and dates it names) and the member's own scope, which every attendance of
    theirs recorded, taken off or corrected moves on (groups/caching.py)."""
    rows = list(
        Attendance.objects.filter(member=request.user)
        .select_related("occurrence__meetup__group")
        .order_by("-occurrence__start", "-pk")
    )
    years: OrderedDict[int, dict] = OrderedDict()
    for row in rows:
        year = row.occurrence.local_start.year
        entry = years.setdefault(year, {"year": year, "rows": [], "hours": Decimal("0")})
        entry["rows"].append(row)
        entry["hours"] += row.hours
    return render(
        request,
        "groups/credit.html",
        {
            "years": list(years.values()),
            "total": sum((r.hours for r in rows), Decimal("0")),
            "credit_chart": credit_chart(request.user) if rows else None,
        },
    )


@login_required
@require_safe
def certificate(request, pk):
    attendance = get_object_or_404(
        Attendance.objects.select_related("occurrence__meetup__group", "member"),
        pk=pk,
        member=request.user,
    )
    return render(
        request,
        "groups/certificate.html",
        {
            "attendance": attendance,
            "verify_url": settings.SITE_URL + attendance.get_verification_url(),
        },
    )


@require_safe
def verify(request, code):
    """Public: anyone holding a certificate's code can confirm it. A wrong code is 404."""
    attendance = get_object_or_404(
        Attendance.objects.select_related("occurrence__meetup__group", "member"),
        verification_code=code,
    )
    return render(request, "groups/verify.html", {"attendance": attendance})


# at most this many organizer messages per organizer per day
MESSAGE_LIMIT, MESSAGE_PERIOD = 10, 24 * 60 * 60


@organizer_required
@require_http_methods(["GET", "POST"])
def occurrence_message(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    form = OrganizerMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limit_hit(
            scope="meetup-message", key=request.user.pk, limit=MESSAGE_LIMIT, period=MESSAGE_PERIOD
        ):
            form.add_error(None, "You have sent many messages today. Please try again tomorrow.")
        else:
            count = services.organizer_message_send(
                occurrence=occurrence, by=request.user, **form.cleaned_data
            )
            if count:
                messages.success(
                    request, f"Your message is on its way to {count} member{pluralize(count)}."
                )
            else:
                messages.info(request, "Nobody is in that list yet, so nothing was sent.")
            return redirect(occurrence)
    return render(
        request,
        "groups/occurrence_message.html",
        {"group": request.group, "occurrence": occurrence, "form": form},
    )


@organizer_required
@require_POST
def occurrence_confirm(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    try:
        services.occurrence_confirm(occurrence=occurrence, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Thanks: this date is confirmed as still on.")
    return redirect(occurrence)
