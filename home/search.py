"""Site-wide search: a few of the best matches from each app, each ranked by that app's own
search (PostgreSQL full text with a trigram fallback) and limited to what the viewer may see."""

from __future__ import annotations

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db.models import Exists, F, Func, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest

from accounts.models import Profile
from cooperatives.models import Organisation
from groups.models import Group, Meetup, Occurrence
from stories.models import Story

PER_SECTION = 5
MAX_QUERY_LENGTH = 200
# names and titles close to a misspelt query (pg_trgm word similarity at or above this)
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
    # `best` holds only full-text matches when there are any (see search_or_close_titles)
    return list(Story.objects.filter(pk__in=best).ranked_or_close(text).for_cards())


def members(viewer, text: str) -> list:
    """Only profiles the viewer may see: `visible_to` runs before anything else."""
    return list(
        Profile.objects.visible_to(viewer)
        .listed()
        .search(text)
        .order_by("-search_rank", "user__display_name", "pk")
        .for_cards()[:PER_SECTION]
    )


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config="english")


def groups(viewer, text: str) -> list:
    """Full text on the stored vector (GIN index); names close to a misspelt query only when
    full text finds no group the viewer may see."""
    query = _query(text)
    visible = Group.objects.visible_to(viewer)
    close_names = (
        Group.objects.annotate(name_similarity=TrigramWordSimilarity(text, "name"))
        .filter(name_similarity__gte=TRIGRAM_THRESHOLD)
        # an uncorrelated NOT EXISTS: a one-time filter, so the names are not even compared
        # when full text found something
        .filter(~Exists(visible.filter(search_vector=query)))
        .values("pk")
    )
    return list(
        visible.filter(Q(search_vector=query) | Q(pk__in=close_names))
        .annotate(score=SearchRank(F("search_vector"), query) + TrigramWordSimilarity(text, "name"))
        .with_member_count()
        .defer("description")
        .order_by("-score", "name", "pk")[:PER_SECTION]
    )


def _meetup_document(prefix: str = "") -> CombinedExpression:
    """A meetup's title (A), then its group's name and its venue (B), from stored vectors:
    the group's name is the A-weighted part of the group's own vector."""
    group_name = Func(
        F(f"{prefix}group__search_vector"),
        template="setweight(ts_filter(%(expressions)s, '{a}'), 'B')",
        output_field=SearchVectorField(),
    )
    return CombinedExpression(
        CombinedExpression(
            F(f"{prefix}title_vector"), "||", group_name, output_field=SearchVectorField()
        ),
        "||",
        F(f"{prefix}venue_vector"),
        output_field=SearchVectorField(),
    )


def _title_similarity(text: str, prefix: str = "") -> Greatest:
    return Greatest(
        TrigramWordSimilarity(text, f"{prefix}title"),
        TrigramWordSimilarity(text, f"{prefix}group__name"),
    )


def meetups(viewer, text: str) -> list:
    """Upcoming dates of matching meetups, soonest first among the best matches. Meetups are
    matched first (2,000 series, not their 40,000 dates), on stored vectors; titles close to
    a misspelt query count only when full text finds no upcoming date the viewer may see."""
    query = _query(text)
    upcoming = Occurrence.objects.visible_to(viewer).scheduled().upcoming()
    by_text = Meetup.objects.annotate(document=_meetup_document()).filter(document=query)
    close = (
        Meetup.objects.annotate(similarity=_title_similarity(text))
        .filter(similarity__gte=TRIGRAM_THRESHOLD)
        .filter(~Exists(upcoming.filter(meetup__in=by_text.values("pk"))))
    )
    return list(
        upcoming.filter(Q(meetup__in=by_text.values("pk")) | Q(meetup__in=close.values("pk")))
        .annotate(
            score=SearchRank(_meetup_document("meetup__"), query)
            + _title_similarity(text, "meetup__")
        )
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
