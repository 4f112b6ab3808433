"""Site-wide search: a few of the best matches from each app, each ranked by that app's own
search (PostgreSQL full text with a trigram fallback) and limited to what the viewer may see.
A misspelt word is looked up once (kit/spelling.py) and its close words searched in every
section, after what matches as typed."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Greatest

from accounts.models import Profile
from cooperatives.models import Organisation
from groups.models import Group, Meetup, Occurrence
from kit import scopes
from kit.spelling import Correction, correction_for
from stories.models import Story

PER_SECTION = 5
MAX_QUERY_LENGTH = 200
# the members section ranks the first this many profiles full text finds, not all of them
MEMBER_POOL = 200
SECTIONS = ("stories", "members", "groups", "meetups", "organisations")


def clean(text: str) -> str:
    # PostgreSQL refuses NUL in text; a NUL in a query means nothing to search for anyway
    return " ".join((text or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def stories(viewer, text: str, correction: Correction | None = None) -> list:
    """The best of a bounded pool of full-text matches or, when nothing matches as typed,
    close titles too (a misspelt word): one query ranks them, so a typo costs nothing more
    than a match, and one more loads the cards of the best few."""
    published = Story.objects.visible_to(viewer).published()
    best = published.best_matches(text, correction, close_titles=True, limit=PER_SECTION)
    ids = [pk for pk, _exact in best]
    return list(Story.objects.page_of(ids, text, correction).for_cards())


def members(viewer, text: str, correction: Correction | None = None) -> list:
    """Only profiles the viewer may see: `visible_to` runs before anything else."""
    return list(
        Profile.objects.visible_to(viewer)
        .listed()
        .search(text, correction, pool=MEMBER_POOL)
        .by_relevance()
        .for_cards()[:PER_SECTION]
    )


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config="english")


def _widened(query: SearchQuery, correction: Correction | None) -> SearchQuery:
    return correction.query("english") if correction and correction.changed else query


def _matches(query: SearchQuery, field: str = "search_vector") -> ExpressionWrapper:
    return ExpressionWrapper(Q(**{field: query}), output_field=BooleanField())


def _similar(text: str, correction: Correction | None) -> SearchQuery | None:
    """The typed words or words similar to them (kit.spelling): for names and titles
    close to a misspelt query."""
    return correction.similar_query("english") if correction is not None else None


def groups(viewer, text: str, correction: Correction | None = None) -> list:
    """Full text on the stored vector (GIN index); groups holding words similar to a
    misspelt query only when full text finds no group the viewer may see as typed."""
    query = _query(text)
    wide = _widened(query, correction)
    visible = Group.objects.visible_to(viewer)
    matches = Q(search_vector=wide)
    if (similar := _similar(text, correction)) is not None:
        # an uncorrelated NOT EXISTS: a one-time filter, so the similar words are not even
        # looked up when full text found something
        matches |= ~Q(Exists(visible.filter(search_vector=query))) & Q(search_vector=similar)
    return list(
        visible.filter(matches)
        .annotate(
            exact=_matches(query),
            score=SearchRank(F("search_vector"), wide) + TrigramWordSimilarity(text, "name"),
        )
        .with_member_count()
        .defer("description")
        .order_by("-exact", "-score", "name", "pk")[:PER_SECTION]
    )


def _title_similarity(text: str, prefix: str = "") -> Greatest:
    return Greatest(
        TrigramWordSimilarity(text, f"{prefix}title"),
        TrigramWordSimilarity(text, f"{prefix}group__name"),
    )


def meetups(viewer, text: str, correction: Correction | None = None) -> list:
    """Upcoming dates of the best matching meetups, soonest first among equally good ones.

    Series are matched and ranked on their stored vector (title, group name, venue: one GIN
    index), and only the best PER_SECTION series with a date to come are asked for their
    dates: the best PER_SECTION dates, by (match, score, start), are all theirs, since a
    series' next date is as good as any of its others. Series holding words similar to a
    misspelt query count only when full text finds no upcoming date the viewer may see."""
    query = _query(text)
    wide = _widened(query, correction)
    upcoming = Occurrence.objects.visible_to(viewer).scheduled().upcoming()
    matches = Q(search_vector=wide)
    if (similar := _similar(text, correction)) is not None:
        matches |= ~Q(Exists(upcoming.filter(meetup__search_vector=query))) & Q(
            search_vector=similar
        )
    next_start = upcoming.filter(meetup=OuterRef("pk")).order_by("start").values("start")[:1]
    best_series = (
        Meetup.objects.filter(matches)
        .annotate(
            exact=_matches(query),
            score=SearchRank(F("search_vector"), wide) + _title_similarity(text),
            next_start=Subquery(next_start),
        )
        .filter(next_start__isnull=False)
        .order_by("-exact", "-score", "next_start", "pk")
        .values("pk")[:PER_SECTION]
    )
    dates = list(
        upcoming.filter(meetup__in=best_series)
        .annotate(
            exact=_matches(query, "meetup__search_vector"),
            score=SearchRank(F("meetup__search_vector"), wide)
            + _title_similarity(text, "meetup__"),
        )
        .for_listing(viewer)
        .order_by("-exact", "-score", "start", "pk")[:PER_SECTION]
    )
    # Time changes this list only when a date it shows ends: each listed series' next date is
    # listed (it ranks first among its dates), and the series' other dates, listed or not,
    # rank after every listed one — so a kept page lasts until then (kit/pagecache.py).
    if dates:
        scopes.until(min(date.end for date in dates))
    return dates


def organisations(viewer, text: str, correction: Correction | None = None) -> list:
    return list(Organisation.objects.search(text, correction).for_list()[:PER_SECTION])


def site_search(viewer, text: str, correction: Correction | None = None) -> dict:
    """{section: the best few results}; `correction` as `correction_for(text, viewer)`
    gives it (one query), computed here when not given."""
    text = clean(text)
    if not text:
        return {}
    if correction is None:
        correction = correction_for(text, viewer)
    return {
        "stories": stories(viewer, text, correction),
        "members": members(viewer, text, correction),
        "groups": groups(viewer, text, correction),
        "meetups": meetups(viewer, text, correction),
        "organisations": organisations(viewer, text, correction),
    }


def _exact(row) -> bool:
    return bool(getattr(row, "exact", getattr(row, "search_exact", True)))


def corrections_shown(results: dict, correction: Correction) -> tuple[str, bool]:
    """(the corrected query, if any section shows something only its close words found;
    whether anything matched as typed)."""
    rows = [row for section in SECTIONS for row in results.get(section, ())]
    exact_found = any(_exact(row) for row in rows)
    if correction.changed and not all(_exact(row) for row in rows):
        return correction.corrected_text, exact_found
    return "", exact_found
