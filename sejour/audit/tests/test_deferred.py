"""Entries gathered by audit.deferred() and appended together at the end of the block."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sejour.audit import services as audit
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db


def test_entries_are_written_at_the_end_of_the_block_in_their_order(make_user):
    user = make_user()
    audit.record(actor=user, action="account.signed_up")
    with transaction.atomic(), audit.deferred():
        first = audit.record(actor=user, action="account.logged_in")
        second = audit.record(actor=None, action="dossier.submitted", target=user)
        assert AuditEntry.objects.count() == 1
        assert first.seq is None
    assert [entry.seq for entry in (first, second)] == [2, 3]
    assert second.prev_hash == first.hash
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "account.signed_up",
        "account.logged_in",
        "dossier.submitted",
    ]
    assert verify_chain() == []


def test_the_journal_is_read_and_written_once_for_the_whole_block(make_user):
    user = make_user()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, audit.deferred():
        for _ in range(3):
            audit.record(actor=user, action="account.logged_in")
    journal = [q["sql"] for q in queries.captured_queries if "audit_auditentry" in q["sql"]]
    assert len(journal) == 2  # the head, then one insert
    assert AuditEntry.objects.count() == 3


def test_a_block_that_fails_writes_nothing(make_user):
    user = make_user()

    def fail() -> None:
        with transaction.atomic(), audit.deferred():
            audit.record(actor=user, action="account.logged_in")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    assert AuditEntry.objects.count() == 0
    # The next entry opens the chain as if nothing had been gathered.
    assert audit.record(actor=user, action="account.logged_in").seq == 1


def test_an_inner_block_leaves_the_writing_to_the_outer_one(make_user):
    user = make_user()
    with transaction.atomic(), audit.deferred():
        with audit.deferred():
            inner = audit.record(actor=user, action="account.logged_in")
        assert inner.seq is None
        outer = audit.record(actor=user, action="account.logged_out")
    assert (inner.seq, outer.seq) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_a_block_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"), audit.deferred():
        pass
