"""Reads of member profiles: visibility, directory search and filters, and distance.

Visibility is decided in one place, `ProfileQuerySet.visible_to(viewer)`, used by every list,
search and detail view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, overload

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ASin, Coalesce, Least, Upper

from kit.spelling import Correction, correction_for
from kit.vocabularies import LIBRARY_FAMILIES

if TYPE_CHECKING:
    from accounts.models import Profile, Viewer

EARTH_RADIUS_MILES = 3958.8
# where `for_cards()` puts a profile's "can help with" topic names (read `Profile.card_topics`)
CARD_TOPICS = "card_topic_names"
# A directory list counts at most this many matches ("More than 1,000 colleagues"): a count of
# every row would cost as much as the list itself, and nobody pages past the first thousand.
MAX_LISTED = 1000
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


# --- geometry (PostgreSQL `cube` + `earthdistance`, see accounts/migrations/0005) ----------------
def earth_point() -> Func:
    """A profile's ZIP centroid as a point on the earthdistance sphere; the expression of the
    GiST index `accounts_profile_earth_gist` (keep the two identical, or the index is unused)."""
    return Func(F("latitude"), F("longitude"), function="ll_to_earth")


def chord_from(latitude: float, longitude: float) -> Func:
    """Straight-line (chord) distance in metres from a point: `<->` on the GiST index walks
    profiles nearest first (KNN), reading only the rows a page needs."""
    origin = Func(Value(float(latitude)), Value(float(longitude)), function="ll_to_earth")
    return Func(
        earth_point(),
        origin,
        template="(%(expressions)s)",
        arg_joiner=" <-> ",
        output_field=FloatField(),
    )


class EarthDiameter(Func):
    template = "(2 * earth())"
    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__()


class EarthBoxContains(Func):
    """Profiles whose point lies in the cube around a circle of `angle` radians (indexed)."""

    template = (
        "earth_box(ll_to_earth(%(latitude)s, %(longitude)s), %(angle)s * earth()) @> "
        "ll_to_earth(%(expressions)s)"
    )
    output_field = BooleanField()

    def __init__(self, latitude: float, longitude: float, angle: float):
        super().__init__(
            F("latitude"),
            F("longitude"),
            latitude=float(latitude),
            longitude=float(longitude),
            angle=float(angle),
        )


def proximity_conditions(origin: Profile) -> list[tuple[Proximity, Q]]:
    """Each `Proximity` tier with the condition that puts a profile in it, nearest first;
    a profile is in the first tier whose condition it meets."""
    tiers: list[tuple[Proximity, Q]] = []
    if origin.city and origin.state:
        same_city = Q(country=origin.country, state__iexact=origin.state)
        tiers.append((Proximity.CITY, same_city & Q(city__iexact=origin.city)))
    if origin.state:
        tiers.append((Proximity.STATE, Q(country=origin.country, state__iexact=origin.state)))
    tiers.append((Proximity.COUNTRY, Q(country=origin.country)))
    tiers.append((Proximity.ELSEWHERE, Q()))
    return tiers


def proximity_to(origin: Profile) -> Case:
    tiers = proximity_conditions(origin)[:-1]  # the last, ELSEWHERE, is the default
    whens = [When(condition, then=Value(tier)) for tier, condition in tiers]
    return Case(*whens, default=Value(Proximity.ELSEWHERE), output_field=models.IntegerField())


class ProfileQuerySet(models.QuerySet["Profile"]):
    # --- who may see what ------------------------------------------------------------------
    def visible_to(self, viewer: Viewer) -> ProfileQuerySet:
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
        """Everything a directory card shows, in one query: the "can help with" topics come
        as a list of names (`Profile.card_topics`) with each row, not in a prefetch query."""
        through = self.model.can_help_with.through
        topics = through.objects.filter(content_object_id=OuterRef("pk")).order_by("pk")
        return self.select_related("user").annotate(
            **{CARD_TOPICS: ArraySubquery(topics.values("tag__name"))}
        )

    # --- search and filters ----------------------------------------------------------------
    def search(
        self, text: str, correction: Correction | None = None, *, pool: int | None = None
    ) -> ProfileQuerySet:
        """Full text (names, library, job title, tags, bio) — with a `correction`'s close words
        too (kit.spelling; worked out here when not given) — or, when full text finds none
        of these profiles as typed, words similar to the typed ones (so "librarain" finds
        "librarian"). Annotates `search_exact` (matched as typed) and `search_rank`; order by
        both for relevance (`by_relevance`). Chain it after the other filters: "none" means
        none of them. With `pool`, only the first `pool` matches the index yields are kept:
        ranking reads those rows only.

        Everything goes through the GIN index of the stored vector: the similar words come
        from the vocabulary, where a trigram test of each typed word on every profile's text
        rechecked thousands of profiles for a misspelt word. That branch sits behind an
        uncorrelated NOT EXISTS (one index probe, run once before the scan), so once full
        text has found someone as typed it is never evaluated."""
        text = (text or "").strip()[:200]
        if not text:
            return self
        if correction is None:
            correction = correction_for(text, None, members=True)
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        wide = correction.query(SEARCH_CONFIG) if correction.changed else query
        matches = Q(search_vector=wide)
        similar = correction.similar_query(SEARCH_CONFIG)
        if similar is not None:
            # first in the AND, so it is evaluated first and skips the similar words
            matches |= ~Q(Exists(self.filter(search_vector=query))) & Q(search_vector=similar)
        found = self.filter(matches)
        if pool is not None:
            # the pool's rows only (their pks came through every filter above): filtering
            # again made PostgreSQL read every profile to join them to the pool
            found = self.model.objects.filter(pk__in=found.order_by().values("pk")[:pool])
        # a full-text match ranks by its words' weights; only a profile found by similar words
        # is measured letter by letter against what was typed (a trigram test costs as much
        # as everything else its row needs)
        closeness = Case(
            When(Q(search_vector=wide), then=Value(0.0)),
            default=TrigramWordSimilarity(text, "search_text"),
            output_field=FloatField(),
        )
        return found.annotate(
            search_exact=ExpressionWrapper(Q(search_vector=query), output_field=BooleanField()),
            search_rank=SearchRank(F("search_vector"), wide) + closeness,
        )

    def by_relevance(self) -> ProfileQuerySet:
        """After `search()`: matches as typed first, then the best ranked, by name."""
        return self.order_by("-search_exact", "-search_rank", "user__display_name", "pk")

    def of_library_types(self, library_types: Iterable[str]) -> ProfileQuerySet:
        return self.filter(library_type__in=list(library_types)) if library_types else self

    def in_region(self, *, country: str = "", state: str = "") -> ProfileQuerySet:
        profiles = self
        if country:
            profiles = profiles.filter(country=country)
        if state:
            profiles = profiles.filter(state__iexact=state)
        return profiles

    def count_by_place(self) -> dict[str, int]:
        """{state code: how many}, as `in_region(country="US", state=code)` finds them, with
        "" for members outside the United States: one aggregate query."""
        place = Case(
            When(country="US", then=Upper("state")), default=Value(""), output_field=CharField()
        )
        rows = self.order_by().annotate(place=place).values("place").annotate(n=Count("pk"))
        return {row["place"]: row["n"] for row in rows}

    def open_to(self, flags: Iterable[str]) -> ProfileQuerySet:
        return self.filter(**{f"open_to_{flag}": True for flag in flags})

    def can_help_with(self, tag_name: str) -> ProfileQuerySet:
        if not tag_name:
            return self
        through = self.model.can_help_with.through
        return self.filter(
            pk__in=through.objects.filter(tag__name__iexact=tag_name.strip()).values(
                "content_object_id"
            )
        )

    # --- distance --------------------------------------------------------------------------
    def with_distance_from(
        self, latitude: float | None, longitude: float | None
    ) -> ProfileQuerySet:
        """Annotate `distance_miles` (great-circle, computed in SQL; NULL when either side has
        no coordinates).

        The distance is derived from the chord between the two points on the `earthdistance`
        sphere (`ll_to_earth(…) <-> ll_to_earth(…)`), the very expression the GiST index
        `accounts_profile_earth_gist` orders by, so "nearest first" and the miles shown can
        never disagree: great-circle distance = 2R·asin(chord / 2R), monotonic in the chord."""
        if latitude is None or longitude is None:
            return self.annotate(distance_miles=Value(None, output_field=FloatField()))
        # LEAST() guards asin() against rounding just above 1; it also skips NULLs, hence the CASE
        distance = Value(2 * EARTH_RADIUS_MILES) * ASin(
            Least(chord_from(latitude, longitude) / EarthDiameter(), Value(1.0))
        )
        return self.annotate(
            distance_miles=Case(
                When(Q(latitude__isnull=True) | Q(longitude__isnull=True), then=Value(None)),
                default=distance,
                output_field=FloatField(),
            )
        )

    def with_proximity_to(self, origin: Profile) -> ProfileQuerySet:
        """Annotate `proximity` (a `Proximity` tier from country, state and city)."""
        return self.annotate(proximity=proximity_to(origin))

    def with_nearness(self, origin: Profile) -> ProfileQuerySet:
        """Annotate `distance_miles`, `proximity` and `nearness`: the distance in miles where
        both have a US ZIP code, else an estimate from the proximity tier (the near-me sort
        key). Annotations only; `near()` gives the order."""
        estimate = Case(
            When(proximity=Proximity.CITY, then=Value(ESTIMATED_MILES["city"])),
            When(proximity=Proximity.STATE, then=Value(ESTIMATED_MILES["state"])),
            When(proximity=Proximity.COUNTRY, then=Value(ESTIMATED_MILES["country"])),
            default=Value(ESTIMATED_MILES["elsewhere"]),
            output_field=FloatField(),
        )
        return (
            self.with_distance_from(origin.latitude, origin.longitude)
            .with_proximity_to(origin)
            .annotate(nearness=Coalesce(F("distance_miles"), estimate))
        )

    def near(self, origin: Profile) -> NearestFirst:
        """Nearest first: by distance between US ZIP centroids, and where there is none, same
        city, then same state or province, then same country. Items are annotated with
        `distance_miles`, `proximity` and `nearness` (the sort key).

        Returns a `NearestFirst` (sliceable and countable like a queryset, for paginators)
        whose pages cost a few index entries each, not a distance for every member."""
        return NearestFirst(self, origin)

    def within_miles(self, origin: Profile, miles: float) -> ProfileQuerySet:
        if origin.latitude is None or origin.longitude is None:
            return self.none()
        # earth_box() @> point is what the GiST index answers; the box is a little larger than
        # the circle, so the exact distance check follows
        angle = min(float(miles), math.pi * EARTH_RADIUS_MILES) / EARTH_RADIUS_MILES
        return (
            self.filter(latitude__isnull=False)
            .filter(EarthBoxContains(origin.latitude, origin.longitude, angle))
            .with_distance_from(origin.latitude, origin.longitude)
            # annotated by `with_distance_from`, which the plugin does not follow
            .filter(distance_miles__lte=miles)  # type: ignore[misc]
        )

    def of_other_library_types(self, origin: Profile) -> ProfileQuerySet:
        """Members whose library is of another family (school, public, academic, special…)."""
        profiles = self.exclude(pk=origin.pk).exclude(library_type="")
        if origin.library_type:
            family = LIBRARY_FAMILIES.get(origin.library_type, origin.library_type)
            profiles = profiles.exclude(library_type__in=library_types_in_family(family))
        return profiles

    def colleagues_near(self, origin: Profile) -> NearestFirst:
        """ "Colleagues near you of other library types": the school ↔ public ↔ academic
        neighbours the member could work with. Chain after `visible_to(viewer)`."""
        return self.listed().of_other_library_types(origin).for_cards().near(origin)

    # --- search index ----------------------------------------------------------------------
    def refresh_search_index(self) -> int:
        """Recompute `search_vector` and `search_text` for these profiles in one UPDATE.

        Names live on the user and topics in the tag tables, so a generated column cannot
        hold them; the profile services call this after every change."""
        name = Coalesce(
            Subquery(
                get_user_model().objects.filter(pk=OuterRef("user_id")).values("display_name")[:1]
            ),
            Value(""),
            output_field=models.TextField(),
        )

        def tag_names(field_name: str) -> Coalesce:
            through = getattr(self.model, field_name).through  # taggit's manager
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


class NearestFirst:
    """Profiles nearest first (see `ProfileQuerySet.near`), sliceable and countable like a
    queryset so that `Paginator` and templates take it as one.

    A page `[start:stop]` is one query: the `stop` nearest members with a ZIP code (a KNN walk
    of the GiST index, so ~`stop` index entries, not a distance for every member), plus, per
    proximity tier, the first `stop` members without one, are the candidates; the page is
    those candidates in the exact order of `nearness`, `proximity`, name. Each stream is
    already in that order, so the candidates always hold the true first `stop`."""

    ordered = True  # Paginator: no "unordered object_list" warning

    def __init__(self, profiles: ProfileQuerySet, origin: Profile) -> None:
        self.profiles = profiles
        self.origin = origin

    def __repr__(self) -> str:
        return f"<NearestFirst from {self.origin!r}>"

    def count(self) -> int:
        return self.profiles.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Profile]:
        return iter(self[:])

    def __bool__(self) -> bool:
        return bool(self[:1])

    @overload
    def __getitem__(self, key: int) -> Profile: ...
    @overload
    def __getitem__(self, key: slice) -> list[Profile]: ...
    def __getitem__(self, key: object) -> Profile | list[Profile]:  # anything else: TypeError
        if isinstance(key, int):
            if key < 0:
                raise IndexError("Negative indexing is not supported.")
            rows = self[key : key + 1]
            if not rows:
                raise IndexError("NearestFirst index out of range")
            return rows[0]
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("NearestFirst supports only integers and simple slices.")
        start, stop = key.start or 0, key.stop
        if start < 0 or (stop is not None and stop < 0):
            raise IndexError("Negative indexing is not supported.")
        ordered = self.profiles.with_nearness(self.origin).order_by(
            "nearness", "proximity", "user__display_name", "pk"
        )
        if stop is None:  # everything (small sets: tests, exports)
            return list(ordered[start:])
        if stop <= start:
            return []
        return list(ordered.filter(pk__in=self.candidates(stop))[start:stop])

    def candidates(self, limit: int) -> models.QuerySet[Profile, Any]:
        """A subquery of the primary keys that can be among the first `limit`."""
        origin = self.origin
        base = self.profiles.prefetch_related(None).select_related(None).order_by()
        by_name = ("user__display_name", "pk")
        streams: list[models.QuerySet[Profile, Any]] = []
        if origin.latitude is not None and origin.longitude is not None:
            streams.append(
                base.filter(latitude__isnull=False)
                .alias(_chord=chord_from(origin.latitude, origin.longitude))
                .alias(_tier=proximity_to(origin))
                .order_by("_chord", "_tier", *by_name)
                .values("pk")[:limit]
            )
            base = base.filter(latitude__isnull=True)
        # without a distance, a tier is one estimate: alphabetical within it
        earlier = Q()
        for _tier, condition in proximity_conditions(origin):
            streams.append(
                base.filter(condition & ~earlier).order_by(*by_name).values("pk")[:limit]
            )
            earlier |= condition
        first, *rest = streams
        return first.union(*rest, all=True)
