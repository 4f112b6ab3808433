from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from accounts.choices import COUNTRIES, US_STATE_NAMES, Audience, LibraryType


class UserManager(BaseUserManager):
    """Email is the identity: there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=150, blank=True, help_text="How other members see you."
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Member {self.pk}"

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", kwargs={"pk": self.pk})


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
    bio = models.TextField(blank=True, help_text="Markdown.")
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
    # {NotificationKind: bool}; a kind not listed is on
    email_preferences = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["country", "state"]),
            models.Index(fields=["library_type"]),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def is_onboarded(self) -> bool:
        return bool(self.library_type and self.state)

    def wants_email(self, kind: str) -> bool:
        return self.email_preferences.get(kind, True)

    @property
    def region_label(self) -> str:
        state = US_STATE_NAMES.get(self.state, self.state) if self.country == "US" else self.state
        return ", ".join(part for part in (self.city, state) if part)
