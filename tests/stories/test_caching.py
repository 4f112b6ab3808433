"""The story lists' cached figures: computed once per change to the stories, never stale."""

import pytest
from django.db import transaction

from kit import scopes
from stories.caching import count_of, remembered
from stories.models import Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_a_count_is_computed_once_until_the_stories_change(django_assert_num_queries):
    StoryFactory.create_batch(2)
    published = Story.objects.published()
    assert count_of(published) == 2

    with django_assert_num_queries(1):  # the versions it was counted from, not the count
        assert count_of(published) == 2

    StoryFactory()  # any save moves the stories' version on (admin edits and data fixes too)

    assert count_of(published) == 3


def test_a_change_made_in_a_transaction_is_seen_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    # as in production: versions move on once the change has committed
    monkeypatch.setattr(scopes, "after_commit", transaction.on_commit)
    calls = []

    def compute():
        calls.append(1)
        return Story.objects.count()

    assert remembered("probe", compute) == 0
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        StoryFactory()
        # a figure another request stores meanwhile, from the data before the commit…
        remembered("probe", lambda: 0)

    # …is never read: the version moved on once the change was committed
    assert remembered("probe", compute) == 1
    assert len(calls) == 2


def test_nothing_to_count_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_of(Story.objects.none()) == 0
