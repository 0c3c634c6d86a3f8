"""The key of the journal's hash chain, read from the settings, never from the database."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def chain_key() -> bytes:
    """The HMAC key of the chain (SEJOUR_AUDIT_KEY); looked up on each call, so overrides apply."""
    key: str = settings.SEJOUR_AUDIT_KEY
    if not key:
        raise ImproperlyConfigured(
            "SEJOUR_AUDIT_KEY is not set: the journal can be neither written nor checked."
        )
    return key.encode("utf-8")
