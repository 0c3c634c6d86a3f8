"""Signed tokens: they verify, refuse any change, and survive a rotation of the key."""

import base64
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from sejour.attestations import signing
from sejour.attestations.signing import BadSignature, KeyRing, UnknownKey

ROOT = Path(__file__).resolve().parents[3]
PAYLOAD = {
    "kind": "extension",
    "number": "API-2026-000123",
    "code": "7K3M-QX9P-2TD*",
    "initials": "M.B.A.",
    "issued_at": "2026-03-01T10:15:00+01:00",
    "valid_from": "2026-03-01",
    "valid_until": "2026-05-31",
    "dossier": "2026-75-000123",
    "right_to_work": True,
}
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _raw_b64(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@pytest.fixture
def keyring() -> KeyRing:
    return KeyRing(Ed25519PrivateKey.generate())


def test_a_signed_payload_verifies_to_itself(keyring):
    assert keyring.verify(keyring.sign(PAYLOAD)) == PAYLOAD


def test_the_token_is_canonical_json_and_a_signature_in_base64url(keyring):
    token = keyring.sign(dict(reversed(list(PAYLOAD.items()))))
    message, signature = token.split(".")
    decoded = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4))
    assert decoded == json.dumps(
        {**PAYLOAD, "kid": keyring.key_id}, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64
    assert token == keyring.sign(PAYLOAD)
    assert set(token) <= set(B64URL + ".")


def test_dates_are_signed_as_iso_strings(keyring):
    paris = ZoneInfo("Europe/Paris")
    payload = {
        "issued_at": dt.datetime(2026, 3, 1, 10, 15, tzinfo=paris),
        "day": dt.date(2026, 3, 1),
    }
    assert keyring.verify(keyring.sign(payload)) == {
        "issued_at": "2026-03-01T10:15:00+01:00",
        "day": "2026-03-01",
    }


def test_a_naive_datetime_cannot_be_signed(keyring):
    with pytest.raises(TypeError):
        keyring.sign({"issued_at": dt.datetime(2026, 3, 1, 10, 15)})  # noqa: DTZ001


def test_the_key_id_field_is_reserved(keyring):
    with pytest.raises(ValueError, match="kid"):
        keyring.sign({"kid": "00000000"})


@given(st.data())
def test_changing_any_one_character_of_the_token_is_refused(data):
    keyring = KeyRing(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    token = keyring.sign(PAYLOAD)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    other = data.draw(st.sampled_from(B64URL + ".").filter(lambda c: c != token[position]))
    with pytest.raises(BadSignature):
        keyring.verify(token[:position] + other + token[position + 1 :])


def test_changing_one_byte_of_the_payload_is_refused(keyring):
    message, signature = keyring.sign(PAYLOAD).split(".")
    raw = bytearray(base64.urlsafe_b64decode(message + "=" * (-len(message) % 4)))
    raw[raw.index(b"true")] = ord("T")
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(BadSignature):
        keyring.verify(f"{forged}.{signature}")


def test_a_token_from_an_unknown_key_is_refused(keyring):
    stranger = KeyRing(Ed25519PrivateKey.generate())
    with pytest.raises(UnknownKey):
        keyring.verify(stranger.sign(PAYLOAD))


def test_a_token_naming_our_key_but_signed_by_another_is_refused(keyring):
    message, _ = keyring.sign(PAYLOAD).split(".")
    raw = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4))
    signature = Ed25519PrivateKey.generate().sign(raw)
    forged = f"{message}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(BadSignature):
        keyring.verify(forged)


@pytest.mark.parametrize("token", ["", ".", "abc", "a.b.c", "e30.e30", "x" * 5000 + ".e30"])
def test_malformed_tokens_are_refused(keyring, token):
    with pytest.raises(BadSignature):
        keyring.verify(token)


def test_an_old_key_still_verifies_after_a_rotation():
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    token = KeyRing(old).sign(PAYLOAD)
    rotated = KeyRing(new, [old.public_key()])
    assert rotated.verify(token) == PAYLOAD
    assert KeyRing(new).key_id in rotated.published_keys()
    assert KeyRing(old).key_id in rotated.published_keys()
    with pytest.raises(UnknownKey):
        KeyRing(new).verify(token)


def test_the_module_functions_read_the_keys_from_the_settings(settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    old_token = KeyRing(old).sign(PAYLOAD)
    settings.SEJOUR_SIGNING_KEY = _pem(new)
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = [signing.public_pem(old.public_key())]
    assert signing.verify(old_token) == PAYLOAD
    assert signing.verify(signing.sign(PAYLOAD)) == PAYLOAD
    assert signing.public_key_pem() == signing.public_pem(new.public_key())
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = []
    with pytest.raises(UnknownKey):
        signing.verify(old_token)


def test_a_key_reads_the_same_from_pem_and_from_raw_base64():
    key = Ed25519PrivateKey.generate()
    from_pem = signing.load_private_key(_pem(key))
    from_raw = signing.load_private_key(_raw_b64(key))
    assert signing.key_id(from_pem.public_key()) == signing.key_id(from_raw.public_key())
    public_raw = base64.urlsafe_b64encode(signing.raw_public_key(key.public_key())).decode()
    assert signing.key_id(signing.load_public_key(public_raw.rstrip("="))) == signing.key_id(
        key.public_key()
    )


@pytest.mark.parametrize(
    "text",
    [
        "not a key",
        base64.b64encode(b"short").decode(),
        "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----",
    ],
)
def test_an_unreadable_key_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured):
        signing.load_private_key(text)


def test_the_test_profile_signs_with_the_public_development_key(settings):
    # The key is public by design; anything signed with it proves nothing.
    assert settings.SEJOUR_SIGNING_KEY == "hrzok64yx4hocTFH0T9c5gxVKFDzVYtynDFLw/HgQNk="
    assert signing.verify(signing.sign(PAYLOAD)) == PAYLOAD


PRODUCTION = {
    "SEJOUR_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "DJANGO_ALLOWED_HOSTS": "sejour.example.org",
    "SEJOUR_SITE_URL": "https://sejour.example.org",
}
PRINT_KEY_ID = (
    "import django; django.setup(); from sejour.attestations import signing; "
    "print(signing.keyring().key_id)"
)


def _run_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SEJOUR_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(PRODUCTION, **env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", PRINT_KEY_ID],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_the_development_key():
    result = _run_production(SEJOUR_SIGNING_KEY="hrzok64yx4hocTFH0T9c5gxVKFDzVYtynDFLw/HgQNk=")
    assert result.returncode != 0
    assert "SEJOUR_SIGNING_KEY" in result.stderr


def test_production_signs_with_the_key_from_its_environment():
    key = Ed25519PrivateKey.generate()
    result = _run_production(SEJOUR_SIGNING_KEY=_pem(key).replace("\n", "\\n"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == signing.key_id(key.public_key())
