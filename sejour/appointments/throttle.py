"""Booking requests counted per account and per address, in the shared cache.

Fixed windows of SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS (`sejour.core.throttle`: the cache's
atomic increment, Redis in production through CACHE_URL), so a bot fleet that would sweep
slots is slowed down whatever process answers it. Nobody needs many changes: a person books
a few times, a helper for several people a few dozen.
"""

from django.conf import settings

from sejour.core import throttle


def allow(*, user_id: int, address: str | None) -> bool:
    """Whether one more booking request from this account and this address may go through."""
    window = settings.SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS
    by_account = (
        throttle.hit("appointments", f"user:{user_id}", window=window)
        <= settings.SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT
    )
    by_address = (
        address is None
        or throttle.hit("appointments", f"ip:{address}", window=window)
        <= settings.SEJOUR_APPOINTMENT_RATE_PER_ADDRESS
    )
    return by_account and by_address
