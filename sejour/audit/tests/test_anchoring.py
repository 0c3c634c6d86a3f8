"""The journal's head is anchored: a keyed chain, and signed checkpoints outside the database.

Each test plays one attack: an edit, an insert, a deletion, a cut tail, a full rewrite without
the key and one with it; `audit_verify` must catch every one.
"""

import base64
import hmac
import importlib
import json
from io import StringIO
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sejour.audit import checkpoints, checks, tasks
from sejour.audit import services as audit
from sejour.audit.chain import GENESIS_HASH, KEYED_ACTION, entry_hash
from sejour.audit.keying import chain_key
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import Problem, chain_report, verify_chain
from sejour.audit.tests.helpers import tamper
from sejour.core.keys import load_public_key, public_pem

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_dir(settings, tmp_path):
    folder = tmp_path / "checkpoints"
    settings.SEJOUR_AUDIT_CHECKPOINT_DIR = str(folder)
    return folder


@pytest.fixture
def journal(user):
    """Five entries, seq 1 to 5."""
    return [
        audit.record(actor=user, action="account.logged_in", target=user, data={"n": n})
        for n in range(1, 6)
    ]


def _forge(source: int, *, key: bytes | None, **changes) -> dict:
    """The columns of entry `source` with `changes`, sealed under `key` (None: plain SHA-256)."""
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
    return {**fields, "hash": entry_hash(**fields, key=key)}


def _store(source: int, forged: dict) -> None:
    tamper(
        "UPDATE audit_auditentry SET seq = %s, action = %s, prev_hash = %s, hash = %s"
        " WHERE seq = %s",
        [forged["seq"], forged["action"], forged["prev_hash"], forged["hash"], source],
    )


def _delete_and_relink(*, deleted: int, key: bytes | None) -> None:
    """Delete entry `deleted`, move the later ones down and seal them again under `key`."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    prev_hash = AuditEntry.objects.get(seq=deleted - 1).hash if deleted > 1 else GENESIS_HASH
    forged = []
    for seq in range(deleted + 1, last + 1):
        entry = _forge(seq, key=key, seq=seq - 1, prev_hash=prev_hash)
        forged.append((seq, entry))
        prev_hash = entry["hash"]
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [deleted])
    for source, entry in forged:
        _store(source, entry)


# --- The keyed chain -----------------------------------------------------------------------


def test_an_entry_is_sealed_with_the_key_not_with_a_plain_hash(journal):
    entry = AuditEntry.objects.get(seq=1)
    plain = _forge(1, key=None)["hash"]

    assert entry.hash == _forge(1, key=chain_key())["hash"]
    assert entry.hash != plain


def test_a_journal_checked_with_another_key_fails_everywhere(journal, settings):
    settings.SEJOUR_AUDIT_KEY = "another key, of the right length, but not the one used"

    assert {problem.kind for problem in verify_chain()} == {"changed"}
    assert len(verify_chain()) == 5


def test_recording_an_entry_computes_one_hmac(user):
    with mock.patch("sejour.audit.chain.hmac.new", wraps=hmac.new) as computed:
        audit.record(actor=user, action="account.logged_in")

    assert computed.call_count == 1


def test_a_full_rewrite_without_the_key_fails_the_hmac(journal):
    # Entry 3 deleted, the later ones renumbered and sealed again with a plain SHA-256.
    _delete_and_relink(deleted=3, key=None)

    assert verify_chain() == [Problem(3, "changed"), Problem(4, "changed")]


def test_a_full_rewrite_with_a_guessed_key_fails_the_hmac(journal):
    _delete_and_relink(deleted=3, key=b"sejour insecure development audit key")

    assert verify_chain() == [Problem(3, "changed"), Problem(4, "changed")]


def test_an_entry_edited_and_sealed_again_without_the_key_is_found(journal):
    _store(3, _forge(3, key=None, action="account.deleted"))

    assert verify_chain() == [Problem(3, "changed"), Problem(4, "broken_link")]


# --- Checkpoints ---------------------------------------------------------------------------


def test_a_checkpoint_signs_the_head_outside_the_database(journal, checkpoint_dir, settings):
    written = checkpoints.checkpoint_write()

    (path,) = checkpoint_dir.iterdir()
    document = json.loads(path.read_text())
    payload = document["payload"]
    assert (payload["seq"], payload["hash"], payload["entries"]) == (5, journal[-1].hash, 5)
    assert written.name == path.name
    # Anyone with the published public key checks it offline.
    signed = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    public_key = checkpoints._signing_key().public_key()
    load_public_key(public_pem(public_key)).verify(base64.b64decode(document["signature"]), signed)


def test_a_checkpoint_never_replaces_another(journal, checkpoint_dir):
    first = checkpoints.checkpoint_write()
    second = checkpoints.checkpoint_write()

    assert first.name != second.name
    assert len(list(checkpoint_dir.iterdir())) == 2
    assert chain_report().checkpoints == 2


def test_a_cut_tail_shows_as_a_head_behind_the_last_checkpoint(journal, checkpoint_dir):
    written = checkpoints.checkpoint_write()
    tamper("DELETE FROM audit_auditentry WHERE seq >= 4")

    (problem,) = verify_chain()
    assert (problem.seq, problem.kind) == (4, "cut_tail")
    assert f"checkpoint {written.name} signed entry 5" in problem.detail


def test_without_a_checkpoint_a_cut_tail_would_go_unseen(journal):
    tamper("DELETE FROM audit_auditentry WHERE seq >= 4")

    assert verify_chain() == []  # why the checkpoints are kept


def test_a_full_rewrite_with_the_key_is_caught_by_the_checkpoint(journal, checkpoint_dir):
    checkpoints.checkpoint_write()
    # An insider with the key deletes entry 3 and seals everything after it again...
    _delete_and_relink(deleted=3, key=chain_key())
    assert [problem.kind for problem in verify_chain()] == ["cut_tail"]
    # ... then pads the journal back to its old length: entry 5 is not the one signed.
    audit.record(actor=None, action="account.logged_in")

    assert [(problem.seq, problem.kind) for problem in verify_chain()] == [(5, "rewritten")]


def test_an_entry_rewritten_before_an_older_checkpoint_is_found(journal, checkpoint_dir, user):
    checkpoints.checkpoint_write()
    audit.record(actor=user, action="account.logged_out")
    forged = _forge(2, key=chain_key(), action="account.deleted")
    _store(2, forged)
    # Every later entry sealed again with the key: the chain alone holds.
    prev_hash = forged["hash"]
    for seq in range(3, 7):
        entry = _forge(seq, key=chain_key(), prev_hash=prev_hash)
        _store(seq, entry)
        prev_hash = entry["hash"]

    assert [(problem.seq, problem.kind) for problem in verify_chain()] == [(5, "rewritten")]


def test_an_altered_or_foreign_checkpoint_is_reported(journal, checkpoint_dir):
    written = checkpoints.checkpoint_write()
    path = checkpoint_dir / written.name
    document = json.loads(path.read_text())
    document["payload"]["seq"] = 3
    path.write_text(json.dumps(document))
    stranger = Ed25519PrivateKey.generate()
    forged = {**document["payload"], "kid": "00000000"}
    (checkpoint_dir / "forged.json").write_text(
        json.dumps({"payload": forged, "signature": base64.b64encode(stranger.sign(b"x")).decode()})
    )
    (checkpoint_dir / "junk.json").write_text("not json")

    problems = verify_chain()

    assert {(problem.seq, problem.kind) for problem in problems} == {(0, "bad_checkpoint")}
    assert sorted(problem.detail.split(":")[0] for problem in problems) == sorted(
        ["forged.json", "junk.json", written.name]
    )


def test_a_checkpoint_signed_with_a_key_since_rotated_still_counts(
    journal, checkpoint_dir, settings
):
    checkpoints.checkpoint_write()
    old = checkpoints._signing_key()
    settings.SEJOUR_SIGNING_KEY = base64.b64encode(b"k" * 32).decode()
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = [public_pem(old.public_key())]
    tamper("DELETE FROM audit_auditentry WHERE seq = 5")

    assert [problem.kind for problem in verify_chain()] == ["cut_tail"]


def test_the_daily_task_writes_a_checkpoint(journal, checkpoint_dir):
    name = tasks.journal_checkpoint.call()

    assert (checkpoint_dir / name).is_file()


def test_the_daily_task_writes_nothing_and_says_so_without_a_directory(journal, caplog):
    assert tasks.journal_checkpoint.call() == ""
    assert "SEJOUR_AUDIT_CHECKPOINT_DIR is not set" in caplog.text


def test_audit_verify_compares_the_journal_with_the_checkpoints(journal, checkpoint_dir):
    checkpoints.checkpoint_write()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "checked against 1 signed checkpoint" in out.getvalue()

    tamper("DELETE FROM audit_auditentry WHERE seq = 5")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", stdout=out)
    assert caught.value.returncode == 1
    assert out.getvalue().startswith("seq 5: cut_tail (the journal ends at entry 4;")


def test_audit_verify_reads_a_copy_of_the_checkpoints_given_to_it(journal, tmp_path, settings):
    copy = tmp_path / "copy"
    checkpoints.checkpoint_write(into=copy)
    tamper("DELETE FROM audit_auditentry WHERE seq = 5")

    call_command("audit_verify", stdout=StringIO())  # the configured directory has none
    with pytest.raises(CommandError):
        call_command("audit_verify", "--checkpoints", str(copy), stdout=StringIO())


# --- Entries written before the chain was keyed --------------------------------------------


def _unkey(journal_length: int) -> None:
    """Seal the journal again with plain SHA-256: entries as written before the key existed."""
    prev_hash = GENESIS_HASH
    for seq in range(1, journal_length + 1):
        entry = _forge(seq, key=None, prev_hash=prev_hash)
        _store(seq, entry)
        prev_hash = entry["hash"]


def _mark_keyed_chain() -> None:
    migration = importlib.import_module("sejour.audit.migrations.0003_keyed_chain")
    migration.mark_the_keyed_chain(apps, mock.Mock(connection=connection))


def test_entries_written_before_the_key_stay_verifiable_after_the_mark(journal, user):
    _unkey(5)
    assert len(verify_chain()) == 5  # unmarked, plain entries are not taken for keyed ones

    _mark_keyed_chain()
    audit.record(actor=user, action="account.logged_in")

    marker = AuditEntry.objects.get(seq=6)
    assert marker.action == KEYED_ACTION
    assert marker.data == {
        "unkeyed_entries": 5,
        "unkeyed_head": AuditEntry.objects.get(seq=5).hash,
    }
    assert verify_chain() == []
    assert chain_report().entries == 7


def test_an_entry_before_the_mark_cannot_be_rewritten(journal, user):
    _unkey(5)
    _mark_keyed_chain()
    forged = _forge(2, key=None, action="account.deleted")
    _store(2, forged)
    assert verify_chain() == [Problem(3, "broken_link")]
    # Unkeyed entries can be sealed again by anyone, up to the mark: its link is keyed.
    prev_hash = forged["hash"]
    for seq in range(3, 6):
        entry = _forge(seq, key=None, prev_hash=prev_hash)
        _store(seq, entry)
        prev_hash = entry["hash"]

    assert verify_chain() == [Problem(6, "broken_link")]


def test_a_mark_written_without_the_key_does_not_make_the_journal_unkeyed(journal, user):
    # The attacker rewrites everything with plain hashes and appends a mark of their own.
    _unkey(5)
    last = AuditEntry.objects.get(seq=5)
    forged = entry_hash(
        seq=6,
        created_at=last.created_at,
        actor_id=None,
        on_behalf_of_id=None,
        action=KEYED_ACTION,
        target_type="",
        target_id="",
        data={},
        ip=None,
        prev_hash=last.hash,
        key=None,
    )
    tamper(
        "INSERT INTO audit_auditentry (seq, created_at, action, target_type, target_id, data,"
        " prev_hash, hash) SELECT 6, created_at, %s, '', '', data, %s, %s"
        " FROM audit_auditentry WHERE seq = 5",
        [KEYED_ACTION, last.hash, forged],
    )

    assert {problem.kind for problem in verify_chain()} == {"changed"}


def test_a_new_journal_gets_no_mark():
    _mark_keyed_chain()

    assert not AuditEntry.objects.exists()


# --- Deployment checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "refused"),
    [
        ("", True),
        ("short", True),
        ("sejour insecure development audit key, public, never in production", True),
        ("Jq3v8fK2mX0pLr7Tz5bN1cW9yH4sD6gA-a-long-random-key", False),
    ],
)
def test_check_deploy_requires_a_real_journal_key(settings, key, refused):
    settings.SEJOUR_AUDIT_KEY = key

    assert bool(checks.journal_key_configured()) is refused


def test_check_deploy_requires_a_checkpoint_directory(settings):
    settings.SEJOUR_AUDIT_CHECKPOINT_DIR = ""
    assert [error.id for error in checks.journal_checkpoints_configured()] == ["sejour.E102"]
    settings.SEJOUR_AUDIT_CHECKPOINT_DIR = "/var/lib/sejour/audit-checkpoints"
    assert checks.journal_checkpoints_configured() == []
