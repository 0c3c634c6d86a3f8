"""Checking the hash chain finds changed, deleted and inserted entries."""

import pytest

from sejour.audit import services as audit
from sejour.audit.chain import GENESIS_HASH, entry_hash
from sejour.audit.keying import chain_key
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import Problem, chain_report, verify_chain
from sejour.audit.tests.helpers import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(user):
    """Five entries, seq 1 to 5."""
    return [
        audit.record(actor=user, action="account.logged_in", target=user, data={"n": n})
        for n in range(1, 6)
    ]


def _reseal(source: int, /, key: bytes | None = None, **changes) -> dict:
    """The columns of entry `source` with `changes`, and a hash that matches them under `key`
    (the chain's own key unless another is given: an attacker who holds it)."""
    entry = AuditEntry.objects.get(seq=source)
    fields = {
        "seq": entry.seq,
        "created_at": entry.created_at,
        "actor_id": entry.actor_id,
        "on_behalf_of_id": entry.on_behalf_of_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "data": entry.data,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
        **changes,
    }
    digest = entry_hash(**fields, key=chain_key() if key is None else key)
    return {**fields, "hash": digest}


def _make_room_at(seq: int) -> None:
    """Shift entries from `seq` on one place up, in two steps so no seq is ever taken twice."""
    tamper("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= %s", [seq])
    tamper("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq >= 1000")


def _insert_copy_of(seq: int, *, as_seq: int, action: str, prev_hash: str, hash: str) -> None:
    tamper(
        "INSERT INTO audit_auditentry (seq, created_at, actor_id, on_behalf_of_id, action,"
        " target_type, target_id, data, ip, prev_hash, hash)"
        " SELECT %s, created_at, actor_id, on_behalf_of_id, %s, target_type, target_id, data, ip,"
        " %s, %s FROM audit_auditentry WHERE seq = %s",
        [as_seq, action, prev_hash, hash, seq],
    )


def test_intact_chain_has_no_problem(journal):
    report = chain_report()

    assert verify_chain() == []
    assert report.intact
    assert report.entries == 5
    assert report.head == journal[-1].hash


def test_empty_journal_is_intact():
    report = chain_report()

    assert report.problems == []
    assert (report.entries, report.head) == (0, GENESIS_HASH)


@pytest.mark.parametrize(
    "assignment",
    [
        "action = 'account.deleted'",
        """data = '{"n": 42}'""",
        "actor_id = NULL",
        "target_id = '999'",
        "ip = '10.0.0.1'",
        "prev_hash = '" + "a" * 64 + "'",
    ],
)
def test_changed_entry_is_found(journal, assignment):
    tamper(f"UPDATE audit_auditentry SET {assignment} WHERE seq = 3")  # noqa: S608 (fixed test values)

    problems = verify_chain()

    assert Problem(3, "changed") in problems
    assert {problem.seq for problem in problems} == {3}


def test_details_rewritten_into_something_record_refuses_are_a_change(journal):
    tamper("UPDATE audit_auditentry SET data = '[1, 2]' WHERE seq = 2")

    assert verify_chain() == [Problem(2, "changed")]


def test_entry_rewritten_with_a_matching_hash_breaks_the_next_link(journal):
    forged = _reseal(3, action="account.deleted")
    tamper(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE seq = 3",
        [forged["action"], forged["hash"]],
    )

    assert verify_chain() == [Problem(4, "broken_link")]


def test_deleted_entry_leaves_a_gap(journal):
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")

    assert verify_chain() == [Problem(3, "gap", "entry 3 is missing")]


def test_several_deleted_entries_are_one_gap(journal):
    tamper("DELETE FROM audit_auditentry WHERE seq BETWEEN 2 AND 4")

    assert verify_chain() == [Problem(2, "gap", "entries 2 to 4 are missing")]


def test_deleted_first_entry_leaves_a_gap(journal):
    tamper("DELETE FROM audit_auditentry WHERE seq = 1")

    assert verify_chain() == [Problem(1, "gap", "entry 1 is missing")]


def test_inserted_entry_is_found_even_with_a_matching_hash(journal):
    second = AuditEntry.objects.get(seq=2)
    _make_room_at(3)
    forged = _reseal(2, seq=3, action="account.password_reset", prev_hash=second.hash)
    _insert_copy_of(
        2, as_seq=3, action=forged["action"], prev_hash=second.hash, hash=forged["hash"]
    )

    # The entries moved up to make room no longer match their hashes: their seq changed.
    assert verify_chain() == [
        Problem(3, "inserted"),
        Problem(4, "changed"),
        Problem(5, "changed"),
        Problem(6, "changed"),
    ]


def test_inserted_entry_with_a_made_up_hash_is_found(journal):
    _make_room_at(2)
    _insert_copy_of(1, as_seq=2, action="account.logged_in", prev_hash="b" * 64, hash="c" * 64)

    problems = verify_chain()

    assert problems[0] == Problem(2, "inserted")
    assert {problem.kind for problem in problems[1:]} == {"changed"}


def test_entry_appended_without_the_key_is_found(journal):
    _insert_copy_of(5, as_seq=6, action="account.logged_in", prev_hash="d" * 64, hash="e" * 64)

    assert verify_chain() == [Problem(6, "changed"), Problem(6, "broken_link")]
