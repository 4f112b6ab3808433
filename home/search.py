"""Site-wide search: a few of the best matches from each app, each ranked by that app's own
search (PostgreSQL full text with a trigram fallback) and limited to what the viewer may see."""

from __future__ import annotations

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db.models import F, Q
from django.db.models.functions import Greatest

from accounts.models import Profile
from cooperatives.models import Organisation
from groups.models import Group, Occurrence
from stories.models import Story

PER_SECTION = 5
MAX_QUERY_LENGTH = 200
# trigram fallback for groups and meetups, which have no search index of their own yet
TRIGRAM_THRESHOLD = 0.4


def clean(text: str) -> str:
    # PostgreSQL refuses NUL in text; a NUL in a query means nothing to search for anyway
    return " ".join((text or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def stories(viewer, text: str) -> list:
    """Full-text matches or, when there are none, close titles (a misspelt word): one query,
    so a typo costs nothing more than a match."""
    published = Story.objects.visible_to(viewer).published()
    # the database sorts every match on the narrow row, and joins what the cards need for
    # the best few only
    best = published.search_or_close_titles(text).values("pk")[:PER_SECTION]
    found = list(Story.objects.filter(pk__in=best).search_or_close_titles(text).for_cards())
    return [story for story in found if story.exact] or found


def members(viewer, text: str) -> list:
    """Only profiles the viewer may see: `visible_to` runs before anything else."""
    return list(
        Profile.objects.visible_to(viewer)
        .listed()
        .search(text)
        .order_by("-search_rank", "user__display_name", "pk")
        .for_cards()[:PER_SECTION]
    )


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w+", text) if len(word) >= 3][:8]


def groups(viewer, text: str) -> list:
    query = SearchQuery(text, search_type="websearch", config="english")
    vector = SearchVector("name", weight="A", config="english") + SearchVector(
        "city", "description", weight="C", config="english"
    )
    fuzzy = Q(name_similarity__gte=TRIGRAM_THRESHOLD)
    return list(
        Group.objects.visible_to(viewer)
        .annotate(
            document=vector,
            name_similarity=TrigramWordSimilarity(text, "name"),
        )
        .filter(Q(document=query) | fuzzy)
        .annotate(score=SearchRank(F("document"), query) + F("name_similarity"))
        .with_member_count()
        .defer("description")
        .order_by("-score", "name", "pk")[:PER_SECTION]
    )


def meetups(viewer, text: str) -> list:
    """Upcoming dates of matching meetups, soonest first among the best matches."""
    query = SearchQuery(text, search_type="websearch", config="english")
    vector = SearchVector("meetup__title", weight="A", config="english") + SearchVector(
        "meetup__group__name", "meetup__venue_name", weight="B", config="english"
    )
    return list(
        Occurrence.objects.visible_to(viewer)
        .scheduled()
        .upcoming()
        .annotate(
            document=vector,
            title_similarity=Greatest(
                TrigramWordSimilarity(text, "meetup__title"),
                TrigramWordSimilarity(text, "meetup__group__name"),
            ),
        )
        .filter(Q(document=query) | Q(title_similarity__gte=TRIGRAM_THRESHOLD))
        .annotate(score=SearchRank(F("document"), query) + F("title_similarity"))
        .for_listing(viewer)
        .order_by("-score", "start", "pk")[:PER_SECTION]
    )


def organisations(viewer, text: str) -> list:
    return list(Organisation.objects.search(text).for_list()[:PER_SECTION])


def site_search(viewer, text: str) -> dict:
    text = clean(text)
    if not text:
        return {}
    return {
        "stories": stories(viewer, text),
        "members": members(viewer, text),
        "groups": groups(viewer, text),
        "meetups": meetups(viewer, text),
        "organisations": organisations(viewer, text),
    }
