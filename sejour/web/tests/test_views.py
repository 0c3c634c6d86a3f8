"""Home, dashboard, language choice, probes and error pages."""

import datetime as dt

import pytest
import time_machine
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse

from sejour.accounts.models import User
from sejour.attestations.codes import new_verification_code
from sejour.core import services as core_services
from sejour.core.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("fr", "Demander ou renouveler votre titre de séjour"),
        ("en", "Apply for or renew your residence permit"),
        ("ar", 'dir="rtl"'),
    ],
)
def test_home_in_each_language(client, lang, heading):
    response = client.get(f"/{lang}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{lang}"' in body
    assert heading in body


def test_root_redirects_to_the_remembered_language(client):
    client.cookies["django_language"] = "ar"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_language_switch_is_remembered_in_cookie_and_account(client, applicant):
    client.force_login(applicant)
    response = client.post("/fr/langue/", {"language": "ar", "next": "/fr/tableau-de-bord/"})
    assert response["Location"] == "/ar/tableau-de-bord/"
    assert response.cookies["django_language"].value == "ar"
    applicant.refresh_from_db()
    assert applicant.language == "ar"


def test_language_switch_with_unknown_language_changes_nothing(client, applicant):
    client.force_login(applicant)
    response = client.post("/fr/langue/", {"language": "xx", "next": "/fr/"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.language == "fr"


def test_dashboard_needs_a_login(client):
    response = client.get("/fr/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_empty_state_says_what_to_do_first(client, applicant):
    client.force_login(applicant)
    body = client.get("/en/tableau-de-bord/").content.decode()
    assert "You have no application yet" in body
    assert "Here is what to do first" in body


def test_unknown_page_is_a_clear_404_in_the_language(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


PROBE = {"X-Probe-Token": "probe-secret"}


@override_settings(SEJOUR_PROBE_TOKEN="probe-secret")
def test_readyz_tells_the_public_only_whether_it_is_ready(client):
    for headers in ({}, {"X-Probe-Token": "a-guess"}):
        response = client.get("/readyz", headers=headers)
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}


@override_settings(SEJOUR_PROBE_TOKEN="probe-secret")
def test_readyz_needs_a_worker_heartbeat(client):
    response = client.get("/readyz", headers=PROBE)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"]
    assert checks["storage"]["ok"]
    assert not checks["worker"]["ok"]


@override_settings(SEJOUR_PROBE_TOKEN="probe-secret")
def test_readyz_ready_after_the_worker_ran_the_heartbeat(client):
    worker_heartbeat.enqueue()
    response = client.get("/readyz", headers=PROBE)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@override_settings(SEJOUR_PROBE_TOKEN="probe-secret")
def test_readyz_unready_when_the_heartbeat_is_old(client):
    core_services.heartbeat_record(name=core_services.WORKER)
    with time_machine.travel(dt.timedelta(minutes=10)):
        response = client.get("/readyz", headers=PROBE)
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["age_seconds"] >= 600


BROKEN_STORAGE = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "/proc/no-such-place"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(SEJOUR_PROBE_TOKEN="probe-secret")
def test_readyz_reports_a_broken_storage(client):
    with override_settings(STORAGES=BROKEN_STORAGE):
        storages._storages = {}
        try:
            response = client.get("/readyz", headers=PROBE)
        finally:
            storages._storages = {}
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_a_stale_form_gets_a_clear_page(client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post("/en/compte/connexion/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not User.objects.exists()


def test_a_session_ends_after_thirty_minutes_without_activity(client, applicant):
    client.force_login(applicant)
    with time_machine.travel(dt.timedelta(minutes=20)):
        assert client.get("/fr/tableau-de-bord/").status_code == 200
    with time_machine.travel(dt.timedelta(minutes=45)):
        assert client.get("/fr/tableau-de-bord/").status_code == 200
    with time_machine.travel(dt.timedelta(minutes=80)):
        response = client.get("/fr/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/")


def test_verify_page_without_code(client):
    response = client.get("/en/verifier/")
    assert response.status_code == 200
    assert "Check a document" in response.content.decode()


def test_verify_an_unknown_code(client):
    response = client.get("/en/verifier/", {"code": new_verification_code()})
    assert response.status_code == 404
    assert "No document carries this code" in response.content.decode()


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "not a code", "../../etc"])
def test_verify_a_malformed_code_shows_the_form_with_an_error(client, code):
    response = client.get("/en/verifier/", {"code": code})
    assert response.status_code == 200
    assert "This is not a verification code" in response.content.decode()
