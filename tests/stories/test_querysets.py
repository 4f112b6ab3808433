from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kit.spelling import Correction
from stories.models import Story
from stories.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP
from stories.services import story_update
from tests.factories import CommentFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(queryset) -> list[str]:
    return [story.title for story in queryset]


def plain(**fields):
    """A story with only the text given: random filler words must not decide a search test."""
    blank = dict.fromkeys(["summary", "situation", "what_we_did", "results", "do_differently"], "")
    return StoryFactory(**{**blank, **fields})


# --- visibility ---------------------------------------------------------------------------
def test_visitors_see_published_stories_only(story, draft):
    hidden = StoryFactory(title="Hidden one", hidden_at=timezone.now(), hidden_reason="spam")

    visible = Story.objects.visible_to(AnonymousUser())

    assert list(visible) == [story]
    assert hidden not in Story.objects.visible_to(None)


def test_authors_and_coauthors_see_their_drafts_and_hidden_stories(author, story, draft):
    coauthor = UserFactory()
    draft.coauthors.add(coauthor)
    story.hidden_at = timezone.now()
    story.save()
    stranger = UserFactory()

    assert set(Story.objects.visible_to(author)) == {story, draft}
    assert set(Story.objects.visible_to(coauthor)) == {draft}
    assert set(Story.objects.visible_to(stranger)) == set()


def test_a_story_with_several_coauthors_is_listed_once(story):
    story.coauthors.add(UserFactory(), UserFactory(), UserFactory())

    assert list(Story.objects.visible_to(UserFactory())) == [story]
    assert list(Story.objects.visible_to(story.coauthors.first())) == [story]


def test_editable_by_is_authors_and_coauthors_only(author, story, draft):
    coauthor = UserFactory()
    story.coauthors.add(coauthor)

    assert set(Story.objects.editable_by(author)) == {story, draft}
    assert set(Story.objects.editable_by(coauthor)) == {story}
    assert list(Story.objects.editable_by(AnonymousUser())) == []


# --- filters ------------------------------------------------------------------------------
def test_filters_by_kind_tag_library_type_region_and_open_challenges():
    school = StoryFactory(
        kind="success", tags=["reading programs"], library_types=["middle_school"], state="MI"
    )
    open_challenge = StoryFactory(kind="challenge", library_types=["public"], state="NJ")
    # library types fixed: the factory copies a random one from the author's profile
    solved = StoryFactory(kind="challenge", state="NJ", library_types=["academic"])
    solved.solved_answer = CommentFactory(story=solved)
    solved.save()

    stories = Story.objects.published()
    assert list(stories.of_kind("success")) == [school]
    assert list(stories.tagged("reading-programs")) == [school]
    assert list(stories.for_library_type("public")) == [open_challenge]
    assert list(stories.in_region(state="mi", country="US")) == [school]
    assert list(stories.open_challenges()) == [open_challenge]


def test_near_me_is_authors_in_my_state():
    me = UserFactory(profile__state="MI")
    neighbour = StoryFactory(author=UserFactory(profile__state="MI"))
    StoryFactory(author=UserFactory(profile__state="NJ"))
    nowhere = UserFactory(profile__state="")

    assert list(Story.objects.near(me)) == [neighbour]
    assert list(Story.objects.near(nowhere)) == []


def test_sorting_by_helpful_and_discussed():
    quiet = StoryFactory(title="quiet", helpful_count=0, comment_count=9)
    loved = StoryFactory(title="loved", helpful_count=12, comment_count=1)
    newest = StoryFactory(title="newest")

    assert titles(Story.objects.sorted_by("newest")) == ["newest", "loved", "quiet"]
    assert titles(Story.objects.sorted_by("helpful"))[0] == loved.title
    assert titles(Story.objects.sorted_by("discussed"))[0] == quiet.title
    assert titles(Story.objects.sorted_by("nonsense"))[0] == newest.title


# --- search -------------------------------------------------------------------------------
def test_a_title_match_ranks_above_a_body_match():
    body = plain(
        title="What our district tried this year",
        summary="A year of trying things.",
        situation="We ran a makerspace in the library every Friday.",
    )
    title = plain(title="Makerspace Fridays", summary="Tools and volunteers.", situation="Fridays.")

    results = list(Story.objects.search("makerspace"))

    assert results == [title, body]
    assert results[0].rank > results[1].rank


def test_summary_outranks_body_and_tags_are_searched():
    body = plain(title="One", summary="Plain.", what_we_did="a listserv for librarians")
    summary = plain(title="Two", summary="Our listserv keeps us in touch.")
    tagged = plain(title="Three", summary="Plain.", tags=["listservs"])

    results = list(Story.objects.search("listserv"))

    assert results.index(summary) < results.index(body)
    assert tagged in results


def test_websearch_syntax_phrases_or_and_minus():
    lunch = plain(title="Monthly long lunch", summary="Collaboration over lunch.")
    dinner = plain(title="Monthly dinner with credit", summary="Collaboration at dinner.")

    assert list(Story.objects.search('"long lunch"')) == [lunch]
    assert set(Story.objects.search("lunch or dinner")) == {lunch, dinner}
    assert list(Story.objects.search("monthly -dinner")) == [lunch]


def test_search_gives_a_highlighted_snippet():
    plain(title="A", summary="The college readiness dialogue brought 90 librarians.")

    [result] = Story.objects.search("readiness").with_headline("readiness")

    assert f"{HIGHLIGHT_START}readiness{HIGHLIGHT_STOP}" in result.headline


def test_a_misspelt_word_still_finds_the_story_by_its_title():
    story = plain(title="College readiness dialogue across Kansas City")
    plain(title="Summer reading at the branch")

    assert list(Story.objects.search("colege redyness")) == []
    assert list(Story.objects.similar_titles("colege redyness")) == [story]
    assert list(Story.objects.similar_titles("librarain")) == []


def test_drafts_and_hidden_stories_never_appear_in_search(author):
    plain(author=author, status="draft", title="Secret makerspace draft")
    plain(title="Hidden makerspace", hidden_at=timezone.now())
    public = plain(title="Public makerspace")
    stranger = UserFactory()

    assert list(Story.objects.visible_to(stranger).published().search("makerspace")) == [public]
    assert list(Story.objects.visible_to(stranger).published().similar_titles("makerspce")) == [
        public
    ]


def test_a_search_ranks_a_bounded_pool_that_always_holds_the_newest(monkeypatch):
    """More matches than the pool: the list says there are more, and the newest stories are
    in the running however many older ones the index yields first."""
    monkeypatch.setattr("stories.querysets.SEARCH_POOL", 3)
    monkeypatch.setattr("stories.querysets.SEARCH_WINDOW", 2)
    now = timezone.now()
    for days in range(6, 0, -1):
        plain(title=f"Makerspace year {days}", published_at=now - timedelta(days=100 + days))
    newest = plain(title="Makerspace this week", published_at=now)

    best = Story.objects.best_matches("makerspace")

    assert len(best) == 4  # more than SEARCH_POOL: a list says "more than 3"
    assert best[0] == (newest.pk, True)  # equally good: the newest first, never left out


def test_a_correction_ranks_matches_as_typed_first():
    typo = plain(title="Our cooprative courier")
    right = plain(title="Our cooperative courier", published_at=timezone.now())
    correction = Correction(
        "cooprative courier", ("cooprative", "courier"), {"cooprative": ("cooperative",)}
    )

    assert Story.objects.best_matches("cooprative courier", correction) == [
        (typo.pk, True),
        (right.pk, False),
    ]


def test_a_storys_topic_ids_follow_its_taggings_whatever_saves_it(author):
    story = StoryFactory(author=author, tags=["ESL"], kind="challenge")
    stale = Story.objects.get(pk=story.pk)
    story_update(story=story, by=author, data={}, tags=["ESL", "weeding"])
    stale.save()  # a copy loaded before the topics changed writes every column

    topics = Story.objects.get(pk=story.pk)
    assert sorted(topics.tag_ids) == sorted(story.tags.values_list("pk", flat=True))
    assert sorted(topics.open_challenge_tag_ids) == sorted(topics.tag_ids)
    story.tags.clear()
    assert Story.objects.get(pk=story.pk).tag_ids == []


def test_only_open_challenges_list_their_topics_for_the_dashboard(author):
    success = StoryFactory(author=author, tags=["ESL"], kind="success")
    challenge = StoryFactory(author=author, tags=["ESL"], kind="challenge")
    challenge.solved_answer = CommentFactory(story=challenge)
    challenge.save(update_fields=["solved_answer"])

    assert Story.objects.get(pk=success.pk).open_challenge_tag_ids == []
    assert Story.objects.get(pk=challenge.pk).open_challenge_tag_ids == []


def test_changing_tags_updates_the_search_vector(author, story):
    story_update(story=story, by=author, data={}, tags=["bookmobiles"])

    assert list(Story.objects.search("bookmobiles")) == [story]

    story_update(story=story, by=author, data={}, tags=["outreach"])

    assert list(Story.objects.search("bookmobiles")) == []
    assert list(Story.objects.search("outreach")) == [story]


# --- related ------------------------------------------------------------------------------
def test_related_stories_share_tags_or_text_most_shared_first():
    story = plain(title="Reading program with the school district", tags=["reading", "schools"])
    both_tags = plain(title="Alpha", tags=["reading", "schools"])
    one_tag = plain(title="Beta", tags=["reading"])
    similar_text = plain(title="A district reading program that failed")
    plain(title="Unrelated budget spreadsheet", tags=["budgets"])
    plain(title="Draft about reading", tags=["reading", "schools"], status="draft")

    related = list(Story.objects.published().related_to(story, limit=5))

    assert related[:2] == [both_tags, one_tag]
    assert similar_text in related
    assert story not in related
    assert all(other.status == "published" for other in related)
    assert len(related) == 3
