"""The desk fixes what blocks people: documents issued again, access restored after an identity
check in person, contact details corrected, an impossibility recorded whose date is kept."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import translation

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEntry
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers import selectors as dossier_selectors
from sejour.dossiers import services as dossier_services
from sejour.dossiers.models import FilingAttempt
from sejour.dossiers.tests.conftest import fill_documents
from sejour.helpers import services as helpers
from sejour.notifications.models import Notification
from sejour.support import services
from sejour.support.choices import EventKind, Fix, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are matched in English."""
    with translation.override("en"):
        yield


def _report(applicant, category="other", dossier=None):
    return services.report_open(
        actor=applicant, category=category, description="It blocks me.", dossier=dossier
    )


def test_a_damaged_receipt_is_laid_out_again_and_the_person_told(applicant, people, filed):
    receipt = Attestation.objects.get(dossier=filed, kind="receipt")
    with default_storage.open(receipt.pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.4 damaged")
    report = _report(applicant, "no_attestation", filed)
    documents = services.report_fix_reissue(report=report, actor=people["support"])
    assert receipt in documents
    receipt.refresh_from_db()
    with default_storage.open(receipt.pdf.name) as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert b"damaged" not in content
    report.refresh_from_db()
    assert report.status == Status.ANSWERED
    assert report.first_answered_at is not None
    event = report.events.get(kind=EventKind.FIXED)
    assert event.data["fix"] == Fix.REISSUE
    assert event.data["repaired"] == [receipt.code]
    assert "issued again" in Notification.objects.filter(recipient=applicant).latest("pk").body
    assert AuditEntry.objects.filter(action="attestation.repaired").count() == 1
    # A sound document is left alone: the second time, nothing is laid out again.
    services.report_fix_reissue(report=report, actor=people["support"])
    assert report.events.filter(kind=EventKind.FIXED).last().data["repaired"] == []


def test_a_missing_receipt_is_issued_and_a_draft_has_nothing_to_reissue(
    applicant, people, filed, draft
):
    Attestation.objects.filter(dossier=filed).delete()
    report = _report(applicant, "no_attestation", filed)
    services.report_fix_reissue(report=report, actor=people["support"])
    assert Attestation.objects.filter(dossier=filed, kind="receipt").count() == 1
    services.report_fix_reissue(report=report, actor=people["support"])
    assert Attestation.objects.filter(dossier=filed, kind="receipt").count() == 1
    on_draft = _report(applicant, "no_attestation")
    with pytest.raises(DomainError, match="no filed application"):
        services.report_fix_reissue(report=on_draft, actor=people["support"])


@pytest.mark.parametrize("who", ["paris_agent", "marseille_agent", "supervisor", "other_applicant"])
def test_only_the_desk_or_the_prefecture_in_charge_fixes(applicant, people, filed, who):
    report = _report(applicant, "no_attestation", filed)
    with pytest.raises(NotAllowed):
        services.report_fix_reissue(report=report, actor=people[who])
    services.report_escalate(report=report, actor=people["support"], body="For Paris.")
    if who == "paris_agent":
        services.report_fix_reissue(report=report, actor=people[who])
    else:
        with pytest.raises(NotAllowed):
            services.report_fix_reissue(report=report, actor=people[who])


@pytest.fixture
def identified(applicant):
    applicant.foreigner_number = "7501234567"
    applicant.date_of_birth = dt.date(1990, 4, 2)
    applicant.phone = "+33612345678"
    applicant.save()
    return applicant


def test_access_is_restored_in_person_and_the_old_contacts_hear_of_it(
    identified, people, sms_outbox
):
    report = _report(identified, "account_access")
    mail.outbox.clear()
    code = services.report_fix_access(
        report=report,
        actor=people["support"],
        foreigner_number="75 0123 4567",
        date_of_birth=dt.date(1990, 4, 2),
        permit_number="ab1234567",
        in_person=True,
    )
    assert [m.to for m in mail.outbox if "being restored" in m.subject] == [[identified.email]]
    assert any("being restored" in m.body for m in sms_outbox)
    entry = AuditEntry.objects.get(action="account.access_restore_started")
    assert entry.data["permit_number_end"] == "4567"
    assert entry.data["told"] == ["email", "sms"]
    old_email = identified.email
    user, _challenge = helpers.account_take_over(
        code=code,
        date_of_birth=dt.date(1990, 4, 2),
        email="new-address@example.org",
        phone=None,
        password="A long new passphrase 42",
    )
    assert user.email == "new-address@example.org"
    assert user.phone is None
    assert user.check_password("A long new passphrase 42")
    assert any(old_email in m.to for m in mail.outbox if "changed" in m.subject)
    assert AuditEntry.objects.filter(action="account.recovered").exists()
    with pytest.raises(DomainError):  # the code works once
        helpers.account_take_over(
            code=code,
            date_of_birth=dt.date(1990, 4, 2),
            email="third@example.org",
            phone=None,
            password="Another long passphrase 43",
        )


@pytest.mark.parametrize(
    ("number", "born", "permit", "in_person", "message"),
    [
        ("7509999999", dt.date(1990, 4, 2), "AB1234567", True, "do not match"),
        ("7501234567", dt.date(1991, 4, 2), "AB1234567", True, "do not match"),
        ("7501234567", dt.date(1990, 4, 2), "12", True, "6 to 20"),
        ("7501234567", dt.date(1990, 4, 2), "AB1234567", False, "in person"),
    ],
)
def test_a_failed_identity_check_changes_nothing(
    identified, people, number, born, permit, in_person, message
):
    report = _report(identified, "account_access")
    with pytest.raises(DomainError, match=message):
        services.report_fix_access(
            report=report,
            actor=people["support"],
            foreigner_number=number,
            date_of_birth=born,
            permit_number=permit,
            in_person=in_person,
        )
    assert not identified.openings.exists()
    assert not report.events.filter(kind=EventKind.FIXED).exists()


def test_access_restored_at_a_counter_without_any_report(identified, people):
    user, code = services.access_restore(
        actor=people["paris_agent"],
        foreigner_number="7501234567",
        date_of_birth=dt.date(1990, 4, 2),
        permit_number="AB1234567",
        in_person=True,
    )
    assert user == identified
    assert helpers.opening_for(code=code, date_of_birth=dt.date(1990, 4, 2)).user == identified
    # A second code replaces the first.
    _user, again = services.access_restore(
        actor=people["support"],
        foreigner_number="7501234567",
        date_of_birth=dt.date(1990, 4, 2),
        permit_number="AB1234567",
        in_person=True,
    )
    assert helpers.opening_for(code=code, date_of_birth=dt.date(1990, 4, 2)) is None
    assert helpers.opening_for(code=again, date_of_birth=dt.date(1990, 4, 2)) is not None
    with pytest.raises(NotAllowed):
        services.access_restore(
            actor=people["supervisor"],
            foreigner_number="7501234567",
            date_of_birth=dt.date(1990, 4, 2),
            permit_number="AB1234567",
            in_person=True,
        )
    with pytest.raises(DomainError, match="do not match"):
        services.access_restore(
            actor=people["support"],
            foreigner_number="7501234568",
            date_of_birth=dt.date(1990, 4, 2),
            permit_number="AB1234567",
            in_person=True,
        )
    assert AuditEntry.objects.filter(action="account.identity_check_failed").count() == 1


def test_contact_details_corrected_and_the_old_address_told(applicant, people):
    report = _report(applicant, "wrong_information")
    old = applicant.email
    mail.outbox.clear()
    changed = services.report_fix_contact(
        report=report, actor=people["support"], email="Right.Address@example.org", phone=None
    )
    applicant.refresh_from_db()
    assert changed == ["email"]
    assert applicant.email == "right.address@example.org"
    assert [m.to for m in mail.outbox if "contact details were changed" in m.subject] == [[old]]
    with pytest.raises(DomainError, match="already"):
        services.report_fix_contact(
            report=report, actor=people["support"], email="right.address@example.org", phone=None
        )
    taken = UserFactory()
    with pytest.raises(DomainError, match="Another account"):
        services.report_fix_contact(
            report=report, actor=people["support"], email=taken.email, phone=None
        )


def test_a_recorded_impossibility_keeps_its_date_when_filed_later(applicant, people, draft):
    report = _report(applicant, "cannot_file", draft)
    reported_at = report.opened_at
    attempt = services.report_fix_impossibility(report=report, actor=people["support"])
    assert attempt.outcome == FilingAttempt.Outcome.RECORDED
    assert attempt in dossier_selectors.failed_attempts(dossier=draft)
    draft.refresh_from_db()
    assert draft.first_attempt_at == reported_at
    message = Notification.objects.filter(recipient=applicant).latest("pk")
    assert attempt.proof_code in message.body
    assert "counter" in message.body
    with time_machine.travel(clock.now() + dt.timedelta(days=9), tick=False):
        fill_documents(draft, applicant)
        filed = dossier_services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    assert filed.submitted_at == reported_at
    with pytest.raises(DomainError, match="already filed"):
        services.report_fix_impossibility(report=report, actor=people["support"])


def test_an_impossibility_needs_an_application_of_the_person(applicant, people, draft):
    report = _report(applicant, "cannot_file")
    with pytest.raises(DomainError, match="Choose the person's application"):
        services.report_fix_impossibility(report=report, actor=people["support"])
    others = dossier_services.dossier_start(
        actor=people["other_applicant"], procedure=draft.procedure
    )
    with pytest.raises(DomainError, match="Choose the person's application"):
        services.report_fix_impossibility(report=report, actor=people["support"], dossier=others)
    services.report_fix_impossibility(report=report, actor=people["support"], dossier=draft)
    assert draft.attempts.get().outcome == FilingAttempt.Outcome.RECORDED
