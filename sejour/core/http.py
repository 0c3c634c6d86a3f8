"""The client's address, read through as many reverse proxies as the deployment trusts.

SEJOUR_TRUSTED_PROXY_HOPS says how many proxies stand in front of the web processes, each
appending the address it received from to X-Forwarded-For. The client is the entry that the
outermost trusted proxy wrote; whatever the client put before it is ignored, so nobody can
choose their own address by sending the header. With no proxy (0), REMOTE_ADDR is the client.
Every brake (login, codes, sign-up, share codes, bookings) counts by this one address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip())) if value else None
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, normalised; None if it cannot be read."""
    hops = settings.SEJOUR_TRUSTED_PROXY_HOPS or 0
    remote = _valid(request.META.get("REMOTE_ADDR"))
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the outermost ones wrote nothing, the first is the client's.
    return _valid(forwarded[-hops] if len(forwarded) >= hops else forwarded[0]) or remote
