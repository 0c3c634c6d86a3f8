"""Fixtures of the dossier tests: the real catalogue, an applicant, and files to upload."""

import io

import pytest
import time_machine
from django.core.management import call_command
from PIL import Image
from reportlab.pdfgen import canvas

from sejour.catalog.models import Procedure
from sejour.dossiers import selectors, services
from sejour.dossiers.tests.clamd import clamd_socket

__all__ = ["clamd_socket"]  # one real ClamAV daemon for the whole session


@pytest.fixture(autouse=True)
def _a_fixed_day():
    """The filing window depends on today: these tests live on 22 November 2026 in Paris."""
    with time_machine.travel("2026-11-22T10:00:00+01:00", tick=True):
        yield


@pytest.fixture
def catalogue(db):
    call_command("load_catalog", verbosity=0)


@pytest.fixture
def renewal(catalogue):
    return Procedure.objects.get(code="renewal")


def pdf_bytes(text: str = "Séjour test document") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def draft(applicant, renewal):
    """A renewal draft with its answers, no document yet."""
    dossier = services.dossier_start(actor=applicant, procedure=renewal)
    return services.dossier_answer(
        dossier=dossier,
        actor=applicant,
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": "2027-02-15",
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
        postcode="75011",
    )


def fill_documents(dossier, actor) -> None:
    """Upload a file for every required item still missing."""
    for item in selectors.missing_items(dossier=dossier):
        services.document_add(
            dossier=dossier,
            actor=actor,
            item_code=item.code,
            data=pdf_bytes(item.code),
            name=f"{item.code}.pdf",
        )
