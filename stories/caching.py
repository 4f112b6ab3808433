"""Figures the story lists show that cost a scan at 100,000 stories: the number of stories a
list finds (for its pagination) and the popular topics. Each app process keeps them, keyed by
a generation number kept in the shared cache (the database cache or Redis) that every service
changing what a list could show moves on, at once and after its transaction commits — so the
next request, in any process, reads the new number and computes them afresh: nothing stale is
ever read. A request costs one shared-cache read (one query with the database cache), not
the two scans; storing the figures per process keeps the shared cache's writes (four queries
each with the database cache) off the request path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from kit.generations import Generation

LISTS = Generation("stories:lists:generation")
TIMEOUT = 15 * 60


def lists_changed() -> None:
    """Call from every service that changes stories with a bulk `update()` (hide, unhide,
    unmark an answer): saves and deletes of stories and taggings are seen by the signal
    receiver below."""
    LISTS.changed()


def story_saved_or_deleted(sender, **kwargs) -> None:
    """Signal receiver: stories changed outside the services (Django admin, data fixes) count
    too. Bulk `update()`s don't send signals; the services call `lists_changed()` for theirs."""
    lists_changed()


def remembered(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept by this process until the stories change (or TIMEOUT passes)."""
    return caches["process"].get_or_set(f"stories:{name}:{LISTS.current()}", compute, TIMEOUT)


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
