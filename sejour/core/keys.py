"""Ed25519 keys from the settings: parsing, ids and PEM, shared by every layer that signs.

The documents the system issues (sejour.attestations.signing) and the journal's signed
checkpoints (sejour.audit.checkpoints) use the same keys; this is the one place that reads them.
"""

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 8 hex digits of the SHA-256 of the raw public key."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:8]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or from the base64 of its 32 raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured("The signing key is not a readable PEM key.") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("The signing key must be an Ed25519 key.")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw_key_bytes(text, "signing key"))


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo) or from base64 of its 32 bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured("A public key is not a readable PEM key.") from error
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured("A public key must be an Ed25519 key.")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw_key_bytes(text, "public key"))


def _raw_key_bytes(text: str, what: str) -> bytes:
    standard = text.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"The {what} is neither PEM nor base64.") from error
    if len(raw) != 32:
        raise ImproperlyConfigured(f"The {what} must be 32 bytes, not {len(raw)}.")
    return raw
