"""The public check of issued documents, by code or by QR payload, and the published keys."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import codes, selectors, services, signing
from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.services import CoverItem
from sejour.catalog.models import Procedure
from sejour.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 11, 22)
NUMBER = "2026-75-000123"


@pytest.fixture(autouse=True)
def _a_fixed_moment():
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def holder():
    return UserFactory(given_name="Amina", family_name="DIALLO", date_of_birth=dt.date(1990, 5, 17))


@pytest.fixture
def dossier(holder):
    call_command("load_catalog", verbosity=0)
    return Dossier.objects.create(
        number=NUMBER,
        applicant=holder,
        procedure=Procedure.objects.get(code="renewal"),
        status="in_review",
        submitted_at=dt.datetime(2026, 7, 20, 9, 0, tzinfo=PARIS),
    )


def _facts(dossier):
    holder = dossier.applicant
    return {
        "holder": holder.display_name,
        "date_of_birth": holder.date_of_birth.isoformat() if holder.date_of_birth else "",
        "language": "fr",
        "dossier": dossier.number,
        "procedure": "Renewal of a residence permit",
        "permit_type": "",
        "prefecture": "Paris",
        "filed_at": dossier.submitted_at.isoformat(),
        "protection": "",
    }


def _cover(dossier, start, end, *, work=True, kind=Kind.EXTENSION):
    attestation, created = services.cover_issue(
        item=CoverItem(
            dossier=dossier,
            kind=kind,
            valid_from=start,
            valid_until=end,
            right_to_work=work,
            facts=_facts(dossier),
        )
    )
    assert created
    return attestation


def _page(client, code, lang="en"):
    response = client.get(f"/{lang}/verifier/{code}/")
    return response, response.content.decode()


def _by_token(client, token, lang="en"):
    response = client.get(f"/{lang}/verifier/", {"token": token})
    return response, response.content.decode()


def test_a_valid_extension_attestation_says_valid_today_for_whom_and_work(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    response, body = _page(client, attestation.code)
    assert response.status_code == 200
    assert "This document was issued by the service" in body
    assert "Valid today" in body
    assert "Extension attestation" in body
    assert "Amina DIALLO" in body
    assert "17/05/1990" not in body  # the year only: the page is public
    assert 'id="holder-birth" dir="ltr">1990<' in body
    assert dossier.number not in body
    assert "01/11/2026" in body
    assert "31/01/2027" in body
    assert "Right to stay today: yes" in body
    assert "Right to work today: yes" in body
    assert "Checked on 22/11/2026 at 10:00, Paris time." in body
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_a_valid_attestation_without_the_right_to_work_says_so(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31), work=False)
    _, body = _page(client, attestation.code)
    assert "Valid today" in body
    assert "Right to work today: no" in body
    assert "Does not authorise its holder to work" in body


def test_a_favourable_decision_attestation_is_valid_with_the_passport(client, dossier):
    attestation = _cover(dossier, TODAY, dt.date(2027, 2, 21), kind=Kind.FAVOURABLE)
    _, body = _page(client, attestation.code)
    assert "Favourable decision attestation" in body
    assert "Together with the holder's passport" in body
    assert "Right to work today: yes" in body


def test_an_attestation_not_valid_yet_says_from_when(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 12, 1), dt.date(2027, 2, 28))
    response, body = _page(client, attestation.code)
    assert response.status_code == 200
    assert "Not valid yet (from 01/12/2026)" in body
    assert "Right to stay today: not proved by this document" in body
    assert "Right to work today: no" in body
    assert "Valid today" not in body


def test_an_expired_attestation_says_until_when(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 8, 16), dt.date(2026, 11, 15))
    _, body = _page(client, attestation.code)
    assert "Expired: valid until 15/11/2026" in body
    assert "Right to work today: no" in body


def test_a_refusal_ends_the_running_attestation_on_its_legal_date(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    later = _cover(dossier, dt.date(2027, 2, 1), dt.date(2027, 4, 30))
    services.cover_end(
        dossier=dossier, last_day=TODAY, reason=EndReason.REFUSED, kinds=[Kind.EXTENSION]
    )
    # The day of the refusal, the attestation still holds, and says it ends that day.
    _, body = _page(client, attestation.code)
    assert "Valid today" in body
    assert "It ends on 22/11/2026, before the date printed on it." in body
    assert "Reason: The application was refused." in body
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=PARIS), tick=False):
        response, body = _page(client, attestation.code)
    assert response.status_code == 200
    assert "Ended on 22/11/2026: The application was refused" in body
    assert "before the date printed on it (31/01/2027)" in body
    assert "Right to work today: no" in body
    assert "Valid today" not in body
    # The one that had not started yet is withdrawn outright.
    _, body = _page(client, later.code)
    assert "This document was withdrawn" in body
    assert "Withdrawn on 22/11/2026: The application was refused" in body


def test_a_withdrawn_decision_letter_says_so(client, dossier):
    letter = services.decision_letter_issue(
        dossier=dossier,
        outcome="approved",
        reasons=[],
        remedies=[],
        decided_at=dt.datetime(2026, 11, 20, 15, 0, tzinfo=PARIS),
        agent_name="Claire MARTIN",
    )
    _, body = _page(client, letter.code)
    assert "Genuine decision letter" in body
    assert "The application was approved on 20/11/2026." in body
    services.attestation_revoke(dossier=dossier, pdf_name=letter.pdf.name, reason="mistake")
    _, body = _page(client, letter.code)
    assert "This document was withdrawn" in body
    assert "Withdrawn on 22/11/2026" in body
    assert "Genuine decision letter" not in body


def test_a_refusal_letter_shows_its_outcome(client, dossier):
    letter = services.decision_letter_issue(
        dossier=dossier,
        outcome="refused",
        reasons=["Resources below the minimum."],
        remedies=["Appeal within thirty days."],
        decided_at=dt.datetime(2026, 11, 21, 11, 0, tzinfo=PARIS),
        agent_name="Claire MARTIN",
    )
    _, body = _page(client, letter.code)
    assert "Decision letter" in body
    assert "The application was refused on 21/11/2026." in body
    assert "Amina DIALLO" in body


def test_a_filing_receipt_proves_the_filing_not_the_right_to_stay(client, dossier):
    receipt = services.receipt_issue(
        dossier=dossier,
        facts={"holder": "Amina DIALLO", "filed_at": dossier.submitted_at.isoformat()},
    )
    response, body = _page(client, receipt.code)
    assert response.status_code == 200
    assert "Genuine filing receipt, filed on 20/07/2026" in body
    assert "It does not by itself prove the right to stay." in body
    assert "Right to work today" not in body


def test_a_code_typed_loosely_finds_the_document(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    typed = attestation.code.lower().replace("-", " ")
    response = client.get("/en/verifier/", {"code": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Valid today" in body
    assert f'value="{typed}"' in body


def test_an_unknown_code_is_not_found(client, db):
    code = codes.new_verification_code()
    response, body = _page(client, code)
    assert response.status_code == 404
    assert "No document carries this code" in body
    assert f'value="{code}"' in body


@pytest.mark.parametrize("typed", ["7K3M-QX9P-2TD", "not a code", "../../etc", "ABCD-EFGH-JKMN"])
def test_a_malformed_code_shows_the_form_again_with_an_error(client, db, typed):
    response = client.get("/en/verifier/", {"code": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This is not a verification code" in body
    assert 'aria-invalid="true"' in body
    assert 'value="{}"'.format(typed.replace("'", "&#x27;")) in body
    assert "No document carries this code" not in body


def test_an_empty_code_asks_for_one(client, db):
    response = client.get("/en/verifier/", {"code": "  "})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Type the verification code printed under the QR code." in body


def test_the_page_without_a_code_shows_only_the_form(client, db):
    response = client.get("/fr/verifier/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in body
    assert 'aria-invalid="true"' not in body
    assert 'id="result"' not in body


def test_a_good_token_shows_the_live_status_of_its_document(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    response, body = _by_token(client, attestation.token)
    assert response.status_code == 200
    assert "The signature of its QR code is genuine." in body
    assert "Valid today" in body
    assert attestation.code in body
    # The payload was signed when the document was issued; the page says what holds now.
    services.cover_end(
        dossier=dossier,
        last_day=dt.date(2026, 11, 21),
        reason=EndReason.CARD_HANDED_OVER,
        kinds=[Kind.EXTENSION],
    )
    _, body = _by_token(client, attestation.token)
    assert "Ended on 21/11/2026: The residence card was handed over" in body


def test_a_good_token_without_a_stored_document_is_said_genuine(client, db):
    token = signing.sign(
        {
            "kind": Kind.PROOF_OF_ATTEMPT.value,
            "code": codes.new_verification_code(),
            "dossier": NUMBER,
            "holder": "AD",
            "attempted_at": "2026-11-20T10:00:00+01:00",
        }
    )
    response, body = _by_token(client, token)
    assert response.status_code == 200
    assert "The QR code is genuine" in body
    assert "Proof of a filing attempt" in body
    assert NUMBER in body


def _tampered(token):
    payload, signature = token.split(".")
    return f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    "make",
    [
        _tampered,
        lambda token: signing.KeyRing(Ed25519PrivateKey.generate()).sign({"code": "X"}),
        lambda token: "not a token",
        lambda token: "",
    ],
    ids=["tampered", "unknown-key", "garbage", "empty"],
)
def test_a_bad_token_says_the_document_is_forged(client, dossier, make):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    response, body = _by_token(client, make(attestation.token))
    assert response.status_code == 200
    assert "This QR code is not genuine" in body
    assert "forged or altered" in body
    assert "Amina DIALLO" not in body


def test_the_page_speaks_french(client, dossier):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    response, body = _page(client, attestation.code, lang="fr")
    assert response.status_code == 200
    assert 'lang="fr"' in body
    assert "Amina DIALLO" in body
    assert "Vérifier un document" in body
    assert "Ce document a bien été délivré par le service" in body


# --- Published keys ------------------------------------------------------------------------


def _rotated(settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings.SEJOUR_SIGNING_KEY = new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = [signing.public_pem(old.public_key())]
    return signing.key_id(old.public_key()), signing.key_id(new.public_key())


def test_the_keys_page_lists_every_accepted_key_the_current_first(client, settings):
    old_kid, new_kid = _rotated(settings)
    response = client.get("/en/verifier/cles/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(new_kid) < body.index(old_kid)
    assert "Current key: signs new documents" in body
    assert "Older key: still accepted for documents it signed" in body
    assert body.count("-----BEGIN PUBLIC KEY-----") == 2
    assert "/.well-known/sejour-signing-keys.json" in body


def test_the_keys_json_lists_the_same_keys(client, settings):
    old_kid, new_kid = _rotated(settings)
    response = client.get("/.well-known/sejour-signing-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age" in response["Cache-Control"]
    keys = response.json()["keys"]
    assert [(key["kid"], key["current"]) for key in keys] == [(new_kid, True), (old_kid, False)]
    for key in keys:
        assert signing.key_id(signing.load_public_key(key["pem"])) == key["kid"]


def test_the_published_json_checks_a_stored_document_offline(client, dossier, tmp_path):
    attestation = _cover(dossier, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    pdf = tmp_path / "attestation.pdf"
    pdf.write_bytes(selectors.pdf_content(attestation=attestation))
    keys = tmp_path / "keys.json"
    keys.write_bytes(client.get("/.well-known/sejour-signing-keys.json").content)
    out = io.StringIO()
    call_command("verify_attestation", str(pdf), "--keys", str(keys), stdout=out)
    assert f"Verification code: {attestation.code}" in out.getvalue()
    assert f"Signature valid, key {signing.keyring().key_id}." in out.getvalue()


def test_a_proof_of_attempt_code_is_recognised(client, dossier, holder):
    import uuid

    from sejour.dossiers import services as dossier_services

    attempt = dossier_services.attempt_record_failure(
        dossier=dossier, actor=holder, key=uuid.uuid4(), error="OperationalError"
    )
    response = client.get(f"/en/verifier/{attempt.proof_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Genuine proof of a filing attempt" in page
    assert dossier.number in page
