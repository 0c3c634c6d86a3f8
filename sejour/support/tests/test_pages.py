"""The support pages added for fixes, call-backs, files and figures: wiring, bad input
explained with what was typed kept, and the permission matrix of every support page."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sejour.dossiers.models import FilingAttempt
from sejour.dossiers.tests.conftest import jpeg_bytes
from sejour.support import services
from sejour.support.choices import CallStatus, EventKind
from sejour.support.models import CallBack, Report

pytestmark = pytest.mark.django_db


def test_a_screenshot_goes_with_the_report_and_a_bad_file_is_explained(client, applicant, people):
    client.force_login(applicant)
    refused = client.post(
        "/en/signalements/signaler/",
        {
            "category": "cannot_upload",
            "description": "The upload button does nothing.",
            "attachment": SimpleUploadedFile("virus.exe", b"MZ\x90\x00 program"),
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "The upload button does nothing." in body
    assert "fr-error-text" in body or "fr-message--error" in body
    assert not Report.objects.exists()
    client.post(
        "/en/signalements/signaler/",
        {
            "category": "cannot_upload",
            "description": "The upload button does nothing.",
            "attachment": SimpleUploadedFile("screen.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )
    report = Report.objects.get()
    file = report.attachments.get()
    page = client.get(f"/en/signalements/{report.number}/").content.decode()
    assert "screen.jpg" in page
    assert client.get(f"/en/signalements/{report.number}/fichiers/{file.pk}/").status_code == 200
    client.force_login(people["other_applicant"])
    assert client.get(f"/en/signalements/{report.number}/fichiers/{file.pk}/").status_code == 404


def test_the_desk_fixes_from_the_report_page(as_user, people, applicant, draft):
    applicant.foreigner_number = "7501234567"
    applicant.date_of_birth = dt.date(1990, 4, 2)
    applicant.save()
    report = services.report_open(actor=applicant, category="cannot_file", description="Error")
    desk = as_user(people["support"])
    page = desk.get(f"/en/signalements/{report.number}/").content.decode()
    assert "Record that filing online is impossible" in page
    assert draft.number in page
    bad = desk.post(
        f"/en/signalements/{report.number}/reparer/contact/", {"contact-email": "not an address"}
    )
    assert bad.status_code == 400
    assert "not an address" in bad.content.decode()
    wrong = desk.post(
        f"/en/signalements/{report.number}/reparer/access/",
        {
            "foreigner_number": "7509999999",
            "day": "2",
            "month": "4",
            "year": "1990",
            "permit_number": "AB123456",
            "in_person": "on",
        },
    )
    assert wrong.status_code == 400
    assert "do not match" in wrong.content.decode()
    assert "7509999999" in wrong.content.decode()
    paper = desk.post(
        f"/en/signalements/{report.number}/reparer/access/",
        {
            "foreigner_number": "7501234567",
            "day": "2",
            "month": "4",
            "year": "1990",
            "permit_number": "AB123456",
            "in_person": "on",
        },
    )
    assert paper.status_code == 200
    assert "Your code to take your account back" in paper.content.decode()
    desk.post(
        f"/en/signalements/{report.number}/reparer/impossibility/",
        {"impossibility-dossier": draft.number},
    )
    assert draft.attempts.get().outcome == FilingAttempt.Outcome.RECORDED
    fixes = [e.data["fix"] for e in report.events.filter(kind=EventKind.FIXED)]
    assert fixes == ["access", "impossibility"]


def test_a_call_back_from_the_page_and_the_desk_makes_it(client, as_user, applicant, people):
    client.force_login(applicant)
    page = client.get("/fr/signalements/rappel/").content.decode()
    assert 'value="2026-11-23"' in page  # Monday; not Sunday the 22nd, today
    assert 'value="2026-11-28"' not in page  # Saturday
    refused = client.post(
        "/fr/signalements/rappel/",
        {"phone": "0612345678", "day": "2026-11-28", "window": "09-12", "language": "ar"},
    )
    assert refused.status_code == 200
    assert "0612345678" in refused.content.decode()
    assert not CallBack.objects.exists()
    client.post(
        "/fr/signalements/rappel/",
        {"phone": "0612345678", "day": "2026-11-23", "window": "09-12", "language": "ar"},
    )
    call = CallBack.objects.get()
    assert call.phone == "+33612345678"
    assert "+33612345678" in client.get("/fr/signalements/").content.decode()
    desk = as_user(people["support"])
    planned = desk.get("/fr/signalements/bureau/appels/").content.decode()
    assert "+33612345678" in planned
    # The desk reads the window and the language as words, in its own language.
    assert "09:00 - 12:00" in planned
    assert "Arabe" in planned
    desk.post(f"/fr/signalements/rappel/{call.pk}/", {"status": "done"})
    call.refresh_from_db()
    assert call.status == CallStatus.DONE


def test_figures_on_screen_in_csv_and_json_and_bad_dates_explained(as_user, people, applicant):
    services.report_open(actor=applicant, category="cannot_file", description="Error")
    supervisor = as_user(people["supervisor"])
    page = supervisor.get("/en/signalements/chiffres/")
    assert page.status_code == 200
    assert "I cannot file my application" in page.content.decode()
    rows = list(
        csv.reader(
            io.StringIO(supervisor.get("/en/signalements/chiffres/?format=csv").content.decode())
        )
    )
    assert ["reports", "", "1"] in rows
    assert ["reports_by_category", "cannot_file", "1"] in rows
    data = json.loads(supervisor.get("/en/signalements/chiffres/?format=json").content)
    assert data["reports"] == 1
    assert data["by_category"] == {"cannot_file": 1}
    bad = supervisor.get("/en/signalements/chiffres/?since=2026-12-01&until=2026-11-01")
    assert bad.status_code == 400
    assert "comes after" in bad.content.decode()
    assert supervisor.get("/en/signalements/chiffres/?since=yesterday").status_code == 400


# Every support page and action, for every kind of person: (path, method, data, allowed).
@pytest.fixture
def matrix(applicant, filed):
    report = services.report_open(
        actor=applicant, category="no_attestation", description="Secret text", dossier=filed
    )
    call = services.callback_request(
        actor=applicant,
        phone="+33612345678",
        day=dt.date(2026, 11, 23),
        window="09-12",
        language="fr",
    )
    n = report.number
    return report, [
        ("", "get", {}, {"applicant", "other_applicant", "support", "paris_agent", "supervisor"}),
        ("signaler/", "get", {}, {"applicant", "other_applicant"}),
        ("rappel/", "get", {}, {"applicant", "other_applicant"}),
        ("bureau/", "get", {}, {"support", "paris_agent", "supervisor"}),
        ("bureau/appels/", "get", {}, {"support"}),
        ("bureau/acces/", "get", {}, {"support", "paris_agent"}),
        ("chiffres/", "get", {}, {"supervisor"}),
        (f"{n}/", "get", {}, {"applicant", "support"}),
        (f"{n}/answer/", "post", {"body": "x"}, {"support"}),
        (f"{n}/escalate/", "post", {"body": "x"}, {"support"}),
        (f"{n}/reparer/reissue/", "post", {}, {"support"}),
        (f"{n}/reparer/contact/", "post", {"contact-email": "new@example.org"}, {"support"}),
        (f"rappel/{call.pk}/", "post", {"status": "done"}, {"support"}),
    ]


@pytest.mark.parametrize(
    "who", ["applicant", "other_applicant", "support", "paris_agent", "supervisor"]
)
def test_permission_matrix_of_the_support_pages(as_user, people, applicant, matrix, who):
    report, pages = matrix
    person = applicant if who == "applicant" else people[who]
    client = as_user(person)
    for path, method, data, allowed in pages:
        response = getattr(client, method)("/fr/signalements/" + path, data)
        if who in allowed:
            assert response.status_code in (200, 302), (path, who)
        else:
            assert response.status_code in (403, 404), (path, who)
            assert "Secret text" not in response.content.decode(), (path, who)
    report.refresh_from_db()
    if who != "support":
        assert report.status == "open"
        assert not report.events.filter(kind=EventKind.FIXED).exists()
        assert CallBack.objects.get().status == CallStatus.PLANNED
