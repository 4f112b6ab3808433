"""Reads for stories. Every list, search, feed and detail view starts from
`Story.objects.visible_to(viewer)`, so who may see what is decided here and only here."""

from __future__ import annotations

import re
from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from kit.scopes import version_of

SEARCH_CONFIG = "english"
# ts_headline marks matches with these; the template escapes the text, then turns them into
# <mark>, so nothing a member wrote is ever trusted as HTML
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
# a misspelt word still finds a title: pg_trgm word similarity at or above this
TYPO_THRESHOLD = 0.35
TYPO_RESULTS = 50
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


def typo_threshold_set(sender, connection, **kwargs) -> None:
    """On each new database connection: the strict word similarity (`%>>`) threshold of
    `search_or_close_titles`. Only that operator reads it (the `%>` of other searches keeps
    its own threshold), and setting it once per connection costs no query per page."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.strict_word_similarity_threshold', %s, false)",
                [str(TYPO_THRESHOLD)],
            )


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
    "author__profile__bio",
    "author__profile__search_vector",
    "author__profile__search_text",
)

# Ask a colleague: how many members one challenge may ask, and how often
ASK_PER_STORY = 3
ASK_PER_AUTHOR_PER_DAY = 10
ASK_PER_RECIPIENT_PER_WEEK = 2


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _model(name: str) -> type[models.Model]:
    """A model of this app, by name: stories/models.py imports this module for its managers, so
    the querysets look the other models up in the app registry when they build a query."""
    return apps.get_model("stories", name)


class StoryQuerySet(models.QuerySet):
    # --- who sees what -------------------------------------------------------------------
    def visible_to(self, user) -> StoryQuerySet:
        """Published, not hidden stories for everyone; plus, for a member, everything they
        wrote or co-wrote (drafts, and their own stories a moderator hid)."""
        public = Q(status="published", hidden_at__isnull=True)
        if user is None or not user.is_authenticated:
            return self.filter(public)
        return self.filter(public | self._editor_q(user))

    def editable_by(self, user) -> StoryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._editor_q(user))

    @staticmethod
    def _editor_q(user) -> Q:
        # a subquery, not a join, so a story with several co-authors is not repeated
        return Q(author=user) | Q(pk__in=_coauthored_story_ids(user))

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

    def near(self, user) -> StoryQuerySet:
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
        return (
            self.select_related("author__profile")
            # a plain list (`Story.card_tags`): taggit's own prefetch built one unused
            # queryset per story, most of a 40-card prefetch's cost
            .prefetch_related(Prefetch("tags", to_attr=CARD_TAGS))
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
            )
        )

    def search(self, text: str) -> StoryQuerySet:
        """Full-text search (websearch syntax: "quoted phrases", OR, -minus), best match
        first. For a page of results, add `with_headline(text)` to the page's rows only."""
        query = _search_query(text)
        return (
            self.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-published_at", "-pk")
        )

    def with_headline(self, text: str) -> StoryQuerySet:
        """A highlighted snippet of the body around the words searched for, in `headline`."""
        return self.annotate(headline=_headline(_search_query(text)))

    def search_or_close_titles(self, text: str) -> StoryQuerySet:
        """`search()` and the typo fallback in one query, for a page that cannot spend more:
        the full-text matches (`exact` is true) when there are any, otherwise titles with a
        word close to the query's (`%>>`, strict word similarity, through the GIN trigram
        index; its threshold is set for each connection, see `typo_threshold_set`).

        The typo branch is asked only when full text finds nothing among these stories: its
        operand is NULL once an EXISTS (one index probe, run before the scan) has found a
        match, and a NULL operand makes the trigram index scan return nothing, where a typo
        match ORed in would have had thousands of titles rechecked for every search."""
        text = text.strip()[:200]
        query = _search_query(text)
        typo_text = Case(
            When(Exists(self.filter(search_vector=query)), then=Value(None)),
            default=Value(text),
            output_field=models.TextField(),
        )
        return self.filter(
            Q(search_vector=query) | Q(title__trigram_strict_word_similar=typo_text)
        ).ranked_or_close(text)

    def ranked_or_close(self, text: str) -> StoryQuerySet:
        """The order and annotations of `search_or_close_titles` (`exact`, `rank`,
        `similarity`, `headline`) without its filter: for the few rows it already chose."""
        text = text.strip()[:200]
        query = _search_query(text)
        return self.annotate(
            exact=ExpressionWrapper(Q(search_vector=query), output_field=BooleanField()),
            rank=SearchRank(F("search_vector"), query),
            similarity=TrigramStrictWordSimilarity(text, "title"),
            headline=_headline(query),
        ).order_by("-exact", "-rank", "-similarity", "-published_at", "-pk")

    def page_of(self, ranked, text: str) -> StoryQuerySet:
        """The stories of one page of search results, in the same order, with headlines.

        `ranked` is a slice of `search(text).values("pk")`: the database sorts every match on
        that narrow row and joins what the cards need only for the page (one query)."""
        return (
            self.model.objects.filter(pk__in=ranked)
            .search(text)
            .order_by(*ranked.query.order_by)
            .with_headline(text)
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

    def similar_titles(self, text: str) -> StoryQuerySet:
        """Fallback when full-text search finds nothing: titles with a word close to the
        query's (pg_trgm word similarity, through the GIN trigram index on title)."""
        text = text.strip()[:200]
        if not text:
            return self.none()
        with transaction.atomic(), connection.cursor() as cursor:
            # the `%>` operator is what the trigram index answers; its threshold is per
            # transaction (the default 0.6 misses a swapped pair of letters)
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(TYPO_THRESHOLD)],
            )
            ids = list(
                self.filter(title__trigram_word_similar=text)
                .annotate(similarity=TrigramWordSimilarity(text, "title"))
                .order_by("-similarity", "-pk")
                .values_list("pk", flat=True)[:TYPO_RESULTS]
            )
        return self.in_order(ids)

    def related_to(self, story, *, limit: int = 3) -> StoryQuerySet:
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
        candidates = TaggedStory.objects.filter(tag_id__in=tag_ids or [0])
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
            rank = SearchRank(F("search_vector"), query)
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


def _coauthored_story_ids(user):
    Story = _model("Story")

    return Story.coauthors.through.objects.filter(user=user).values("story_id")


class CommentQuerySet(models.QuerySet):
    def visible(self) -> CommentQuerySet:
        return self.filter(hidden_at__isnull=True)

    def thread(self) -> CommentQuerySet:
        """A story's comments, oldest first (newest last), with what each one shows."""
        return self.select_related("author__profile").order_by("created_at", "pk")


def ask_candidates(story, *, limit: int | None = 8):
    """Members a challenge's author may ask to take a look, nearest first.

    A match shares the author's library type or lists one of the story's tags under "can help
    with". Not the author or co-authors, not members who opted out of being asked
    (`Profile.accepts_help_requests`, from accounts), not hidden profiles, not anyone already
    asked about this story, nor anyone asked too often this week.
    """
    User = get_user_model()
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
        return User.objects.none()

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
        User.objects.filter(help_requests__created_at__gte=week_ago)
        .annotate(asked=Count("help_requests"))
        .filter(asked__gte=ASK_PER_RECIPIENT_PER_WEEK)
        .values("pk")
    )
    excluded = [story.author_id, *story.coauthors.values_list("pk", flat=True)]
    ids = (
        User.objects.filter(matches, is_active=True, profile__accepts_help_requests=True)
        .exclude(profile__visibility="hidden")
        .exclude(pk__in=[pk for pk in excluded if pk])
        .exclude(pk__in=story.ask_requests.values("recipient_id"))
        .exclude(pk__in=busy)
        .values("pk")
        .distinct()
    )
    candidates = (
        User.objects.filter(pk__in=ids)
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
