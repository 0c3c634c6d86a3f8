"""The hash chain: the canonical form of an entry's details and the keyed hash that seals it.

Pure functions over plain values, shared by the writer (services), the checker (selectors)
and the model. The hash covers only values stored in the entry's own row, so checking the
chain never reads another table. It is an HMAC-SHA256 under a key kept outside the database
(SEJOUR_AUDIT_KEY): whoever can write to the database but lacks the key cannot rewrite entries
and recompute the links after them. Entries written before the chain was keyed carry a plain
SHA-256 (`key=None`); the entry `KEYED_ACTION` marks where the keyed chain starts.
"""

import datetime as dt
import enum
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

from django.utils.duration import duration_iso_string

GENESIS_HASH = "0" * 64
# The entry that starts the keyed chain after unkeyed ones (migration 0003): itself keyed.
KEYED_ACTION = "audit.chain_keyed"

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None


def canonical_data(data: object) -> dict[str, JSONValue]:
    """The details of an entry as plain JSON values, the same before and after storage.

    Dates, times and durations become ISO 8601 strings, UUIDs and Decimals strings, tuples
    lists, enums their value, and a float with an integral value an int (PostgreSQL's jsonb
    would otherwise give `1e16` back as an integer and the hash would change). Anything else
    is refused with TypeError: sets, bytes, model instances, lazy translations, non-string keys.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
    return _mapping(data)


def _canonical(value: object) -> JSONValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("audit data cannot hold a naive datetime")
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Mapping):
        return _mapping(value)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    raise TypeError(f"audit data cannot hold a {type(value).__name__}")


def _mapping(value: Mapping[object, object]) -> dict[str, JSONValue]:
    result: dict[str, JSONValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"audit data keys must be strings, not {type(key).__name__}")
        result[_text(key)] = _canonical(item)
    return result


def _number(value: float) -> int | float:
    if not math.isfinite(value):
        raise ValueError("audit data cannot hold NaN or infinity")
    exact = Decimal(repr(value))
    return int(exact) if exact == exact.to_integral_value() else value


def _text(value: str) -> str:
    plain = str.__str__(value)
    if "\x00" in plain:
        raise ValueError("audit data cannot hold a NUL character")
    plain.encode("utf-8")  # raises on lone surrogates, which no database stores
    return plain


def entry_hash(
    *,
    seq: int,
    created_at: dt.datetime,
    actor_id: object,
    on_behalf_of_id: object,
    action: str,
    target_type: str,
    target_id: str,
    data: object,
    ip: str | None,
    prev_hash: str,
    key: bytes | None,
) -> str:
    """HMAC-SHA256 (hex) under `key` of the canonical JSON of every field of an entry and its
    predecessor's hash; the plain SHA-256 of the same bytes when `key` is None (the entries
    written before the chain was keyed)."""
    payload = {
        "seq": seq,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": None if actor_id is None else str(actor_id),
        "on_behalf_of_id": None if on_behalf_of_id is None else str(on_behalf_of_id),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "data": canonical_data(data),
        "ip": ip,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(encoded).hexdigest()
    return hmac.new(key, encoded, hashlib.sha256).hexdigest()
