"""Reading the journal: entries filtered by the viewer, and the check of the hash chain."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet

from sejour.audit import checkpoints as checkpoint_store
from sejour.audit.chain import GENESIS_HASH, KEYED_ACTION, entry_hash
from sejour.audit.checkpoints import Checkpoint, Unreadable
from sejour.audit.keying import chain_key
from sejour.audit.models import AuditEntry, target_key

# Roles that may read the whole journal; everybody else reads what they did or what was done
# for them.
JOURNAL_READER_ROLES = frozenset({"admin", "supervisor"})

ProblemKind = Literal[
    "changed", "broken_link", "gap", "inserted", "rewritten", "cut_tail", "bad_checkpoint"
]


def can_read_journal(viewer: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether `viewer` may read every entry of the journal."""
    if viewer is None or not viewer.is_authenticated or not getattr(viewer, "is_active", False):
        return False
    return bool(getattr(viewer, "is_superuser", False)) or (
        getattr(viewer, "role", None) in JOURNAL_READER_ROLES
    )


def entries_for(
    *,
    viewer: AbstractBaseUser | AnonymousUser | None,
    target: models.Model | None = None,
    actor: AbstractBaseUser | None = None,
) -> QuerySet[AuditEntry]:
    """The entries `viewer` may read, newest first, optionally about one object or one actor."""
    entries = AuditEntry.objects.select_related("actor", "on_behalf_of").order_by("-seq")
    if viewer is None or not viewer.is_authenticated:
        return entries.none()
    if not can_read_journal(viewer):
        entries = entries.filter(Q(actor_id=viewer.pk) | Q(on_behalf_of_id=viewer.pk))
    if target is not None:
        target_type, target_id = target_key(target)
        entries = entries.filter(target_type=target_type, target_id=target_id)
    if actor is not None:
        entries = entries.filter(actor_id=actor.pk)
    return entries


@dataclass(frozen=True)
class Problem:
    """A place where the chain does not hold.

    kind is "changed" (the entry's content no longer matches its hash), "broken_link" (its
    previous hash is not the hash of the entry before it: that one was rewritten, or entries
    were inserted or removed there), "gap" (sequence numbers from `seq` are missing: entries
    were deleted), "inserted" (the entries around it link to each other, not to it),
    "rewritten" (its hash is not the one a signed checkpoint recorded: the chain was rebuilt,
    key in hand), "cut_tail" (the journal ends before the head a checkpoint signed: its last
    entries were deleted) or "bad_checkpoint" (a file of the checkpoint directory is altered or
    not signed by an accepted key; `seq` is 0 and `detail` names it).
    """

    seq: int
    kind: ProblemKind
    detail: str = ""


@dataclass(frozen=True)
class ChainReport:
    """The outcome of one pass over the journal."""

    entries: int
    head: str
    problems: list[Problem] = field(default_factory=list)
    checkpoints: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


class _Row(NamedTuple):
    seq: int
    created_at: dt.datetime
    actor_id: object
    on_behalf_of_id: object
    action: str
    target_type: str
    target_id: str
    data: object
    ip: str | None
    prev_hash: str
    hash: str


_ROW_FIELDS = _Row._fields
CHUNK_SIZE = 2000


def verify_chain() -> list[Problem]:
    """Every problem in the journal's hash chain, in sequence order; empty when it is intact."""
    return chain_report().problems


def chain_report(*, checkpoint_dir: Path | None = None) -> ChainReport:
    """Check the whole chain in one streamed pass (O(n) time, O(1) memory), and its head
    against the signed checkpoints kept outside the database.

    Each entry is compared with its own keyed hash, and with its neighbours: the entry after
    it tells whether it was slipped in between two genuine entries. Removing the newest
    entries leaves a shorter chain that is still valid, and someone holding the key could
    rebuild it: the checkpoints catch both, a head behind the last one and an entry whose
    hash is not the one they signed.
    """
    key = chain_key()
    keyed_from = _keyed_from(key)
    signed, unreadable = checkpoint_store.checkpoints_read(source=checkpoint_dir)
    expected: dict[int, list[Checkpoint]] = {}
    for checkpoint in signed:
        if checkpoint.seq > 0:
            expected.setdefault(checkpoint.seq, []).append(checkpoint)
    problems: list[Problem] = [_unreadable(file) for file in unreadable]
    anchor = GENESIS_HASH  # the hash the next genuine entry must link to
    expected_seq = 1
    entries = 0
    last_seq = 0
    head = GENESIS_HASH
    for row, following in _with_next(_rows()):
        entries += 1
        head, last_seq = row.hash, row.seq
        gap = row.seq != expected_seq
        if gap:
            missing = (
                f"entry {expected_seq} is missing"
                if row.seq == expected_seq + 1
                else f"entries {expected_seq} to {row.seq - 1} are missing"
            )
            problems.append(Problem(expected_seq, "gap", missing))
        row_key = None if row.seq < keyed_from else key
        if (
            following is not None
            and following.prev_hash != row.hash
            and following.prev_hash == anchor
        ):
            problems.append(Problem(row.seq, "inserted"))
        else:
            if not _hash_holds(row, row_key):
                problems.append(Problem(row.seq, "changed"))
            # Right after a gap the link cannot hold; the gap already says why.
            if not gap and row.prev_hash != anchor:
                problems.append(Problem(row.seq, "broken_link"))
            anchor = row.hash
        for checkpoint in expected.get(row.seq, ()):
            if checkpoint.hash != row.hash:
                problems.append(
                    Problem(
                        row.seq, "rewritten", f"not the entry checkpoint {checkpoint.name} signed"
                    )
                )
                break
        expected_seq = row.seq + 1
    if signed and signed[-1].seq > last_seq:
        last = signed[-1]
        problems.append(
            Problem(
                last_seq + 1,
                "cut_tail",
                f"the journal ends at entry {last_seq}; checkpoint {last.name} signed entry {last.seq}",
            )
        )
    return ChainReport(entries=entries, head=head, problems=problems, checkpoints=len(signed))


def _keyed_from(key: bytes) -> int:
    """The first entry of the keyed chain: the marker that migration 0003 appended after the
    unkeyed entries, if its own keyed hash holds; 1 (every entry keyed) when there is none."""
    markers = (
        AuditEntry.objects.filter(action=KEYED_ACTION).order_by("seq").values_list(*_ROW_FIELDS)
    )
    for fields in markers[:10]:
        marker = _Row(*fields)
        if _hash_holds(marker, key):
            return marker.seq
    return 1


def _unreadable(file: Unreadable) -> Problem:
    return Problem(0, "bad_checkpoint", f"{file.name}: {file.reason}")


def _rows() -> Iterator[_Row]:
    values = AuditEntry.objects.order_by("seq").values_list(*_ROW_FIELDS)
    for fields in values.iterator(chunk_size=CHUNK_SIZE):
        yield _Row(*fields)


def _with_next(rows: Iterator[_Row]) -> Iterator[tuple[_Row, _Row | None]]:
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        yield current, following
        current = following


def _hash_holds(row: _Row, key: bytes | None) -> bool:
    try:
        return row.hash == _row_hash(row, key)
    except (TypeError, ValueError):  # details rewritten into something record() refuses
        return False


def _row_hash(row: _Row, key: bytes | None) -> str:
    return entry_hash(
        seq=row.seq,
        created_at=row.created_at,
        actor_id=row.actor_id,
        on_behalf_of_id=row.on_behalf_of_id,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        data=row.data,
        ip=row.ip,
        prev_hash=row.prev_hash,
        key=key,
    )
