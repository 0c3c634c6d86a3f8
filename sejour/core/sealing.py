"""Values sealed for a while in the database (a queued message): encrypted and authenticated
with a key derived from the server's secret key, which the database never holds.

A queued e-mail or SMS may carry a one-time code or a link that opens an account; sealed, it
reads as noise in the task table, in its admin and in backups, and only a process of this
deployment opens it. Keys listed in SECRET_KEY_FALLBACKS still open what was sealed before a
rotation.
"""

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1."
_NONCE = 12


class Unsealable(ValueError):
    """What was sealed cannot be opened: another deployment's key, or altered."""


def _key(secret: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode())


def seal(value: Any, *, purpose: str) -> str:
    """`value` (anything JSON can hold) encrypted for `purpose` with the current key."""
    nonce = os.urandom(_NONCE)
    plain = json.dumps(value, separators=(",", ":")).encode()
    sealed = AESGCM(_key(settings.SECRET_KEY, purpose)).encrypt(nonce, plain, purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, *, purpose: str) -> Any:
    """What `seal` sealed for `purpose`, with the current key or a fallback; raises Unsealable."""
    if not token.startswith(PREFIX):
        raise Unsealable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    except (ValueError, TypeError) as error:
        raise Unsealable("not a sealed value") from error
    nonce, sealed = raw[:_NONCE], raw[_NONCE:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            plain = AESGCM(_key(secret, purpose)).decrypt(nonce, sealed, purpose.encode())
        except InvalidTag:
            continue
        return json.loads(plain)
    raise Unsealable("sealed with another key, or altered")
