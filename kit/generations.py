"""Generation numbers: one number per kind of content, kept in the shared cache (the database
cache or Redis), that moves on whenever that content changes. Whatever is computed from the
content is kept under a key that includes the number, so a change anywhere is seen by every
process on its next request and nothing stale is ever read; old entries simply expire."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction


class Generation:
    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> int:
        generation = cache.get(self.key)
        if generation is None:
            # unique after an eviction or a cache flush: keys of an earlier run are never reused
            cache.add(self.key, time.time_ns(), timeout=None)
            generation = cache.get(self.key)
        return generation

    def move_on(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # evicted meanwhile
            cache.set(self.key, time.time_ns(), timeout=None)
        else:
            # the database cache's incr rewrites the row with the default timeout: without
            # this the number lapsed 5 minutes after a change and came back as a new one
            cache.touch(self.key, timeout=None)

    def changed(self) -> None:
        """Moves on at once (so the writing transaction itself reads fresh figures) and again
        after commit (what another request computed from not-yet-committed data is dropped)."""
        self.move_on()
        transaction.on_commit(self.move_on)
