"""The vocabulary of findable words, kept by PostgreSQL, and the corrections drawn from it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from kit import scopes
from kit.models import SearchWord
from kit.spelling import correction_for, search_words_rebuild
from kit.tasks import search_words_recount
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    OrganisationFactory,
    StoryFactory,
    UserFactory,
    profile_for,
)

pytestmark = pytest.mark.django_db

VISITOR = AnonymousUser()


def known(word: str) -> SearchWord | None:
    return SearchWord.objects.filter(word=word).first()


def test_words_of_what_people_can_see_are_noted_at_once():
    OrganisationFactory(name="Keweenaw Reading Cooperative", description="")
    StoryFactory(title="Bookmobiles in Aroostook County")
    GroupFactory(name="Quiltmakers of Marquette", visibility="members", description="")
    MeetupFactory(title="Zinemaking night", venue_name="Carnegie annex")

    assert known("keweenaw").public
    assert known("aroostook").public
    assert known("quiltmakers").public is False  # a members-only group's words are members'
    assert known("zinemaking").public
    assert known("carnegie").public


def test_drafts_hidden_stories_and_hidden_profiles_add_no_word():
    StoryFactory(title="Zanzibarian draft", status="draft")
    StoryFactory(title="Xanthippean story", hidden_at=timezone.now())
    UserFactory(display_name="Hester Quorbleton", profile__visibility="hidden")

    assert known("zanzibarian") is None
    assert known("xanthippean") is None
    assert known("quorbleton") is None


def test_words_of_what_is_hidden_later_go_at_the_next_rebuild():
    member = UserFactory(display_name="Hester Quorbleton", profile__visibility="public")
    assert known("quorbleton").public

    profile_for(member, visibility="hidden")
    search_words_rebuild()

    assert known("quorbleton") is None


def test_a_story_published_later_adds_its_words_then():
    story = StoryFactory(title="Zanzibarian makerspace", status="draft")
    story.status = "published"
    story.published_at = timezone.now()
    story.save()

    assert known("zanzibarian").public


def test_a_rename_adds_the_new_words_and_a_rebuild_drops_the_old():
    entry = OrganisationFactory(name="Keweenaw Reading Cooperative", description="")
    entry.name = "Copper Country Reading Cooperative"
    entry.save()

    assert known("copper")
    search_words_rebuild()
    assert known("keweenaw") is None
    assert known("cooperative").documents == 1


def test_one_misspelt_word_among_several_is_corrected():
    OrganisationFactory(name="Keweenaw Reading Cooperative", description="")

    correction = correction_for("keweenaw cooprative", VISITOR)

    assert correction.changed
    assert correction.close == {"cooprative": ("cooperative",)}
    assert correction.corrected_text == "keweenaw cooperative"


def test_words_spelt_right_are_left_alone():
    OrganisationFactory(name="Keweenaw Reading Cooperative", description="")

    assert not correction_for("Keweenaw cooperative", VISITOR).changed


def test_a_rare_known_word_far_commoner_close_word_is_doubted():
    """A misspelling someone published ("cooprative") must not hide the word it misspells."""
    for number in range(20):
        OrganisationFactory(name=f"Cooperative number {number}", description="")
    StoryFactory(title="Our cooprative works")
    search_words_rebuild()

    assert correction_for("cooprative", VISITOR).close == {"cooprative": ("cooperative",)}
    # a word about as common as its neighbour is no misspelling of it
    assert not correction_for("number", VISITOR).changed


def test_visitors_are_never_offered_a_word_only_members_can_see():
    GroupFactory(name="Quiltmakers of Marquette", visibility="members", description="")
    member = UserFactory()

    assert correction_for("quiltmaker", member).close == {"quiltmaker": ("quiltmakers",)}
    assert not correction_for("quiltmaker", VISITOR).changed


def test_queries_with_operators_are_taken_as_meant():
    OrganisationFactory(name="Keweenaw Reading Cooperative", description="")

    for text in ['"keweenaw cooprative"', "keweenaw -cooprative", "keweenaw or cooprative"]:
        assert not correction_for(text, VISITOR).changed, text


def test_unknown_words_without_a_close_word_stay_as_typed():
    correction = correction_for("xylophonics", VISITOR)

    assert not correction.changed
    assert correction.corrected_text == "xylophonics"


def test_the_nightly_recount_is_a_periodic_task_that_recounts():
    periodic = [p.task.name for p in app.periodic_registry.periodic_tasks.values()]
    assert "config.tasks.search_words_recount" in periodic
    for number in range(3):
        OrganisationFactory(name=f"Cooperative number {number}", description="")

    assert search_words_recount(timestamp=0) == SearchWord.objects.count()
    assert known("cooperative").documents == 3


def spelling_version() -> int:
    return scopes.versions([scopes.SPELLING])[scopes.SPELLING]


def test_a_change_to_the_vocabulary_moves_the_spelling_scope_on_and_nothing_else_does():
    story = StoryFactory(title="Zanzibarian makerspace")
    before = spelling_version()

    story.summary = "Zanzibarian makerspace"  # words the vocabulary holds already
    story.save()
    assert spelling_version() == before

    story.summary = "Quiltmaking too"
    story.save()
    assert spelling_version() > before


def test_a_kept_search_page_is_not_served_once_the_vocabulary_changes_its_correction():
    """The directory's search page shows the directory, yet what it corrects a word to comes
    from every table: once a published story holds the misspelling itself, the directory's one
    "college" is no longer far commoner, so no longer offered as the correction (the entry is
    still found, by similar words), and the page must say so."""
    OrganisationFactory(name="Lakeshore College Libraries", description="")
    author = UserFactory()
    visitor = Client()
    search = (reverse("cooperatives:list"), {"q": "colege"})
    first = visitor.get(*search).content.decode()
    assert "Showing results for “<strong>college</strong>”" in first

    StoryFactory(author=author, title="Colege outreach")

    again = visitor.get(*search).content.decode()
    assert "Showing results for" not in again
