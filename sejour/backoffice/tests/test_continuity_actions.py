"""Continuity of rights from the review page: the panel, an extension granted to a late
renewal with a reason, and the hand-over of the card that closes the dossier."""

import datetime as dt
import uuid

import pytest
import time_machine

from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEntry
from sejour.dossiers import continuity, instruction, services
from sejour.dossiers.choices import CoverBasis, Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents
from sejour.notifications.models import Reminder

pytestmark = pytest.mark.django_db

# Tests live on 22 November 2026 (the dossiers' fixed day). A CST "salarié" is renewed from
# 120 to 60 days before it expires (R.431-5 1°): one expiring on 1 December 2026 was due by
# 2 October, so a filing today is late but still before expiry.
SOON = dt.date(2026, 12, 1)
# Late as well, but expiring more than 15 days from now: its first attestation is not due yet.
LATER = dt.date(2027, 1, 10)
WINDOW_TEMPLATES = "dossiers/messages/renewal_window"
REASON = "Hospitalised during the whole renewal window; certificate in the file."


def _renewal_expiring(applicant, renewal, expires_on: dt.date) -> Dossier:
    dossier = services.dossier_start(actor=applicant, procedure=renewal)
    dossier = services.dossier_answer(
        dossier=dossier,
        actor=applicant,
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": expires_on.isoformat(),
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
        postcode="75011",
    )
    fill_documents(dossier, applicant)
    return services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())


@pytest.fixture
def late(applicant, renewal):
    return _renewal_expiring(applicant, renewal, SOON)


@pytest.fixture
def late_later(applicant, renewal):
    return _renewal_expiring(applicant, renewal, LATER)


@pytest.fixture
def agent_client(as_user, people):
    return as_user(people["agent"])


@pytest.fixture
def approved(people, filed):
    instruction.dossier_take(dossier=filed, actor=people["agent"])
    instruction.dossier_approve(dossier=filed, actor=people["agent"])
    return Dossier.objects.get(pk=filed.pk)


def _extensions(dossier: Dossier):
    return Attestation.objects.filter(dossier=dossier, kind=Kind.EXTENSION)


# --- The panel -----------------------------------------------------------------------------


def test_review_of_a_late_renewal_shows_why_it_is_not_covered_and_the_grant_form(
    agent_client, late
):
    assert late.cover_basis == ""
    body = agent_client.get(f"/en/instruction/{late.number}/").content.decode()
    assert "Continuity of rights" in body
    assert "No attestation as of right: filed late" in body
    assert "Grant an extension attestation" in body
    assert f"/en/instruction/{late.number}/accorder-attestation/" in body
    assert "filed late" in body
    assert "reason is recorded in the journal" in body


def test_review_of_a_timely_renewal_shows_its_cover_and_no_grant_form(agent_client, filed):
    body = agent_client.get(f"/en/instruction/{filed.number}/").content.decode()
    assert "Continuity of rights" in body
    assert "Timely and complete renewal (R.431-15-1)" in body
    assert "01/02/2027" in body  # the first attestation, 15 days before it starts
    assert "accorder-attestation/" not in body


# --- Granting an extension -----------------------------------------------------------------


def test_agent_grants_with_a_reason_and_the_attestation_is_issued_at_once(
    agent_client, people, late
):
    response = agent_client.post(
        f"/en/instruction/{late.number}/accorder-attestation/", {"reason": REASON}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/instruction/{late.number}/#continuity"
    dossier = Dossier.objects.get(pk=late.pk)
    assert dossier.cover_basis == CoverBasis.GRANTED
    attestation = _extensions(dossier).get()
    assert attestation.valid_from == dt.date(2026, 12, 2)
    assert attestation.right_to_work is True
    entry = AuditEntry.objects.get(action="dossier.extension_granted")
    assert entry.actor == people["agent"]
    assert entry.data["reason"] == REASON

    page = agent_client.get(f"/en/instruction/{late.number}/").content.decode()
    assert "Extension attestations are granted" in page
    assert "Granted by the prefecture" in page
    assert attestation.code in page
    assert "02/12/2026" in page
    assert "accorder-attestation/" not in page  # granted once


def test_a_grant_far_from_expiry_is_issued_by_the_sweep_on_its_day(agent_client, late_later):
    agent_client.post(
        f"/en/instruction/{late_later.number}/accorder-attestation/", {"reason": REASON}
    )
    dossier = Dossier.objects.get(pk=late_later.pk)
    assert dossier.cover_basis == CoverBasis.GRANTED
    assert not _extensions(dossier).exists()
    assert dossier.cover_next_on == dt.date(2026, 12, 27)

    with time_machine.travel("2026-12-27T06:00:00+01:00", tick=False):
        continuity.sweep()
    assert _extensions(dossier).get().valid_from == dt.date(2027, 1, 11)


def test_a_supervisor_in_scope_may_grant(as_user, people, late):
    as_user(people["supervisor"]).post(
        f"/en/instruction/{late.number}/accorder-attestation/", {"reason": REASON}
    )
    assert Dossier.objects.get(pk=late.pk).cover_basis == CoverBasis.GRANTED


@pytest.mark.parametrize("reason", ["", "   ", "Because."])
def test_a_missing_or_too_short_reason_is_explained_and_kept(agent_client, late, reason):
    response = agent_client.post(
        f"/en/instruction/{late.number}/accorder-attestation/", {"reason": reason}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please check the form" in body
    if reason.strip():
        assert "Say in a sentence why the attestation is granted." in body
        assert f"{reason}</textarea>" in body
    dossier = Dossier.objects.get(pk=late.pk)
    assert dossier.cover_basis == ""
    assert not _extensions(dossier).exists()
    assert not AuditEntry.objects.filter(action="dossier.extension_granted").exists()


def test_a_second_grant_is_refused_on_the_page(agent_client, late):
    url = f"/en/instruction/{late.number}/accorder-attestation/"
    agent_client.post(url, {"reason": REASON})
    response = agent_client.post(url, {"reason": REASON})
    assert response.status_code == 200
    assert "This renewal is already covered by extension attestations." in response.content.decode()
    assert _extensions(late).count() == 1


# --- Handing over the card -----------------------------------------------------------------


def test_hand_over_form_only_for_an_approved_dossier(agent_client, people, filed):
    url = f"/en/instruction/{filed.number}/"
    assert "remise-titre/" not in agent_client.get(url).content.decode()
    instruction.dossier_take(dossier=filed, actor=people["agent"])
    instruction.dossier_approve(dossier=filed, actor=people["agent"])
    body = agent_client.get(f"/en/instruction/{filed.number}/").content.decode()
    assert "Card handed over" in body
    assert f"/en/instruction/{filed.number}/remise-titre/" in body
    assert 'type="date"' in body


def test_hand_over_with_the_card_end_date_closes_and_plans_the_renewal_reminders(
    agent_client, approved
):
    favourable = Attestation.objects.get(dossier=approved, kind=Kind.FAVOURABLE)
    response = agent_client.post(
        f"/en/instruction/{approved.number}/remise-titre/", {"card_expires_on": "2027-11-21"}
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=approved.pk)
    assert dossier.status == Status.CLOSED
    favourable.refresh_from_db()
    assert favourable.ends_on == dt.date(2026, 11, 22)
    assert favourable.end_reason == EndReason.CARD_HANDED_OVER
    planned = {
        reminder.template: reminder.due_on
        for reminder in Reminder.objects.filter(
            recipient=dossier.applicant, template__startswith=WINDOW_TEMPLATES
        )
    }
    assert set(planned) == {
        f"{WINDOW_TEMPLATES}_open",
        f"{WINDOW_TEMPLATES}_closing",
    }
    assert dt.date(2027, 1, 1) < planned[f"{WINDOW_TEMPLATES}_open"]
    assert planned[f"{WINDOW_TEMPLATES}_open"] < planned[f"{WINDOW_TEMPLATES}_closing"]
    assert planned[f"{WINDOW_TEMPLATES}_closing"] < dt.date(2027, 11, 21)
    page = agent_client.get(f"/en/instruction/{approved.number}/").content.decode()
    assert "The card is handed over" in page
    assert "remise-titre/" not in page


def test_hand_over_without_a_date_closes_and_plans_no_reminder(agent_client, approved):
    agent_client.post(f"/en/instruction/{approved.number}/remise-titre/", {"card_expires_on": ""})
    dossier = Dossier.objects.get(pk=approved.pk)
    assert dossier.status == Status.CLOSED
    assert not Reminder.objects.filter(template__startswith=WINDOW_TEMPLATES).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-11-22", "The card&#x27;s end of validity must be after today."),
        ("2025-01-31", "The card&#x27;s end of validity must be after today."),
        ("31/02/2030", "Enter a real date, e.g. 31/12/2026."),
        ("next year", "Enter a real date, e.g. 31/12/2026."),
    ],
)
def test_a_past_or_unreadable_card_date_is_explained_and_kept(
    agent_client, approved, typed, message
):
    response = agent_client.post(
        f"/en/instruction/{approved.number}/remise-titre/", {"card_expires_on": typed}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'value="{typed}"' in body
    assert Dossier.objects.get(pk=approved.pk).status == Status.APPROVED


# --- Scope and method ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_agent", "local_supervisor"])
def test_staff_of_another_prefecture_can_neither_grant_nor_hand_over(
    as_user, people, late, approved, who
):
    client = as_user(people[who])
    grant = client.post(f"/fr/instruction/{late.number}/accorder-attestation/", {"reason": REASON})
    hand = client.post(f"/fr/instruction/{approved.number}/remise-titre/", {})
    assert grant.status_code in (403, 404)
    assert hand.status_code in (403, 404)
    assert late.applicant.display_name not in grant.content.decode()
    assert Dossier.objects.get(pk=late.pk).cover_basis == ""
    assert Dossier.objects.get(pk=approved.pk).status == Status.APPROVED


def test_a_supervisor_may_not_hand_over(as_user, people, approved):
    as_user(people["supervisor"]).post(f"/en/instruction/{approved.number}/remise-titre/", {})
    assert Dossier.objects.get(pk=approved.pk).status == Status.APPROVED


def test_get_on_the_action_urls_changes_nothing(agent_client, late, approved):
    for url in (
        f"/en/instruction/{late.number}/accorder-attestation/?reason={REASON}",
        f"/en/instruction/{approved.number}/remise-titre/?card_expires_on=2030-01-01",
    ):
        response = agent_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/instruction/")
    assert Dossier.objects.get(pk=late.pk).cover_basis == ""
    assert Dossier.objects.get(pk=approved.pk).status == Status.APPROVED
    assert not AuditEntry.objects.filter(
        action__in=["dossier.extension_granted", "dossier.card_handed_over"]
    ).exists()
