"""Forms for groups and meetups. Nobody types RRULE text: `ScheduleForm` builds it from a few
plain questions (how often, which weekday, until when)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from groups.models import (
    ACCESSIBILITY_NOTES_MAX_LENGTH,
    JOIN_MESSAGE_MAX_LENGTH,
    VENUE_FIELDS,
    Group,
    Meetup,
    Occurrence,
    VenueKind,
)
from groups.recurrence import (
    MAX_COUNT,
    ORDINALS,
    WEEKDAY_NAMES,
    Ends,
    Repeat,
    RuleSpec,
    build_rrule,
    closest_spec,
    first_date,
    nth_weekday_of,
)
from groups.services import DETAIL_FIELDS, GROUP_FIELDS, Schedule
from groups.timezones import timezone_choices
from kit.textlimits import LimitedTextField
from kit.vocabularies import US_STATE_NAMES, US_STATES, LibraryType

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
STATE_BY_NAME = {name.lower(): code for code, name in US_STATES}
ORGANIZER_MESSAGE_MAX_LENGTH = 5_000  # emailed, not kept


class GroupForm(forms.ModelForm):
    library_types = forms.MultipleChoiceField(
        label="Library types it brings together",
        choices=LibraryType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked if everyone is welcome.",
    )

    class Meta:
        model = Group
        # what group_create/group_update may set, and the directory entries it belongs to
        fields = [*GROUP_FIELDS, "organisations"]
        field_classes = {"description": LimitedTextField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
            "visibility": forms.RadioSelect,
            "join_policy": forms.RadioSelect,
        }
        help_texts = {
            "name": "For example “Middle school librarians – long lunch”.",
            "organisations": "Cooperatives and associations in the directory the group belongs "
            "to or works with. Hold Ctrl (⌘ on a Mac) to choose more than one.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = (
            self.fields["organisations"].queryset.only("name", "acronym").order_by("name")
        )

    def clean_state(self):
        state = self.cleaned_data.get("state", "").strip()
        if self.cleaned_data.get("country") == "US" and state:
            code = state.upper() if state.upper() in US_STATE_NAMES else None
            code = code or STATE_BY_NAME.get(state.lower())
            if code is None:
                raise forms.ValidationError(
                    "Use the two-letter code of a US state, such as MI or KS."
                )
            return code
        return state


class JoinForm(forms.Form):
    message = LimitedTextField(
        label="Message to the organizers (optional)",
        required=False,
        max_length=JOIN_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who you are and why you would like to join.",
    )


def venue_errors(data: dict) -> dict[str, str]:
    """What is missing for the chosen kind of venue, by field."""
    kind = data.get("venue_kind")
    errors = {}
    if (
        kind in (VenueKind.IN_PERSON, VenueKind.HYBRID)
        and not (data.get("venue_name") or "").strip()
        and not (data.get("address") or "").strip()
    ):
        errors["venue_name"] = "Say where people meet: a venue name, an address or both."
    if kind in (VenueKind.ONLINE, VenueKind.HYBRID) and not data.get("online_url"):
        errors["online_url"] = "Add the link people use to join online."
    return errors


class MeetupDetailsForm(forms.ModelForm):
    online_url = forms.URLField(
        label="Online meeting link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=Meetup._meta.get_field("online_url").help_text,
    )

    class Meta:
        model = Meetup
        fields = list(DETAIL_FIELDS)  # what meetup_create/meetup_update may set
        labels = {"venue_kind": "How people take part"}
        field_classes = dict.fromkeys(["description", "accessibility_notes"], LimitedTextField)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
            "venue_kind": forms.RadioSelect,
            "pd_credit_hours": forms.NumberInput(attrs={"step": "0.25", "min": "0"}),
            "capacity": forms.NumberInput(attrs={"min": "1"}),
        }

    def clean(self):
        data = super().clean()
        for field, message in venue_errors(data).items():
            self.add_error(field, message)
        return data

    @property
    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ScheduleForm(forms.Form):
    """When: the first date, times, zone and how it repeats. `schedule` holds the result."""

    starts_on = forms.DateField(
        label="Date of the first meetup",
        widget=DATE_INPUT,
        help_text="For a repeating meetup, the first date from this one on that fits the "
        "pattern below.",
    )
    start_time = forms.TimeField(label="Starts at", widget=TIME_INPUT)
    end_time = forms.TimeField(label="Ends at", widget=TIME_INPUT)
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Times stay the same local time all year, across daylight-saving changes.",
    )
    repeat = forms.ChoiceField(
        label="Repeats", choices=Repeat.choices, widget=forms.RadioSelect, initial=Repeat.ONCE
    )
    weekday = forms.TypedChoiceField(
        label="On which weekday",
        choices=[("", "Same weekday as the first date"), *enumerate(WEEKDAY_NAMES)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    week_of_month = forms.TypedChoiceField(
        label="Which week of the month",
        choices=[
            ("", "Same week as the first date"),
            *((n, ORDINALS[n].title()) for n in range(1, 5)),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For “every month on a weekday”.",
    )
    ends = forms.ChoiceField(
        label="Ends", choices=Ends.choices, widget=forms.RadioSelect, initial=Ends.NEVER
    )
    until = forms.DateField(
        label="Last date", widget=DATE_INPUT, required=False, help_text="If it ends on a date."
    )
    count = forms.IntegerField(
        label="Number of meetups",
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        help_text="If it ends after a number of meetups.",
    )

    def __init__(self, *args, earliest: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest
        self.schedule: Schedule | None = None

    def clean(self):
        data = super().clean()
        # checks that need only some answers come first, so every mistake shows at once
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start_time and end_time and end_time <= start_time:
            self.add_error("end_time", "The meetup must end after it starts, on the same day.")
        repeat = data.get("repeat")
        ends = Ends.NEVER if repeat == Repeat.ONCE else data.get("ends")
        if ends == Ends.UNTIL and not data.get("until"):
            self.add_error("until", "Give the last date, or choose another way to end.")
        if ends == Ends.COUNT and not data.get("count"):
            self.add_error("count", "Give the number of meetups, or choose another way to end.")
        needed = ("starts_on", "start_time", "end_time", "timezone", "repeat", "ends")
        if any(data.get(name) is None for name in needed):
            return data
        tz = ZoneInfo(data["timezone"])
        starts_on = data["starts_on"]
        today = timezone.now().astimezone(tz).date()
        earliest = max(today, self.earliest or today)
        if starts_on < earliest:
            self.add_error("starts_on", f"Choose {date_format(earliest, 'j F Y')} or a later date.")
        weekday = data.get("weekday")
        weekday = starts_on.weekday() if weekday is None else weekday
        week = data.get("week_of_month")
        if repeat == Repeat.MONTHLY_NTH and week is None:
            week = nth_weekday_of(starts_on)
            if week == 5:
                self.add_error(
                    "week_of_month",
                    f"{date_format(starts_on, 'j F')} is a fifth {WEEKDAY_NAMES[weekday]}, "
                    "which not every month has: choose a week, or “every month on the last "
                    "weekday”.",
                )
        if repeat == Repeat.YEARLY and (starts_on.month, starts_on.day) == (2, 29):
            self.add_error("starts_on", "29 February is not in every year: choose another date.")
        if self.errors:
            return data
        spec = RuleSpec(
            repeat=repeat,
            weekday=weekday,
            week_of_month=week if repeat == Repeat.MONTHLY_NTH else None,
            ends=ends,
            until=data.get("until"),
            count=data.get("count"),
        )
        first = first_date(spec, starts_on)
        if ends == Ends.UNTIL and data["until"] < first:
            self.add_error(
                "until",
                f"The first meetup would be on {date_format(first, 'j F Y')}: "
                "choose a later last date.",
            )
            return data
        start = datetime.combine(first, data["start_time"], tzinfo=tz)
        if start <= timezone.now():
            self.add_error("start_time", "That time has already passed: choose a later one.")
            return data
        duration = datetime.combine(first, data["end_time"]) - datetime.combine(
            first, data["start_time"]
        )
        self.schedule = Schedule(
            start_date=first,
            start_time=data["start_time"],
            duration=duration,
            timezone=data["timezone"],
            rrule=build_rrule(spec, tz=tz),
        )
        return data

    @staticmethod
    def initial_for(meetup: Meetup, *, occurrence: Occurrence | None = None) -> dict:
        """The form filled in from a series (from `occurrence` on, for "this and following").
        A rule the form cannot show exactly is filled in with the nearest choices (see
        `closest_spec`)."""
        start = occurrence.local_original_start if occurrence else meetup.dtstart
        spec, _exact = closest_spec(
            meetup.rrule, tz=meetup.tz, dtstart=meetup.dtstart, on=start.date()
        )
        count = spec.count
        if occurrence and count:
            earlier = meetup.occurrences.filter(
                original_start__lt=occurrence.original_start
            ).count()
            count = max(count - earlier, 1)
        return {
            "starts_on": start.date(),
            "start_time": meetup.start_time,
            "end_time": meetup.end_time,
            "timezone": meetup.timezone,
            "repeat": spec.repeat,
            "weekday": spec.weekday,
            "week_of_month": spec.week_of_month if spec.repeat == Repeat.MONTHLY_NTH else None,
            "ends": spec.ends,
            "until": spec.until,
            "count": count,
        }


class OccurrenceMoveForm(forms.Form):
    """Move one date: another day or time, and optionally another venue for this date only."""

    date = forms.DateField(widget=DATE_INPUT)
    start_time = forms.TimeField(label="Starts at", widget=TIME_INPUT)
    end_time = forms.TimeField(label="Ends at", widget=TIME_INPUT)
    other_venue = forms.BooleanField(label="Meet somewhere else this time", required=False)
    venue_kind = forms.ChoiceField(
        label="How people take part",
        choices=VenueKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    address = forms.CharField(max_length=300, required=False)
    accessibility_notes = LimitedTextField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ACCESSIBILITY_NOTES_MAX_LENGTH,
        required=False,
    )
    online_url = forms.URLField(
        label="Online meeting link", max_length=500, required=False, assume_scheme="https"
    )
    note = forms.CharField(
        label="Note for this date",
        max_length=300,
        required=False,
        help_text="What is different this time; shown to everyone and emailed to those going.",
    )

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        venue = occurrence.venue
        kwargs.setdefault(
            "initial",
            {
                "date": occurrence.local_start.date(),
                "start_time": occurrence.local_start.time(),
                "end_time": occurrence.local_end.time(),
                "other_venue": occurrence.has_own_venue,
                "venue_kind": venue.kind,
                "venue_name": venue.name,
                "address": venue.address,
                "accessibility_notes": venue.accessibility_notes,
                "online_url": venue.online_url,
                "note": occurrence.note,
            },
        )
        super().__init__(*args, **kwargs)
        self.occurrence = occurrence
        self.tz = occurrence.tz

    def clean(self):
        data = super().clean()
        if any(data.get(name) is None for name in ("date", "start_time", "end_time")):
            return data
        self.start = datetime.combine(data["date"], data["start_time"], tzinfo=self.tz)
        self.end = datetime.combine(data["date"], data["end_time"], tzinfo=self.tz)
        if self.start <= timezone.now():
            self.add_error("date", "Choose a date and time in the future.")
        if self.end <= self.start:
            self.add_error("end_time", "The meetup must end after it starts, on the same day.")
        if data.get("other_venue"):
            if not data.get("venue_kind"):
                self.add_error("venue_kind", "Choose in person, online or hybrid.")
            for field, message in venue_errors(data).items():
                self.add_error(field, message)
        return data

    @property
    def venue(self) -> dict[str, str] | None:
        if not self.cleaned_data.get("other_venue"):
            return None
        return {name: self.cleaned_data.get(name) or "" for name in VENUE_FIELDS}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=300,
        required=False,
        help_text="Shown on the meetup page and emailed to everyone going.",
    )


class PauseForm(forms.Form):
    starts_on = forms.DateField(label="From", widget=DATE_INPUT)
    ends_on = forms.DateField(label="Until (inclusive)", widget=DATE_INPUT)
    note = forms.CharField(
        label="Reason (optional)",
        max_length=200,
        required=False,
        help_text="For example “Summer break” or “Winter holidays”.",
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", "The break must end on or after the day it starts.")
            elif ends_on < timezone.now().date():
                self.add_error("ends_on", "That break is already over: choose dates to come.")
            elif ends_on - starts_on > timedelta(days=366):
                self.add_error("ends_on", "A break can last a year at most.")
        return data


class OrganizerMessageForm(forms.Form):
    class Audience(models.TextChoices):
        GOING = "going", "People going to this date"
        ATTENDED = "attended", "People who attended this date"
        MEMBERS = "members", "All members of the group"

    audience = forms.ChoiceField(
        label="Send to", choices=Audience.choices, widget=forms.RadioSelect, initial="going"
    )
    subject = forms.CharField(label="Subject", max_length=150)
    body = LimitedTextField(
        label="Message",
        max_length=ORGANIZER_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. It is emailed in the background, signed with your name.",
    )


class CheckInForm(forms.Form):
    """The code the organizer shows at the meetup. The view hands what was typed to
    `services.attendance_check_in`, which says what is wrong with it."""

    code = forms.CharField(
        label="Check-in code",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        closes = occurrence.checkin_closes_at.astimezone(occurrence.tz)
        help_text = "The organizer shows it at the meetup. Check-in is open until {}."
        self.fields["code"].help_text = help_text.format(date_format(closes, "l j F Y, H:i T"))


class AttendanceForm(forms.Form):
    """The organizer's checklist of who attended a date: every active member, those who said
    they were going first. The view hands the ticked ones to `services.attendance_mark`."""

    attended = forms.MultipleChoiceField(
        label="Who attended?", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, checklist: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["attended"])
        field.choices = [
            (
                row["member"].pk,
                format_html('{} <span class="muted">(said they were going)</span>', row["member"])
                if row["going"]
                else str(row["member"]),
            )
            for row in checklist
        ]
        field.initial = [row["member"].pk for row in checklist if row["attended"]]


class DiscoveryForm(forms.Form):
    """Filters of "Upcoming meetups"; every field is optional."""

    WHERE_CHOICES = [
        ("", "Online or in person"),
        ("in_person", "In person"),
        ("online", "Online"),
    ]

    state = forms.ChoiceField(label="State", required=False)
    library_type = forms.ChoiceField(label="Library type", required=False)
    where = forms.ChoiceField(label="Where", choices=WHERE_CHOICES, required=False)
    near_me = forms.BooleanField(label="Near me (my state)", required=False)
    on = forms.DateField(
        label="On this day",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a day as year-month-day, for example 2026-12-08."},
    )

    def __init__(self, *args, viewer=None, with_day: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.near_state = ""
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", "Any state"), *US_STATES]
        cast(forms.ChoiceField, self.fields["library_type"]).choices = [
            ("", "Any library type"),
            *LibraryType.choices,
        ]
        if not with_day:
            del self.fields["on"]

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day and not 2000 <= day.year <= 2100:
            raise forms.ValidationError("Choose a day between the years 2000 and 2100.")
        return day

    def filters(self) -> dict:
        """Keyword arguments for `Occurrence.objects.discoverable()`: every filter that is
        valid (a bad value is shown as an error and ignored, the others still apply). "Near
        me" becomes the viewer's state, kept in `near_state` for the page to mention."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        filters = {
            "state": data.get("state") or "",
            "library_type": data.get("library_type") or "",
            "where": data.get("where") or "",
        }
        viewer = self.viewer
        if data.get("near_me") and viewer is not None and viewer.is_authenticated:
            profile = getattr(viewer, "profile", None)
            self.near_state = profile.state if profile else ""
            filters["near_state"] = self.near_state
        if data.get("on"):
            filters["on"] = data["on"]
        return filters
