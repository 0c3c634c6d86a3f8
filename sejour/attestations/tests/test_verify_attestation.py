"""`manage.py verify_attestation`: a document checked offline, from its PDF or its QR text.

No test here opens the database: the check needs only the document and the public keys.
"""

import base64
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from reportlab.pdfgen.canvas import Canvas

from sejour.attestations import codes, render, rendering, signing
from sejour.attestations.choices import Kind
from sejour.attestations.models import Attestation

ROOT = Path(__file__).resolve().parents[3]
PARIS = ZoneInfo("Europe/Paris")
ISSUED_AT = dt.datetime(2026, 6, 1, 9, 30, tzinfo=PARIS)
FILED_AT = dt.datetime(2026, 3, 1, 10, 15, tzinfo=PARIS)
DOSSIER = "2026-75-000123"
FACTS = {
    "holder": "Amina DIALLO",
    "date_of_birth": "1990-05-17",
    "nationality": "Sénégalaise",
    "foreigner_number": "7501234567",
    "language": "fr",
    "dossier": DOSSIER,
    "procedure": "Renewal of a residence permit",
    "permit_type": "Temporary residence card (employee)",
    "prefecture": "Préfecture de police",
    "filed_at": FILED_AT.isoformat(),
    "protection": "",
    "documents": [{"label": "Passport", "name": "passeport.pdf"}],
}


def _pem_private(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _extension(language: str = "fr") -> Attestation:
    """An extension attestation as the service issues it (not stored: nothing here needs to)."""
    code = codes.new_verification_code()
    payload = {
        "kind": Kind.EXTENSION.value,
        "code": code,
        "dossier": DOSSIER,
        "holder": "AD",
        "born": FACTS["date_of_birth"],
        "from": "2026-06-16",
        "until": "2026-09-15",
        "work": True,
        "issued_at": ISSUED_AT.isoformat(),
    }
    return Attestation(
        kind=Kind.EXTENSION,
        code=code,
        issued_at=ISSUED_AT,
        valid_from=dt.date(2026, 6, 16),
        valid_until=dt.date(2026, 9, 15),
        right_to_work=True,
        language=language,
        facts={**FACTS, "language": language},
        token=signing.sign(payload),
    )


def _receipt() -> Attestation:
    code = codes.new_verification_code()
    payload = {
        "kind": Kind.RECEIPT.value,
        "code": code,
        "dossier": DOSSIER,
        "holder": "AD",
        "filed_at": FILED_AT.isoformat(),
        "issued_at": FILED_AT.isoformat(),
    }
    return Attestation(
        kind=Kind.RECEIPT,
        code=code,
        issued_at=FILED_AT,
        language="fr",
        facts=FACTS,
        token=signing.sign(payload),
    )


def _write(tmp_path: Path, name: str, content: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _check(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_attestation", *args, stdout=out)
    return out.getvalue()


def _refused(*args: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        call_command("verify_attestation", *args, stdout=io.StringIO())
    return info.value


def _current_kid() -> str:
    return signing.keyring().key_id


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_extension_attestation_pdf_verifies_and_is_told_in_plain_words(tmp_path, language):
    attestation = _extension(language)
    pdf = _write(tmp_path, "attestation.pdf", rendering.cover_pdf(attestation))
    out = _check(pdf)
    assert f"Signature valid, key {_current_kid()}." in out
    assert "Document: Extension attestation (extension)" in out
    assert f"Verification code: {attestation.code}" in out
    assert f"Application number: {DOSSIER}" in out
    assert "Holder's initials: AD" in out
    assert "Date of birth: 1990-05-17" in out
    assert "Valid from: 2026-06-16" in out
    assert "Valid until: 2026-09-15" in out
    assert "Right to work: yes" in out
    assert "Issued at: 2026-06-01 09:30 (Paris time)" in out
    assert f"/verifier/{attestation.code}/" in out


def test_a_filing_receipt_pdf_verifies(tmp_path):
    receipt = _receipt()
    out = _check(_write(tmp_path, "receipt.pdf", rendering.receipt_pdf(receipt)))
    assert "Document: Filing receipt (receipt)" in out
    assert "Filed at: 2026-03-01 10:15 (Paris time)" in out
    assert "Signature valid" in out


def test_the_qr_code_of_a_long_decision_letter_is_found_on_its_last_page(tmp_path):
    code = codes.new_verification_code()
    token = signing.sign(
        {
            "kind": "decision",
            "code": code,
            "dossier": DOSSIER,
            "holder": "AD",
            "outcome": "refused",
            "decided_at": ISSUED_AT.isoformat(),
        }
    )
    letter = render.DecisionLetterData(
        language="en",
        labels=rendering.labels(),
        title="Refusal of a residence permit",
        holder=render.Holder(full_name="Amina DIALLO"),
        dossier_number=DOSSIER,
        procedure="Renewal",
        permit_type="",
        prefecture="Paris",
        filed_at=FILED_AT,
        decided_at=ISSUED_AT,
        outcome_text="Your application is refused, for the grounds below.",
        reasons=["The resources shown are below the legal minimum. " * 12] * 8,
        remedies=["An appeal to the administrative court within thirty days. " * 6] * 3,
        verification=render.Verification(code=code, url="https://example.org/", token=token),
        legal_mention="Keep this letter.",
    )
    pdf = render.render_decision_letter(letter)
    pages = len(pypdfium2.PdfDocument(pdf))
    assert pages > 1
    out = _check(_write(tmp_path, "letter.pdf", pdf))
    assert f"QR code read on page {pages} of" in out
    assert "Decision: refused" in out
    assert "Signature valid" in out


def test_a_pdf_read_from_standard_input_verifies(monkeypatch):
    pdf = rendering.cover_pdf(_extension())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pdf)))
    assert "Signature valid" in _check("-")


def test_a_token_given_as_text_verifies():
    attestation = _extension()
    out = _check(attestation.token)
    assert f"Verification code: {attestation.code}" in out
    assert f"Signature valid, key {_current_kid()}." in out


def test_the_address_a_phone_reads_in_the_qr_code_verifies():
    attestation = _extension()
    out = _check(
        f"https://sejour.example.org/fr/verifier/{attestation.code}/?token={attestation.token}"
    )
    assert f"Verification code: {attestation.code}" in out
    assert "Signature valid" in out


def test_after_a_rotation_an_old_token_verifies_with_its_key_in_a_pem_file(tmp_path, settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings.SEJOUR_SIGNING_KEY = _pem_private(old)
    pdf = _write(tmp_path, "old.pdf", rendering.cover_pdf(_extension()))
    old_kid = signing.key_id(old.public_key())
    settings.SEJOUR_SIGNING_KEY = _pem_private(new)
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = []

    error = _refused(pdf)
    assert error.returncode == 1
    assert f"signed by key {old_kid}" in str(error)

    both = signing.public_pem(new.public_key()) + signing.public_pem(old.public_key())
    out = _check(pdf, "--keys", _write(tmp_path, "keys.pem", both))
    assert f"Signature valid, key {old_kid}." in out


def test_after_a_rotation_an_old_token_verifies_with_the_settings_old_keys(settings):
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings.SEJOUR_SIGNING_KEY = _pem_private(old)
    token = _extension().token
    settings.SEJOUR_SIGNING_KEY = _pem_private(new)
    settings.SEJOUR_SIGNING_OLD_PUBLIC_KEYS = [signing.public_pem(old.public_key())]
    assert f"Signature valid, key {signing.key_id(old.public_key())}." in _check(token)


def test_the_published_json_serves_as_key_file(tmp_path):
    published = {
        "keys": [
            {"kid": kid, "pem": pem, "current": True}
            for kid, pem in signing.keyring().published_keys().items()
        ]
    }
    keys = _write(tmp_path, "sejour-signing-keys.json", json.dumps(published))
    assert "Signature valid" in _check(_extension().token, "--keys", keys)


def test_a_token_signed_by_an_unknown_key_is_refused():
    stranger = signing.KeyRing(Ed25519PrivateKey.generate())
    token = stranger.sign({"kind": "extension", "code": "7K3M-QX9P-2TDX", "work": True})
    error = _refused(token)
    assert error.returncode == 1
    assert f"signed by key {stranger.key_id}" in str(error)
    assert "forged" in str(error)


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_a_tampered_token_is_refused(part):
    token = _extension().token
    payload, signature = token.split(".")
    if part == "payload":
        # The holder's right to work turned from true to false, re-encoded cleanly.
        message = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        message["work"] = False
        encoded = base64.urlsafe_b64encode(signing.canonical_json(message))
        payload = encoded.rstrip(b"=").decode()
    else:
        signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    error = _refused(f"{payload}.{signature}")
    assert error.returncode == 1
    assert "forged or altered" in str(error)


def test_a_pdf_without_a_qr_code_is_refused(tmp_path):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Attestation de prolongation d'instruction — copie sans QR code")
    canvas.showPage()
    canvas.save()
    error = _refused(_write(tmp_path, "plain.pdf", buffer.getvalue()))
    assert error.returncode == 1
    assert "no QR code found" in str(error)


def test_a_qr_code_that_holds_no_token_is_refused(tmp_path):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    render.draw_qr(canvas, "https://example.org/not-a-token", x=72, y=500, size=160)
    canvas.showPage()
    canvas.save()
    error = _refused(_write(tmp_path, "other.pdf", buffer.getvalue()))
    assert error.returncode == 1
    assert "holds no signed token" in str(error)


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda tmp: [str(tmp / "missing.pdf")], "No such file"),
        (lambda tmp: [_write(tmp, "notes.txt", "hello")], "is not a PDF"),
        (lambda tmp: [_write(tmp, "broken.pdf", b"%PDF-1.4 broken")], "is not a readable PDF"),
        (lambda tmp: [str(tmp)], "Cannot read"),
        (lambda tmp: [_extension().token, "--keys", str(tmp / "none.json")], "No such key file"),
        (
            lambda tmp: [_extension().token, "--keys", _write(tmp, "k.pem", "no key here")],
            "holds no public key",
        ),
        (
            lambda tmp: [_extension().token, "--keys", _write(tmp, "k.json", '{"keys": 3}')],
            "unreadable key",
        ),
        (
            lambda tmp: [
                _extension().token,
                "--keys",
                _write(
                    tmp,
                    "k.json",
                    json.dumps({"keys": [{"kid": "00000000", "pem": signing.public_key_pem()}]}),
                ),
            ],
            "names key 00000000",
        ),
    ],
    ids=[
        "missing",
        "not-pdf",
        "broken-pdf",
        "directory",
        "no-key-file",
        "no-key",
        "bad-json",
        "wrong-kid",
    ],
)
def test_usage_errors_exit_with_status_2(tmp_path, make_args, message):
    error = _refused(*make_args(tmp_path))
    assert error.returncode == 2
    assert message in str(error)


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEJOUR_ENV": "test", "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "verify_attestation", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_exit_status_says_the_outcome_with_one_line_and_no_traceback(tmp_path):
    token = _extension().token
    valid = _manage(token)
    assert valid.returncode == 0, valid.stderr
    assert "Signature valid" in valid.stdout
    forged = _manage(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    missing = _manage(str(tmp_path / "missing.pdf"))
    for result, status in [(forged, 1), (missing, 2)]:
        assert result.returncode == status
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
