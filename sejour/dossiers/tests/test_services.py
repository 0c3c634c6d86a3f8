"""Dossier services: start, answer, documents, filing, correction, withdrawal, messages."""

import datetime as dt
import hashlib
import io
import uuid
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import codes
from sejour.attestations.models import Attestation
from sejour.attestations.selectors import pdf_content
from sejour.audit.models import AuditEntry
from sejour.core.errors import InvalidTransition, NotAllowed
from sejour.dossiers import selectors, services, workflow
from sejour.dossiers.choices import EventKind, Status
from sejour.dossiers.models import Document, Dossier, FilingAttempt
from sejour.dossiers.tests.conftest import fill_documents, jpeg_bytes, pdf_bytes
from sejour.dossiers.uploads import UploadRefused
from sejour.dossiers.windows import filing_check
from sejour.notifications import services as notifications
from sejour.notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db


def test_several_dossiers_can_be_open_at_once(applicant, renewal):
    first = services.dossier_start(actor=applicant, procedure=renewal)
    second = services.dossier_start(actor=applicant, procedure=renewal)
    assert first.number != second.number
    assert selectors.dossier_list_for(user=applicant).count() == 2
    assert first.events.get().kind == EventKind.CREATED


def test_answers_decide_the_checklist_and_the_prefecture(draft):
    codes = {item.code for item in selectors.checklist(dossier=draft)}
    assert {"passport", "employment-contract", "proof-of-address"} <= codes
    assert "enrolment-certificate" not in codes
    assert "marriage-certificate" not in codes
    assert draft.prefecture.departement_code == "75"
    assert draft.permit_type.code == "cst-salarie"
    assert str(draft.permit_expires_on) == "2027-02-15"


def test_changing_an_answer_changes_the_checklist_and_keeps_the_old_value(draft, applicant):
    services.dossier_answer(
        dossier=draft, actor=applicant, answers={"married": True}, postcode="75011"
    )
    draft.refresh_from_db()
    codes = {item.code for item in selectors.checklist(dossier=draft)}
    assert "marriage-certificate" in codes
    change = draft.events.filter(kind=EventKind.ANSWERS_CHANGED).last().data["changes"]
    assert change["married"] == {"before": False, "after": True}


def test_an_unknown_postcode_is_refused(draft, applicant):
    with translation.override("en"), pytest.raises(services.DomainError, match="postcode"):
        services.dossier_answer(dossier=draft, actor=applicant, answers={}, postcode="00000")


def test_a_stale_form_is_refused_and_nothing_changes(draft, applicant):
    old_revision = draft.revision
    services.dossier_answer(
        dossier=draft, actor=applicant, answers={"married": True}, postcode="75011"
    )
    with pytest.raises(services.StaleForm):
        services.dossier_answer(
            dossier=draft,
            actor=applicant,
            answers={"married": False},
            postcode="75011",
            revision=old_revision,
        )
    draft.refresh_from_db()
    assert draft.answers["married"] is True


def test_nobody_else_can_touch_a_dossier(draft):
    other = UserFactory()
    with pytest.raises(NotAllowed):
        services.dossier_answer(dossier=draft, actor=other, answers={"married": True}, postcode="")
    with pytest.raises(NotAllowed):
        services.document_add(
            dossier=draft, actor=other, item_code="passport", data=pdf_bytes(), name="p.pdf"
        )


def test_a_document_is_stored_under_a_server_name_with_its_checksum(draft, applicant):
    document = services.document_add(
        dossier=draft,
        actor=applicant,
        item_code="passport",
        data=jpeg_bytes(),
        name="../../etc/passport photo.jpg",
    )
    assert document.original_name == "passport photo.jpg"
    assert document.file.name.startswith("documents/")
    assert "passport" not in document.file.name
    content = selectors.document_content(document=document, viewer=applicant)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert document.scan_status == "not_scanned"


def test_a_file_changed_in_storage_is_refused_and_recorded(draft, applicant):
    document = services.document_add(
        dossier=draft, actor=applicant, item_code="passport", data=pdf_bytes(), name="p.pdf"
    )
    with default_storage.open(document.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 tampered")
    with pytest.raises(services.DomainError):
        selectors.document_content(document=document, viewer=applicant)
    assert AuditEntry.objects.filter(action="dossier.document_corrupted").exists()


def test_a_refused_file_leaves_nothing_behind(draft, applicant):
    with pytest.raises(UploadRefused):
        services.document_add(
            dossier=draft,
            actor=applicant,
            item_code="passport",
            data=b"MZ\x90\x00rest",
            name="passport.pdf",
        )
    assert not Document.objects.exists()


def test_an_item_not_on_the_checklist_is_refused(draft, applicant):
    with pytest.raises(services.DomainError):
        services.document_add(
            dossier=draft,
            actor=applicant,
            item_code="enrolment-certificate",
            data=pdf_bytes(),
            name="x.pdf",
        )


def test_replacing_and_removing_keep_the_earlier_versions(draft, applicant):
    first = services.document_add(
        dossier=draft,
        actor=applicant,
        item_code="proof-of-address",
        data=pdf_bytes("v1"),
        name="v1.pdf",
    )
    second = services.document_add(
        dossier=draft,
        actor=applicant,
        item_code="proof-of-address",
        data=pdf_bytes("v2"),
        name="v2.pdf",
        replaces=first,
    )
    first.refresh_from_db()
    assert first.replaced_by == second
    services.document_remove(document=second, actor=applicant)
    assert not selectors.current_documents(dossier=draft).filter(item_code="proof-of-address")
    assert draft.documents.count() == 2
    kinds = list(draft.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.DOCUMENT_REPLACED) == 1
    assert kinds.count(EventKind.DOCUMENT_REMOVED) == 1


def test_filing_lists_what_is_missing(draft, applicant):
    with pytest.raises(services.MissingForFiling) as caught:
        services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    assert "Passport" in caught.value.items or "Passeport" in caught.value.items
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_filing_twice_with_the_same_key_files_once_with_one_receipt(draft, applicant):
    fill_documents(draft, applicant)
    key = uuid.uuid4()
    services.dossier_submit(dossier=draft, actor=applicant, key=key)
    services.dossier_submit(dossier=draft, actor=applicant, key=key)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert FilingAttempt.objects.filter(dossier=draft, outcome="filed").count() == 1
    receipt = Attestation.objects.get(dossier=draft)
    assert receipt.kind == "receipt"
    assert Notification.objects.filter(recipient=applicant).count() == 1
    assert any(draft.number in message.body for message in mail.outbox)


def test_filing_locks_the_dossier_row_alone_and_reads_nothing_twice(draft, applicant):
    fill_documents(draft, applicant)
    dossier = selectors.dossier_get_for(user=applicant, number=draft.number)
    with CaptureQueriesContext(connection) as queries:
        services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    dossier_reads = [sql for sql in reads if 'FROM "dossiers_dossier"' in sql]
    # The row is read once more, to be locked, without the rows the selector joined.
    assert len(dossier_reads) == 1
    assert "JOIN" not in dossier_reads[0]
    for table in ("accounts_user", "catalog_procedure", "catalog_permittype", "catalog_prefecture"):
        assert not [sql for sql in reads if f'FROM "{table}"' in sql], table
    # The filing stays short: a bound on its statements (19 when this was written).
    assert len(queries.captured_queries) <= 20
    assert Dossier.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_a_dossier_changed_since_it_was_read_is_locked_as_it_is_now(draft, applicant, renewal):
    fill_documents(draft, applicant)
    dossier = selectors.dossier_get_for(user=applicant, number=draft.number)
    other = UserFactory()
    Dossier.objects.filter(pk=draft.pk).update(applicant=other)
    # The applicant changed in between: the one held is not the row's, so it is not kept.
    with pytest.raises(NotAllowed):
        services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_database_refuses_a_second_receipt_or_a_code_already_given(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    receipt = Attestation.objects.get(dossier=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.attestations.receipt_issue(dossier=draft, facts=receipt.facts)
    other = Dossier.objects.create(
        number="2026-0000-0001", applicant=applicant, procedure=draft.procedure
    )
    with (
        mock.patch.object(codes, "new_verification_code", return_value=receipt.code),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        services.attestations.receipt_issue(dossier=other, facts=receipt.facts)
    assert Attestation.objects.filter(kind="receipt").count() == 1


def test_the_receipt_is_a_pdf_with_the_number_and_code(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    receipt = Attestation.objects.get(dossier=draft)
    text = PdfReader(io.BytesIO(pdf_content(attestation=receipt))).pages[0].extract_text()
    assert draft.number in text
    assert receipt.code in text


def test_too_early_to_renew_is_explained_with_the_date(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={"permit_expires_on": "2027-09-30"},
        postcode="75011",
    )
    draft.refresh_from_db()
    with pytest.raises(services.TooEarly) as caught:
        services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    assert str(caught.value.check.window_opens) == "2027-06-02"


def test_a_reminder_is_sent_when_the_window_opens(draft, applicant):
    services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={"permit_expires_on": "2027-09-30"},
        postcode="75011",
    )
    draft.refresh_from_db()
    check = filing_check(dossier=draft, on=dt.date(2026, 11, 22))
    services.window_reminder_schedule(dossier=draft, actor=applicant, check=check)
    services.window_reminder_schedule(dossier=draft, actor=applicant, check=check)
    # When the window opens, and two weeks before it closes (on 2027-08-01).
    assert sorted(Reminder.objects.values_list("due_on", flat=True)) == [
        dt.date(2027, 6, 2),
        dt.date(2027, 7, 18),
    ]
    assert notifications.reminders_send_due(today=dt.date(2027, 6, 1)) == 0
    assert notifications.reminders_send_due(today=dt.date(2027, 6, 2)) == 1
    assert notifications.reminders_send_due(today=dt.date(2027, 6, 3)) == 0
    assert Notification.objects.filter(recipient=applicant).count() == 1


def test_filing_late_is_allowed_and_recorded(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={"permit_expires_on": "2026-12-31"},
        postcode="75011",
    )
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    assert draft.events.get(kind=EventKind.SUBMITTED).data == {"late": True}


def test_a_platform_failure_leaves_a_proof_and_the_first_date_is_kept(
    draft, applicant, monkeypatch
):
    fill_documents(draft, applicant)

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services.attestations, "receipt_issue", broken)
    with time_machine.travel("2026-11-22T11:00:00+01:00", tick=False):
        filed, attempt = services.dossier_submit_safely(
            dossier=draft, actor=applicant, key=uuid.uuid4()
        )
    assert filed is None
    assert attempt.outcome == "failed"
    assert attempt.proof_code
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.first_attempt_at is not None
    assert Notification.objects.filter(recipient=applicant, body__contains=attempt.proof_code)
    monkeypatch.undo()
    with time_machine.travel("2026-11-24T09:00:00+01:00", tick=False):
        services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    draft.refresh_from_db()
    assert draft.submitted_at == attempt.at


def test_after_filing_the_applicant_can_still_correct_and_the_agent_is_alerted(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    draft.refresh_from_db()
    assert not draft.needs_attention
    passport = selectors.current_documents(dossier=draft).get(item_code="passport")
    services.document_add(
        dossier=draft,
        actor=applicant,
        item_code="passport",
        data=pdf_bytes("new"),
        name="new passport.pdf",
        replaces=passport,
    )
    draft.refresh_from_db()
    assert draft.needs_attention


def test_withdrawal_ends_the_dossier_and_is_final(draft, applicant):
    services.dossier_withdraw(dossier=draft, actor=applicant)
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    with pytest.raises(NotAllowed):
        services.dossier_withdraw(dossier=draft, actor=applicant)
    with pytest.raises(NotAllowed):
        services.document_add(
            dossier=draft, actor=applicant, item_code="passport", data=pdf_bytes(), name="p.pdf"
        )


def test_messages_need_a_filed_dossier_and_check_attachments(draft, applicant):
    with pytest.raises(NotAllowed):
        services.message_post(dossier=draft, actor=applicant, body="Hello")
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    message = services.message_post(
        dossier=draft,
        actor=applicant,
        body="Here is my new payslip.",
        attachments=[(pdf_bytes(), "payslip.pdf")],
    )
    assert message.attachments.get().original_name == "payslip.pdf"
    with pytest.raises(UploadRefused):
        services.message_post(
            dossier=draft, actor=applicant, body="x", attachments=[(b"", "empty.pdf")]
        )
    assert draft.messages.count() == 1


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("submit", Status.DRAFT, Status.SUBMITTED),
        ("take", Status.SUBMITTED, Status.IN_REVIEW),
        ("request_documents", Status.IN_REVIEW, Status.AWAITING_APPLICANT),
        ("complete", Status.AWAITING_APPLICANT, Status.IN_REVIEW),
        ("approve", Status.IN_REVIEW, Status.APPROVED),
        ("hand_over", Status.APPROVED, Status.CLOSED),
        ("withdraw", Status.AWAITING_APPLICANT, Status.WITHDRAWN),
    ],
)
def test_workflow_allows_its_transitions(action, status, expected):
    assert workflow.target(action, status) == expected


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("submit", Status.SUBMITTED),
        ("approve", Status.DRAFT),
        ("withdraw", Status.APPROVED),
        ("withdraw", Status.REFUSED),
        ("fly", Status.DRAFT),
    ],
)
def test_workflow_refuses_the_others(action, status):
    with pytest.raises(InvalidTransition):
        workflow.target(action, status)


def test_everything_is_in_the_audit_journal(draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "dossier.started",
        "dossier.answered",
        "dossier.document_added",
        "dossier.submitted",
        "attestation.issued",
    } <= actions
    assert Dossier.objects.get().events.filter(kind=EventKind.ATTESTATION_ISSUED).exists()
