"""The applicant's pages: wiring, permissions, and bad input explained without losing anything."""

import io
import re
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape

from sejour.accounts.tests.factories import UserFactory
from sejour.dossiers import services
from sejour.dossiers.choices import Status
from sejour.dossiers.models import Document, Dossier
from sejour.dossiers.tests.conftest import fill_documents, jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(client, applicant):
    client.force_login(applicant)
    return client


def test_start_opens_a_draft_and_leads_to_the_questions(logged, catalogue, applicant):
    page = logged.get("/fr/demandes/nouvelle/")
    assert page.status_code == 200
    response = logged.post("/fr/demandes/nouvelle/", {"procedure": "renewal"})
    dossier = Dossier.objects.get(applicant=applicant)
    assert response["Location"] == f"/fr/demandes/{dossier.number}/questions/"


def test_start_with_an_unknown_procedure_is_explained(logged, catalogue):
    response = logged.post("/en/demandes/nouvelle/", {"procedure": "teleport"}, follow=True)
    assert "Choose one of the procedures below" in response.content.decode()
    assert not Dossier.objects.exists()


def test_answers_are_saved_and_a_bad_date_is_explained_keeping_the_rest(logged, draft):
    url = f"/en/demandes/{draft.number}/questions/"
    data = {
        "revision": draft.revision,
        "postcode": "69003",
        "q_permit_type": "cst-salarie",
        "q_permit_expires_on": "31/02/2027",
        "q_married": "yes",
    }
    response = logged.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a real date" in body
    assert 'value="69003"' in body
    draft.refresh_from_db()
    assert draft.postcode == "75011"
    data["q_permit_expires_on"] = "15/02/2027"
    response = logged.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.postcode == "69003"
    assert draft.answers["married"] is True
    assert draft.prefecture.departement_code == "69"


def test_a_bad_postcode_is_explained(logged, draft):
    response = logged.post(
        f"/en/demandes/{draft.number}/questions/", {"revision": draft.revision, "postcode": "7501"}
    )
    assert "A postcode has 5 digits" in response.content.decode()


def test_a_stale_answers_form_is_explained(logged, draft):
    url = f"/en/demandes/{draft.number}/questions/"
    logged.post(url, {"revision": draft.revision, "postcode": "75011", "q_married": "yes"})
    response = logged.post(
        url, {"revision": draft.revision, "postcode": "75011", "q_married": "no"}
    )
    assert "changed since you opened the page" in response.content.decode()


def test_autosave_answers_with_json_and_a_new_revision(logged, draft):
    response = logged.post(
        f"/fr/demandes/{draft.number}/questions/",
        {"revision": draft.revision, "postcode": "75011", "q_hosted": "yes", "stay": "1"},
        headers={"X-Autosave": "1"},
    )
    assert response.json() == {"saved": True, "revision": draft.revision + 1}


def _upload(client, dossier, item, content, name, lang="en", **extra):
    return client.post(
        f"/{lang}/demandes/{dossier.number}/pieces/{item}/ajouter/",
        {"file": SimpleUploadedFile(name, content), "revision": dossier.revision, **extra},
        follow=True,
    )


def test_upload_one_file_at_a_time(logged, draft):
    response = _upload(logged, draft, "passport", pdf_bytes(), "passport.pdf")
    assert "Your file is added" in response.content.decode()
    assert Document.objects.get().item_code == "passport"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "This file is empty"),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf", "PDF, JPEG or PNG"),
        (b"%PDF-1.4\n1 0 obj\n<<", "broken.pdf", "PDF"),
        (b"PK\x03\x04" + b"\x00" * 200, "letter.pdf", "PDF, JPEG or PNG"),
    ],
)
def test_bad_files_are_explained_and_nothing_is_stored(logged, draft, content, name, message):
    response = _upload(logged, draft, "passport", content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


@override_settings(SEJOUR_UPLOAD_MAX_BYTES=1000)
def test_a_too_large_file_is_explained(logged, draft):
    response = _upload(logged, draft, "passport", pdf_bytes() + b"\n" * 2000, "big.pdf")
    assert "larger than" in response.content.decode()
    assert not Document.objects.exists()


def test_a_dangerous_name_is_cleaned(logged, draft):
    _upload(logged, draft, "passport", jpeg_bytes(), "../../etc/\x00pass\u202eport.jpg")
    document = Document.objects.get()
    assert "/" not in document.original_name
    assert "\x00" not in document.original_name
    assert "\u202e" not in document.original_name


def test_a_file_for_an_unknown_item_is_refused(logged, draft):
    response = _upload(logged, draft, "no-such-item", pdf_bytes(), "x.pdf")
    assert "not asked for this application" in response.content.decode()


def test_missing_items_are_listed_with_links_before_filing(logged, draft):
    body = logged.get(f"/en/demandes/{draft.number}/verifier/").content.decode()
    assert "Before you can file, we still need" in body
    assert f"/en/demandes/{draft.number}/pieces/#item-passport" in body
    assert "File my application" not in body


def test_filing_sent_twice_files_once(logged, draft, applicant):
    fill_documents(draft, applicant)
    page = logged.get(f"/fr/demandes/{draft.number}/verifier/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    first = logged.post(f"/fr/demandes/{draft.number}/deposer/", {"key": key})
    second = logged.post(f"/fr/demandes/{draft.number}/deposer/", {"key": key})
    assert first["Location"] == second["Location"] == f"/fr/demandes/{draft.number}/"
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.attestations.count() == 1
    receipt = draft.attestations.get()
    pdf = logged.get(f"/fr/demandes/{draft.number}/attestations/{receipt.code}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_filing_reads_and_writes_each_thing_once(logged, draft, applicant):
    """The filing is the busiest write: its statements are counted so that none creeps back.

    Session and user, the dossier (page, then locked with its procedure, permit type and
    prefecture), checklist, documents, window reminders, the dossier's update, the attempt,
    the receipt (its row and rendering task: the code's uniqueness and the single receipt are
    held by constraints, not looked up), both events in one insert, the message (inbox,
    e-mail task), the journal (head and one insert), and the transaction itself. Tasks are
    queued as in production, for the worker, not run within the request as in other tests.
    """
    fill_documents(draft, applicant)
    page = logged.get(f"/fr/demandes/{draft.number}/verifier/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    with CaptureQueriesContext(connection) as queries:
        response = logged.post(f"/fr/demandes/{draft.number}/deposer/", {"key": key})
    assert response.status_code == 302
    statements = [q["sql"] for q in queries.captured_queries]
    # One savepoint: the filing's own transaction, inside the test's; none for its parts.
    assert len([sql for sql in statements if sql.startswith("SAVEPOINT")]) == 1
    assert len([sql for sql in statements if "audit_auditentry" in sql]) == 2
    assert not [sql for sql in statements if sql.startswith("SELECT") and "attestation" in sql]
    assert len(statements) <= 20, "\n".join(statements)


def test_a_tampered_filing_form_is_explained(logged, draft):
    response = logged.post(
        f"/en/demandes/{draft.number}/deposer/", {"key": "not-a-key"}, follow=True
    )
    assert "This form has expired" in response.content.decode()


def test_a_platform_failure_shows_a_proof_on_screen(logged, draft, applicant, monkeypatch):
    fill_documents(draft, applicant)

    def broken(**kwargs):
        raise OSError("storage unreachable")

    monkeypatch.setattr(services.attestations, "receipt_issue", broken)
    response = logged.post(
        f"/en/demandes/{draft.number}/deposer/", {"key": "6f1c1d34-8f4e-4a53-9a53-1b9d2c1a0e77"}
    )
    body = response.content.decode()
    assert response.status_code == 503
    assert "The problem is on our side" in body
    proof = draft.attempts.get().proof_code
    assert proof in body
    pdf = logged.get(f"/en/demandes/{draft.number}/tentatives/{proof}/")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_someone_elses_dossier_is_not_found_and_says_nothing(client, draft):
    client.force_login(UserFactory())
    for path in ["", "questions/", "pieces/", "verifier/", "retirer/"]:
        response = client.get(f"/en/demandes/{draft.number}/{path}")
        body = response.content.decode()
        assert response.status_code == 404
        assert draft.applicant.display_name not in body
        assert "Renew your residence permit" not in body
    assert client.get("/en/demandes/2026-XXXX-XXXX/").status_code == 404


def test_a_document_of_another_dossier_is_not_found(logged, draft, applicant):
    other = UserFactory()
    theirs = services.dossier_start(actor=other, procedure=draft.procedure)
    document = services.document_add(
        dossier=services.dossier_answer(
            dossier=theirs, actor=other, answers={"permit_type": "cst-salarie"}, postcode="75011"
        ),
        actor=other,
        item_code="passport",
        data=pdf_bytes(),
        name="p.pdf",
    )
    assert logged.get(f"/en/demandes/{draft.number}/fichiers/{document.pk}/").status_code == 404


def test_withdraw_asks_for_confirmation(logged, draft):
    page = logged.get(f"/en/demandes/{draft.number}/retirer/")
    assert "It cannot be undone" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    logged.post(f"/en/demandes/{draft.number}/retirer/")
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN


def test_dossier_page_shows_state_timeline_and_messages(logged, draft, applicant):
    fill_documents(draft, applicant)
    page = logged.get(f"/fr/demandes/{draft.number}/verifier/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    logged.post(f"/fr/demandes/{draft.number}/deposer/", {"key": key})
    logged.post(
        f"/en/demandes/{draft.number}/messages/",
        {"body": "I have a new address.", "attachment": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    body = logged.get(f"/en/demandes/{draft.number}/").content.decode()
    assert "The prefecture will review it" in body
    assert "I have a new address." in body
    assert "Application filed" in body
    assert "Filing receipt" in body


def test_an_empty_message_is_explained(logged, draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    response = logged.post(f"/en/demandes/{draft.number}/messages/", {"body": "  "})
    assert "Write a message or attach a file" in response.content.decode()


def test_my_data_is_a_zip_with_json_and_every_file(logged, draft, applicant):
    fill_documents(draft, applicant)
    response = logged.post("/fr/demandes/mes-donnees/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "donnees.json" in names
    assert sum(name.startswith("documents/") for name in names) == draft.documents.count()
    assert draft.number in archive.read("donnees.json").decode()


def test_dashboard_lists_every_dossier(logged, draft):
    body = logged.get("/en/tableau-de-bord/").content.decode()
    assert draft.number in body
    assert "Not filed yet" in body


def test_inbox_shows_messages_in_full(logged, draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    body = logged.get("/en/messages/").content.decode()
    assert draft.number in body


def test_a_filed_dossier_says_by_when_a_decision_is_due(logged, draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    body = logged.get(f"/en/demandes/{draft.number}/").content.decode()
    assert "A decision is due by March 22, 2027" in body


def test_the_receipt_code_checks_on_the_public_page(client, draft, applicant):
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    code = draft.attestations.get().code
    for typed in (code, code.lower().replace("-", " ")):
        body = client.get("/en/verifier/", {"code": typed}).content.decode()
        assert "This document was issued by the service" in body
        assert code in body
        assert draft.number not in body  # public page: never the application number


def test_a_file_name_of_5000_characters_is_explained_not_a_generic_error(logged, draft):
    # A browser sends the name in full (the test client's files cut it to 255 characters).
    boundary = "sejourboundary"
    name = "a" * 5000 + ".pdf"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="revision"\r\n\r\n'
            f"{draft.revision}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    page = f"/en/demandes/{draft.number}/pieces/"
    response = logged.generic(
        "POST",
        f"/en/demandes/{draft.number}/pieces/passport/ajouter/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Referer": f"http://testserver{page}"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The file's name is too long" in text
    assert f'href="http://testserver{page}"' in text
    assert not Document.objects.exists()


def test_filing_sent_three_times_says_it_is_filed_once(logged, draft, applicant):
    fill_documents(draft, applicant)
    page = logged.get(f"/en/demandes/{draft.number}/verifier/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    for _click in range(3):
        logged.post(f"/en/demandes/{draft.number}/deposer/", {"key": key})
    body = logged.get(f"/en/demandes/{draft.number}/").content.decode()
    assert body.count("Your application is filed. Your filing receipt is below.") == 1


@pytest.mark.parametrize(("lang", "day"), [("en", "March 31, 2027"), ("fr", "31 mars 2027")])
def test_the_timeline_shows_answers_in_words_and_days_in_the_readers_format(
    logged, draft, applicant, lang, day
):
    services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={
            **draft.answers,
            "permit_type": "cst-travailleur-temporaire",
            "permit_expires_on": "2027-03-31",
        },
        postcode="75011",
    )
    body = logged.get(f"/{lang}/demandes/{draft.number}/").content.decode()
    timeline = body[body.index("sejour-timeline") :]
    assert "cst-salarie" not in timeline
    assert "cst-travailleur-temporaire" not in timeline
    assert "2027-03-31" not in body
    assert "2027-02-15" not in body
    name = "Temporary residence card \u2013 temporary worker"  # as the catalogue names it
    with translation.override(lang):
        permit = translation.gettext(name)
    assert escape(permit) in timeline
    assert day in timeline


def test_too_early_to_renew_says_the_day_in_words(draft, applicant):
    draft = services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={**draft.answers, "permit_expires_on": "2027-12-31"},
        postcode="75011",
    )
    fill_documents(draft, applicant)
    with translation.override("fr"), pytest.raises(services.TooEarly) as error:
        services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    opens = error.value.check.window_opens
    with translation.override("fr"):
        assert date_format(opens, "DATE_FORMAT") in str(error.value.message)
    assert opens.isoformat() not in str(error.value.message)
    assert re.search(r"\d{4}-\d{2}-\d{2}", str(error.value.message)) is None
