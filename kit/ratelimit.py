"""Fixed-window rate limits in the shared cache, for actions allauth does not cover
(posting, contacting a member, asking colleagues). Counted across all app servers."""

import time

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key: str | int, limit: int, period: int) -> bool:
    """Count one attempt; True when the caller is over `limit` attempts per `period` seconds."""
    window = int(time.time() // period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=period + 5)
            count = 1
    return count > limit
