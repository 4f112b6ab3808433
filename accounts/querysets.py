"""Reads of member profiles: visibility, directory search and filters, and distance.

Visibility is decided in one place, `ProfileQuerySet.visible_to(viewer)`, used by every list,
search and detail view.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import (
    Case,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt

from accounts.choices import LIBRARY_FAMILIES

if TYPE_CHECKING:
    from accounts.models import Profile

EARTH_RADIUS_MILES = 3958.8
SEARCH_CONFIG = "english"
# Members who gave no US ZIP code sort among those who did as if they were this far away:
# someone in your own city is nearer than someone three states away with a ZIP code.
ESTIMATED_MILES = {"city": 10.0, "state": 120.0, "country": 1500.0, "elsewhere": 20000.0}


class Proximity(models.IntegerChoices):
    """How near a member is when there is no exact distance (outside the US, or no ZIP)."""

    CITY = 1, "In your area"
    STATE = 2, "In your state or province"
    COUNTRY = 3, "In your country"
    ELSEWHERE = 4, "Further away"


def library_types_in_family(family: str) -> list[str]:
    return [value for value, fam in LIBRARY_FAMILIES.items() if fam == family]


class ProfileQuerySet(models.QuerySet):
    # --- who may see what ------------------------------------------------------------------
    def visible_to(self, viewer) -> ProfileQuerySet:
        """Profiles `viewer` may see: public ones for everyone, members-only ones for members,
        hidden ones for nobody but their owner. Deactivated accounts are never shown."""
        Visibility = self.model.Visibility
        profiles = self.filter(user__is_active=True)
        if viewer is None or not viewer.is_authenticated:
            return profiles.filter(visibility=Visibility.PUBLIC)
        return profiles.filter(
            Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]) | Q(user=viewer)
        )

    def listed(self) -> ProfileQuerySet:
        """Profiles complete enough to appear in the directory (onboarding done)."""
        return self.exclude(library_type="").exclude(state="")

    def for_cards(self) -> ProfileQuerySet:
        """Everything a directory card shows, in a fixed number of queries."""
        return self.select_related("user").prefetch_related("can_help_with")

    # --- search and filters ----------------------------------------------------------------
    def search(self, text: str) -> ProfileQuerySet:
        """Full text (names, library, job title, tags, bio) or, word by word, trigram
        similarity (so "librarain" finds "librarian"). Annotates `search_rank`."""
        text = (text or "").strip()[:200]
        if not text:
            return self
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        words = [word for word in re.findall(r"\w+", text) if len(word) >= 3][:8]
        matches = Q(search_vector=query)
        if words:
            fuzzy = Q()
            for word in words:
                fuzzy &= Q(search_text__trigram_word_similar=word)
            matches |= fuzzy
        return self.filter(matches).annotate(
            search_rank=SearchRank(F("search_vector"), query)
            + TrigramWordSimilarity(Value(text), "search_text")
        )

    def of_library_types(self, library_types) -> ProfileQuerySet:
        return self.filter(library_type__in=list(library_types)) if library_types else self

    def in_region(self, *, country: str = "", state: str = "") -> ProfileQuerySet:
        profiles = self
        if country:
            profiles = profiles.filter(country=country)
        if state:
            profiles = profiles.filter(state__iexact=state)
        return profiles

    def open_to(self, flags) -> ProfileQuerySet:
        return self.filter(**{f"open_to_{flag}": True for flag in flags})

    def can_help_with(self, tag_name: str) -> ProfileQuerySet:
        if not tag_name:
            return self
        through = self.model._meta.get_field("can_help_with").through
        return self.filter(
            pk__in=through.objects.filter(tag__name__iexact=tag_name.strip()).values(
                "content_object_id"
            )
        )

    # --- distance --------------------------------------------------------------------------
    def with_distance_from(self, latitude: float | None, longitude: float | None):
        """Annotate `distance_miles` (great-circle, haversine, computed in SQL; NULL when either
        side has no coordinates)."""
        if latitude is None or longitude is None:
            return self.annotate(distance_miles=Value(None, output_field=FloatField()))
        lat0, lon0 = math.radians(latitude), math.radians(longitude)
        lat = Radians(F("latitude"))
        half_dlat = (lat - Value(lat0)) / Value(2.0)
        half_dlon = (Radians(F("longitude")) - Value(lon0)) / Value(2.0)
        a = Power(Sin(half_dlat), 2) + Value(math.cos(lat0)) * Cos(lat) * Power(Sin(half_dlon), 2)
        # LEAST() guards asin() against rounding just above 1; it also skips NULLs, hence the CASE
        distance = Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(a, Value(1.0))))
        return self.annotate(
            distance_miles=Case(
                When(Q(latitude__isnull=True) | Q(longitude__isnull=True), then=Value(None)),
                default=distance,
                output_field=FloatField(),
            )
        )

    def with_proximity_to(self, origin: Profile) -> ProfileQuerySet:
        """Annotate `proximity` (a `Proximity` tier from country, state and city)."""
        whens = []
        if origin.city and origin.state:
            whens.append(
                When(
                    country=origin.country,
                    state__iexact=origin.state,
                    city__iexact=origin.city,
                    then=Value(Proximity.CITY),
                )
            )
        if origin.state:
            whens.append(
                When(
                    country=origin.country, state__iexact=origin.state, then=Value(Proximity.STATE)
                )
            )
        whens.append(When(country=origin.country, then=Value(Proximity.COUNTRY)))
        return self.annotate(
            proximity=Case(
                *whens, default=Value(Proximity.ELSEWHERE), output_field=models.IntegerField()
            )
        )

    def near(self, origin: Profile) -> ProfileQuerySet:
        """Nearest first: by distance between US ZIP centroids, and where there is none, same
        city, then same state or province, then same country. Annotates `distance_miles`,
        `proximity` and `nearness` (the sort key)."""
        profiles = self.with_distance_from(origin.latitude, origin.longitude).with_proximity_to(
            origin
        )
        estimate = Case(
            When(proximity=Proximity.CITY, then=Value(ESTIMATED_MILES["city"])),
            When(proximity=Proximity.STATE, then=Value(ESTIMATED_MILES["state"])),
            When(proximity=Proximity.COUNTRY, then=Value(ESTIMATED_MILES["country"])),
            default=Value(ESTIMATED_MILES["elsewhere"]),
            output_field=FloatField(),
        )
        return profiles.annotate(nearness=Coalesce(F("distance_miles"), estimate)).order_by(
            "nearness", "proximity", "user__display_name", "pk"
        )

    def within_miles(self, origin: Profile, miles: float) -> ProfileQuerySet:
        return self.with_distance_from(origin.latitude, origin.longitude).filter(
            distance_miles__lte=miles
        )

    def of_other_library_types(self, origin: Profile) -> ProfileQuerySet:
        """Members whose library is of another family (school, public, academic, special…)."""
        profiles = self.exclude(pk=origin.pk).exclude(library_type="")
        if origin.library_type:
            family = LIBRARY_FAMILIES.get(origin.library_type, origin.library_type)
            profiles = profiles.exclude(library_type__in=library_types_in_family(family))
        return profiles

    def colleagues_near(self, origin: Profile) -> ProfileQuerySet:
        """ "Colleagues near you of other library types": the school ↔ public ↔ academic
        neighbours the member could work with. Chain after `visible_to(viewer)`."""
        return self.listed().of_other_library_types(origin).near(origin).for_cards()

    # --- search index ----------------------------------------------------------------------
    def refresh_search_index(self) -> int:
        """Recompute `search_vector` and `search_text` for these profiles in one UPDATE.

        Names live on the user and topics in the tag tables, so a generated column cannot
        hold them; the profile services call this after every change."""
        User = self.model._meta.get_field("user").related_model
        name = Coalesce(
            Subquery(User.objects.filter(pk=OuterRef("user_id")).values("display_name")[:1]),
            Value(""),
            output_field=models.TextField(),
        )

        def tag_names(field_name: str):
            through = self.model._meta.get_field(field_name).through
            return Coalesce(
                Subquery(
                    through.objects.filter(content_object_id=OuterRef("pk"))
                    .values("content_object_id")
                    .annotate(names=StringAgg("tag__name", delimiter=" ", order_by="tag__name"))
                    .values("names")[:1]
                ),
                Value(""),
                output_field=models.TextField(),
            )

        help_tags, learn_tags = tag_names("can_help_with"), tag_names("want_to_learn")
        vector = (
            SearchVector(name, weight="A", config=SEARCH_CONFIG)
            + SearchVector("library_name", "job_title", weight="B", config=SEARCH_CONFIG)
            + SearchVector(help_tags, learn_tags, "city", weight="C", config=SEARCH_CONFIG)
            + SearchVector("bio", weight="D", config=SEARCH_CONFIG)
        )
        text = models.Func(
            Value(" "),
            name,
            F("library_name"),
            F("job_title"),
            help_tags,
            learn_tags,
            F("city"),
            function="CONCAT_WS",
            output_field=models.TextField(),
        )
        return self.update(search_vector=vector, search_text=text)
