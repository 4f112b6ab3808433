"""Groups of librarians and the meetups they hold.

A `Meetup` is a series (a one-off meetup is a series without a rule): its first start in local
wall time with an IANA time zone and an RFC 5545 RRULE. Each date is materialised as an
`Occurrence` for a rolling horizon (`HORIZON`), unique per (meetup, original start) — the
RECURRENCE-ID — so RSVPs, row locks for capacity and attendance hang on a real row. Cancelled
and moved dates are occurrences with `status` or overridden times and venue.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format

from groups import recurrence
from groups.querysets import (
    MAX_DATE_LENGTH,
    AttendanceQuerySet,
    GroupQuerySet,
    MeetupQuerySet,
    MembershipQuerySet,
    OccurrenceQuerySet,
    RSVPQuerySet,
)
from groups.timezones import validate_timezone
from kit.textlimits import text_length_checks
from kit.vocabularies import COUNTRIES, US_STATE_NAMES, LibraryType
from notifications.email_threads import MailThread

DESCRIPTION_MAX_LENGTH = 5_000  # Markdown: a group's or a meetup's
JOIN_MESSAGE_MAX_LENGTH = 1_000
ACCESSIBILITY_NOTES_MAX_LENGTH = 1_000

HORIZON = timedelta(days=365)
# attendees may check in with the date's code from shortly before the start until a few hours
# after the end; no 0/O or 1/I/L, so it reads out loud
CHECKIN_BEFORE = timedelta(minutes=30)
CHECKIN_AFTER = timedelta(hours=4)
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@functools.cache
def reserved_slugs() -> frozenset[str]:
    """The fixed first path segments under /groups/ ("new", "upcoming", "calendar"…), read
    from the URLconf's "groups" namespace (groups/urls.py): a group with one of them as its
    slug could never be reached."""
    _prefix, groups_urls = get_resolver().namespace_dict["groups"]
    # the module's list as it is now (the resolver keeps its first reading of it)
    patterns = getattr(groups_urls.urlconf_module, "urlpatterns", groups_urls.url_patterns)
    segments = (str(pattern.pattern).split("/", 1)[0] for pattern in patterns)
    return frozenset(segment for segment in segments if segment and "<" not in segment)


class Group(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone, including visitors who are not signed in"
        MEMBERS = "members", "Signed-in members of Librarian Commons only"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone can join straight away"
        APPROVAL = "approval", "An organizer approves each request to join"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(
        "about the group",
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="Who it is for and what you do. Markdown.",
    )
    country = models.CharField(max_length=8, choices=COUNTRIES, default="US")
    state = models.CharField(
        "state or province",
        max_length=64,
        blank=True,
        help_text="For the United States, the two-letter code (MI, KS…).",
    )
    city = models.CharField("city, county or metro area", max_length=120, blank=True)
    library_types = ArrayField(
        models.CharField(max_length=32, choices=LibraryType.choices),
        default=list,
        blank=True,
        help_text="The kinds of libraries the group brings together.",
    )
    visibility = models.CharField(
        "who can see the group",
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    join_policy = models.CharField(
        "joining", max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    organisations = models.ManyToManyField(
        "cooperatives.Organisation",
        blank=True,
        related_name="groups",
        verbose_name="cooperatives and associations",
        help_text="Organisations in the directory this group belongs to or works with.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # what site search matches and ranks (name A; city and description C), kept by PostgreSQL
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config="english")
        + SearchVector("city", "description", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = GroupQuerySet.as_manager()

    # what the viewer is to the group, set by `groups.permissions.viewable_group`
    viewer_is_organizer: bool
    viewer_is_member: bool

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "members"]), name="group_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(join_policy__in=["open", "approval"]), name="group_join_policy_valid"
            ),
            *text_length_checks("group", description=DESCRIPTION_MAX_LENGTH),
        ]
        indexes = [
            models.Index(fields=["country", "state"]),
            GinIndex(fields=["library_types"], name="group_library_types_gin"),
            GinIndex(fields=["search_vector"], name="group_search_gin"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.slug in reserved_slugs():
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is a page of the site (/groups/{self.slug}/): "
                    "choose another web address for the group."
                }
            )

    @property
    def region_label(self) -> str:
        state = US_STATE_NAMES.get(self.state, self.state) if self.country == "US" else self.state
        country = "" if self.country == "US" else dict(COUNTRIES).get(self.country, "")
        return ", ".join(part for part in (self.city, state, country) if part)

    @property
    def library_type_labels(self) -> list[str]:
        labels = dict(LibraryType.choices)
        return [labels.get(value, value) for value in self.library_types]

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ORGANIZER = "organizer", "Organizer"

    class Status(models.TextChoices):
        ACTIVE = "active", "Member"
        PENDING = "pending", "Asked to join"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    message = models.TextField(
        "message to the organizers",
        max_length=JOIN_MESSAGE_MAX_LENGTH,
        blank=True,
        help_text="Optional: who you are and why you would like to join.",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["member", "organizer"]), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active", joined_at__isnull=False)
                | Q(status="pending", role="member"),
                name="membership_organizers_and_members_are_active",
            ),
            *text_length_checks("membership", message=JOIN_MESSAGE_MAX_LENGTH),
        ]
        indexes = [models.Index(fields=["group", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.member} in {self.group} ({self.get_role_display()})"

    @property
    def is_organizer(self) -> bool:
        return self.role == self.Role.ORGANIZER and self.status == self.Status.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class VenueKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid: in person and online"


@dataclass(frozen=True)
class Venue:
    kind: str
    name: str
    address: str
    accessibility_notes: str
    online_url: str

    @property
    def in_person(self) -> bool:
        return self.kind in (VenueKind.IN_PERSON, VenueKind.HYBRID)

    @property
    def online(self) -> bool:
        return self.kind in (VenueKind.ONLINE, VenueKind.HYBRID)

    @property
    def kind_label(self) -> str:
        return VenueKind(self.kind).label

    @property
    def location_line(self) -> str:
        """The place, for lists and calendar LOCATION (never the online link)."""
        place = ", ".join(part for part in (self.name, self.address) if part)
        if self.kind == VenueKind.ONLINE:
            return "Online"
        if self.kind == VenueKind.HYBRID:
            return f"{place} (and online)" if place else "Online and in person"
        return place


VENUE_FIELDS = ("venue_kind", "venue_name", "address", "accessibility_notes", "online_url")


class Meetup(models.Model):
    """A meetup series; with an empty `rrule`, a one-off meetup."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetups")
    title = models.CharField(max_length=160)
    description = models.TextField(
        blank=True, max_length=DESCRIPTION_MAX_LENGTH, help_text="What you will do. Markdown."
    )
    # DTSTART in local wall time, plus its IANA zone, plus the RRULE (RFC 5545)
    start_date = models.DateField("first date")
    start_time = models.TimeField()
    duration = models.DurationField()
    timezone = models.CharField("time zone", max_length=64, validators=[validate_timezone])
    rrule = models.CharField("recurrence rule (RFC 5545)", max_length=300, blank=True)
    # venue
    venue_kind = models.CharField(
        "where", max_length=16, choices=VenueKind, default=VenueKind.IN_PERSON
    )
    venue_name = models.CharField("venue", max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    accessibility_notes = models.TextField(
        blank=True,
        max_length=ACCESSIBILITY_NOTES_MAX_LENGTH,
        help_text="Step-free access, parking, quiet room, captions… Anything people should know.",
    )
    online_url = models.URLField(
        "online meeting link",
        max_length=500,
        blank=True,
        help_text="Shown only to members who said they are going.",
    )
    cost_note = models.CharField(
        "cost",
        max_length=200,
        blank=True,
        help_text="Leave empty if it is free; otherwise say what people pay (“Lunch on your own”).",
    )
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Seats at each meetup. Leave empty for no limit; when full, people can join "
        "a waiting list.",
    )
    rsvp_deadline_hours = models.PositiveSmallIntegerField(
        "RSVPs close (hours before the start)",
        default=0,
        validators=[MaxValueValidator(24 * 30)],
        help_text="0 closes RSVPs when the meetup starts. People can still say they can’t come "
        "until the start, which gives their seat to the waiting list.",
    )
    pd_credit_hours = models.DecimalField(
        "professional-development credit (hours)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
        help_text="Credit attendees can claim for each meetup, for example 1.5. 0 for none.",
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text="The series this one continues after a change of schedule.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    materialized_until = models.DateTimeField(null=True, blank=True, editable=False)
    # series health: set when a date passed without an organizer confirming it was still on;
    # hidden from discovery until an organizer confirms a date again
    needs_confirmation = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # what site search matches and ranks: the title (A), the group's name and the venue (B).
    # PostgreSQL keeps it (triggers, see migrations/0006_meetup_search_vector.py): on every
    # write of the title, venue or group, and on every rename of the group, so a search
    # matches and ranks series through one GIN index instead of joining every group.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = MeetupQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="meetup_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)) & Q(duration__lte=timedelta(hours=24)),
                name="meetup_duration_valid",
            ),
            models.CheckConstraint(
                condition=Q(pd_credit_hours__gte=0), name="meetup_pd_credit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(venue_kind__in=VenueKind.values), name="meetup_venue_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(timezone=""), name="meetup_timezone_set"),
            *text_length_checks(
                "meetup",
                description=DESCRIPTION_MAX_LENGTH,
                accessibility_notes=ACCESSIBILITY_NOTES_MAX_LENGTH,
            ),
        ]
        indexes = [GinIndex(fields=["search_vector"], name="meetup_search_gin")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:meetup", kwargs={"slug": self.group.slug, "pk": self.pk})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def dtstart(self) -> datetime:
        """DTSTART: the first start, aware, in the series' own zone."""
        return datetime.combine(self.start_date, self.start_time, tzinfo=self.tz)

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule) and recurrence.rule_parts(self.rrule).get("COUNT") != "1"

    @property
    def rule_spec(self) -> recurrence.RuleSpec:
        return recurrence.parse_rrule(self.rrule, tz=self.tz, dtstart=self.dtstart)

    @property
    def has_custom_rule(self) -> bool:
        """A rule the schedule form cannot show exactly (made in the admin or by older code)."""
        try:
            recurrence.parse_rrule(self.rrule, tz=self.tz, dtstart=self.dtstart)
        except recurrence.UnsupportedRule:
            return True
        return False

    @property
    def schedule_label(self) -> str:
        return recurrence.describe(self.rrule, dtstart=self.dtstart)

    @property
    def end_time(self):
        return (self.dtstart + self.duration).time()

    @property
    def is_free(self) -> bool:
        return not self.cost_note.strip()

    @property
    def venue(self) -> Venue:
        return Venue(
            kind=self.venue_kind,
            name=self.venue_name,
            address=self.address,
            accessibility_notes=self.accessibility_notes,
            online_url=self.online_url,
        )

    def expand(self, *, before: datetime, after: datetime | None = None) -> list[datetime]:
        return recurrence.expand(dtstart=self.dtstart, rule=self.rrule, before=before, after=after)

    @property
    def ical_uid(self) -> str:
        return f"meetup-{self.pk}@librarian-commons"


class MeetupPause(models.Model):
    """A break in a series (school holidays, summer): its dates are cancelled in one step, and
    dates materialised later inside the range are created cancelled."""

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="pauses")
    starts_on = models.DateField("from")
    ends_on = models.DateField("until (inclusive)")
    note = models.CharField(
        "reason", max_length=200, blank=True, help_text="Shown to members, e.g. “Summer break”."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="pause_range_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meetup} paused {self.starts_on}–{self.ends_on}"

    def covers(self, start: datetime, tz: ZoneInfo) -> bool:
        return self.starts_on <= start.astimezone(tz).date() <= self.ends_on


class Occurrence(models.Model):
    """One date of a meetup. `original_start` is its RECURRENCE-ID; `start`/`end` may differ
    when an organizer moved it, and the venue fields, when set, replace the series' venue."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    pause = models.ForeignKey(
        MeetupPause, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    # a different venue for this date only; empty venue_kind = the series' venue
    venue_kind = models.CharField("where", max_length=16, choices=VenueKind, blank=True)
    venue_name = models.CharField("venue", max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    accessibility_notes = models.TextField(blank=True, max_length=ACCESSIBILITY_NOTES_MAX_LENGTH)
    online_url = models.URLField("online meeting link", max_length=500, blank=True)
    note = models.CharField(
        "note for this date",
        max_length=300,
        blank=True,
        help_text="What is different this time, shown to everyone.",
    )
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE")
    confirmation_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            # deferred: a change of schedule re-dates existing rows inside one transaction
            models.UniqueConstraint(
                fields=["meetup", "original_start"],
                name="occurrence_unique_recurrence_id",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="occurrence_ends"),
            # what lets "upcoming" walk the start index from a day ago (next_per_series)
            models.CheckConstraint(
                condition=Q(end__lte=models.F("start") + MAX_DATE_LENGTH),
                name="occurrence_lasts_a_day_at_most",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled"]), name="occurrence_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(venue_kind="") | Q(venue_kind__in=VenueKind.values),
                name="occurrence_venue_kind_valid",
            ),
            *text_length_checks("occurrence", accessibility_notes=ACCESSIBILITY_NOTES_MAX_LENGTH),
        ]
        indexes = [
            models.Index(fields=["start"]),
            models.Index(fields=["meetup", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.meetup} on {self.local_start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("groups:occurrence", kwargs={"slug": self.meetup.group.slug, "pk": self.pk})

    def mail_thread(self) -> MailThread:
        """Every email about this date threads under one subject; the date named is the one it
        was planned for (RECURRENCE-ID), so moving it does not split the thread."""
        when = date_format(self.local_original_start, "D j M Y")
        return MailThread(kind="occurrence", pk=self.pk, title=f"{self.meetup.title}, {when}")

    @property
    def tz(self) -> ZoneInfo:
        return self.meetup.tz

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.tz)

    @property
    def local_original_start(self) -> datetime:
        return self.original_start.astimezone(self.tz)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_own_venue(self) -> bool:
        return bool(self.venue_kind)

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start or self.has_own_venue

    @property
    def is_changed(self) -> bool:
        """Differs from its series (an iCalendar override with RECURRENCE-ID)."""
        return self.is_moved or bool(self.note)

    @property
    def venue(self) -> Venue:
        source = self if self.has_own_venue else self.meetup
        return Venue(
            kind=source.venue_kind,
            name=source.venue_name,
            address=source.address,
            accessibility_notes=source.accessibility_notes,
            online_url=source.online_url,
        )

    @property
    def rsvp_closes_at(self) -> datetime:
        return self.start - timedelta(hours=self.meetup.rsvp_deadline_hours)

    def rsvp_open(self, now: datetime | None = None) -> bool:
        """New "going" answers are taken until the deadline."""
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and now < self.rsvp_closes_at

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.start

    def is_past(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.end

    @property
    def ical_uid(self) -> str:
        return f"occurrence-{self.pk}@librarian-commons"

    @property
    def checkin_code(self) -> str:
        """The short code an organizer shows at the meetup: random-looking, different for each
        date, derived from the secret key (so nothing is stored or written to show it)."""
        digest = salted_hmac("groups.checkin", f"occurrence:{self.pk}").digest()
        return "".join(CHECKIN_ALPHABET[b % len(CHECKIN_ALPHABET)] for b in digest[:6])

    @property
    def checkin_opens_at(self) -> datetime:
        return self.start - CHECKIN_BEFORE

    @property
    def checkin_closes_at(self) -> datetime:
        return self.end + CHECKIN_AFTER

    def checkin_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.SCHEDULED
            and self.checkin_opens_at <= now <= self.checkin_closes_at
        )


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        NOT_GOING = "not_going", "Not going"
        WAITLISTED = "waitlisted", "On the waiting list"

    class Source(models.TextChoices):
        EXPLICIT = "explicit", "For this date"
        SERIES = "series", "From “I come every time”"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_rsvps"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EXPLICIT)
    created_at = models.DateTimeField(default=timezone.now)
    # the waiting list is served in this order
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = "RSVP"
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="rsvp_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["going", "not_going", "waitlisted"]),
                name="rsvp_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["explicit", "series"]), name="rsvp_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["occurrence", "status", "status_changed_at"]),
            # the staff's overview counts RSVPs per week (home/overview.py)
            models.Index(fields=["created_at"], name="rsvp_created"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()} ({self.occurrence_id})"


class SeriesRSVP(models.Model):
    """ "I come every time": counts as going to each future date of the series until withdrawn.
    Applied as RSVP rows (source=series) in the order people subscribed, never above capacity;
    an answer given for one date wins over it for that date."""

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="series_rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="series_rsvps"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "series RSVP"
        constraints = [
            models.UniqueConstraint(fields=["meetup", "member"], name="series_rsvp_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member} comes to every {self.meetup}"


class CalendarToken(models.Model):
    """The secret in a member's personal "my meetups" calendar URL; resetting revokes the old."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar token of {self.member}"


class Attendance(models.Model):
    """A member was at a meetup: marked by an organizer or checked in with the date's code.
    `hours` is the series' credit when it was recorded; `verification_code` is the unguessable
    secret on the member's certificate, checked at a public URL."""

    class Method(models.TextChoices):
        ORGANIZER = "organizer", "Marked by an organizer"
        CODE = "code", "Checked in with the meetup's code"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_attendance"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    hours = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    verification_code = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-occurrence__start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="attendance_unique"),
            models.CheckConstraint(
                condition=Q(method__in=["organizer", "code"]), name="attendance_method_valid"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="attendance_hours_not_negative"),
        ]
        indexes = [models.Index(fields=["member", "occurrence"])]

    def __str__(self) -> str:
        return f"{self.member} attended {self.occurrence_id}"

    def get_absolute_url(self) -> str:
        return reverse("groups:certificate", kwargs={"pk": self.pk})

    def get_verification_url(self) -> str:
        return reverse("groups:verify", kwargs={"code": self.verification_code})


class ReminderSent(models.Model):
    """The reminder for one date went to one member: the reminder task sends each only once."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="reminder_sent_unique")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.occurrence_id} to {self.member_id}"
