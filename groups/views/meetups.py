"""Meetups: a series' page, a date's page, RSVPs, and the organizers' scheduling tools."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups import services
from groups.charts import series_chart
from groups.forms import (
    AttendanceForm,
    CancelForm,
    CheckInForm,
    MeetupDetailsForm,
    OccurrenceMoveForm,
    PauseForm,
    ScheduleForm,
)
from groups.models import (
    RSVP,
    Attendance,
    Meetup,
    MeetupPause,
    Membership,
    Occurrence,
    SeriesRSVP,
)
from groups.permissions import organized_occurrence, organizer_required, viewable_group
from groups.recurrence import Repeat
from groups.templatetags.groups_tags import when_short
from groups.timezones import default_timezone
from kit.ids import parse_id
from kit.pagecache import kept_until_change
from kit.scopes import GROUPS, MEMBERS, occurrence
from kit.view_helpers import error_text, on_this_site, show_errors

OCCURRENCES_PER_PAGE = 10


def _occurrence(request, slug: str, pk: int) -> Occurrence:
    return get_object_or_404(
        Occurrence.objects.visible_to(request.user).select_related("meetup__group").with_counts(),
        pk=pk,
        meetup__group__slug=slug,
    )


# --- creating and changing meetups (organizers) -----------------------------------------


@organizer_required
@require_http_methods(["GET", "POST"])
def meetup_create(request, slug):
    group = request.group
    if request.method == "POST":
        details = MeetupDetailsForm(request.POST)
        schedule = ScheduleForm(request.POST)
        if details.is_valid() and schedule.is_valid():
            meetup = services.meetup_create(
                group=group, by=request.user, schedule=schedule.schedule, details=details.details
            )
            messages.success(request, f"“{meetup}” is scheduled: {meetup.schedule_label}.")
            return redirect(meetup)
    else:
        details = MeetupDetailsForm()
        schedule = ScheduleForm(
            initial={
                "timezone": default_timezone(country=group.country, state=group.state),
                "repeat": Repeat.ONCE,
            }
        )
    return render(
        request,
        "groups/meetup_form.html",
        {"group": group, "details": details, "schedule": schedule, "mode": "create"},
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def meetup_update(request, slug, pk):
    """Details for every date (title, venue, cost, capacity…); times are changed with
    `meetup_reschedule`."""
    meetup = get_object_or_404(Meetup, pk=pk, group=request.group)
    form = MeetupDetailsForm(request.POST or None, instance=meetup)
    if request.method == "POST" and form.is_valid():
        changed = services.meetup_update(
            meetup=Meetup.objects.get(pk=pk), by=request.user, details=form.details
        )
        messages.success(request, "Meetup saved." if changed else "Nothing changed.")
        return redirect(meetup)
    return render(
        request,
        "groups/meetup_form.html",
        {"group": request.group, "meetup": meetup, "details": form, "mode": "update"},
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def meetup_reschedule(request, slug, pk):
    """Change the schedule from one date on ("this and following")."""
    meetup = get_object_or_404(Meetup, pk=pk, group=request.group)
    upcoming = meetup.occurrences.upcoming()
    from_pk = parse_id(request.POST.get("from") or request.GET.get("from"))
    occurrence = upcoming.filter(pk=from_pk).first() if from_pk else upcoming.first()
    if occurrence is None:
        raise Http404("No date to come to change from.")
    occurrence.meetup = meetup
    earliest = occurrence.local_original_start.date()
    if request.method == "POST":
        details = MeetupDetailsForm(request.POST, instance=Meetup.objects.get(pk=pk))
        schedule = ScheduleForm(request.POST, earliest=earliest)
        if details.is_valid() and schedule.is_valid():
            try:
                target = services.meetup_reschedule(
                    occurrence=occurrence,
                    by=request.user,
                    schedule=schedule.schedule,
                    details=details.details,
                )
            except ValidationError as error:
                show_errors(schedule, error)
            else:
                messages.success(
                    request,
                    f"New schedule saved: {target.schedule_label}. Everyone going was told.",
                )
                return redirect(target)
    else:
        details = MeetupDetailsForm(instance=meetup)
        schedule = ScheduleForm(
            initial=ScheduleForm.initial_for(meetup, occurrence=occurrence), earliest=earliest
        )
        if meetup.has_custom_rule:
            messages.info(
                request,
                "This series repeats on a custom schedule that the form below cannot show "
                "exactly, so the nearest choices are filled in. Check them before saving: "
                "saving replaces the schedule from this date on.",
            )
    return render(
        request,
        "groups/meetup_form.html",
        {
            "group": request.group,
            "meetup": meetup,
            "occurrence": occurrence,
            "details": details,
            "schedule": schedule,
            "mode": "reschedule",
        },
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def meetup_pause(request, slug, pk):
    meetup = get_object_or_404(Meetup, pk=pk, group=request.group)
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _pause, cancelled = services.meetup_pause(
            meetup=meetup,
            by=request.user,
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            note=form.cleaned_data["note"],
        )
        count = len(cancelled)
        messages.success(
            request,
            f"Paused. {count} meetup{'s' if count != 1 else ''} cancelled"
            + (", and everyone going was told." if count else "."),
        )
        return redirect(meetup)
    return render(
        request, "groups/pause_form.html", {"group": request.group, "meetup": meetup, "form": form}
    )


@organizer_required
@require_POST
def pause_delete(request, slug, pk, pause_pk):
    pause = get_object_or_404(MeetupPause, pk=pause_pk, meetup_id=pk, meetup__group=request.group)
    restored = services.pause_delete(pause=pause, by=request.user)
    messages.success(request, f"Break ended. {len(restored)} meetup(s) are back on.")
    return redirect("groups:meetup", slug=slug, pk=pk)


@organizer_required
@require_http_methods(["GET", "POST"])
def occurrence_cancel(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_cancel(
                occurrence=occurrence, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "This date is cancelled. Everyone going was told.")
        return redirect(occurrence)
    return render(
        request,
        "groups/occurrence_cancel.html",
        {"group": request.group, "occurrence": occurrence, "form": form},
    )


@organizer_required
@require_POST
def occurrence_restore(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    try:
        services.occurrence_restore(occurrence=occurrence, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "This date is back on.")
    return redirect(occurrence)


@organizer_required
@require_http_methods(["GET", "POST"])
def occurrence_move(request, slug, pk):
    occurrence = organized_occurrence(request, pk)
    form = OccurrenceMoveForm(request.POST or None, occurrence=occurrence)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_move(
                occurrence=occurrence,
                by=request.user,
                start=form.start,
                end=form.end,
                venue=form.venue,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "This date is changed. Everyone going was told.")
            return redirect(occurrence)
    return render(
        request,
        "groups/occurrence_move.html",
        {"group": request.group, "occurrence": occurrence, "form": form},
    )


# --- pages everyone may see --------------------------------------------------------------


@require_safe
@kept_until_change(shows=[GROUPS])
def meetup_detail(request, slug, pk):
    """A series: how it repeats, its dates to come, breaks, and "I come every time"."""
    group = viewable_group(request, slug)
    meetups = Meetup.objects.all()
    if request.user.is_authenticated:
        # with the meetup: the member's "every time" answer (the header's unread count comes
        # with the versions the page is kept under)
        meetups = meetups.annotate(
            viewer_subscribed=Exists(
                SeriesRSVP.objects.filter(meetup=OuterRef("pk"), member=request.user)
            ),
        )
    meetup = get_object_or_404(meetups, pk=pk, group=group)
    meetup.group = group
    dates = meetup.occurrences.upcoming().for_listing(request.user)
    page_obj = Paginator(dates, OCCURRENCES_PER_PAGE).get_page(request.GET.get("page"))
    subscribed = getattr(meetup, "viewer_subscribed", False)
    today = timezone.now().astimezone(meetup.tz).date()
    return render(
        request,
        "groups/meetup_detail.html",
        {
            "group": group,
            "meetup": meetup,
            "page_obj": page_obj,
            "occurrences": page_obj.object_list,
            "subscribed": subscribed,
            "pauses": list(meetup.pauses.filter(ends_on__gte=today)),
            "continued_by": list(meetup.continued_by.all()),
            "series_chart": series_chart(meetup) if group.viewer_is_organizer else None,
        },
    )


@require_safe
@kept_until_change(shows=lambda request, slug, pk: [GROUPS, MEMBERS, occurrence(pk)])
def occurrence_detail(request, slug, pk):
    group = viewable_group(request, slug)
    occurrence = _occurrence(request, slug, pk)
    occurrence.meetup.group = group
    meetup = occurrence.meetup
    user = request.user
    rsvp = position = None
    subscribed = False
    going = []
    if user.is_authenticated:
        rsvp = RSVP.objects.filter(occurrence=occurrence, member=user).first()
        position = services.waitlist_position(rsvp) if rsvp else None
        subscribed = (
            meetup.is_recurring
            and group.viewer_is_member
            and SeriesRSVP.objects.filter(meetup=meetup, member=user).exists()
        )
        going = list(
            occurrence.rsvps.going().select_related("member").order_by("status_changed_at", "pk")
        )
    now = timezone.now()
    is_going = rsvp is not None and rsvp.status == RSVP.Status.GOING
    attended = None
    checklist = []
    has_started = occurrence.has_started(now)
    if group.viewer_is_organizer and has_started and not occurrence.is_cancelled:
        # one query for the checklist, which also tells the organizer about themselves
        theirs = Attendance.objects.filter(occurrence=occurrence, member=OuterRef("member_id"))
        going_ids = {r.member_id for r in going}
        for membership in (
            Membership.objects.active()
            .filter(group=group)
            .select_related("member")
            .annotate(
                attendance_pk=Subquery(theirs.values("pk")[:1]),
                attendance_hours=Subquery(theirs.values("hours")[:1]),
            )
            .order_by("member__display_name", "member__pk")
        ):
            present = membership.attendance_pk is not None
            checklist.append(
                {
                    "member": membership.member,
                    "going": membership.member_id in going_ids,
                    "attended": present,
                }
            )
            if present and membership.member_id == user.pk:
                attended = Attendance(
                    pk=membership.attendance_pk, hours=membership.attendance_hours
                )
        checklist.sort(key=lambda row: (not row["going"], not row["attended"]))
    elif group.viewer_is_member and now >= occurrence.checkin_opens_at:
        attended = Attendance.objects.filter(occurrence=occurrence, member=user).first()
    seats_left = None
    if meetup.capacity is not None:
        seats_left = max(meetup.capacity - occurrence.going_count, 0)
    return render(
        request,
        "groups/occurrence_detail.html",
        {
            "group": group,
            "meetup": meetup,
            "occurrence": occurrence,
            "venue": occurrence.venue,
            "rsvp": rsvp,
            "position": position,
            "is_going": is_going,
            "show_online_link": is_going or group.viewer_is_organizer,
            "subscribed": subscribed,
            "going": going,
            "seats_left": seats_left,
            "rsvp_open": occurrence.rsvp_open(now),
            "has_started": has_started,
            "attended": attended,
            "checkin_open": occurrence.checkin_open(now),
            "checkin_form": CheckInForm(occurrence=occurrence),
            "attendance_form": AttendanceForm(checklist=checklist),
            "checklist": checklist,
            "is_past": occurrence.is_past(now),
            "other_dates": list(
                meetup.occurrences.scheduled().upcoming().exclude(pk=occurrence.pk)[:4]
            ),
        },
    )


# --- RSVPs -------------------------------------------------------------------------------


@login_required
@require_POST
def occurrence_rsvp(request, slug, pk):
    occurrence = _occurrence(request, slug, pk)
    answer = request.POST.get("answer")
    if answer not in ("going", "not_going"):
        messages.error(request, "Choose whether you are going.")
        return redirect(occurrence)
    try:
        rsvp = services.rsvp_set(
            occurrence=occurrence, member=request.user, going=answer == "going"
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(occurrence)
    when = when_short(occurrence)
    if rsvp.status == RSVP.Status.GOING:
        messages.success(request, f"You’re going on {when}. See you there!")
    elif rsvp.status == RSVP.Status.WAITLISTED:
        position = services.waitlist_position(rsvp)
        messages.success(
            request,
            f"This meetup is full. You’re number {position} on the waiting list; we’ll email "
            "you if a seat frees up.",
        )
    else:
        messages.success(request, f"Thanks for letting the group know you can’t come on {when}.")
    return redirect(occurrence)


@login_required
@require_POST
def series_rsvp(request, slug, pk):
    group = viewable_group(request, slug)
    meetup = get_object_or_404(Meetup, pk=pk, group=group)
    going = request.POST.get("answer") == "going"
    try:
        services.series_rsvp_set(meetup=meetup, member=request.user, going=going)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if going:
            messages.success(
                request,
                "You’re going to every meetup in this series (on a full date you join the "
                "waiting list). Dates you answered yourself keep your answer.",
            )
        else:
            messages.success(request, "You no longer come to every meetup in this series.")
    next_url = request.POST.get("next", "")
    if next_url.startswith(f"/groups/{slug}/") and on_this_site(request, next_url):
        return redirect(next_url)
    return redirect(meetup)
