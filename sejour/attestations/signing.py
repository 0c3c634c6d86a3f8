"""Signed tokens for the QR codes of issued documents: Ed25519 over canonical JSON.

A token is `base64url(canonical JSON).base64url(signature)`, without padding. The JSON is the
payload plus `kid`, the id of the signing key (the first 8 hex digits of the SHA-256 of its
raw public key), so a verifier picks the right key among the current one and the old ones
still accepted after a rotation. Anyone holding the published public key can check a token
offline: decode the first part, verify the signature over those exact bytes.
"""

import base64
import binascii
import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core import signing as django_signing

# The keys are read in core, where the journal's checkpoints read them too.
from sejour.core.keys import (
    key_id,
    load_private_key,
    load_public_key,
    public_pem,
    raw_public_key,
)

__all__ = [
    "BadSignature",
    "KeyRing",
    "UnknownKey",
    "canonical_json",
    "key_id",
    "keyring",
    "load_private_key",
    "load_public_key",
    "public_key_pem",
    "public_pem",
    "raw_public_key",
    "sign",
    "verify",
]

KEY_ID_FIELD = "kid"
# A payload holds a dozen short fields; anything much longer is not ours.
MAX_TOKEN_LENGTH = 2048


class BadSignature(django_signing.BadSignature):
    """The token is malformed, tampered with, or signed by a key we do not accept."""


class UnknownKey(BadSignature):
    """The token names a key that is neither the current one nor an accepted old one."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64decode(text: str) -> bytes:
    """Strict base64url: one encoding per byte string, so a token cannot be respelled."""
    if not text or not _B64URL.issuperset(text):
        raise BadSignature("The token is not base64url.")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadSignature("The token is not base64url.") from error
    if _b64encode(data) != text:
        raise BadSignature("The token is not base64url.")
    return data


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("A signed datetime must be aware.")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Cannot sign a value of type {type(value).__name__}.")


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8; dates and aware datetimes as ISO 8601 strings."""
    return json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    ).encode("utf-8")


class KeyRing:
    """The current signing key and the old public keys still accepted for verification."""

    def __init__(
        self,
        private_key: Ed25519PrivateKey,
        old_public_keys: Iterable[Ed25519PublicKey] = (),
    ) -> None:
        self.private_key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)
        self._verifiers = {key_id(key): key for key in old_public_keys}
        self._verifiers[self.key_id] = self.public_key

    def sign(self, payload: Mapping[str, Any]) -> str:
        """The compact token for `payload`, signed with the current key."""
        if KEY_ID_FIELD in payload:
            raise ValueError(f"{KEY_ID_FIELD!r} is reserved for the key id.")
        message = canonical_json({**payload, KEY_ID_FIELD: self.key_id})
        return f"{_b64encode(message)}.{_b64encode(self.private_key.sign(message))}"

    def verify(self, token: str) -> dict[str, Any]:
        """The payload of `token` (without the key id), or BadSignature."""
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise BadSignature("The token is malformed.")
        encoded_message, encoded_signature = token.split(".")
        message = _b64decode(encoded_message)
        signature = _b64decode(encoded_signature)
        try:
            payload = json.loads(message)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadSignature("The token's payload is not JSON.") from error
        if not isinstance(payload, dict) or not isinstance(payload.get(KEY_ID_FIELD), str):
            raise BadSignature("The token names no key.")
        public_key = self._verifiers.get(payload[KEY_ID_FIELD])
        if public_key is None:
            raise UnknownKey("The token is signed by a key that is not accepted.")
        try:
            public_key.verify(signature, message)
        except InvalidSignature as error:
            raise BadSignature("The token's signature does not match.") from error
        del payload[KEY_ID_FIELD]
        return payload

    def published_keys(self) -> dict[str, str]:
        """Key id → PEM public key, for every key whose tokens are still accepted."""
        return {kid: public_pem(key) for kid, key in sorted(self._verifiers.items())}


@functools.lru_cache(maxsize=4)
def _keyring(private: str, old_public: tuple[str, ...]) -> KeyRing:
    return KeyRing(load_private_key(private), [load_public_key(pem) for pem in old_public])


def keyring() -> KeyRing:
    """The key ring the settings describe (looked up on each call, so settings overrides apply;
    the keys themselves are parsed once per value)."""
    return _keyring(settings.SEJOUR_SIGNING_KEY, tuple(settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS))


def sign(payload: Mapping[str, Any]) -> str:
    """The compact token for `payload`, signed with the current key from the settings."""
    return keyring().sign(payload)


def verify(token: str) -> dict[str, Any]:
    """The payload of `token`, or BadSignature; old keys from the settings are accepted."""
    return keyring().verify(token)


def public_key_pem() -> str:
    """The current public key, PEM, to publish for offline verification."""
    return public_pem(keyring().public_key)
