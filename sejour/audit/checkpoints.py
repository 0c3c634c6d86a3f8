"""Signed checkpoints of the journal's head, kept outside the database.

Once a day the scheduler has the head of the journal (its last sequence number, hash and the
number of entries) signed with the service's Ed25519 key and written as one small JSON file to
SEJOUR_AUDIT_CHECKPOINT_DIR, a directory on other storage than the database (ideally write-once).
`audit_verify` compares the journal with every checkpoint: a journal whose head is behind the
last checkpoint lost its tail; an entry whose hash differs from the one a checkpoint signed was
rewritten, even by someone holding the chain's key. Files are never overwritten.

A checkpoint is `{"payload": {...}, "signature": base64}`; the signature covers the canonical
JSON of the payload (sorted keys, no spaces, UTF-8), which names its key by `kid`, so anyone
holding the published public key can check it.
"""

import base64
import binascii
import datetime as dt
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sejour.audit.chain import GENESIS_HASH
from sejour.audit.models import AuditEntry
from sejour.core import clock
from sejour.core.keys import key_id, load_private_key, load_public_key

logger = logging.getLogger(__name__)

KIND = "sejour.audit.checkpoint"
SUFFIX = ".json"
# A checkpoint is a few hundred bytes: a much larger file is not one.
MAX_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    """The head of the journal as signed at one moment."""

    seq: int
    hash: str
    entries: int
    at: dt.datetime
    name: str = ""


@dataclass(frozen=True)
class Unreadable:
    """A file of the checkpoint directory that is not a checkpoint this service signed."""

    name: str
    reason: str


def directory() -> Path | None:
    """Where checkpoints are kept, or None when none is configured (tests, by default)."""
    configured: str = settings.SEJOUR_AUDIT_CHECKPOINT_DIR
    return Path(configured) if configured else None


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _signing_key() -> Ed25519PrivateKey:
    return load_private_key(settings.SEJOUR_SIGNING_KEY)


def _accepted_keys() -> dict[str, Ed25519PublicKey]:
    current = _signing_key().public_key()
    keys = {
        key_id(key): key for key in map(load_public_key, settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS)
    }
    keys[key_id(current)] = current
    return keys


def head() -> Checkpoint:
    """The journal's head now: last sequence number, its hash, and how many entries there are."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last else (0, GENESIS_HASH)
    return Checkpoint(seq=seq, hash=digest, entries=AuditEntry.objects.count(), at=clock.now())


def checkpoint_write(*, into: Path | None = None) -> Checkpoint:
    """Sign the journal's head and write it as a new file; returns the checkpoint written."""
    target = into or directory()
    if target is None:
        raise ImproperlyConfigured("SEJOUR_AUDIT_CHECKPOINT_DIR is not set.")
    current = head()
    key = _signing_key()
    payload = {
        "kind": KIND,
        "seq": current.seq,
        "hash": current.hash,
        "entries": current.entries,
        "at": current.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kid": key_id(key.public_key()),
    }
    signature = base64.b64encode(key.sign(_canonical(payload))).decode("ascii")
    document = json.dumps({"payload": payload, "signature": signature}, sort_keys=True) + "\n"
    name = f"{current.at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{current.seq:012d}{SUFFIX}"
    target.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked under its name: a reader never sees half a file, and an
    # existing checkpoint is never replaced (link refuses an existing name).
    with tempfile.NamedTemporaryFile("w", dir=target, suffix=".tmp", delete=False) as handle:
        handle.write(document)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(handle.name, target / name)
    finally:
        os.unlink(handle.name)
    return Checkpoint(
        seq=current.seq, hash=current.hash, entries=current.entries, at=current.at, name=name
    )


def checkpoints_read(*, source: Path | None = None) -> tuple[list[Checkpoint], list[Unreadable]]:
    """Every checkpoint of the directory with a valid signature, oldest first, and the files
    that are not (altered, signed by a key not accepted, or not checkpoints at all)."""
    folder = source or directory()
    if folder is None or not folder.is_dir():
        return [], []
    keys = _accepted_keys()
    found: list[Checkpoint] = []
    unreadable: list[Unreadable] = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            found.append(_read(path, keys))
        except ValueError as error:
            unreadable.append(Unreadable(name=path.name, reason=str(error)))
    found.sort(key=lambda checkpoint: (checkpoint.seq, checkpoint.at))
    return found, unreadable


def _read(path: Path, keys: dict[str, Ed25519PublicKey]) -> Checkpoint:
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as error:
        logger.warning("Could not read the audit checkpoint %s", path, exc_info=True)
        raise ValueError("cannot be read") from error
    if len(raw) > MAX_BYTES:
        raise ValueError("too large to be a checkpoint")
    try:
        document = json.loads(raw)
        payload, signature = document["payload"], base64.b64decode(document["signature"])
        public_key = keys.get(payload["kid"])
        if public_key is None:
            raise ValueError("signed by a key that is not accepted")
        public_key.verify(signature, _canonical(payload))
        if payload["kind"] != KIND:
            raise ValueError("not a journal checkpoint")
        return Checkpoint(
            seq=int(payload["seq"]),
            hash=str(payload["hash"]),
            entries=int(payload["entries"]),
            at=dt.datetime.fromisoformat(payload["at"]),
            name=path.name,
        )
    except InvalidSignature as error:
        raise ValueError("its signature does not match") from error
    except (KeyError, TypeError, AttributeError, binascii.Error, json.JSONDecodeError) as error:
        raise ValueError("not a readable checkpoint") from error
