"""Counts of requests per key in fixed windows, kept in the shared cache.

The cache's atomic increment (Redis in production, through CACHE_URL) counts each event, so
that every web process sees the same counts; a window ends by itself when its key expires.
A brake on guessing and sweeping, not an exact quota: a count lost when the cache restarts
only gives a little more room.
"""

import time

from django.core.cache import cache


def _bucket(scope: str, key: str, window: int) -> str:
    return f"throttle:{scope}:{key}:{int(time.time() // window)}"


def hit(scope: str, key: str, *, window: int) -> int:
    """Count one event of `key` in the current window of `window` seconds; the new count."""
    bucket = _bucket(scope, key, window)
    cache.add(bucket, 0, timeout=window + 5)
    try:
        return int(cache.incr(bucket))
    except ValueError:  # the bucket ended between add and incr
        cache.set(bucket, 1, timeout=window + 5)
        return 1


def count(scope: str, key: str, *, window: int) -> int:
    """How many events of `key` the current window holds, without counting one more."""
    return int(cache.get(_bucket(scope, key, window), 0))
