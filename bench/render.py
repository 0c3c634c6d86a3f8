"""How fast issued documents render, against a bare one-line ReportLab page made in the same run.

Usage: python bench/render.py [N] (default 500). Renders N filing receipts, then N extension
attestations (what the sweep issues and the first download lays out), in this process, one
core; prints documents per second and the ratio to the baseline; the last line is JSON. The
target is 100 documents a second per core for each kind. Django is not set up: rendering and signing need neither
settings nor a database (the key ring is built here from a throwaway key).
"""

import datetime as dt
import io
import json
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sejour.attestations import render
from sejour.attestations.codes import new_verification_code
from sejour.attestations.signing import KeyRing

TARGET_PER_SECOND = 100
PARIS = ZoneInfo("Europe/Paris")
LABELS = render.Labels(
    republic="République française",
    motto="Liberté, Égalité, Fraternité",
    issued_at="Délivrée le",
    holder="Titulaire",
    date_of_birth="Date de naissance",
    nationality="Nationalité",
    foreigner_number="Numéro étranger",
    dossier_number="Numéro de dossier",
    procedure="Démarche",
    permit_type="Titre demandé",
    prefecture="Préfecture",
    filed_at="Demande déposée le",
    attempted_at="Tentative du",
    incident_reference="Référence de l'incident",
    failure="Incident constaté",
    valid_from="Valable à partir du",
    valid_until="Valable jusqu'au",
    right_to_work="Droit au travail",
    documents="Pièces déposées",
    verification_code="Code de vérification",
    verify_at="Vérifiez ce document sur",
    datetime_format="%d/%m/%Y à %H:%M (heure de Paris)",
)
DOCUMENTS = (
    render.DocumentLine(name="Passeport (pages d'identité)", file_name="passeport.pdf"),
    render.DocumentLine(name="Justificatif de domicile", file_name="facture-mars-2026.pdf"),
    render.DocumentLine(name="Photographie d'identité", file_name="photo.jpg"),
    render.DocumentLine(name="Timbre fiscal", file_name="timbre-225.pdf"),
    render.DocumentLine(name="Contrat de travail", file_name="contrat.pdf"),
    render.DocumentLine(name="Trois derniers bulletins de salaire", file_name="bulletins.pdf"),
)


def receipt(index: int, keyring: KeyRing) -> render.ReceiptData:
    """A realistic receipt, different for each index, with a real signed token."""
    filed_at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=PARIS) + dt.timedelta(minutes=index)
    dossier = f"2026-75-{index:06d}"
    code = new_verification_code()
    token = keyring.sign(
        {
            "kind": "receipt",
            "number": f"AD-{dossier}",
            "code": code,
            "initials": "M.B.A.",
            "issued_at": filed_at,
            "dossier": dossier,
        }
    )
    return render.ReceiptData(
        language="fr",
        labels=LABELS,
        title="Attestation de dépôt d'une demande de titre de séjour",
        holder=render.Holder(
            full_name="Mohamed BEN ALI",
            date_of_birth=dt.date(1990, 5, 17),
            nationality="Marocaine",
            foreigner_number=f"75{index:08d}",
        ),
        dossier_number=dossier,
        procedure="Renouvellement de titre de séjour",
        permit_type="Carte de séjour pluriannuelle « salarié »",
        prefecture="Préfecture de police de Paris",
        filed_at=filed_at,
        issued_at=filed_at,
        documents=DOCUMENTS,
        verification=render.Verification(
            code=code, url=f"https://sejour.example.org/verifier/{code}/", token=token
        ),
        legal_mention=(
            "Cette attestation prouve le dépôt de la demande. Elle ne prouve pas la régularité "
            "du séjour (article R.431-15-1 du code de l'entrée et du séjour des étrangers et "
            "du droit d'asile)."
        ),
    )


def attestation(index: int, keyring: KeyRing) -> render.AttestationData:
    """A realistic extension attestation, as `rendering.cover_pdf` lays it out."""
    issued_at = dt.datetime(2026, 12, 1, 3, 0, tzinfo=PARIS) + dt.timedelta(seconds=index)
    valid_from = dt.date(2026, 12, 16) + dt.timedelta(days=index % 30)
    dossier = f"2026-75-{index:06d}"
    code = new_verification_code()
    token = keyring.sign(
        {
            "kind": "extension",
            "code": code,
            "dossier": dossier,
            "holder": "MBA",
            "born": "1990-05-17",
            "from": valid_from.isoformat(),
            "until": (valid_from + dt.timedelta(days=89)).isoformat(),
            "work": True,
            "issued_at": issued_at.isoformat(),
        }
    )
    return render.AttestationData(
        language="fr",
        labels=LABELS,
        title="Attestation de prolongation d'instruction",
        holder=render.Holder(
            full_name="Mohamed BEN ALI",
            date_of_birth=dt.date(1990, 5, 17),
            nationality="Marocaine",
            foreigner_number=f"75{index:08d}",
        ),
        dossier_number=dossier,
        procedure="Renouvellement de titre de séjour",
        permit_type="Carte de séjour pluriannuelle « salarié »",
        prefecture="Préfecture de police de Paris",
        filed_at=issued_at - dt.timedelta(days=100),
        issued_at=issued_at,
        valid_from=valid_from,
        valid_until=valid_from + dt.timedelta(days=89),
        right_to_work="Autorise son titulaire à travailler",
        verification=render.Verification(
            code=code, url=f"https://sejour.example.org/verifier/{code}/", token=token
        ),
        legal_mention=(
            "Le titulaire a déposé dans les délais une demande complète de renouvellement. "
            "Cette attestation, avec le titre expiré, prouve la régularité du séjour aux dates "
            "indiquées (article R.431-15-1 du CESEDA)."
        ),
    )


def bare_page(index: int) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 770, f"Receipt {index}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main(count: int) -> dict[str, float | int]:
    keyring = KeyRing(Ed25519PrivateKey.generate())
    data = [receipt(i, keyring) for i in range(count)]
    render.render_filing_receipt(data[0])  # load the fonts once, as a worker does
    bare_page(0)

    start = time.process_time()
    for i in range(count):
        bare_page(i)
    baseline_seconds = time.process_time() - start

    start = time.process_time()
    size = 0
    for item in data:
        size += len(render.render_filing_receipt(item))
    seconds = time.process_time() - start

    covers = [attestation(i, keyring) for i in range(count)]
    render.render_attestation(covers[0])
    start = time.process_time()
    cover_size = 0
    for cover in covers:
        cover_size += len(render.render_attestation(cover))
    cover_seconds = time.process_time() - start

    per_second = count / seconds
    cover_per_second = count / cover_seconds
    baseline_per_second = count / baseline_seconds
    figures: dict[str, float | int] = {
        "receipts": count,
        "receipts_per_second_per_core": round(per_second, 1),
        "ms_per_receipt": round(1000 * seconds / count, 2),
        "mean_bytes": round(size / count),
        "attestations_per_second_per_core": round(cover_per_second, 1),
        "ms_per_attestation": round(1000 * cover_seconds / count, 2),
        "attestation_mean_bytes": round(cover_size / count),
        "baseline_pages_per_second": round(baseline_per_second, 1),
        "ratio_to_baseline": round(seconds / baseline_seconds, 1),
        "attestation_ratio_to_baseline": round(cover_seconds / baseline_seconds, 1),
        "target_per_second": TARGET_PER_SECOND,
        "target_met": min(per_second, cover_per_second) >= TARGET_PER_SECOND,
    }
    print(f"{count} receipts in {seconds:.2f} s of CPU: {per_second:.0f} a second per core")
    print(
        f"{count} extension attestations in {cover_seconds:.2f} s of CPU: "
        f"{cover_per_second:.0f} a second per core"
    )
    print(f"baseline (bare one-line page): {baseline_per_second:.0f} a second per core")
    print(
        f"a receipt costs {figures['ratio_to_baseline']} bare pages, an attestation "
        f"{figures['attestation_ratio_to_baseline']}; target {TARGET_PER_SECOND}/s each"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
