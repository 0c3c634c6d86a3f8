"""Booking requests counted per account and per address, in the shared cache.

Fixed windows of SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS: the cache's atomic increment (Redis
in production, through CACHE_URL) counts each request, so a bot fleet that would sweep slots
is slowed down whatever process answers it. Nobody needs many changes: a person books a few
times, a helper for several people a few dozen.
"""

import time

from django.conf import settings
from django.core.cache import cache


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one request under `key`; False when it is past `limit` in this window."""
    bucket = f"appointments-rate:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # ended between add and incr
        cache.set(bucket, 1, timeout=window + 5)
        count = 1
    return count <= limit


def allow(*, user_id: int, address: str | None) -> bool:
    """Whether one more booking request from this account and this address may go through."""
    window = settings.SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS
    by_account = _hit(f"user:{user_id}", settings.SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT, window)
    by_address = address is None or _hit(
        f"ip:{address}", settings.SEJOUR_APPOINTMENT_RATE_PER_ADDRESS, window
    )
    return by_account and by_address
