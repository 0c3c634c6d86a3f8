"""The audit_verify command, and flush in front of an append-only journal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sejour.audit import services as audit
from sejour.audit.chain import GENESIS_HASH
from sejour.audit.models import AuditEntry
from sejour.audit.tests.helpers import tamper


@pytest.mark.django_db
def test_verify_reports_an_intact_journal_and_its_head(user):
    entries = [audit.record(actor=user, action="account.logged_in") for _ in range(3)]
    out = StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue().strip() == f"Journal intact: 3 entries, head {entries[-1].hash}"


@pytest.mark.django_db
def test_verify_reports_an_empty_journal_as_intact():
    out = StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue().strip() == f"Journal intact: 0 entries, head {GENESIS_HASH}"


@pytest.mark.django_db
def test_verify_lists_each_problem_and_exits_with_status_1(user):
    for _ in range(4):
        audit.record(actor=user, action="account.logged_in")
    tamper("UPDATE audit_auditentry SET action = 'account.deleted' WHERE seq = 2")
    tamper("DELETE FROM audit_auditentry WHERE seq = 3")
    out = StringIO()

    with pytest.raises(CommandError, match="2 problem") as caught:
        call_command("audit_verify", stdout=out)

    assert caught.value.returncode == 1
    assert out.getvalue().splitlines() == ["seq 2: changed", "seq 3: gap (entry 3 is missing)"]


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_journal_outside_production(user):
    audit.record(actor=user, action="account.signed_up")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_flush_is_refused_in_production(settings, user):
    settings.SEJOUR_ENV = "production"
    audit.record(actor=user, action="account.signed_up")

    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1
