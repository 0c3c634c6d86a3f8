"""Reports: a number and a deadline at once, answers, the prefecture, and the deadline kept."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.utils import translation

from sejour.audit.models import AuditEntry
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.notifications.models import Notification
from sejour.support import selectors, services
from sejour.support.choices import Category, EventKind, Status

pytestmark = pytest.mark.django_db


def test_a_report_gets_a_number_and_the_date_of_its_answer_at_once(applicant, filed):
    report = services.report_open(
        actor=applicant,
        category=Category.NO_ATTESTATION,
        description="  My extension attestation is not in my account.  ",
        dossier=filed,
    )
    assert report.number.startswith("S2026-")
    assert report.due_at == report.opened_at + dt.timedelta(hours=24)
    assert report.status == Status.OPEN
    assert report.description == "My extension attestation is not in my account."
    message = Notification.objects.filter(recipient=applicant).latest("pk")
    assert report.number in message.subject
    assert report.number in message.body
    assert "at the latest" in message.body
    assert AuditEntry.objects.filter(action="report.opened", actor=applicant).exists()
    assert [e.kind for e in selectors.history_for(viewer=applicant, report=report)] == [
        EventKind.OPENED
    ]


def test_deadlines_come_from_the_settings_per_category(applicant, settings):
    settings.SEJOUR_SUPPORT_DEADLINE_HOURS = {**settings.SEJOUR_SUPPORT_DEADLINE_HOURS, "other": 7}
    report = services.report_open(actor=applicant, category=Category.OTHER, description="Help")
    assert report.due_at - report.opened_at == dt.timedelta(hours=7)


@pytest.mark.parametrize(
    ("category", "description", "message"),
    [
        ("cannot_file", "   ", "Write what happened"),
        ("nonsense", "Something", "Choose what blocks you"),
        ("other", "x" * 5001, "under 5,000 characters"),
    ],
)
def test_bad_reports_are_explained(applicant, category, description, message):
    with translation.override("en"), pytest.raises(DomainError, match=message):
        services.report_open(actor=applicant, category=category, description=description)


def test_nobody_reports_on_someone_elses_dossier_and_staff_do_not_report(people, filed):
    with pytest.raises(NotAllowed):
        services.report_open(
            actor=people["other_applicant"],
            category=Category.CANNOT_FILE,
            description="Not mine",
            dossier=filed,
        )
    with pytest.raises(NotAllowed):
        services.report_open(actor=people["support"], category="other", description="Staff")


def test_the_desk_answers_and_its_internal_notes_stay_internal(applicant, people, filed):
    report = services.report_open(
        actor=applicant, category="cannot_upload", description="Upload fails", dossier=filed
    )
    before = Notification.objects.filter(recipient=applicant).count()
    services.report_answer(
        report=report, actor=people["support"], body="Checked the logs.", internal=True
    )
    assert Notification.objects.filter(recipient=applicant).count() == before
    services.report_answer(
        report=report, actor=people["support"], body="Try a PDF under 10 MB; we saw 14 MB."
    )
    report.refresh_from_db()
    assert report.status == Status.ANSWERED
    assert report.first_answered_at is not None
    assert "14 MB" in Notification.objects.filter(recipient=applicant).latest("pk").body
    seen = [e.body for e in selectors.history_for(viewer=applicant, report=report)]
    assert "Checked the logs." not in seen
    assert "Checked the logs." in [
        e.body for e in selectors.history_for(viewer=people["support"], report=report)
    ]
    with pytest.raises(NotAllowed):
        services.report_answer(report=report, actor=applicant, body="I answer myself")
    services.report_add(report=report, actor=applicant, body="Smaller file sent, it worked.")


def test_passed_to_the_prefecture_of_the_dossier_whose_agents_see_and_settle_it(
    applicant, people, filed
):
    report = services.report_open(
        actor=applicant, category="no_attestation", description="No receipt", dossier=filed
    )
    assert selectors.escalated_for(viewer=people["paris_agent"]).count() == 0
    services.report_escalate(
        report=report, actor=people["support"], body="The receipt must be issued again."
    )
    report.refresh_from_db()
    assert report.status == Status.ESCALATED
    assert report.escalated_to == filed.prefecture  # Paris: the dossier's postcode is 75011
    assert list(selectors.escalated_for(viewer=people["paris_agent"])) == [report]
    assert not selectors.escalated_for(viewer=people["marseille_agent"]).exists()
    with pytest.raises(Http404):
        selectors.report_get_for(viewer=people["marseille_agent"], number=report.number)
    with pytest.raises(NotAllowed):
        services.report_resolve(report=report, actor=people["marseille_agent"], body="Not mine")
    services.report_resolve(
        report=report, actor=people["paris_agent"], body="Your receipt is in your account again."
    )
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert not selectors.escalated_for(viewer=people["paris_agent"]).exists()
    assert (
        "in your account again"
        in Notification.objects.filter(recipient=applicant).latest("pk").body
    )


def test_a_report_without_answer_past_its_deadline_goes_to_the_prefecture_by_itself(
    applicant, people
):
    late = services.report_open(actor=applicant, category="account_access", description="Locked")
    answered = services.report_open(actor=applicant, category="cannot_file", description="Error")
    later = services.report_open(actor=applicant, category="other", description="Question")
    services.report_answer(report=answered, actor=people["support"], body="Fixed, try again.")
    assert services.reports_escalate_overdue() == 0
    with time_machine.travel(clock.now() + dt.timedelta(hours=25), tick=False):
        assert services.reports_escalate_overdue() == 1
        assert services.reports_escalate_overdue() == 0  # done once
    late.refresh_from_db()
    assert late.status == Status.ESCALATED
    # No dossier: the prefecture of the applicant's home (postcode 13001, Bouches-du-Rhône).
    assert late.escalated_to.departement_code == "13"
    assert [e.kind for e in late.events.all()][-1] == EventKind.OVERDUE
    assert list(selectors.escalated_for(viewer=people["marseille_agent"])) == [late]
    for report in (answered, later):
        report.refresh_from_db()
        assert report.status != Status.ESCALATED
    assert AuditEntry.objects.filter(action="report.escalated_overdue").count() == 1


def test_the_desk_queue_is_ordered_by_deadline_and_only_for_the_desk(applicant, people):
    slow = services.report_open(actor=applicant, category="other", description="Question")
    urgent = services.report_open(actor=applicant, category="cannot_file", description="Error")
    assert list(selectors.support_queue(viewer=people["support"])) == [urgent, slow]
    assert not selectors.support_queue(viewer=people["paris_agent"]).exists()
    assert not selectors.support_queue(viewer=applicant).exists()
    assert list(selectors.reports_of(viewer=applicant)) == [urgent, slow]
    assert not selectors.reports_of(viewer=people["other_applicant"]).exists()
    with pytest.raises(Http404):
        selectors.report_get_for(viewer=people["other_applicant"], number=slow.number)
