"""The journal only grows: refused by the model, by the queryset and by the database."""

import pytest
from django.db import IntegrityError, connection
from django.db.models import ProtectedError

from sejour.audit import services as audit
from sejour.audit.models import AppendOnlyError, AuditEntry
from sejour.audit.tests.helpers import execute, tamper
from sejour.audit.triggers import journal_unlocked

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(user):
    return audit.record(actor=user, action="account.signed_up", data={"channel": "email"})


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "account.deleted"

    with pytest.raises(AppendOnlyError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get().action == "account.signed_up"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.count() == 1


def test_queryset_update_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="account.deleted")
    assert AuditEntry.objects.get().action == "account.signed_up"


def test_queryset_delete_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_bulk_writes_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(seq=2, action="account.logged_in")])
    assert AuditEntry.objects.count() == 1


def test_entry_with_a_hash_that_does_not_match_is_refused(entry):
    forged = AuditEntry(
        seq=2,
        created_at=entry.created_at,
        action="account.logged_in",
        prev_hash=entry.hash,
        hash="f" * 64,
    )

    with pytest.raises(ValueError, match="record"):
        forged.save()
    assert AuditEntry.objects.count() == 1


def test_a_user_in_the_journal_cannot_be_deleted(entry, user):
    with pytest.raises(ProtectedError):
        user.delete()


def test_raw_sql_update_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        execute("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["account.deleted", 1])
    assert AuditEntry.objects.get().action == "account.signed_up"


def test_raw_sql_delete_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1


# Committed first: PostgreSQL refuses TRUNCATE while foreign-key checks are pending.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_by_the_database(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 1


# Committed first: PostgreSQL refuses TRUNCATE while foreign-key checks are pending.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_truncating_the_users_cannot_cascade_into_the_journal(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"TRUNCATE {connection.ops.quote_name('accounts_user')} CASCADE")
    assert AuditEntry.objects.count() == 1


def test_triggers_are_back_after_the_journal_was_unlocked(entry):
    tamper("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["account.deleted", 1])

    with pytest.raises(IntegrityError, match="append-only"):
        execute("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["account.closed", 1])
    assert AuditEntry.objects.get().action == "account.deleted"


def test_triggers_are_back_when_the_unlocked_block_fails(entry):
    def tamper_then_fail():
        with journal_unlocked():
            execute(
                "UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["account.deleted", 1]
            )
            raise RuntimeError("caught half way")

    with pytest.raises(RuntimeError):
        tamper_then_fail()

    assert AuditEntry.objects.get().action == "account.signed_up"
    with pytest.raises(IntegrityError, match="append-only"):
        execute("DELETE FROM audit_auditentry")
