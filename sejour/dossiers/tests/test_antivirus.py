"""The ClamAV client against Debian's real clamd, loaded with one test signature."""

import io

import pytest
from reportlab.pdfgen import canvas

from sejour.dossiers import antivirus
from sejour.dossiers.antivirus import ScannerUnavailable
from sejour.dossiers.tests.clamd import MARKER, SIGNATURE, Clamd

pytestmark = pytest.mark.clamav


@pytest.fixture
def clamav(settings, clamd_socket):
    settings.SEJOUR_CLAMAV_SOCKET = clamd_socket
    settings.SEJOUR_CLAMAV_TIMEOUT = 10.0


def small_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Titre de séjour : justificatif de domicile")
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_clean_pdf_is_clean(clamav):
    assert antivirus.scan(small_pdf()) == antivirus.ScanResult(status="clean", signature=None)


def test_bytes_holding_the_marker_are_infected_with_the_signature_name(clamav):
    result = antivirus.scan(small_pdf() + MARKER)

    assert result == antivirus.ScanResult(status="infected", signature=SIGNATURE)


def test_marker_across_two_chunks_is_found(clamav):
    half = len(MARKER) // 2
    content = b"x" * (antivirus.CHUNK_SIZE * 3 - half) + MARKER + b"y" * 1000

    assert antivirus.scan(content).status == "infected"


def test_empty_content_is_clean(clamav):
    assert antivirus.scan(b"").status == "clean"


def test_ping_answers_when_the_daemon_runs(clamav):
    assert antivirus.ping() is True


def test_is_configured_follows_the_socket_setting(settings):
    settings.SEJOUR_CLAMAV_SOCKET = ""
    assert antivirus.is_configured() is False

    settings.SEJOUR_CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    assert antivirus.is_configured() is True


def test_stopped_daemon_makes_the_scanner_unavailable(settings, tmp_path_factory):
    daemon = Clamd(tmp_path_factory.mktemp("clamd-stopped")).start()
    settings.SEJOUR_CLAMAV_SOCKET = str(daemon.socket)
    assert antivirus.ping() is True

    daemon.stop()

    assert antivirus.ping() is False
    with pytest.raises(ScannerUnavailable):
        antivirus.scan(small_pdf())


def test_wrong_socket_path_makes_the_scanner_unavailable(settings, tmp_path):
    settings.SEJOUR_CLAMAV_SOCKET = str(tmp_path / "no-such.sock")

    assert antivirus.ping() is False
    with pytest.raises(ScannerUnavailable):
        antivirus.scan(small_pdf())


def test_a_socket_path_that_is_not_a_socket_makes_the_scanner_unavailable(settings, tmp_path):
    not_a_socket = tmp_path / "clamd.sock"
    not_a_socket.write_text("")
    settings.SEJOUR_CLAMAV_SOCKET = str(not_a_socket)

    with pytest.raises(ScannerUnavailable):
        antivirus.scan(b"content")


def test_scan_without_a_configured_socket_is_unavailable(settings):
    settings.SEJOUR_CLAMAV_SOCKET = ""

    assert antivirus.ping() is False
    with pytest.raises(ScannerUnavailable):
        antivirus.scan(b"content")
