"""Reads for stories. Every list, search, feed and detail view starts from
`Story.objects.visible_to(viewer)`, so who may see what is decided here and only here."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, JSONObject
from django.utils import timezone

from kit.scopes import version_of
from kit.spelling import Correction, correction_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User, Viewer
    from stories.models import (
        Comment,  # noqa: F401 named by a (quoted) base class
        Story,
    )

SEARCH_CONFIG = "english"
# ts_headline marks matches with these; the template escapes the text, then turns them into
# <mark>, so nothing a member wrote is ever trusted as HTML
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
# titles close to a misspelt query: at most this many
TYPO_RESULTS = 50
# a page of search results ranks a bounded pool of matches (see `best_matches`)
SEARCH_POOL = 500
SEARCH_WINDOW = 1000
# related stories are chosen among this many newest candidates of each kind
RELATED_POOL = 200


def _headline(query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        Concat(
            "summary",
            Value(" \n "),
            "situation",
            Value(" \n "),
            "what_we_did",
            Value(" \n "),
            "results",
            Value(" \n "),
            "do_differently",
            output_field=models.TextField(),
        ),
        query,
        config=SEARCH_CONFIG,
        start_sel=HIGHLIGHT_START,
        stop_sel=HIGHLIGHT_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


# what `best_matches` reads of each candidate, to order them in the database
RANKED = ("pk", "exact", "rank", "similarity", "published_at", "helpful_count", "comment_count")

SORTS = {
    "newest": ("-published_at", "-pk"),
    "helpful": ("-helpful_count", "-published_at", "-pk"),
    "discussed": ("-comment_count", "-published_at", "-pk"),
}

# where `for_cards()` puts a story's topics (read them with `Story.card_tags`)
CARD_TAGS = "card_tag_list"
# long columns a story card never shows (Story.SECTION_FIELDS is the body)
CARD_DEFERRED = (
    "situation",
    "what_we_did",
    "results",
    "do_differently",
    "resources",
    "search_vector",
    "tag_ids",
    "open_challenge_tag_ids",
    "author__profile__bio",
    "author__profile__search_vector",
    "author__profile__search_text",
)

# Ask a colleague: how many members one challenge may ask, and how often
ASK_PER_STORY = 3
ASK_PER_AUTHOR_PER_DAY = 10
ASK_PER_RECIPIENT_PER_WEEK = 2


class UnindexedMatch(Func):
    """`vector @@ query` as the function behind the operator, which no index answers: for
    rows already chosen, where the GIN index would first collect every match."""

    function = "ts_match_vq"
    output_field = BooleanField()


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _model(name: str) -> type[models.Model]:
    """A model of this app, by name: stories/models.py imports this module for its managers, so
    the querysets look the other models up in the app registry when they build a query."""
    return apps.get_model("stories", name)


def _widened(query: SearchQuery, correction: Correction | None) -> SearchQuery:
    """The query as typed, or its correction's (which finds everything it finds, and more)."""
    return correction.query(SEARCH_CONFIG) if correction and correction.changed else query


def _matches(query: SearchQuery) -> ExpressionWrapper[Q]:
    return ExpressionWrapper(Q(search_vector=query), output_field=BooleanField())


class StoryQuerySet(models.QuerySet["Story"]):
    # --- who sees what -------------------------------------------------------------------
    def visible_to(self, user: Viewer) -> StoryQuerySet:
        """Published, not hidden stories for everyone; plus, for a member, everything they
        wrote or co-wrote (drafts, and their own stories a moderator hid)."""
        public = Q(status="published", hidden_at__isnull=True)
        if user is None or not user.is_authenticated:
            return self.filter(public)
        return self.filter(public | self._editor_q(user))

    def editable_by(self, user: User | AnonymousUser) -> StoryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._editor_q(user))

    def _editor_q(self, user: User) -> Q:
        # a subquery, not a join, so a story with several co-authors is not repeated
        coauthored = self.model.coauthors.through.objects.filter(user=user).values("story_id")
        return Q(author=user) | Q(pk__in=coauthored)

    # --- filters -------------------------------------------------------------------------
    def published(self) -> StoryQuerySet:
        return self.filter(status="published")

    def drafts(self) -> StoryQuerySet:
        return self.filter(status="draft")

    def of_kind(self, kind: str) -> StoryQuerySet:
        return self.filter(kind=kind)

    def tagged(self, slug: str) -> StoryQuerySet:
        return self.filter(tags__slug=slug)

    def for_library_type(self, library_type: str) -> StoryQuerySet:
        return self.filter(library_types__contains=[library_type])

    def in_region(self, *, state: str, country: str | None = None) -> StoryQuerySet:
        qs = self.filter(state__iexact=state)
        return qs.filter(country=country) if country else qs

    def near(self, user: Viewer) -> StoryQuerySet:
        """Stories whose author is in the viewer's state (the viewer's profile)."""
        profile = getattr(user, "profile", None)
        if profile is None or not profile.state:
            return self.none()
        return self.filter(
            author__profile__country=profile.country, author__profile__state=profile.state
        )

    def open_challenges(self) -> StoryQuerySet:
        return self.filter(kind="challenge", solved_answer__isnull=True)

    def sorted_by(self, sort: str) -> StoryQuerySet:
        return self.order_by(*SORTS.get(sort, SORTS["newest"]))

    def for_cards(self) -> StoryQuerySet:
        """What a story card shows, in a fixed number of queries whatever the page size; not
        the long columns no card reads (the body, the search vectors, the author's bio)."""
        # with each row, as plain data (`Story.card_tags`): taggit's own prefetch built one
        # unused queryset per story, and any prefetch is one more query per list
        topics = (
            self.model.tags.through.objects.filter(content_object_id=OuterRef("pk"))
            .order_by("tag__name")
            .values(topic=JSONObject(pk="tag_id", name="tag__name", slug="tag__slug"))
        )
        return (
            self.select_related("author__profile")
            .annotate(**{CARD_TAGS: ArraySubquery(topics)})
            .defer(*CARD_DEFERRED)
            # read with the row: the card is kept under it (kit/fragments.py)
            .annotate(scope_version=version_of("story"))
        )

    # --- search --------------------------------------------------------------------------
    def refresh_search_vector(self) -> int:
        """Recompute the stored tsvector of these stories in one UPDATE: title (A), summary
        and tags (B), the body (C). The services call it after every change to the text or the
        tags; bulk seeding calls it once for thousands of rows."""
        through = self.model.tags.through
        tag_text = Coalesce(
            Subquery(
                through.objects.filter(content_object_id=OuterRef("pk"))
                .values("content_object_id")
                .annotate(names=StringAgg("tag__name", delimiter=" ", order_by="tag__name"))
                .values("names")[:1]
            ),
            Value(""),
            output_field=models.TextField(),
        )
        return self.update(
            search_vector=(
                SearchVector("title", weight="A", config=SEARCH_CONFIG)
                + SearchVector("summary", tag_text, weight="B", config=SEARCH_CONFIG)
                + SearchVector(
                    "situation",
                    "what_we_did",
                    "results",
                    "do_differently",
                    "resources",
                    weight="C",
                    config=SEARCH_CONFIG,
                )
            ),
        )

    def search(self, text: str, correction: Correction | None = None) -> StoryQuerySet:
        """Every full-text match (websearch syntax: "quoted phrases", OR, -minus), best first:
        for small sets. With a `correction` (kit.spelling), also what its close words find,
        after the exact matches (`exact`). Pages rank a bounded pool: `best_matches()`."""
        wide = _widened(_search_query(text), correction)
        return self.filter(search_vector=wide).ranked(text, correction)

    def ranked(self, text: str, correction: Correction | None = None) -> StoryQuerySet:
        """The order and annotations of `search()` (`exact`, `rank`) without its filter, for
        rows already chosen (a pool): a filter on the vector here made PostgreSQL scan every
        match again to join them to the pool."""
        query = _search_query(text)
        wide = _widened(query, correction)
        exact = _matches(query) if wide is not query else Value(True)
        return self.annotate(exact=exact, rank=SearchRank(F("search_vector"), wide)).order_by(
            "-exact", "-rank", "-published_at", "-pk"
        )

    def best_matches(
        self,
        text: str,
        correction: Correction | None = None,
        *,
        sort: str = "",
        close_titles: bool = False,
        limit: int | None = None,
    ) -> list[tuple[int, bool]]:
        """(pk, exact) of the best `limit` (SEARCH_POOL + 1) matches, best first (as typed, then by
        rank) or in the order of `sort`; with `close_titles`, titles close to a misspelt query
        after them. One query, whose cost does not grow with the number of matches.

        The candidates are the first SEARCH_POOL + 1 matches the database finds (all of
        them, unless more than SEARCH_POOL: then more than SEARCH_POOL come back, and a list
        says "more than"), and every match among the newest SEARCH_WINDOW stories, tested row
        by row so that the newest are always in the running. Each branch ranks the rows it
        has already read and the database sorts only those: at 100,000 stories, ranking every
        story a common word matches read 14,000 blocks ("book club", ~200 ms) and 140,000 for
        a word in every story; this reads 3,000–5,000 whatever the words.

        Close titles (`with_title_words`) count only when full text finds nothing as typed."""
        limit = SEARCH_POOL + 1 if limit is None else limit
        text = text.strip()[:200]
        query = _search_query(text)
        wide = _widened(query, correction)
        matched = {
            "exact": _matches(query) if wide is not query else Value(True),
            "rank": SearchRank(F("search_vector"), wide),
            "similarity": Value(0.0, output_field=models.FloatField()),
        }
        first = self.filter(search_vector=wide).order_by().annotate(**matched)
        newest = (
            self.model.objects.published()
            .order_by("-published_at", "-pk")
            .values("pk")[:SEARCH_WINDOW]
        )
        # never through the GIN index, which would collect every match of a common word
        # first: always SEARCH_WINDOW rows, whatever the words
        in_window = (
            self.filter(pk__in=newest)
            .filter(UnindexedMatch(F("search_vector"), wide))
            .order_by()
            .annotate(**matched)
        )
        branches = [first.values_list(*RANKED)[: SEARCH_POOL + 1], in_window.values_list(*RANKED)]
        similar = correction.similar_query(SEARCH_CONFIG) if correction else None
        if close_titles and similar is not None:
            close = (
                # an uncorrelated NOT EXISTS: a one-time filter, so no title is even looked at
                # when full text found something as typed
                self.filter(~Exists(self.filter(search_vector=query)))
                .with_title_words(similar)
                .order_by()
                .annotate(
                    exact=Value(False),
                    rank=Value(0.0, output_field=models.FloatField()),
                    similarity=TrigramStrictWordSimilarity(text, "title"),
                )
            )
            branches.append(close.values_list(*RANKED)[:TYPO_RESULTS])
        order = SORTS.get(sort) or ("-exact", "-rank", "-similarity", *SORTS["newest"])
        # UNION drops a story both full-text branches found (the same row twice); one found
        # by its words and its title comes twice, and its first place counts
        pool = branches[0].union(*branches[1:]).order_by(*order)
        best: dict[int, bool] = {}
        for pk, exact, *_ in pool[: limit + (TYPO_RESULTS if close_titles else 0)]:
            best.setdefault(pk, exact)
        return list(best.items())[:limit]

    def page_of(
        self, ids: list[int], text: str, correction: Correction | None = None
    ) -> StoryQuerySet:
        """These stories (a page of `best_matches`) in that order, with headlines and `exact`."""
        query = _search_query(text)
        return self.in_order(ids).annotate(exact=_matches(query)).with_headline(text, correction)

    def with_headline(self, text: str, correction: Correction | None = None) -> StoryQuerySet:
        """A highlighted snippet of the body around the words searched for, in `headline`."""
        # replaces the model's default `Story.headline`, which the plugin reads as a clash
        return self.annotate(  # type: ignore[no-redef]
            headline=_headline(_widened(_search_query(text), correction))
        )

    def in_order(self, ids: list[int]) -> StoryQuerySet:
        """These stories, in the order of `ids` (a page of ranked search results)."""
        if not ids:
            return self.none()
        position = Case(
            *[When(pk=pk, then=Value(index)) for index, pk in enumerate(ids)],
            output_field=IntegerField(),
        )
        return self.filter(pk__in=ids).annotate(position=position).order_by("position")

    def with_title_words(self, query: SearchQuery) -> StoryQuerySet:
        """Stories whose title alone matches `query` (the title's own GIN index)."""
        return self.alias(title_words=SearchVector("title", config=SEARCH_CONFIG)).filter(
            title_words=query
        )

    def similar_titles(self, text: str, correction: Correction | None = None) -> StoryQuerySet:
        """Fallback when full-text search finds nothing: titles holding, for every word of
        `text`, that word or one the vocabulary holds that is similar to it
        (`Correction.similar_query`; visitors' words unless a `correction` is given), most
        similar to what was typed first.

        Through the index of title words, where the trigram index on titles compared every
        title sharing a few letter triples with the query (50,000 of 100,000 for
        "colaboration"): seconds for a word nothing matches."""
        text = text.strip()[:200]
        if correction is None:
            correction = correction_for(text, None)
        similar = correction.similar_query(SEARCH_CONFIG)
        if similar is None:
            return self.none()
        ids = list(
            self.with_title_words(similar)
            .annotate(similarity=TrigramWordSimilarity(text, "title"))
            .order_by("-similarity", "-pk")
            .values_list("pk", flat=True)[:TYPO_RESULTS]
        )
        return self.in_order(ids)

    def related_to(self, story: Story, *, limit: int = 3) -> StoryQuerySet:
        """Stories sharing tags with `story` or whose text is close to its title and tags:
        most shared tags first, then the closest text, then the newest.

        Candidates are the newest RELATED_POOL stories sharing a tag and the newest
        RELATED_POOL whose text matches, so the cost stays flat however many stories share a
        popular tag (ranking every match took seconds at 100,000 stories)."""
        TaggedStory = _model("TaggedStory")

        tag_ids = [tag.pk for tag in story.tags.all()]
        words = [
            word
            for word in re.findall(r"\w{3,}", " ".join([story.title, *map(str, story.tags.all())]))
            if not word.isdigit()
        ]
        # one IN (… UNION …) the planner turns into a join on the few ids, where an OR of two
        # INs made it filter every story
        candidates = TaggedStory._default_manager.filter(tag_id__in=tag_ids or [0])
        candidates = candidates.order_by("-content_object_id").values_list("content_object_id")
        candidates = candidates[:RELATED_POOL]
        if words:
            query = _search_query(" or ".join(words[:20]))
            close = (
                self.model.objects.published()
                .filter(search_vector=query)
                .order_by("-published_at")
                .values_list("pk")[:RELATED_POOL]
            )
            candidates = candidates.union(close)
            rank: SearchRank | Value = SearchRank(F("search_vector"), query)
        else:
            rank = Value(0.0, output_field=models.FloatField())
        return (
            self.exclude(pk=story.pk)
            .filter(pk__in=candidates)
            .annotate(
                shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
                text_rank=rank,
            )
            .order_by("-shared_tags", "-text_rank", "-published_at")[:limit]
        )


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible(self) -> CommentQuerySet:
        return self.filter(hidden_at__isnull=True)

    def thread(self) -> CommentQuerySet:
        """A story's comments, oldest first (newest last), with what each one shows."""
        return self.select_related("author__profile").order_by("created_at", "pk")


def ask_candidates(story: Story, *, limit: int | None = 8) -> models.QuerySet[User]:
    """Members a challenge's author may ask to take a look, nearest first.

    A match shares the author's library type or lists one of the story's tags under "can help
    with". Not the author or co-authors, not members who opted out of being asked
    (`Profile.accepts_help_requests`, from accounts), not hidden profiles, not anyone already
    asked about this story, nor anyone asked too often this week.
    """
    Member = get_user_model()
    author_profile = getattr(story.author, "profile", None)
    library_type = author_profile.library_type if author_profile else ""
    tag_ids = list(story.tags.values_list("pk", flat=True))
    week_ago = timezone.now() - timedelta(days=7)

    matches = Q()
    if library_type:
        matches |= Q(profile__library_type=library_type)
    if tag_ids:
        matches |= Q(profile__can_help_with__in=tag_ids)
    if not matches:
        return Member.objects.none()

    country = story.country or (author_profile.country if author_profile else "")
    state = story.state or (author_profile.state if author_profile else "")
    city = author_profile.city if author_profile else ""
    nearness = Case(
        When(
            Q(profile__country=country, profile__state=state, profile__city__iexact=city)
            & ~Q(profile__city=""),
            then=Value(0),
        ),
        When(profile__country=country, profile__state=state, then=Value(1)),
        When(profile__country=country, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    busy = (
        Member.objects.filter(help_requests__created_at__gte=week_ago)
        .annotate(asked=Count("help_requests"))
        .filter(asked__gte=ASK_PER_RECIPIENT_PER_WEEK)
        .values("pk")
    )
    excluded = [story.author_id, *story.coauthors.values_list("pk", flat=True)]
    ids = (
        Member.objects.filter(matches, is_active=True, profile__accepts_help_requests=True)
        .exclude(profile__visibility="hidden")
        .exclude(pk__in=[pk for pk in excluded if pk])
        .exclude(pk__in=story.ask_requests.values("recipient_id"))
        .exclude(pk__in=busy)
        .values("pk")
        .distinct()
    )
    candidates: models.QuerySet[User] = (
        Member.objects.filter(pk__in=ids)
        .select_related("profile")
        .prefetch_related("profile__can_help_with")
        .annotate(
            nearness=nearness,
            same_type=Case(
                When(profile__library_type=library_type, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            shared_tags=Count(
                "profile__can_help_with",
                filter=Q(profile__can_help_with__in=tag_ids),
                distinct=True,
            ),
        )
        .order_by("nearness", "-shared_tags", "-same_type", "display_name", "pk")
    )
    return candidates[:limit] if limit else candidates
