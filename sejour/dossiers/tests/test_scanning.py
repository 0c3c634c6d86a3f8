"""Every file goes through the real ClamAV daemon before anyone can open it."""

import io

import pytest
from reportlab.pdfgen import canvas

from sejour.core.errors import DomainError
from sejour.dossiers import selectors, services
from sejour.dossiers.choices import ScanStatus
from sejour.dossiers.tests.clamd import MARKER, SIGNATURE
from sejour.dossiers.tests.conftest import pdf_bytes
from sejour.notifications.models import Notification

pytestmark = [pytest.mark.clamav, pytest.mark.django_db]


@pytest.fixture
def clamav(settings, clamd_socket):
    settings.SEJOUR_CLAMAV_SOCKET = clamd_socket


def _pdf_with_marker() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setTitle(MARKER.decode())
    page.drawString(72, 720, "A harmless looking page")
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_a_clean_file_is_scanned_then_opens(clamav, draft, applicant):
    document = services.document_add(
        dossier=draft, actor=applicant, item_code="passport", data=pdf_bytes(), name="p.pdf"
    )
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN
    assert selectors.document_content(document=document, viewer=applicant).startswith(b"%PDF")


def test_an_infected_file_never_opens_and_its_sender_is_told(clamav, draft, applicant):
    document = services.document_add(
        dossier=draft,
        actor=applicant,
        item_code="passport",
        data=_pdf_with_marker(),
        name="p.pdf",
    )
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.INFECTED
    assert document.scan_signature == SIGNATURE
    with pytest.raises(DomainError, match="antivirus"):
        selectors.document_content(document=document, viewer=applicant)
    assert Notification.objects.filter(recipient=applicant, body__contains="p.pdf").exists()


def test_without_a_daemon_configured_files_are_marked_not_scanned(draft, applicant):
    document = services.document_add(
        dossier=draft, actor=applicant, item_code="passport", data=pdf_bytes(), name="p.pdf"
    )
    assert document.scan_status == ScanStatus.NOT_SCANNED
