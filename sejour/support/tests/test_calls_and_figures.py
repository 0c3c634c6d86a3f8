"""Call-backs planned in a window and a language; files sent with a report, checked and
scanned; the support figures a supervisor publishes."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.utils import translation

from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers.choices import ScanStatus
from sejour.dossiers.tests.clamd import MARKER
from sejour.dossiers.tests.conftest import jpeg_bytes, pdf_bytes
from sejour.notifications.models import Notification
from sejour.support import selectors, services
from sejour.support.choices import CallStatus, EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are matched in English."""
    with translation.override("en"):
        yield


MONDAY = dt.date(2026, 11, 23)  # the tests live on Sunday 22 November 2026


def test_a_call_back_is_planned_once_and_the_desk_sees_it(applicant, people):
    report = services.report_open(actor=applicant, category="other", description="Call me")
    call = services.callback_request(
        actor=applicant,
        phone="+33612345678",
        day=MONDAY,
        window="09-12",
        language="ar",
        subject="My renewal",
        report=report,
    )
    assert list(selectors.calls_planned(viewer=people["support"], since=MONDAY)) == [call]
    assert not selectors.calls_planned(viewer=people["paris_agent"], since=MONDAY).exists()
    assert report.events.filter(kind=EventKind.CALLBACK).exists()
    assert "09:00 - 12:00" in Notification.objects.filter(recipient=applicant).latest("pk").body
    with pytest.raises(DomainError, match="already planned"):
        services.callback_request(
            actor=applicant, phone="+33612345678", day=MONDAY, window="09-12", language="fr"
        )
    services.callback_close(callback=call, actor=people["support"], status=CallStatus.DONE)
    call.refresh_from_db()
    assert call.status == CallStatus.DONE
    assert call.handled_by == people["support"]
    assert not selectors.calls_planned(viewer=people["support"], since=MONDAY).exists()


@pytest.mark.parametrize(
    ("day", "window", "language", "message"),
    [
        (dt.date(2026, 11, 22), "09-12", "fr", "weekday"),  # today
        (dt.date(2026, 11, 28), "09-12", "fr", "weekday"),  # a Saturday
        (dt.date(2027, 1, 4), "09-12", "fr", "weekday"),  # too far ahead
        (MONDAY, "20-23", "fr", "time windows"),
        (MONDAY, "09-12", "xx", "languages"),
    ],
)
def test_a_call_outside_what_is_offered_is_explained(applicant, day, window, language, message):
    with pytest.raises(DomainError, match=message):
        services.callback_request(
            actor=applicant, phone="+33612345678", day=day, window=window, language=language
        )


def test_the_person_cancels_a_call_but_only_the_desk_says_it_was_made(applicant, people):
    call = services.callback_request(
        actor=applicant, phone="+33612345678", day=MONDAY, window="14-17", language="fr"
    )
    with pytest.raises(NotAllowed):
        services.callback_close(callback=call, actor=applicant, status=CallStatus.DONE)
    with pytest.raises(Http404):
        selectors.call_get_for(viewer=people["other_applicant"], pk=call.pk)
    services.callback_close(callback=call, actor=applicant, status=CallStatus.CANCELLED)
    with pytest.raises(DomainError, match="no longer planned"):
        services.callback_close(callback=call, actor=people["support"], status=CallStatus.DONE)


def test_files_sent_with_a_report_pass_the_upload_checks(applicant, people):
    report = services.report_open(
        actor=applicant,
        category="cannot_upload",
        description="See the screenshot",
        attachments=[(jpeg_bytes(), "écran.jpg"), (pdf_bytes(), "letter.pdf")],
    )
    first, second = report.attachments.all()
    assert first.content_type == "image/jpeg"
    assert first.scan_status == ScanStatus.NOT_SCANNED  # no antivirus configured here
    found = selectors.attachment_get_for(viewer=people["support"], report=report, pk=second.pk)
    assert selectors.attachment_content(attachment=found).startswith(b"%PDF")
    with pytest.raises(DomainError):
        services.report_open(
            actor=applicant,
            category="other",
            description="A program",
            attachments=[(b"MZ\x90\x00 not a document", "setup.exe")],
        )
    with pytest.raises(DomainError, match="at most 3"):
        services.report_open(
            actor=applicant,
            category="other",
            description="Many",
            attachments=[(pdf_bytes(), f"{n}.pdf") for n in range(4)],
        )
    assert report.__class__.objects.count() == 1


@pytest.mark.clamav
def test_an_infected_screenshot_never_opens(applicant, people, settings, clamd_socket):
    settings.SEJOUR_CLAMAV_SOCKET = clamd_socket
    report = services.report_open(
        actor=applicant,
        category="cannot_upload",
        description="Infected",
        attachments=[(pdf_bytes(MARKER.decode()), "bad.pdf"), (pdf_bytes(), "good.pdf")],
    )
    bad, good = report.attachments.all()
    assert bad.scan_status == ScanStatus.INFECTED
    assert good.scan_status == ScanStatus.CLEAN
    with pytest.raises(Http404):
        selectors.attachment_get_for(viewer=people["support"], report=report, pk=bad.pk)


def test_figures_time_to_answer_deadlines_kept_categories_and_prefectures(applicant, people, filed):
    start = clock.now()
    fast = services.report_open(actor=applicant, category="cannot_file", description="A")
    late = services.report_open(actor=applicant, category="cannot_file", description="B")
    waiting = services.report_open(actor=applicant, category="other", description="C")
    passed = services.report_open(
        actor=applicant, category="no_attestation", description="D", dossier=filed
    )
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        services.report_answer(report=fast, actor=people["support"], body="Done")
        services.report_escalate(report=passed, actor=people["support"], body="Paris")
    with time_machine.travel(start + dt.timedelta(hours=30), tick=False):
        services.report_answer(report=late, actor=people["support"], body="Sorry")
        services.report_resolve(report=fast, actor=people["support"], body="Fixed")
        figures = selectors.support_figures(
            viewer=people["supervisor"], since=start.date(), until=clock.today()
        )
    assert figures.reports == 4
    assert figures.answered == 2  # passing a report on is no answer to the person
    assert figures.escalated == 1
    assert figures.first_answer_median_hours == 16.0  # 2 h and 30 h
    assert figures.resolution_median_hours == 30.0
    # fast kept its deadline; late missed it, and so did the one passed on without an answer;
    # waiting still has time, and says nothing yet.
    assert figures.within_deadline_percent == pytest.approx(100 / 3, abs=0.1)
    assert {c: n for c, _l, n in figures.by_category} == {
        "cannot_file": 2,
        "other": 1,
        "no_attestation": 1,
    }
    assert [(code, n) for code, _name, n in figures.by_prefecture] == [("75", 1)]
    assert figures.as_dict()["by_prefecture"] == {"75": 1}
    assert waiting.first_answered_at is None
    nobody = selectors.support_figures(
        viewer=people["support"], since=start.date(), until=start.date()
    )
    assert nobody.reports == 0
