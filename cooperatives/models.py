"""The directory: organisations librarians work through, who belongs to them, and members'
suggestions that curators review."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from cooperatives.fields import ChoiceArrayField, LinesArrayField
from cooperatives.querysets import (
    AffiliationQuerySet,
    OrganisationQuerySet,
    SuggestionQuerySet,
)
from kit.textlimits import text_length_checks
from kit.vocabularies import COUNTRIES, LIBRARY_FAMILIES, US_STATE_NAMES, US_STATES, LibraryType

COUNTRY_NAMES = dict(COUNTRIES)

DESCRIPTION_MAX_LENGTH = 2_000  # plain text: neutral, factual, a few sentences
MEMBERSHIP_NOTES_MAX_LENGTH = 2_000
ADDRESS_MAX_LENGTH = 500
CURATOR_NOTES_MAX_LENGTH = 10_000  # curators' working notes, added to by imports
SUGGESTION_NOTE_MAX_LENGTH = 4_000
REJECTION_REASON_MAX_LENGTH = 2_000
# a suggestion's proposed values as JSON text: each value is held to its field's limit by the
# form, so only escaping (a control character is six characters in JSON) brings it near this
PROPOSED_MAX_LENGTH = 50_000


class Kind(models.TextChoices):
    REGIONAL_COOPERATIVE = "regional_cooperative", "Regional library cooperative"
    LIBRARY_SYSTEM = "library_system", "Library system"
    CONSORTIUM = "consortium", "Consortium"
    STATE_LIBRARY_ASSOCIATION = "state_library_association", "State library association"
    STATE_LIBRARY_AGENCY = "state_library_agency", "State library agency"
    NATIONAL_ASSOCIATION = "national_association", "National association"
    DIVISION = "division", "Division or section"
    COMMITTEE = "committee", "Committee"
    JOINT_COMMITTEE = "joint_committee", "Joint committee"
    INFORMAL_NETWORK = "informal_network", "Informal network or listserv"
    PUBLICATION = "publication", "Publication"


class Activity(models.TextChoices):
    PURCHASING = "purchasing", "Cooperative purchasing"
    RESOURCE_SHARING = "resource_sharing", "Resource sharing and interlibrary loan"
    DELIVERY = "delivery", "Delivery and courier"
    SHARED_CATALOGUE = "shared_catalogue", "Shared catalogue or library system"
    COURSE_SHARING = "course_sharing", "Course sharing"
    PROFESSIONAL_DEVELOPMENT = "professional_development", "Professional development and training"
    TECHNOLOGY = "technology", "IT and technology services"
    DIGITISING = "digitising", "Digitising collections"
    CONSULTING = "consulting", "Consulting"
    ADVOCACY = "advocacy", "Advocacy"
    NETWORKING = "networking", "Networking"
    CONFERENCES = "conferences", "Conferences"
    PUBLISHING = "publishing", "Publishing and research"


class JoinMethod(models.TextChoices):
    OPEN = "open", "Open to anyone, free"
    DUES = "dues", "Individual membership with dues"
    INSTITUTIONAL = "institutional", "Institutional membership (your library joins)"
    APPOINTMENT = "appointment", "By appointment or election"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    MERGED = "merged", "Merged into another organisation"


class Organisation(models.Model):
    Kind = Kind
    Activity = Activity
    JoinMethod = JoinMethod
    Status = Status

    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=20, blank=True)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="The entry's address: /directory/<slug>/."
    )
    kind = models.CharField(max_length=32, choices=Kind)
    description = models.TextField(
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="Neutral, factual, a few sentences.",
    )
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="children",
        blank=True,
        verbose_name="part of",
        help_text="Parent organisations: a division's association, a joint committee's divisions.",
    )

    # area served
    country = models.CharField(max_length=8, choices=COUNTRIES, default="US")
    states = ChoiceArrayField(
        models.CharField(max_length=2, choices=US_STATES),
        default=list,
        blank=True,
        verbose_name="states or territories",
    )
    counties_regions = models.CharField(
        "counties or regions",
        max_length=300,
        blank=True,
        help_text="Free text, e.g. “Calhoun, Holmes and Jackson counties” or a province.",
    )

    # who and what
    library_types = ChoiceArrayField(
        models.CharField(max_length=32, choices=LibraryType.choices),
        default=list,
        blank=True,
        verbose_name="library types served",
    )
    all_library_types = models.BooleanField(
        "serves all types of library",
        default=False,
        help_text="Only when a source says so (“all types”).",
    )
    activities = ChoiceArrayField(
        models.CharField(max_length=32, choices=Activity),
        default=list,
        blank=True,
        verbose_name="what it does",
    )
    how_to_join = ChoiceArrayField(
        models.CharField(max_length=16, choices=JoinMethod),
        default=list,
        blank=True,
    )
    membership_notes = models.TextField(
        "joining details",
        blank=True,
        max_length=MEMBERSHIP_NOTES_MAX_LENGTH,
        help_text="Dues, who may join, where to apply.",
    )

    # contact
    website = models.URLField(max_length=300, blank=True)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True, max_length=ADDRESS_MAX_LENGTH)
    founded_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1600), MaxValueValidator(2100)],
    )

    # curation
    status = models.CharField(max_length=16, choices=Status, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbed",
        help_text="Only for status “merged”.",
    )
    needs_verification = models.BooleanField(
        default=False, help_text="Some facts are doubtful; see the curator notes."
    )
    last_verified_on = models.DateField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    curator_notes = models.TextField(
        blank=True,
        max_length=CURATOR_NOTES_MAX_LENGTH,
        help_text="For curators only: what to check, where facts came from.",
    )
    source_urls = LinesArrayField(
        models.URLField(max_length=500),
        default=list,
        blank=True,
        verbose_name="sources",
        help_text="Pages where the facts were seen, one address per line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # when `load_directory` last wrote this row; an entry changed after that is a curator's
    # and the loader leaves it alone (see cooperatives/loader.py)
    loaded_at = models.DateTimeField(
        "last written by load_directory", null=True, blank=True, editable=False
    )

    search_vector = models.GeneratedField(
        expression=(
            SearchVector("name", weight="A", config="english")
            + SearchVector("acronym", weight="A", config="simple")
            + SearchVector("description", weight="B", config="english")
            + SearchVector("counties_regions", weight="C", config="english")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=Status.MERGED) & Q(merged_into__isnull=False))
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="cooperatives_org_merged_has_target",
                violation_error_message=(
                    "A merged organisation needs “merged into”, and only a merged one has it."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")),
                name="cooperatives_org_not_merged_into_itself",
                violation_error_message="An organisation cannot be merged into itself.",
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=1600, founded_year__lte=2100),
                name="cooperatives_org_founded_year_range",
            ),
            models.CheckConstraint(
                condition=Q(last_verified_by__isnull=True) | Q(last_verified_on__isnull=False),
                name="cooperatives_org_verifier_has_date",
            ),
            *text_length_checks(
                "cooperatives_org",
                description=DESCRIPTION_MAX_LENGTH,
                membership_notes=MEMBERSHIP_NOTES_MAX_LENGTH,
                address=ADDRESS_MAX_LENGTH,
                curator_notes=CURATOR_NOTES_MAX_LENGTH,
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="coop_org_search_gin"),
            GinIndex(OpClass("name", name="gin_trgm_ops"), name="coop_org_name_trgm"),
            GinIndex(OpClass("acronym", name="gin_trgm_ops"), name="coop_org_acronym_trgm"),
            GinIndex(fields=["states"], name="coop_org_states_gin"),
            GinIndex(fields=["library_types"], name="coop_org_libtypes_gin"),
            GinIndex(fields=["activities"], name="coop_org_activities_gin"),
            models.Index(fields=["kind", "name"], name="coop_org_kind_name"),
            models.Index(fields=["status"], name="coop_org_status"),
        ]

    def __str__(self) -> str:
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:detail", kwargs={"slug": self.slug})

    def clean(self):
        # the merge rules, in words, before the database's check constraints see them
        if self.status == Status.MERGED and self.merged_into_id is None:
            raise ValidationError({"merged_into": "Say which organisation it merged into."})
        if self.status != Status.MERGED and self.merged_into_id is not None:
            raise ValidationError(
                {"merged_into": "Only a merged organisation has this: set the status to merged."}
            )
        if self.pk is not None and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "An organisation cannot merge into itself."})

    @property
    def state_names(self) -> list[str]:
        return [US_STATE_NAMES.get(code, code) for code in self.states]

    @property
    def area_label(self) -> str:
        """Where it works, short: “Michigan”, “Colorado and Wyoming”, “14 states”, “United
        States”."""
        names = self.state_names
        if len(names) > 3:
            place = f"{len(names)} states"
        elif names:
            place = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        else:
            place = COUNTRY_NAMES.get(self.country, self.country)
        return f"{place}: {self.counties_regions}" if self.counties_regions else place

    @property
    def library_types_label(self) -> str:
        """“Public, School, Academic…”: a family (school, special) is named once when every
        type in it is served."""
        if self.all_library_types:
            return "All types of library"
        labels = dict(LibraryType.choices)
        chosen = set(self.library_types)
        words, named_families = [], set()
        for value in self.library_types:
            family = LIBRARY_FAMILIES.get(value, value)
            members = {v for v, f in LIBRARY_FAMILIES.items() if f == family}
            if family not in labels and len(members) > 1 and members <= chosen:
                if family not in named_families:
                    named_families.add(family)
                    words.append(family.capitalize())
            else:
                words.append(labels.get(value, value))
        return ", ".join(words)

    @property
    def activity_labels(self) -> list[str]:
        labels = dict(Activity.choices)
        return [labels.get(value, value) for value in self.activities]

    @property
    def join_labels(self) -> list[str]:
        labels = dict(JoinMethod.choices)
        return [labels.get(value, value) for value in self.how_to_join]


class Contact(models.Model):
    """A person curators can reach at an organisation. Shown publicly only when marked so."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    show_publicly = models.BooleanField(
        default=False, help_text="Show this person on the public directory page."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


class Affiliation(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        OFFICER = "officer", "Officer"
        CHAIR = "chair", "Chair"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "organisation"],
                name="cooperatives_affiliation_once_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_role_display()} of {self.organisation}"


# what members may propose (curators edit the rest in the admin)
SUGGESTIBLE_FIELDS = (
    "name",
    "acronym",
    "kind",
    "description",
    "website",
    "contact_email",
    "phone",
    "address",
    "founded_year",
    "country",
    "states",
    "counties_regions",
    "all_library_types",
    "library_types",
    "activities",
    "how_to_join",
    "membership_notes",
    "status",
)


class Suggestion(models.Model):
    """A member's proposed new entry or correction, waiting for a curator."""

    class Kind(models.TextChoices):
        NEW = "new", "New entry"
        CORRECTION = "correction", "Correction"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a curator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=16, choices=Kind)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text="The entry corrected, or the entry created from an approved new one.",
    )
    # {field name: proposed value}, JSON-ready (lists for multiple choices)
    proposed = models.JSONField(default=dict, blank=True)
    note = models.TextField(
        blank=True,
        max_length=SUGGESTION_NOTE_MAX_LENGTH,
        help_text="The member's explanation and sources.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_suggestions",
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(
        blank=True,
        max_length=REJECTION_REASON_MAX_LENGTH,
        help_text="Sent to the member when you reject the suggestion.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="correction") | Q(organisation__isnull=False),
                name="cooperatives_suggestion_correction_has_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="cooperatives_suggestion_rejection_has_reason",
            ),
            *text_length_checks(
                "cooperatives_suggestion",
                note=SUGGESTION_NOTE_MAX_LENGTH,
                rejection_reason=REJECTION_REASON_MAX_LENGTH,
            ),
            # the proposed values are each limited by the entry's own fields and constraints;
            # this bounds the whole, whatever wrote it
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    Length(Cast("proposed", models.TextField())), PROPOSED_MAX_LENGTH
                ),
                name="cooperatives_suggestion_proposed_length",
                violation_error_message="The proposed changes are too long.",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="coop_sugg_status")]

    def __str__(self) -> str:
        if self.kind == self.Kind.NEW:
            return f"New entry: {self.proposed.get('name', '(no name)')}"
        return f"Correction to {self.organisation}"
