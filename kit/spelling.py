"""Misspelt searches: "keweenaw cooprative" finds the Keweenaw Reading Cooperative.

Full-text search needs every word, so one misspelt word among several finds nothing. Each word
of a query is looked up in the vocabulary of words people can find (`kit.models.SearchWord`,
kept by PostgreSQL, see its migration). A word the vocabulary does not hold, or holds but far
more rarely than a word a letter or two away (a misspelling in someone's story), is searched
together with its closest known words: "keweenaw & (cooprative | cooperative)". The closest
are those the trigram index finds similar (`%`), fewest edits away first (`levenshtein`), then
the most similar and the most common: PostgreSQL's own recipe for spelling suggestions, one
query for all words. The same query gives each word's similar words, a looser set, for the
"titles close to what you typed" fallback (`similar_query`), answered by a full-text index.

Each search box runs the query as typed and this corrected one together, exact matches first,
and says "showing results for …" (`Correction.corrected_text`) when corrected ones are shown.
A query using search operators ("quoted phrase", -minus, OR) is taken as meant: not corrected.

A kept search page shows the vocabulary (the `spelling` scope, kit/scopes.py): PostgreSQL
moves it on whenever the vocabulary changes, and the pages that looked a word up are dropped.
Search pages declare it with their other scopes (`searching_shows`); a lookup on a kept page
that did not declares it before it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.http import HttpRequest

from kit import scopes

SEARCH_CONFIG = "english"
# shorter words are too often several words' misspelling ("arts": art, cats, carts)
MIN_LENGTH = 4
CLOSE_WORDS = 3
# a word the vocabulary holds is doubted only when a close word is this many times as common
RARER_BY = 20
# the looser neighbours a title may hold instead of a typed word (trigram similarity)
SIMILAR_WORDS = 8
SIMILARITY = 0.35
MAX_WORDS = 8

WORD = re.compile(r"\w+")
OPERATORS = re.compile(r'"|(?:^|\s)-\w|(?:^|\s)or(?:\s|$)', re.IGNORECASE)

# For each typed word: its close words (a few edits away, fewest first, and far more common
# than the word itself) and its similar words (trigram similarity, most similar first). The
# candidates of both come from the trigram index (`%`, similarity 0.3 and more).
KNOWN_WORDS_SQL = """
SELECT typed.word, found.kind, found.word, found.edits
FROM unnest(%(words)s::text[], %(edits)s::integer[]) AS typed(word, edits)
LEFT JOIN config_searchword AS own ON own.word = typed.word AND (own.public OR %(members)s)
CROSS JOIN LATERAL (
    (
        SELECT 'close' AS kind, candidate.word, candidate.documents,
               levenshtein(candidate.word, typed.word) AS edits,
               similarity(candidate.word, typed.word) AS likeness
        FROM config_searchword AS candidate
        WHERE candidate.word %% typed.word
          AND candidate.word <> typed.word
          AND (candidate.public OR %(members)s)
          AND candidate.documents >= %(rarer_by)s * coalesce(own.documents, 0)
          AND levenshtein(candidate.word, typed.word) <= typed.edits
        ORDER BY edits, likeness DESC, candidate.documents DESC, candidate.word
        LIMIT %(close_words)s
    )
    UNION ALL
    (
        SELECT 'similar', candidate.word, candidate.documents, 0,
               similarity(candidate.word, typed.word) AS likeness
        FROM config_searchword AS candidate
        WHERE candidate.word %% typed.word
          AND (candidate.public OR %(members)s)
          AND similarity(candidate.word, typed.word) >= %(similarity)s
        ORDER BY likeness DESC, candidate.documents DESC, candidate.word
        LIMIT %(similar_words)s
    )
) AS found
ORDER BY typed.word, found.kind, found.edits, found.likeness DESC, found.documents DESC, found.word
"""


def max_edits(word: str) -> int:
    """Letters a misspelling may get wrong: one in a short word, up to three in a long one."""
    return 1 if len(word) <= 5 else 2 if len(word) <= 9 else 3


def _any_of(spellings: Iterable[str], config: str) -> SearchQuery:
    return reduce(or_, (SearchQuery(s, search_type="plain", config=config) for s in spellings))


@dataclass(frozen=True)
class Correction:
    """A query's words; for each doubtful one the known words close to it (best first), and
    for every word the known words similar to it."""

    text: str
    words: tuple[str, ...] = ()
    close: dict[str, tuple[str, ...]] = field(default_factory=dict)
    similar: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.close)

    @property
    def corrected_text(self) -> str:
        """The query with each doubtful word replaced by its best close word."""
        return " ".join(self.close[word][0] if word in self.close else word for word in self.words)

    def query(self, config: str = SEARCH_CONFIG) -> SearchQuery:
        """Every word, each one or any of its close words (stemmed by `config`, like the
        query as typed)."""
        return reduce(
            and_, (_any_of((word, *self.close.get(word, ())), config) for word in self.words)
        )

    def similar_query(self, config: str = SEARCH_CONFIG) -> SearchQuery | None:
        """Every word, each one or any word similar to it: looser than `query()`, for titles
        close to a misspelt query. None when no word has a similar one."""
        if not self.similar:
            return None
        return reduce(
            and_, (_any_of((word, *self.similar.get(word, ())), config) for word in self.words)
        )


def searching_shows(*names: str, field: str = "q") -> Callable[..., list[str]]:
    """For `kept_until_change(shows=…)`: `names`, and the vocabulary when the address asks to
    search (its `field` holds words), read with the page's other versions in one query."""

    def shows(request: HttpRequest, *args: Any, **kwargs: Any) -> list[str]:
        searching = bool(request.GET.get(field, "").strip())
        return [*names, scopes.SPELLING] if searching else list(names)

    return shows


def _shows_the_vocabulary() -> None:
    """The page being kept (it declared the site) shows the vocabulary: its version is read
    before the lookup — no query when the page declared it. A page not kept reads nothing."""
    reading = scopes.current_reading()
    if reading is not None and scopes.SITE in reading.shown:
        scopes.shows(scopes.SPELLING)


def correction_for(
    text: str, viewer: AbstractBaseUser | AnonymousUser | None, *, members: bool | None = None
) -> Correction:
    """The close and similar words of `text`'s words, from what `viewer` may see (visitors
    are never offered a word only members' pages hold; `members` says it instead, for a
    search whose corrections nobody is shown). One query; none for a query with operators
    or without a word long enough to doubt."""
    text = " ".join(text.split())
    if not text or OPERATORS.search(text):
        return Correction(text)
    words = tuple(WORD.findall(text.lower()))[:MAX_WORDS]
    doubtful = sorted({w for w in words if len(w) >= MIN_LENGTH and w.isalpha()})
    if not doubtful:
        return Correction(text, words)
    if members is None:
        members = bool(viewer is not None and viewer.is_authenticated and viewer.is_active)
    close: dict[str, list[tuple[str, int]]] = {}
    similar: dict[str, list[str]] = {}
    _shows_the_vocabulary()
    with connection.cursor() as cursor:
        cursor.execute(
            KNOWN_WORDS_SQL,
            {
                "words": doubtful,
                "edits": [max_edits(word) for word in doubtful],
                "members": members,
                "rarer_by": RARER_BY,
                "close_words": CLOSE_WORDS,
                "similarity": SIMILARITY,
                "similar_words": SIMILAR_WORDS,
            },
        )
        for typed, kind, known, edits in cursor.fetchall():
            if kind == "close":
                close.setdefault(typed, []).append((known, edits))
            else:
                similar.setdefault(typed, []).append(known)
    return Correction(
        text,
        words,
        # a word two edits further than the best is another word, not this one misspelt
        {
            word: tuple(known for known, edits in found if edits <= found[0][1] + 1)
            for word, found in close.items()
        },
        {word: tuple(known) for word, known in similar.items()},
    )


def search_words_rebuild() -> int:
    """Recount every word people can find and drop those nothing shows any more (hidden,
    deleted or edited away). Returns how many words the vocabulary holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_words_rebuild()")
        (words,) = cursor.fetchone()
        return int(words)
