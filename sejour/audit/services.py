"""Writing to the journal: `record()` is the only way an entry is made."""

import contextlib
import contextvars
import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections, models, router, transaction
from django.utils.ipv6 import clean_ipv6_address

from sejour.audit.chain import GENESIS_HASH, canonical_data, entry_hash
from sejour.audit.keying import chain_key
from sejour.audit.models import AuditEntry, target_key
from sejour.core import bulk, clock

# Key of the PostgreSQL advisory lock that makes writers append one at a time
# (ASCII "SEJOURAU"; in pg_locks: locktype advisory, classid 1397049935, objid 1431454037).
CHAIN_LOCK_ID = 0x53454A4F55524155

ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


# The entries `record` keeps for the end of a `deferred()` block, if one is open.
_pending: contextvars.ContextVar[list[AuditEntry] | None] = contextvars.ContextVar(
    "audit_pending", default=None
)


@contextlib.contextmanager
def deferred(using: str | None = None) -> Iterator[None]:
    """Append the entries `record` makes in this block together, at its end.

    For a service that records several entries in one transaction: the chain is locked once,
    for one insert, at the end of the block, so the lock (held on PostgreSQL until the commit)
    is held for the shortest time. Open it inside the transaction, around the changes it
    records; when the block raises, its entries are dropped with the transaction. Entries
    returned by `record` inside the block get their `seq` and hash when it ends. A block
    inside another one leaves the writing to the outer block.
    """
    using = using or router.db_for_write(AuditEntry)
    if not connections[using].in_atomic_block:
        raise RuntimeError("audit.deferred() must be opened inside a transaction")
    if _pending.get() is not None:
        yield
        return
    entries: list[AuditEntry] = []
    token = _pending.set(entries)
    try:
        yield
    finally:
        _pending.reset(token)
    if entries:
        _append(entries, using)


def record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model | None = None,
    on_behalf_of: AbstractBaseUser | None = None,
    data: Mapping[str, object] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the journal and return it.

    `actor` and `on_behalf_of` are saved users, or None when the system acts. `action` is a
    dotted slug ("account.login_failed"). `target` is any saved model instance. `data` is a
    dict of JSON values, dates, UUIDs and Decimals (see `chain.canonical_data`); anything else
    raises TypeError. `ip` is an IPv4 or IPv6 address.

    Call it inside the transaction of the change it records, so that both commit or neither
    does; it opens its own `transaction.atomic()` so it also works alone. Writers never fork
    the chain: on PostgreSQL a transaction-scoped advisory lock is held from before the head
    is read until the caller's transaction ends (call it late in long transactions); on SQLite
    the project opens every transaction with BEGIN IMMEDIATE, so writers already take the
    database's one write lock in turn. The unique `seq` is the last guard on any engine.
    """
    if not isinstance(action, str) or not ACTION_PATTERN.fullmatch(action) or len(action) > 100:
        raise ValueError(f'audit action must be a dotted slug like "account.signed_up": {action!r}')
    target_type, target_id = target_key(target) if target is not None else ("", "")
    entry = AuditEntry(
        actor_id=_user_id(actor, "actor"),
        on_behalf_of_id=_user_id(on_behalf_of, "on_behalf_of"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        data=canonical_data({} if data is None else data),
        ip=_normalised_ip(ip),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)
        return entry
    _append([entry], router.db_for_write(AuditEntry))
    return entry


def _append(entries: list[AuditEntry], using: str) -> None:
    """Chain `entries` after the head of the journal and insert them, in their order.

    No savepoint of its own: an entry that cannot be written fails the whole transaction,
    the change it records included.
    """
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        head = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = head if head else (0, GENESIS_HASH)
        now = clock.now()
        for entry in entries:
            seq += 1
            entry.seq, entry.prev_hash, entry.created_at = seq, prev_hash, now
            entry.hash = prev_hash = entry.compute_hash()  # the one HMAC of each entry
        AuditEntry.objects.using(using)._append_sealed(entries)


def record_many(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    targets: Sequence[models.Model],
    data: Sequence[Mapping[str, object]],
) -> int:
    """Append one entry per target, in one insert: for batches such as the nightly sweep.

    The same rules as `record` (same transaction as the change, chain lock held until the
    commit); `data[i]` goes with `targets[i]`. Returns how many entries were written.
    """
    if len(targets) != len(data):
        raise ValueError("record_many needs one data mapping per target")
    if not targets:
        return 0
    if not isinstance(action, str) or not ACTION_PATTERN.fullmatch(action) or len(action) > 100:
        raise ValueError(f'audit action must be a dotted slug like "account.signed_up": {action!r}')
    actor_id = _user_id(actor, "actor")
    key = chain_key()
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        head = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = head if head else (0, GENESIS_HASH)
        now = clock.now()
        links = []
        for target, values in zip(targets, data, strict=True):
            target_type, target_id = target_key(target)
            seq += 1
            details = canonical_data(values)
            # The hash of the entry as stored: no on_behalf_of, no IP address.
            digest = entry_hash(
                seq=seq,
                created_at=now,
                actor_id=actor_id,
                on_behalf_of_id=None,
                action=action,
                target_type=target_type,
                target_id=target_id,
                data=details,
                ip=None,
                prev_hash=prev_hash,
                key=key,
            )
            links.append((seq, target_type, target_id, details, prev_hash, digest))
            prev_hash = digest
        if bulk.copy_supported(using):
            # The rows append_chained would write, streamed with COPY (a sweep's batch).
            bulk.copy_rows(
                AuditEntry,
                ("created_at", "actor_id", "action", "seq", "target_type", "target_id", "data",
                 "prev_hash", "hash"),
                [(now, actor_id, action, *link) for link in links],
            )  # fmt: skip
        else:
            AuditEntry.objects.using(using).append_chained(
                [
                    AuditEntry(
                        seq=seq, created_at=now, actor_id=actor_id, action=action,
                        target_type=target_type, target_id=target_id, data=details,
                        prev_hash=prev_hash, hash=digest,
                    )
                    for seq, target_type, target_id, details, prev_hash, digest in links
                ]
            )  # fmt: skip
    return len(links)


def _user_id(user: AbstractBaseUser | None, role: str) -> int | str | None:
    if user is None:
        return None
    if not isinstance(user, get_user_model()):
        raise TypeError(f"audit {role} must be a user or None, not {type(user).__name__}")
    pk: int | str | None = user.pk
    if pk is None:
        raise ValueError(f"audit {role} must be a saved user")
    return pk


def _normalised_ip(ip: str | None) -> str | None:
    """The address as the databases give it back, so the hash survives a round trip."""
    if ip is None or ip == "":
        return None
    address = ipaddress.ip_address(ip)  # raises ValueError when it is not an address
    return clean_ipv6_address(ip) if address.version == 6 else str(address)


def _lock_chain(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
