"""What a change to stories changes on pages (kit/scopes.py), and the figures the story
lists show that cost a scan at 100,000 stories: the number of stories a list finds (for its
pagination) and the popular topics.

Each app process keeps those figures under the versions of what they are counted from (the
stories lists, members for "near me", the site), read once per request — no more than the
page reads anyway — so the next request after a change, in any process, computes them afresh:
nothing stale is ever read. Storing them per process keeps the shared cache off the request
path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from kit import scopes
from kit.scopes import (
    MEMBERS,
    SITE,
    STORIES,
    STORIES_DISCUSSED,
    STORIES_HELPFUL,
    linked_by,
    member,
    shown_by,
    story,
)
from stories.models import (
    AskRequest,
    Comment,
    HelpfulVote,
    Report,
    SavedStory,
    Story,
    TaggedStory,
)

TIMEOUT = 15 * 60
# every list and search: which stories, in every order
STORY_LISTS = (STORIES, STORIES_HELPFUL, STORIES_DISCUSSED)
# what a list's figures are computed from
FIGURES_FROM = (STORIES, MEMBERS, SITE)


# --- what each change changes -------------------------------------------------------------
@shown_by(Story)
def _story_changed(instance: Story, **kwargs) -> list[str]:
    return [story(instance.pk), *STORY_LISTS]


@shown_by(TaggedStory)
def _tagging_changed(instance: TaggedStory, **kwargs) -> list[str]:
    return [story(instance.content_object_id), *STORY_LISTS]


@linked_by(TaggedStory, Story.coauthors.through)
def _story_links_changed(instance, reverse: bool, pk_set) -> list[str]:
    # topics added (taggit's add sends no post_save) or co-authors changed: a co-author sees
    # the story among theirs, drafts too, in every list
    stories = [instance.pk] if not reverse else list(pk_set or [])
    if reverse and pk_set is None:  # a member's co-authorships cleared: which stories is unknown
        return [SITE]
    return [*map(story, stories), *STORY_LISTS]


@shown_by(Comment)
def _comment_changed(instance: Comment, **kwargs) -> list[str]:
    # the count on its story's card, and the order of "most discussed"
    return [story(instance.story_id), STORIES_DISCUSSED]


@shown_by(HelpfulVote)
def _vote_changed(instance: HelpfulVote, **kwargs) -> list[str]:
    # the count on its story's card, the order of "most helpful", the voter's pressed button
    return [story(instance.story_id), STORIES_HELPFUL, member(instance.member_id)]


@shown_by(SavedStory)
def _save_changed(instance: SavedStory, **kwargs) -> list[str]:
    return [member(instance.member_id)]  # only the member sees what they saved


@shown_by(AskRequest)
def _ask_changed(instance: AskRequest, **kwargs) -> list[str]:
    return [member(instance.asked_by_id), member(instance.recipient_id)]


@shown_by(Report)
def _report_changed(instance: Report, **kwargs) -> list[str]:
    return []  # the moderators' queue is in the admin, which keeps nothing


def lists_changed(*stories: int) -> None:
    """For services that change stories with a bulk `update()` (which sends no signal): those
    stories and every list (hiding, unhiding, re-opening a challenge)."""
    scopes.changed(*map(story, stories), *STORY_LISTS)


def discussion_changed(story_pk: int) -> None:
    """A comment hidden or shown again by a bulk `update()`: its story and its count."""
    scopes.changed(story(story_pk), STORIES_DISCUSSED)


# --- figures kept per process -------------------------------------------------------------
def remembered(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept by this process until what story lists show changes (or TIMEOUT)."""
    if any(scopes.pending(scope) for scope in FIGURES_FROM):
        return compute()  # changed in this request, not counted yet: nothing to keep
    current = scopes.versions(FIGURES_FROM)
    key = "stories:{}:{}".format(name, ":".join(str(current[scope]) for scope in FIGURES_FROM))
    return caches["process"].get_or_set(key, compute, TIMEOUT)


def count_of(queryset) -> int:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. `.none()`: nothing to count, nothing to ask the database
        return 0
    digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
    return remembered(f"count:{digest}", queryset.count)


class StoryPaginator(Paginator):
    """Counts a story list once per change to the stories, not on every page view."""

    @cached_property
    def count(self) -> int:
        return count_of(self.object_list)
