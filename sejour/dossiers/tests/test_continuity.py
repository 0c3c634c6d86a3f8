"""Continuity of rights over months: extension attestations from expiry to decision, the
favourable-decision attestation to hand-over, refusals, late filings, crashes, the proof."""

import datetime as dt
import io
import itertools
import uuid
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import selectors as attestation_selectors
from sejour.attestations import services as attestation_services
from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEntry
from sejour.catalog.models import Prefecture, Procedure
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers import continuity, gaps, instruction, services
from sejour.dossiers.choices import CoverBasis, Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from sejour.notifications.models import Notification, Reminder
from sejour.notifications.services import reminders_send_due
from sejour.rules.dates import add_days, add_months

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def _at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))


@pytest.fixture
def agent(catalogue):
    agent = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    return agent


def _renewal(*, expires: dt.date, filed_on: dt.date, permit_type: str = "cst-salarie") -> Dossier:
    person = UserFactory(date_of_birth=dt.date(1990, 5, 17))
    with _at(filed_on):
        dossier = services.dossier_start(
            actor=person, procedure=Procedure.objects.get(code="renewal")
        )
        dossier = services.dossier_answer(
            dossier=dossier,
            actor=person,
            postcode="75011",
            answers={
                "permit_type": permit_type,
                "permit_expires_on": expires.isoformat(),
                "employed": True,
                "married": False,
                "has_children": False,
                "hosted": False,
            },
        )
        fill_documents(dossier, person)
        return services.dossier_submit(dossier=dossier, actor=person, key=uuid.uuid4())


def _live(dossier: Dossier, kind: str = Kind.EXTENSION) -> list[Attestation]:
    return list(
        Attestation.objects.filter(dossier=dossier, kind=kind, revoked_at__isnull=True).order_by(
            "valid_from"
        )
    )


def _run_days(first: dt.date, last: dt.date) -> None:
    """The scheduler's sweep, once a day from `first` to `last`."""
    day = first
    while day <= last:
        with _at(day, hour=3):
            continuity.sweep(today=day)
        day = add_days(day, 1)


def _decide(dossier: Dossier, agent, on: dt.date, approve: bool = True) -> Dossier:
    with _at(on):
        instruction.dossier_take(dossier=dossier, actor=agent)
        if approve:
            instruction.dossier_approve(dossier=dossier, actor=agent)
        else:
            instruction.dossier_refuse(
                dossier=dossier,
                actor=agent,
                reasons=["resources"],
                explanation="The resources shown do not reach the level the law requires.",
            )
    dossier.refresh_from_db()
    return dossier


def test_a_renewal_filed_100_days_ahead_and_decided_7_months_later_is_never_uncovered(agent):
    expires = D("2027-03-02")
    filed_on = add_days(expires, -100)
    dossier = _renewal(expires=expires, filed_on=filed_on)
    assert dossier.cover_basis == CoverBasis.RIGHT
    decided_on = add_months(filed_on, 7)
    _run_days(filed_on, add_days(decided_on, -1))

    extensions = _live(dossier)
    assert extensions[0].valid_from == add_days(expires, 1)
    for previous, following in itertools.pairwise(extensions):
        assert following.valid_from == add_days(previous.valid_until, 1)  # no gap, no overlap
        # In hand before the previous one lapses.
        assert following.issued_at.date() <= add_days(previous.valid_until, -14)
    for attestation in extensions:
        assert attestation.valid_until < add_months(attestation.valid_from, 3)  # ≤ 3 months
        assert attestation.right_to_work is True
    assert extensions[-1].valid_until >= decided_on

    dossier = _decide(dossier, agent, decided_on)
    _run_days(decided_on, add_days(decided_on, 200))
    # The decision stops the extensions: none starts after it.
    assert all(a.valid_from <= decided_on for a in _live(dossier))
    favourable = _live(dossier, Kind.FAVOURABLE)
    assert favourable[0].valid_from == decided_on
    for previous, following in itertools.pairwise(favourable):
        assert following.valid_from == add_days(previous.valid_until, 1)
    assert not list(gaps.find(today=add_days(decided_on, 200)))

    handed_on = add_days(decided_on, 210)
    _run_days(add_days(decided_on, 201), handed_on)
    with _at(handed_on):
        instruction.card_hand_over(
            dossier=dossier, actor=agent, card_expires_on=add_months(handed_on, 48)
        )
    running = _live(dossier, Kind.FAVOURABLE)[-1]
    assert running.ends_on == handed_on
    assert running.end_reason == EndReason.CARD_HANDED_OVER
    count = Attestation.objects.filter(dossier=dossier).count()
    _run_days(add_days(handed_on, 1), add_days(handed_on, 120))
    assert Attestation.objects.filter(dossier=dossier).count() == count  # nothing more
    # The holder of the new card will be told when to renew it.
    keys = set(Reminder.objects.filter(recipient=dossier.applicant).values_list("key", flat=True))
    holder = dossier.applicant_id
    assert {f"window-open:{holder}", f"window-closing:{holder}"} <= keys


def test_every_day_is_covered_by_a_document_in_hand(agent):
    expires = D("2027-01-31")
    dossier = _renewal(expires=expires, filed_on=D("2026-11-01"))
    _run_days(D("2026-11-01"), D("2027-09-30"))
    holder = dossier.applicant
    day = D("2026-11-02")
    while day <= D("2027-09-30"):
        right = attestation_selectors.right_on(holder=holder, day=day)
        if day > expires:
            assert right is not None, day
            assert right.attestation.issued_at.date() < day  # it was in hand the day before
            assert right.right_to_work
        day = add_days(day, 1)
    assert not list(gaps.find(today=D("2027-09-30")))


def test_protection_gets_six_month_attestations_and_the_mention(agent):
    expires = D("2027-02-15")
    dossier = _renewal(
        expires=expires, filed_on=D("2026-11-22"), permit_type="carte-resident-refugie"
    )
    _run_days(D("2026-11-22"), D("2027-12-31"))
    extensions = _live(dossier)
    assert extensions[0].valid_until == D("2027-08-15")
    assert extensions[1].valid_from == D("2027-08-16")
    assert extensions[0].facts["protection"] == "refugee"
    assert all(a.right_to_work for a in extensions)


def test_a_visitor_keeps_no_right_to_work(agent):
    dossier = _renewal(
        expires=D("2027-01-25"), filed_on=D("2026-11-22"), permit_type="cst-visiteur"
    )
    _run_days(D("2026-11-22"), D("2027-01-20"))
    (first,) = _live(dossier)
    assert first.right_to_work is False


def test_the_first_attestation_comes_15_days_ahead_and_the_holder_is_told(agent):
    expires = D("2027-02-15")
    dossier = _renewal(expires=expires, filed_on=D("2026-11-22"))
    _run_days(D("2026-11-22"), D("2027-01-31"))
    assert _live(dossier) == []
    _run_days(D("2027-02-01"), D("2027-02-01"))
    (first,) = _live(dossier)
    assert first.valid_from == D("2027-02-16")
    assert first.issued_at.date() == D("2027-02-01")
    with _at(D("2027-02-01"), hour=8):
        reminders_send_due(today=D("2027-02-01"))
    notice = Notification.objects.filter(recipient=dossier.applicant).latest("pk")
    assert first.code in notice.body
    assert AuditEntry.objects.filter(action="attestation.issued", target_id=str(first.pk)).exists()


def test_the_sweep_is_idempotent_and_the_database_refuses_a_second_period(agent):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    with _at(D("2027-01-11"), hour=3):
        assert continuity.sweep(today=D("2027-01-11")) == 1
        assert continuity.sweep(today=D("2027-01-11")) == 0
    (first,) = _live(dossier)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attestation.objects.create(
            kind=Kind.EXTENSION,
            dossier=dossier,
            holder=dossier.applicant,
            code=attestation_services.new_code(),
            issued_at=first.issued_at,
            valid_from=first.valid_from,
            valid_until=first.valid_until,
            language="fr",
            token="x",
        )


def test_a_crash_in_the_middle_of_a_sweep_loses_nothing_and_duplicates_nothing(agent):
    dossiers = [
        _renewal(expires=D("2027-01-25") + dt.timedelta(days=i), filed_on=D("2026-11-22"))
        for i in range(7)
    ]
    today = D("2027-01-20")
    real = continuity._apply
    calls = {"n": 0}

    def crash_on_second_batch(batch, day):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(batch, day)

    with (
        _at(today, hour=3),
        mock.patch.object(continuity, "_apply", crash_on_second_batch),
        pytest.raises(RuntimeError),
    ):
        continuity.sweep(today=today, batch_size=3)
    issued = Attestation.objects.filter(kind=Kind.EXTENSION).count()
    assert issued == 3  # the first batch committed, the second rolled back whole
    with _at(today, hour=4):
        continuity.sweep(today=today, batch_size=3)
    for dossier in dossiers:
        assert len(_live(dossier)) == 1, dossier.number
    assert Attestation.objects.filter(kind=Kind.EXTENSION).count() == 7
    assert (
        AuditEntry.objects.filter(action="attestation.issued", data__kind="extension").count() == 7
    )


def _in_force(dossier: Dossier, day: dt.date) -> list[Attestation]:
    return [
        attestation
        for attestation in Attestation.objects.filter(
            dossier=dossier, kind__in=[Kind.EXTENSION, Kind.FAVOURABLE]
        )
        if attestation.is_valid_on(day)
    ]


def test_at_approval_the_extension_ends_the_day_the_favourable_attestation_starts(agent):
    expires = D("2027-01-25")
    dossier = _renewal(expires=expires, filed_on=D("2026-11-22"))
    _run_days(D("2026-12-30"), D("2027-03-09"))
    (running,) = _live(dossier)
    assert running.valid_until == D("2027-04-25")
    approved_on = D("2027-03-10")
    dossier = _decide(dossier, agent, approved_on)
    _run_days(approved_on, D("2027-08-31"))

    running.refresh_from_db()
    assert running.ends_on == D("2027-03-09")  # superseded: it ends the day before
    assert running.end_reason == EndReason.SUPERSEDED
    assert not running.is_valid_on(approved_on)
    favourable = _live(dossier, Kind.FAVOURABLE)
    assert favourable[0].valid_from == approved_on
    day = add_days(expires, 1)
    while day <= D("2027-08-31"):
        assert len(_in_force(dossier, day)) == 1, day  # one document at a time, every day
        day = add_days(day, 1)
    right = attestation_selectors.right_on(holder=dossier.applicant, day=approved_on)
    assert right is not None
    assert right.attestation.kind == Kind.FAVOURABLE
    assert not list(gaps.find(today=D("2027-08-31")))


def test_a_withdrawn_approval_restarts_the_extensions_the_day_after_the_favourable_ends(agent):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2026-12-30"), D("2027-03-09"))
    dossier = _decide(dossier, agent, D("2027-03-10"))
    supervisor = UserFactory(role=Role.SUPERVISOR)
    with _at(D("2027-03-20")):
        instruction.decision_withdraw(
            dossier=dossier, actor=supervisor, reason="The agent approved the wrong dossier."
        )
    _run_days(D("2027-03-20"), D("2027-05-31"))
    day = D("2027-01-26")
    while day <= D("2027-05-31"):
        assert len(_in_force(dossier, day)) == 1, day
        day = add_days(day, 1)
    assert D("2027-03-20") in {attestation.valid_from for attestation in _live(dossier)}
    assert not list(gaps.find(today=D("2027-05-31")))


def test_a_refusal_ends_the_running_attestation_and_revokes_the_next(agent, client):
    expires = D("2027-01-25")
    dossier = _renewal(expires=expires, filed_on=D("2026-11-22"))
    _run_days(D("2026-12-30"), D("2027-04-15"))
    running, following = _live(dossier)
    assert following.valid_from == D("2027-04-26")
    dossier = _decide(dossier, agent, D("2027-04-16"), approve=False)
    running.refresh_from_db()
    following.refresh_from_db()
    assert running.ends_on == D("2027-04-16")
    assert running.end_reason == EndReason.REFUSED
    assert running.is_valid_on(D("2027-04-16"))
    assert not running.is_valid_on(D("2027-04-17"))
    assert following.revoked_at is not None
    _run_days(D("2027-04-17"), D("2027-06-30"))
    assert len(_live(dossier)) == 1
    assert attestation_selectors.right_on(holder=dossier.applicant, day=D("2027-04-17")) is None


def test_a_withdrawn_refusal_restores_the_cover(agent):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2026-12-30"), D("2027-02-01"))
    dossier = _decide(dossier, agent, D("2027-02-02"), approve=False)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    with _at(D("2027-02-05")):
        instruction.decision_withdraw(
            dossier=dossier, actor=supervisor, reason="Resources were misread by the agent."
        )
    right = attestation_selectors.right_on(holder=dossier.applicant, day=D("2027-02-05"))
    assert right is not None
    assert right.attestation.valid_from == D("2027-02-03")


def test_a_late_renewal_gets_nothing_until_an_agent_grants_it(agent):
    expires = D("2027-01-10")  # the window closed on 2026-11-11
    dossier = _renewal(expires=expires, filed_on=D("2026-11-22"))
    assert dossier.cover_basis == ""
    _run_days(D("2026-11-22"), D("2027-01-20"))
    assert _live(dossier) == []
    assert not list(gaps.find(today=D("2027-01-20")))  # nothing is owed as of right
    with _at(D("2027-01-20")), pytest.raises(DomainError):
        continuity.extension_grant(dossier=dossier, actor=agent, reason="short")
    with _at(D("2027-01-20")), pytest.raises(NotAllowed):
        continuity.extension_grant(
            dossier=dossier, actor=UserFactory(role=Role.AGENT), reason="Out of scope agent."
        )
    with _at(D("2027-01-20")):
        continuity.extension_grant(
            dossier=dossier, actor=agent, reason="Hospitalised when the window was open."
        )
    (first,) = _live(dossier)
    assert first.valid_from == D("2027-01-20")  # a grant does not backdate a right
    entry = AuditEntry.objects.get(action="dossier.extension_granted")
    assert entry.data["reason"] == "Hospitalised when the window was open."
    _run_days(D("2027-01-21"), D("2027-06-30"))
    assert not list(gaps.find(today=D("2027-06-30")))


def test_overdue_documents_hold_the_next_attestation_and_the_applicant_is_told(agent):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2027-01-10"), D("2027-03-20"))
    with _at(D("2027-03-21")):
        instruction.dossier_take(dossier=dossier, actor=agent)
        instruction.documents_request(
            dossier=dossier,
            actor=agent,
            items=[("proof-of-address", "outdated", "Your bill is from 2025.")],
            deadline=D("2027-03-29"),
        )
    _run_days(D("2027-03-21"), D("2027-04-20"))
    (held,) = _live(dossier)  # due again on 2027-04-10, held back by the overdue documents
    assert held.valid_until == D("2027-04-25")
    dossier.refresh_from_db()
    assert continuity.blocker(dossier, D("2027-04-20")) is not None
    with _at(D("2027-04-10"), hour=9):
        reminders_send_due(today=D("2027-04-10"))
    notice = Notification.objects.filter(
        recipient=dossier.applicant, subject__icontains="documents"
    ).latest("pk")
    assert dossier.number in notice.body
    assert "25" in notice.body  # the day the current one ends
    _run_days(D("2027-04-21"), D("2027-04-30"))
    found = list(gaps.find(today=D("2027-04-30")))
    assert [(gap.first, gap.last, gap.reason) for gap in found] == [
        (D("2027-04-26"), D("2027-04-30"), "documents_overdue")
    ]
    with _at(D("2027-05-01")):
        old = dossier.documents.get(
            item_code="proof-of-address", replaced_by__isnull=True, removed_at__isnull=True
        )
        services.document_add(
            dossier=dossier,
            actor=dossier.applicant,
            item_code="proof-of-address",
            data=pdf_bytes("2027 bill"),
            name="bill.pdf",
            replaces=old,
        )
        instruction.documents_answered(
            dossier=Dossier.objects.get(pk=dossier.pk), actor=dossier.applicant
        )
    # Issued the same day, from the day after the held one ended.
    assert [a.valid_from for a in _live(dossier)] == [D("2027-01-26"), D("2027-04-26")]
    assert _live(dossier)[-1].issued_at.date() == D("2027-05-01")


def test_continuity_check_exits_non_zero_on_a_gap_and_alerts_supervisors(agent, capsys):
    supervisor = UserFactory(role=Role.SUPERVISOR)
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    # The worker never ran: the old permit expired with nothing to replace it.
    with _at(D("2027-01-30")), pytest.raises(CommandError, match="5 person-day"):
        call_command("continuity_check", "--today", "2027-01-30", "--alert")
    out = capsys.readouterr().out
    assert dossier.number in out
    assert "2027-01-26" in out
    assert Notification.objects.filter(recipient=supervisor).exists()
    with _at(D("2027-01-30"), hour=11):
        continuity.sweep(today=D("2027-01-30"))
    # Days already past stay uncovered: a late document does not cover them.
    with pytest.raises(CommandError, match="4 person-day"):
        call_command("continuity_check", "--today", "2027-01-30")
    call_command("continuity_check", "--today", "2027-01-20")


def test_continuity_check_passes_when_the_sweep_runs(agent, capsys):
    _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2026-11-22"), D("2027-05-01"))
    call_command("continuity_check", "--today", "2027-05-01")
    assert "No person-day without a valid document" in capsys.readouterr().out


def test_a_withdrawn_application_stops_the_cover(agent):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2026-12-30"), D("2027-02-01"))
    with _at(D("2027-02-02")):
        services.dossier_withdraw(dossier=dossier, actor=dossier.applicant)
    (running,) = _live(dossier)
    assert running.ends_on == D("2027-02-02")
    assert running.end_reason == EndReason.WITHDRAWN
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.cover_next_on is None


def test_a_draft_renewal_plans_the_window_reminders_and_filing_cancels_them(catalogue):
    person = UserFactory()
    with _at(D("2026-08-01")):
        dossier = services.dossier_start(
            actor=person, procedure=Procedure.objects.get(code="renewal")
        )
        services.dossier_answer(
            dossier=dossier,
            actor=person,
            postcode="75011",
            answers={"permit_type": "cst-salarie", "permit_expires_on": "2027-02-15"},
        )
    planned = dict(Reminder.objects.filter(recipient=person).values_list("key", "due_on"))
    assert planned == {
        f"window-open:{person.pk}": D("2026-10-18"),
        f"window-closing:{person.pk}": D("2026-12-03"),
    }
    with _at(D("2026-10-18"), hour=9):
        reminders_send_due(today=D("2026-10-18"))
    notice = Notification.objects.get(recipient=person)
    assert "17" in notice.body  # closes on 17 December 2026
    with _at(D("2026-11-22")):
        dossier = services.dossier_answer(
            dossier=Dossier.objects.get(pk=dossier.pk),
            actor=person,
            postcode="75011",
            answers={
                "permit_type": "cst-salarie",
                "permit_expires_on": "2027-02-15",
                "employed": True,
                "married": False,
                "has_children": False,
                "hosted": False,
            },
        )
        fill_documents(dossier, person)
        services.dossier_submit(dossier=dossier, actor=person, key=uuid.uuid4())
    assert not Reminder.objects.filter(recipient=person, sent_at__isnull=True).exists()


def test_the_applicant_page_shows_the_cover_and_what_blocks_it(agent, client):
    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    url = f"/en/demandes/{dossier.number}/"
    with _at(D("2026-12-01")):
        client.force_login(dossier.applicant)
        page = client.get(url).content.decode()
    assert "Your right to stay while you wait" in page
    assert "Your first attestation will be issued on 11 January 2027" in page
    assert "before the current one ends" not in page
    _run_days(D("2027-01-11"), D("2027-03-20"))
    with _at(D("2027-02-01")):
        client.force_login(dossier.applicant)
        page = client.get(url).content.decode()
    (current,) = _live(dossier)
    assert "Your right to stay is proved until 25 April 2027" in page
    assert current.code in page
    assert "It allows you to work." in page
    with _at(D("2027-03-21")):
        instruction.dossier_take(dossier=dossier, actor=agent)
        instruction.documents_request(
            dossier=dossier,
            actor=agent,
            items=[("proof-of-address", "outdated", "Your bill is from 2025.")],
            deadline=D("2027-03-29"),
        )
    with _at(D("2027-04-02")):
        client.force_login(dossier.applicant)
        page = client.get(url).content.decode()
    assert "Your next attestation is waiting" in page
    assert "29 March 2027" in page


def test_a_late_renewal_page_says_no_attestation_is_due_as_of_right(catalogue, client):
    dossier = _renewal(expires=D("2027-01-10"), filed_on=D("2026-11-22"))
    with _at(D("2026-11-23")):
        client.force_login(dossier.applicant)
        page = client.get(f"/en/demandes/{dossier.number}/").content.decode()
    assert "No extension attestation as of right" in page


def test_renewals_filed_before_the_sweep_existed_are_covered_by_the_migration(catalogue):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("sejour.dossiers.migrations.0005_cover_backfill").backfill
    timely = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    late = _renewal(expires=D("2027-01-10"), filed_on=D("2026-11-22"))
    Dossier.objects.filter(pk=timely.pk).update(cover_basis="", cover_next_on=None)
    with _at(D("2026-12-01")):
        backfill(apps, None)
    timely.refresh_from_db()
    late.refresh_from_db()
    assert (timely.cover_basis, timely.cover_next_on) == (CoverBasis.RIGHT, D("2027-01-11"))
    assert (late.cover_basis, late.cover_next_on) == ("", None)


def test_the_pdf_is_laid_out_at_the_first_download_and_kept(agent):
    from pypdf import PdfReader

    dossier = _renewal(expires=D("2027-01-25"), filed_on=D("2026-11-22"))
    _run_days(D("2027-01-11"), D("2027-01-11"))
    (first,) = _live(dossier)
    assert not first.pdf  # the sweep signs; it does not lay out
    content = attestation_selectors.pdf_content(attestation=first)
    first.refresh_from_db()
    assert first.pdf
    assert attestation_selectors.pdf_content(attestation=first) == content
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert first.code in text
    assert "26/01/2027" in text or "26 janvier 2027" in text
