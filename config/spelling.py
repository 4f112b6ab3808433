"""Misspelt searches: "keweenaw cooprative" finds the Keweenaw Reading Cooperative.

Full-text search needs every word, so one misspelt word among several finds nothing. Each word
of a query is looked up in the vocabulary of words people can find (`config.models.SearchWord`,
kept by PostgreSQL, see its migration). A word the vocabulary does not hold, or holds but far
more rarely than a word a letter or two away (a misspelling in someone's story), is searched
together with its closest known words: "keweenaw & (cooprative | cooperative)". The closest
are those the trigram index finds similar (`%`), fewest edits away first (`levenshtein`), then
the most common: PostgreSQL's own recipe for spelling suggestions, one query for all words.

Each search box runs the query as typed and this corrected one together, exact matches first,
and says "showing results for …" (`Correction.corrected_text`) when corrected ones are shown.
A query using search operators ("quoted phrase", -minus, OR) is taken as meant: not corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery
from django.db import connection

SEARCH_CONFIG = "english"
# shorter words are too often several words' misspelling ("arts": art, cats, carts)
MIN_LENGTH = 4
CLOSE_WORDS = 3
# a word the vocabulary holds is doubted only when a close word is this many times as common
RARER_BY = 20
MAX_WORDS = 8

WORD = re.compile(r"\w+")
OPERATORS = re.compile(r'"|(?:^|\s)-\w|(?:^|\s)or(?:\s|$)', re.IGNORECASE)

CLOSE_WORDS_SQL = """
SELECT typed.word, close.word
FROM unnest(%(words)s::text[], %(edits)s::integer[]) AS typed(word, edits)
LEFT JOIN config_searchword AS own ON own.word = typed.word AND (own.public OR %(members)s)
CROSS JOIN LATERAL (
    SELECT candidate.word, candidate.documents,
           levenshtein(candidate.word, typed.word) AS edits
    FROM config_searchword AS candidate
    WHERE candidate.word %% typed.word
      AND candidate.word <> typed.word
      AND (candidate.public OR %(members)s)
      AND candidate.documents >= %(rarer_by)s * coalesce(own.documents, 0)
      AND levenshtein(candidate.word, typed.word) <= typed.edits
    ORDER BY edits, candidate.documents DESC, candidate.word
    LIMIT %(close_words)s
) AS close
ORDER BY typed.word, close.edits, close.documents DESC, close.word
"""


def max_edits(word: str) -> int:
    """Letters a misspelling may get wrong: one in a short word, up to three in a long one."""
    return 1 if len(word) <= 5 else 2 if len(word) <= 9 else 3


@dataclass(frozen=True)
class Correction:
    """A query's words, and for each doubtful one the known words close to it, best first."""

    text: str
    words: tuple[str, ...] = ()
    close: dict[str, tuple[str, ...]] = field(default_factory=dict)

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

        def either(word: str) -> SearchQuery:
            spellings = (word, *self.close.get(word, ()))
            return reduce(
                or_, (SearchQuery(s, search_type="plain", config=config) for s in spellings)
            )

        return reduce(and_, (either(word) for word in self.words))


def correction_for(text: str, viewer) -> Correction:
    """The close words of `text`'s doubtful words, from what `viewer` may see (visitors are
    never offered a word only members' pages hold). One query; none for a query with
    operators or without a word long enough to doubt."""
    text = " ".join(text.split())
    if not text or OPERATORS.search(text):
        return Correction(text)
    words = tuple(WORD.findall(text.lower()))[:MAX_WORDS]
    doubtful = sorted({w for w in words if len(w) >= MIN_LENGTH and w.isalpha()})
    if not doubtful:
        return Correction(text, words)
    members = bool(viewer is not None and viewer.is_authenticated and viewer.is_active)
    close: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            CLOSE_WORDS_SQL,
            {
                "words": doubtful,
                "edits": [max_edits(word) for word in doubtful],
                "members": members,
                "rarer_by": RARER_BY,
                "close_words": CLOSE_WORDS,
            },
        )
        for typed, known in cursor.fetchall():
            close.setdefault(typed, []).append(known)
    return Correction(text, words, {word: tuple(known) for word, known in close.items()})


def search_words_rebuild() -> int:
    """Recount every word people can find and drop those nothing shows any more (hidden,
    deleted or edited away). Returns how many words the vocabulary holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_words_rebuild()")
        return cursor.fetchone()[0]
