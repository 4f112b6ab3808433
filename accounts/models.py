from typing import ClassVar, TypeAlias

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser, AnonymousUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from accounts.querysets import CARD_TOPICS, ProfileQuerySet, earth_point
from kit.textlimits import text_length_checks
from kit.vocabularies import COUNTRIES, US_STATE_NAMES, Audience, LibraryType

BIO_MAX_LENGTH = 4_000  # Markdown; a few paragraphs about oneself


class UserManager(BaseUserManager):
    """Email is the identity: there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        # every member has a profile, including those made with createsuperuser
        Profile.objects.using(self._db).get_or_create(user=user)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """`manage.py createsuperuser`: an admin who can sign in at once. Sign-in needs a
        verified address, and whoever runs the command on the server chose this one."""
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.using(self._db).update_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )
        return user

    def visible_to(self, viewer):
        """Members whose page `viewer` may open: the rule of their profiles'
        `Profile.objects.visible_to(viewer)`, for whatever points at a member (following)."""
        return self.filter(pk__in=Profile.objects.visible_to(viewer).values("user_id"))


class User(AbstractUser):
    # no username or names: AbstractUser's fields removed the way Django documents, which the
    # stubs, typing them as text, cannot follow
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=150, blank=True, help_text="How other members see you."
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    # our own manager (email is the identity), not the stubs' username-based UserManager
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            # the member directory's alphabetical order walks this index
            models.Index(fields=["display_name", "id"], name="accounts_user_name_idx"),
            # the staff's overview counts who joined each week (home/overview.py)
            models.Index(fields=["date_joined"], name="accounts_user_joined_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Member {self.pk}"

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", kwargs={"pk": self.pk})


# who is looking: a signed-in member, a visitor (`request.user`), or no one (an email, a job)
Viewer: TypeAlias = User | AnonymousUser | None


class HelpTopic(TaggedItemBase):
    """A tag on a profile's "can help with" list (tags are shared with stories)."""

    content_object = models.ForeignKey("Profile", on_delete=models.CASCADE)


class LearnTopic(TaggedItemBase):
    """A tag on a profile's "want to learn" list."""

    content_object = models.ForeignKey("Profile", on_delete=models.CASCADE)


class Profile(models.Model):
    class Visibility(models.TextChoices):
        MEMBERS = "members", "Signed-in members (default)"
        PUBLIC = "public", "Everyone, including visitors who are not signed in"
        HIDDEN = "hidden", "Hidden from the member directory and search"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    job_title = models.CharField(max_length=120, blank=True)
    library_name = models.CharField(max_length=200, blank=True)
    library_type = models.CharField(max_length=32, choices=LibraryType.choices, blank=True)
    audiences = ArrayField(
        models.CharField(max_length=32, choices=Audience.choices), default=list, blank=True
    )
    country = models.CharField(max_length=8, choices=COUNTRIES, default="US")
    state = models.CharField(
        "state or province",
        max_length=64,
        blank=True,
        help_text="For the United States, the two-letter code (MI, NJ…).",
    )
    city = models.CharField("county or city", max_length=120, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    bio = models.TextField(blank=True, max_length=BIO_MAX_LENGTH, help_text="Markdown.")
    can_help_with = TaggableManager(
        "can help with", through=HelpTopic, blank=True, related_name="helper_profiles"
    )
    want_to_learn = TaggableManager(
        "want to learn", through=LearnTopic, blank=True, related_name="learner_profiles"
    )
    open_to_visits = models.BooleanField("site visits", default=False)
    open_to_calls = models.BooleanField("phone or video calls", default=False)
    open_to_mentoring = models.BooleanField("mentoring", default=False)
    open_to_copresenting = models.BooleanField("co-presenting", default=False)
    open_to_joint_research = models.BooleanField("joint research", default=False)
    open_to_joint_programs = models.BooleanField(
        "joint programs across library types", default=False
    )
    website = models.URLField(blank=True)
    social_url = models.URLField("social profile", blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    accepts_help_requests = models.BooleanField(
        "colleagues may ask me to look at their challenges",
        default=True,
        help_text="Switch off to stop being suggested when someone asks peers for help.",
    )
    # {NotificationKind: bool}; a kind not listed is on
    email_preferences = models.JSONField(default=dict, blank=True)
    # the kinds no preference switches off (moderation notices), said by the notifications app,
    # which owns the kinds and sits above accounts (notifications/apps.py)
    always_emailed: ClassVar[frozenset[str]] = frozenset()
    # centroid of a US ZIP code (offline table), set by the profile services; never shown
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    # kept up to date by ProfileQuerySet.refresh_search_index() (names and tags live elsewhere)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["country", "state"]),
            models.Index(fields=["library_type"]),
            GinIndex(fields=["search_vector"], name="accounts_profile_search_gin"),
            GinIndex(
                fields=["search_text"],
                name="accounts_profile_trgm_gin",
                opclasses=["gin_trgm_ops"],
            ),
            # "near me": nearest first by KNN (`<->`) and "within N miles" (`earth_box @>`)
            GistIndex(
                earth_point(),
                name="accounts_profile_earth_gist",
                condition=Q(latitude__isnull=False),
            ),
            # "near me" for members without a ZIP code, tier by tier (usually few rows)
            models.Index(
                F("country"),
                Upper("state"),
                Upper("city"),
                name="accounts_profile_unlocated_idx",
                condition=Q(latitude__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="accounts_profile_coordinates_valid",
            ),
            *text_length_checks("accounts_profile", bio=BIO_MAX_LENGTH),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", kwargs={"pk": self.user_id})

    @property
    def is_onboarded(self) -> bool:
        return bool(self.library_type and self.state)

    def wants_email(self, kind: str) -> bool:
        return kind in self.always_emailed or self.email_preferences.get(kind, True)

    @property
    def library_family(self) -> str:
        return LibraryType.family(self.library_type) if self.library_type else ""

    @property
    def card_topics(self) -> list[str]:
        """The "can help with" topic names, from `for_cards()` when the profile came from it."""
        names = getattr(self, CARD_TOPICS, None)
        return [tag.name for tag in self.can_help_with.all()] if names is None else names

    @property
    def open_to_labels(self) -> list[str]:
        fields = [self._meta.get_field(name) for name in OPEN_TO_FIELDS if getattr(self, name)]
        return [str(field.verbose_name) for field in fields if isinstance(field, models.Field)]

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels.get(value, value) for value in self.audiences]

    def missing_for_completeness(self) -> list[str]:
        """What a member could still add, in the words the completeness hint uses.

        Reads both tag sets: use it on one profile at a time (the member's own).
        """
        missing = []
        if not self.user.display_name:
            missing.append("your name")
        if not self.is_onboarded:
            missing.append("your library type and region")
        if not self.job_title:
            missing.append("your job title")
        if not self.library_name:
            missing.append("your library's name")
        if not self.bio.strip():
            missing.append("a short bio")
        if not self.can_help_with.exists():
            missing.append("what you can help with")
        if not self.want_to_learn.exists():
            missing.append("what you want to learn")
        if not any(getattr(self, name) for name in OPEN_TO_FIELDS):
            missing.append("what you are open to (visits, calls, mentoring…)")
        return missing

    @property
    def region_label(self) -> str:
        state = US_STATE_NAMES.get(self.state, self.state) if self.country == "US" else self.state
        return ", ".join(part for part in (self.city, state) if part)


OPEN_TO_FIELDS = (
    "open_to_visits",
    "open_to_calls",
    "open_to_mentoring",
    "open_to_copresenting",
    "open_to_joint_research",
    "open_to_joint_programs",
)


class ContactMessage(models.Model):
    """The log of "Contact" messages sent through the site: who wrote to whom and when.

    The message itself is emailed and not kept; the log is what rate limits and moderators need.
    """

    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_messages_sent")
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="contact_messages_received"
    )
    reply_to_shared = models.BooleanField(
        default=False, help_text="The sender let the recipient reply to their email address."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")), name="accounts_contact_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} at {self.created_at:%Y-%m-%d %H:%M}"
