"""Check an issued document offline: the signature in its QR code, against the public keys.

    manage.py verify_attestation attestation.pdf [--keys sejour-signing-keys.json]
    manage.py verify_attestation eyJ...signed-token...
    manage.py verify_attestation - < attestation.pdf

`--keys` names a local file: the JSON the service publishes at
/.well-known/sejour-signing-keys.json, or one or more PEM public keys one after another.
Without it, the keys this installation accepts (its settings) are used. No database, no
network: the check says the document is genuine, not whether it was ended since.

Exit status: 0 the signature is valid; 1 forged or altered, signed by a key not given, or no
QR code found; 2 a usage error (no such file, not a PDF, unreadable keys).
"""

import base64
import binascii
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pypdfium2
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    no_translations,
)

from sejour.attestations import signing
from sejour.attestations.choices import Kind

INVALID = 1
USAGE = 2
PARIS = ZoneInfo("Europe/Paris")
# Every token's first part is the base64url of a JSON object, so it begins with "eyJ" ('{"'):
# this tells a token from a mistyped file name.
_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)
SCAN_DPI = 200
# A decision letter puts its QR code on its last page: page 1 first, then from the end.
MAX_PAGES_SCANNED = 20

# The payload's fields, in the order they are printed, with their names in plain words.
FIELDS = {
    "kind": "Document",
    "code": "Verification code",
    "dossier": "Application number",
    "holder": "Holder's initials",
    "born": "Date of birth",
    "from": "Valid from",
    "until": "Valid until",
    "work": "Right to work",
    "outcome": "Decision",
    "filed_at": "Filed at",
    "attempted_at": "Attempted at",
    "decided_at": "Decided at",
    "issued_at": "Issued at",
}
KeySet = dict[str, Ed25519PublicKey]


def _fail(message: str, status: int) -> CommandError:
    return CommandError(message, returncode=status)


class Command(BaseCommand):
    help = (
        "Check the signature of an issued document (a PDF, the text of its QR code, or - for "
        "standard input) with the published public keys. Exit 0 if genuine, 1 if not, 2 on "
        "a usage error."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "document", help="a PDF file, the text of a QR code, or - to read either from stdin"
        )
        parser.add_argument(
            "--keys",
            metavar="FILE",
            help=(
                "a local file of public keys: the JSON published at "
                "/.well-known/sejour-signing-keys.json, or PEM keys; default: this "
                "installation's keys"
            ),
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        keys = _keys_from_file(options["keys"]) if options["keys"] else _keys_from_settings()
        token, where = _token_of(options["document"])
        kid = _key_id_of(token)
        if kid not in keys:
            raise _fail(
                f"Not verified: signed by key {kid}, which is not among the keys given "
                f"({', '.join(sorted(keys)) or 'none'}): the document is forged, or the key "
                "file is out of date.",
                INVALID,
            )
        # A KeyRing needs a private key: a fresh one, thrown away at once, so that nothing
        # signed with it exists; the token's key id was checked against the given keys above.
        ring = signing.KeyRing(Ed25519PrivateKey.generate(), keys.values())
        try:
            payload = ring.verify(token)
        except signing.BadSignature as error:
            reason = str(error).rstrip(".").lower()
            raise _fail(
                f"Not verified: the document was forged or altered ({reason}).", INVALID
            ) from error
        if where:
            self.stdout.write(f"QR code read on {where}.")
        for line in _describe(payload):
            self.stdout.write(line)
        self.stdout.write(f"Signature valid, key {kid}.")
        code = payload.get("code")
        if settings.SITE_URL and isinstance(code, str):
            self.stdout.write(
                "Live status (a document can be ended or withdrawn after it is issued): "
                f"{settings.SITE_URL}/{settings.LANGUAGE_CODE}/verifier/{code}/"
            )


# --- Keys ----------------------------------------------------------------------------------


def _keys_from_settings() -> KeySet:
    try:
        published = signing.keyring().published_keys()
        return {kid: signing.load_public_key(pem) for kid, pem in published.items()}
    except ImproperlyConfigured as error:
        raise _fail(f"The signing keys in the settings are unreadable: {error}", USAGE) from error


def _keys_from_file(name: str) -> KeySet:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise _fail(f"No such key file: {name}", USAGE) from error
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(f"Cannot read the key file {name}: {error}", USAGE) from error
    try:
        if text.lstrip().startswith("{"):
            keys = _keys_from_json(text)
        else:
            keys = [(None, signing.load_public_key(pem)) for pem in _PEM_BLOCK.findall(text)]
    except ImproperlyConfigured as error:
        raise _fail(f"The key file {name} holds an unreadable key: {error}", USAGE) from error
    if not keys:
        raise _fail(f"The key file {name} holds no public key.", USAGE)
    found: KeySet = {}
    for declared, key in keys:
        kid = signing.key_id(key)
        if declared is not None and declared != kid:
            raise _fail(f"The key file {name} names key {declared} a key whose id is {kid}.", USAGE)
        found[kid] = key
    return found


def _keys_from_json(text: str) -> list[tuple[str | None, Ed25519PublicKey]]:
    """The keys of the published JSON: {"keys": [{"kid": ..., "pem": ..., "current": ...}]}."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"not JSON ({error.msg})") from error
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("pem"), str) for entry in entries
    ):
        raise ImproperlyConfigured('expected {"keys": [{"kid": ..., "pem": ...}, ...]}')
    return [
        (
            entry["kid"] if isinstance(entry.get("kid"), str) else None,
            signing.load_public_key(entry["pem"]),
        )
        for entry in entries
    ]


# --- The token -----------------------------------------------------------------------------


def _qr_token(text: str) -> str | None:
    """The token in a QR code's text: the token itself, or the check page's address with it."""
    text = text.strip()
    if text.startswith(("https://", "http://")):
        text = parse_qs(urlsplit(text).query).get("token", [""])[0]
    return text if _TOKEN.fullmatch(text) else None


def _token_of(document: str) -> tuple[str, str]:
    """The signed token, and where it was read ("" when given as text)."""
    if document == "-":
        data = sys.stdin.buffer.read()
        if data.startswith(b"%PDF-"):
            return _token_in_pdf(data, "standard input")
        token = _qr_token(data.decode("ascii", errors="replace"))
        if token is not None:
            return token, ""
        raise _fail("Standard input holds neither a PDF nor the text of a QR code.", USAGE)
    token = _qr_token(document)
    if token is not None:
        return token, ""
    path = Path(document)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise _fail(
            f"No such file: {document} (nor is it the text of a QR code).", USAGE
        ) from error
    except OSError as error:
        raise _fail(f"Cannot read {document}: {error.strerror}", USAGE) from error
    if not data.startswith(b"%PDF-"):
        raise _fail(f"{document} is not a PDF.", USAGE)
    return _token_in_pdf(data, document)


def _token_in_pdf(data: bytes, name: str) -> tuple[str, str]:
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise _fail(f"{name} is not a readable PDF: {error}", USAGE) from error
    try:
        pages = len(pdf)
        for index in [0, *range(pages - 1, 0, -1)][:MAX_PAGES_SCANNED]:
            image = pdf[index].render(scale=SCAN_DPI / 72).to_pil()
            texts = [
                barcode.text
                for barcode in zxingcpp.read_barcodes(image)
                if barcode.format == zxingcpp.BarcodeFormat.QRCode
            ]
            if texts:
                tokens = [token for text in texts if (token := _qr_token(text)) is not None]
                if not tokens:
                    raise _fail(
                        f"Not verified: the QR code on page {index + 1} of {name} holds no "
                        "signed token.",
                        INVALID,
                    )
                return tokens[0], f"page {index + 1} of {name}"
    except pypdfium2.PdfiumError as error:
        raise _fail(f"{name} is not a readable PDF: {error}", USAGE) from error
    finally:
        pdf.close()
    raise _fail(f"Not verified: no QR code found in {name}.", INVALID)


def _key_id_of(token: str) -> str:
    """The key id the token names; checked by the signature afterwards, never trusted alone."""
    first = token.split(".", 1)[0]
    try:
        payload = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    except (binascii.Error, ValueError) as error:
        raise _fail("Not verified: the token is malformed.", INVALID) from error
    kid = payload.get(signing.KEY_ID_FIELD) if isinstance(payload, dict) else None
    if not isinstance(kid, str):
        raise _fail("Not verified: the token names no key.", INVALID)
    return kid


# --- Plain words ---------------------------------------------------------------------------


def _value(field: str, value: object) -> str:
    if field == "kind" and isinstance(value, str) and value in Kind.values:
        return f"{Kind(value).label} ({value})"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("", None):
        return "not given"
    if isinstance(value, str) and field.endswith("_at"):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return f"{moment.astimezone(PARIS):%Y-%m-%d %H:%M} (Paris time)"
    return str(value)


def _describe(payload: dict[str, Any]) -> list[str]:
    known = [field for field in FIELDS if field in payload]
    others = sorted(field for field in payload if field not in FIELDS)
    return [f"{FIELDS.get(field, field)}: {_value(field, payload[field])}" for field in known] + [
        f"{field}: {_value(field, payload[field])}" for field in others
    ]
