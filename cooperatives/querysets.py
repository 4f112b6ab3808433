"""Reads for the directory. Privacy lives in one place: `Affiliation.objects.visible_to(viewer)`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q
from django.db.models.functions import Greatest

from kit.spelling import Correction, correction_for
from kit.vocabularies import US_STATES

if TYPE_CHECKING:
    from accounts.models import User, Viewer
    from cooperatives.models import (
        Affiliation,
        Contact,
        Organisation,
        Suggestion,  # noqa: F401 named by a (quoted) base class
    )

# Profile.Visibility values, spelled out to keep this module free of model imports
PUBLIC = "public"
MEMBERS = "members"
# areas beside the states, for the directory's filter and map
NATIONWIDE = "nationwide"
SEVERAL_STATES = "several"
ABROAD = "abroad"
AREAS = [(NATIONWIDE, "Nationwide (no single state)"), (SEVERAL_STATES, "Several states")]


def _model(name: str) -> type[models.Model]:
    """A model of this app, by name: cooperatives/models.py imports this module for its managers, so
    the querysets look the other models up in the app registry when they build a query."""
    return apps.get_model("cooperatives", name)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, viewer: Viewer) -> OrganisationQuerySet:
        """Entries `viewer` may open: the directory is public, every entry to everyone (its
        page and following both ask here, so hiding entries one day is one change)."""
        return self.all()

    def search(self, text: str, correction: Correction | None = None) -> OrganisationQuerySet:
        """Full text (stemmed words in name, acronym, description, regions), with a
        `correction`'s close words too (kit.spelling, worked out here when not given:
        "keweenaw cooprative"), or the words the vocabulary holds similar to the typed ones
        (misspelt names such as “Panhandel”), or a similar acronym (“UPRLC” or “UPROC”):
        matches as typed first (`exact`), then the best (`score`).

        Each through a GIN index. A trigram test of the whole query against every name
        (`%>`) looked cheap to the planner and cost ~15 ms a search on 1,000 entries.
        """
        text = " ".join(text.split())[:200]
        if not text:
            return self
        if correction is None:
            correction = correction_for(text, None, members=True)
        query = SearchQuery(text, search_type="websearch", config="english")
        wide = correction.query("english") if correction.changed else query
        matches = Q(search_vector=wide) | Q(acronym__trigram_similar=text)
        if (similar := correction.similar_query("english")) is not None:
            matches |= Q(search_vector=similar)
        return (
            self.filter(matches)
            .annotate(
                exact=ExpressionWrapper(Q(search_vector=query), output_field=BooleanField()),
                score=SearchRank(F("search_vector"), wide)
                + Greatest(
                    TrigramWordSimilarity(text, "name"),
                    TrigramSimilarity("acronym", text),
                ),
            )
            .order_by("-exact", "-score", "name")
        )

    def matching_reference(self, reference: str) -> list[Organisation]:
        """Entries a file or form means by `reference`: the full name (any case), else the
        slug, else the acronym (which several entries may share: the caller decides)."""
        reference = " ".join(str(reference).split())
        if not reference:
            return []
        return (
            list(self.filter(name__iexact=reference)[:10])
            or list(self.filter(slug=reference)[:1])
            or list(self.filter(acronym__iexact=reference)[:10])
        )

    def of_kind(self, kind: str) -> OrganisationQuerySet:
        return self.filter(kind=kind)

    def in_state(self, code: str) -> OrganisationQuerySet:
        return self.filter(states__contains=[code])

    def nationwide(self) -> OrganisationQuerySet:
        """United States entries tied to no state: national associations, networks."""
        return self.filter(country="US", states=[])

    def in_several_states(self) -> OrganisationQuerySet:
        return self.filter(states__len__gt=1)

    def in_area(self, area: str) -> OrganisationQuerySet:
        """A state code, or one of `AREAS` (the directory's "state or territory" filter)."""
        if area == NATIONWIDE:
            return self.nationwide()
        if area == SEVERAL_STATES:
            return self.in_several_states()
        return self.in_state(area)

    def count_by_area(self) -> dict[str, int]:
        """How many entries each state has (`in_state`: an entry serving several states counts
        in each), how many are nationwide, serve several states or are outside the United
        States, and the total: one aggregate, one pass over the table."""
        counts = {code: Count("pk", filter=Q(states__contains=[code])) for code, _ in US_STATES}
        return self.order_by().aggregate(
            **counts,
            **{
                NATIONWIDE: Count("pk", filter=Q(country="US", states=[])),
                SEVERAL_STATES: Count("pk", filter=Q(states__len__gt=1)),
                ABROAD: Count("pk", filter=~Q(country="US")),
                "total": Count("pk"),
            },
        )

    def serving(self, library_type: str) -> OrganisationQuerySet:
        """Entries that serve this type of library, including those serving every type."""
        return self.filter(Q(all_library_types=True) | Q(library_types__contains=[library_type]))

    def doing(self, activity: str) -> OrganisationQuerySet:
        return self.filter(activities__contains=[activity])

    def with_status(self, status: str) -> OrganisationQuerySet:
        return self.filter(status=status)

    def not_verified_since(self, day: datetime.date) -> OrganisationQuerySet:
        return self.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=day))

    def for_list(self) -> OrganisationQuerySet:
        return self.defer("search_vector", "curator_notes", "source_urls", "address")

    def for_detail(self, viewer: Viewer) -> OrganisationQuerySet:
        # the models are looked up by name (see `_model`); the casts name what they are
        affiliations = cast("type[Affiliation]", _model("Affiliation")).objects
        contacts = cast("type[Contact]", _model("Contact")).objects
        entries = self.model.objects
        return (
            self.defer("search_vector")
            .select_related("merged_into")
            .prefetch_related(
                Prefetch("parents", queryset=entries.for_list()),
                Prefetch("children", queryset=entries.for_list()),
                Prefetch(
                    "affiliations",
                    queryset=affiliations.visible_to(viewer)
                    .select_related("member", "member__profile")
                    .order_by("role", "member__display_name", "member_id"),
                    to_attr="visible_affiliations",
                ),
                Prefetch(
                    "contacts",
                    queryset=contacts.filter(show_publicly=True),
                    to_attr="public_contacts",
                ),
            )
        )


class AffiliationQuerySet(models.QuerySet["Affiliation"]):
    def visible_to(self, viewer: Viewer) -> AffiliationQuerySet:
        """Affiliations the viewer may see, following each member's profile visibility:
        "public" to everyone, "members" to signed-in members, "hidden" to nobody but the member.
        Inactive accounts are never shown."""
        visible = self.filter(member__is_active=True)
        if viewer is not None and viewer.is_authenticated:
            return visible.filter(
                Q(member__profile__visibility__in=[PUBLIC, MEMBERS]) | Q(member=viewer)
            )
        return visible.filter(member__profile__visibility=PUBLIC)

    def of_member(self, member: User) -> AffiliationQuerySet:
        return self.filter(member=member)


class SuggestionQuerySet(models.QuerySet["Suggestion"]):
    def pending(self) -> SuggestionQuerySet:
        return self.filter(status="pending")

    def submitted_by(self, member: User) -> SuggestionQuerySet:
        return self.filter(submitted_by=member)
