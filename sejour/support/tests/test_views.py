"""Support pages: wiring, permissions, and bad input explained without losing anything."""

import re

import pytest

from sejour.support import services
from sejour.support.choices import Status
from sejour.support.models import Report

pytestmark = pytest.mark.django_db


def test_report_from_the_form_then_follow_it(client, applicant, filed):
    client.force_login(applicant)
    page = client.get(f"/en/signalements/signaler/?dossier={filed.number}").content.decode()
    assert f'value="{filed.number}" selected' in page
    response = client.post(
        "/en/signalements/signaler/",
        {"category": "no_attestation", "dossier": filed.number, "description": "No receipt."},
    )
    report = Report.objects.get()
    assert response["Location"] == f"/en/signalements/{report.number}/"
    page = client.get(response["Location"]).content.decode()
    assert report.number in page
    assert "Answer due by" in page
    assert "No receipt." in page
    assert report.number in client.get("/en/signalements/").content.decode()
    client.post(f"/en/signalements/{report.number}/add/", {"body": "Still nothing today."})
    assert "Still nothing today." in client.get(response["Location"]).content.decode()


def test_a_report_without_text_is_explained_and_keeps_the_choice(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/fr/signalements/signaler/", {"category": "cannot_upload", "description": "   "}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "fr-error-text" in body
    assert re.search(r'value="cannot_upload"[^>]*checked', body)
    assert not Report.objects.exists()


def test_someone_elses_dossier_cannot_be_chosen(client, people, filed):
    client.force_login(people["other_applicant"])
    response = client.post(
        "/en/signalements/signaler/",
        {"category": "cannot_file", "dossier": filed.number, "description": "Mine?"},
    )
    assert response.status_code == 200
    assert "Choose one of your applications, or none." in response.content.decode()
    assert not Report.objects.exists()


def test_reports_of_others_are_not_found_and_staff_pages_are_refused(client, people, applicant):
    report = services.report_open(actor=applicant, category="other", description="Private text")
    client.force_login(people["other_applicant"])
    response = client.get(f"/en/signalements/{report.number}/")
    assert response.status_code == 404
    assert "Private text" not in response.content.decode()
    assert client.get("/en/signalements/bureau/").status_code == 403
    assert (
        client.post(f"/en/signalements/{report.number}/answer/", {"body": "x"}).status_code == 404
    )
    client.force_login(applicant)
    assert (
        client.post(f"/en/signalements/{report.number}/answer/", {"body": "x"}).status_code == 403
    )
    assert (
        client.post(f"/en/signalements/{report.number}/nonsense/", {"body": "x"}).status_code == 403
    )


def test_the_desk_answers_passes_on_and_the_prefecture_settles(as_user, people, applicant, filed):
    report = services.report_open(
        actor=applicant, category="no_attestation", description="No receipt", dossier=filed
    )
    desk = as_user(people["support"])
    assert report.number in desk.get("/en/signalements/bureau/").content.decode()
    empty = desk.post(f"/en/signalements/{report.number}/answer/", {"body": " "})
    assert empty.status_code == 400
    assert "Write the answer." in empty.content.decode()
    desk.post(f"/en/signalements/{report.number}/answer/", {"body": "Looking into it."})
    desk.post(f"/en/signalements/{report.number}/escalate/", {"body": "Issue the receipt again."})
    report.refresh_from_db()
    assert report.status == Status.ESCALATED
    agent = as_user(people["paris_agent"])
    assert report.number in agent.get("/en/signalements/bureau/").content.decode()
    agent.post(f"/en/signalements/{report.number}/resolve/", {"body": "Receipt issued again."})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
