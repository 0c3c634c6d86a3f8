"""The prefecture's side: scope, queue order, take and assign, requests that pause the clock,
decisions with letters, withdrawal by a supervisor, notes and messages."""

import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.http import Http404
from django.utils import translation
from pypdf import PdfReader

from sejour.accounts import services as accounts
from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.accounts.tests.factories import UserFactory
from sejour.audit.models import AuditEntry
from sejour.catalog.models import Prefecture, Procedure
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers import instruction, presenters, selectors, services
from sejour.dossiers.choices import Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from sejour.notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris_agent(catalogue):
    agent = UserFactory(role=Role.AGENT, given_name="Paul", family_name="Durand")
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    return agent


@pytest.fixture
def filed(draft, applicant):
    fill_documents(draft, applicant)
    return services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())


def _filed_for(postcode: str, expires: str, *, days_ago: int = 0) -> Dossier:
    person = UserFactory()
    with time_machine.travel(dt.timedelta(days=-days_ago)):
        dossier = services.dossier_start(
            actor=person, procedure=Procedure.objects.get(code="renewal")
        )
        dossier = services.dossier_answer(
            dossier=dossier,
            actor=person,
            postcode=postcode,
            answers={
                "permit_type": "cst-salarie",
                "permit_expires_on": expires,
                "employed": True,
                "married": False,
                "has_children": False,
                "hosted": False,
            },
        )
        fill_documents(dossier, person)
        return services.dossier_submit(dossier=dossier, actor=person, key=uuid.uuid4())


def test_an_agent_sees_only_their_prefecture(paris_agent, filed):
    lyon = _filed_for("69003", "2027-02-15")
    visible = set(selectors.staff_dossiers(viewer=paris_agent).values_list("number", flat=True))
    assert filed.number in visible
    assert lyon.number not in visible
    with pytest.raises(Http404):
        selectors.staff_dossier_get(viewer=paris_agent, number=lyon.number)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.HELPER, Role.SUPPORT, Role.ADMIN])
def test_other_roles_see_no_dossier_from_the_back_office(filed, role):
    assert not selectors.staff_dossiers(viewer=UserFactory(role=role)).exists()


def test_a_national_supervisor_sees_every_prefecture(filed, catalogue):
    lyon = _filed_for("69003", "2027-02-15")
    supervisor = UserFactory(role=Role.SUPERVISOR)
    visible = set(selectors.staff_dossiers(viewer=supervisor).values_list("number", flat=True))
    assert {filed.number, lyon.number} <= visible


def test_the_queue_puts_the_most_at_risk_first(paris_agent, catalogue):
    later = _filed_for("75011", "2027-03-01")
    soonest = _filed_for("75011", "2027-01-25")
    older = _filed_for("75011", "2027-03-01", days_ago=20)
    order = list(
        selectors.staff_queue(viewer=paris_agent, filters={}).values_list("number", flat=True)
    )
    assert order.index(soonest.number) < order.index(older.number) < order.index(later.number)


def test_queue_filters_and_counts(paris_agent, filed):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    mine = selectors.staff_queue(viewer=paris_agent, filters={"assigned": "me"})
    assert list(mine) == [Dossier.objects.get(pk=filed.pk)]
    assert not selectors.staff_queue(viewer=paris_agent, filters={"status": "submitted"}).exists()
    counts = selectors.staff_counts(viewer=paris_agent)
    assert counts["in_review"] == 1
    assert counts["mine"] == 1


def test_take_then_assign_to_a_colleague_of_the_same_prefecture(paris_agent, filed, catalogue):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    colleague = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(colleague)
    instruction.dossier_assign(dossier=filed, actor=paris_agent, agent=colleague)
    assert Dossier.objects.get(pk=filed.pk).assigned_to == colleague
    stranger = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="13").staff.add(stranger)
    with pytest.raises(DomainError):
        instruction.dossier_assign(dossier=filed, actor=paris_agent, agent=stranger)


def test_an_agent_of_another_prefecture_can_do_nothing(filed, catalogue):
    outsider = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="13").staff.add(outsider)
    for action in (instruction.dossier_take,):
        with pytest.raises(NotAllowed):
            action(dossier=filed, actor=outsider)
    with pytest.raises(NotAllowed):
        instruction.note_add(dossier=filed, actor=outsider, body="x")


def test_a_request_pauses_the_silence_clock_until_answered(paris_agent, filed, applicant):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    due_before = Dossier.objects.get(pk=filed.pk).decision_due_on
    assert due_before == dt.date(2027, 3, 22)
    instruction.documents_request(
        dossier=filed,
        actor=paris_agent,
        items=[("proof-of-address", "outdated", "Your bill is from 2025.")],
        deadline=dt.date(2026, 12, 20),
    )
    dossier = Dossier.objects.get(pk=filed.pk)
    assert dossier.status == Status.AWAITING_APPLICANT
    # While the request is open the due date is not known: the clock is paused.
    assert (dossier.decision_due_on, dossier.decision_paused_since) == (None, dt.date(2026, 11, 22))
    notice = Notification.objects.filter(recipient=applicant).latest("created_at")
    assert "Your bill is from 2025." in notice.body
    assert Reminder.objects.get(recipient=applicant).due_on == dt.date(2026, 12, 17)
    with translation.override("en"), pytest.raises(DomainError, match="new file"):
        instruction.documents_answered(dossier=dossier, actor=applicant)
    with time_machine.travel("2026-12-02T10:00:00+01:00", tick=False):
        old = selectors.current_documents(dossier=dossier).get(item_code="proof-of-address")
        services.document_add(
            dossier=dossier,
            actor=applicant,
            item_code="proof-of-address",
            data=pdf_bytes("2026 bill"),
            name="bill.pdf",
            replaces=old,
        )
        instruction.documents_answered(dossier=Dossier.objects.get(pk=filed.pk), actor=applicant)
    dossier = Dossier.objects.get(pk=filed.pk)
    assert dossier.status == Status.IN_REVIEW
    assert dossier.needs_attention
    # Asked on 22/11, answered on 02/12: the difference, 10 days, pushes the deadline back.
    assert dossier.decision_due_on == due_before + dt.timedelta(days=10)
    assert dossier.decision_paused_since is None


def test_a_request_sent_on_10_january_and_answered_on_25_january_pauses_15_days(
    paris_agent, filed, applicant
):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    due_before = Dossier.objects.get(pk=filed.pk).decision_due_on
    with time_machine.travel("2027-01-10T09:00:00+01:00", tick=False):
        instruction.documents_request(
            dossier=filed,
            actor=paris_agent,
            items=[("proof-of-address", "outdated", "Your bill is from 2025.")],
            deadline=dt.date(2027, 1, 30),
        )
    paused = Dossier.objects.get(pk=filed.pk)
    assert paused.decision_paused_since == dt.date(2027, 1, 10)
    assert presenters.decision_due_on(paused) is None
    assert presenters.queue_flags(paused, today=dt.date(2027, 1, 20)).decision_paused_since
    with time_machine.travel("2027-01-25T18:00:00+01:00", tick=False):
        old = selectors.current_documents(dossier=paused).get(item_code="proof-of-address")
        services.document_add(
            dossier=paused,
            actor=applicant,
            item_code="proof-of-address",
            data=pdf_bytes("2027 bill"),
            name="bill.pdf",
            replaces=old,
        )
        instruction.documents_answered(dossier=paused, actor=applicant)
    dossier = Dossier.objects.get(pk=filed.pk)
    assert dossier.decision_due_on == due_before + dt.timedelta(days=15)
    assert dossier.decision_paused_since is None


def test_a_request_sent_after_the_silence_became_a_decision_pauses_nothing(paris_agent, filed):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    due = Dossier.objects.get(pk=filed.pk).decision_due_on
    with time_machine.travel(dt.datetime(2027, 3, 23, 9, tzinfo=dt.UTC), tick=False):
        assert dt.date(2027, 3, 23) > due
        instruction.documents_request(
            dossier=filed,
            actor=paris_agent,
            items=[("proof-of-address", "outdated", "Your bill is from 2025.")],
            deadline=dt.date(2027, 4, 10),
        )
    dossier = Dossier.objects.get(pk=filed.pk)
    assert (dossier.decision_due_on, dossier.decision_paused_since) == (due, None)


def test_a_request_needs_items_from_the_checklist_and_a_sensible_deadline(paris_agent, filed):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    with pytest.raises(DomainError):
        instruction.documents_request(
            dossier=filed,
            actor=paris_agent,
            items=[("no-such", "missing", "")],
            deadline=dt.date(2026, 12, 20),
        )
    with pytest.raises(DomainError):
        instruction.documents_request(
            dossier=filed,
            actor=paris_agent,
            items=[("passport", "missing", "")],
            deadline=dt.date(2026, 11, 23),
        )


def test_refusal_needs_grounds_and_words_and_produces_a_letter(paris_agent, filed, applicant):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    with pytest.raises(DomainError):
        instruction.dossier_refuse(
            dossier=filed, actor=paris_agent, reasons=[], explanation="x" * 30
        )
    with pytest.raises(DomainError):
        instruction.dossier_refuse(
            dossier=filed, actor=paris_agent, reasons=["resources"], explanation="short"
        )
    decision = instruction.dossier_refuse(
        dossier=filed,
        actor=paris_agent,
        reasons=["resources"],
        explanation="Your payslips show an income below the minimum wage for six months.",
    )
    assert decision.letter.name.endswith(".pdf")
    assert Dossier.objects.get(pk=filed.pk).status == Status.REFUSED
    assert Notification.objects.filter(recipient=applicant, body__contains="deux mois").exists()
    assert AuditEntry.objects.filter(action="dossier.refused").exists()


def test_a_supervisor_withdraws_a_decision_with_a_reason(paris_agent, filed, catalogue):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    instruction.dossier_approve(dossier=filed, actor=paris_agent)
    with pytest.raises(NotAllowed):
        instruction.decision_withdraw(dossier=filed, actor=paris_agent, reason="Changed my mind")
    supervisor = UserFactory(role=Role.SUPERVISOR)
    with pytest.raises(DomainError):
        instruction.decision_withdraw(dossier=filed, actor=supervisor, reason="no")
    instruction.decision_withdraw(
        dossier=filed, actor=supervisor, reason="The decision was taken on the wrong dossier."
    )
    dossier = Dossier.objects.get(pk=filed.pk)
    assert dossier.status == Status.IN_REVIEW
    assert dossier.decisions.get().withdrawal_reason.startswith("The decision was taken")


def test_notes_stay_private_and_messages_reach_the_applicant(paris_agent, filed, applicant):
    instruction.note_add(dossier=filed, actor=paris_agent, body="Check the employer's SIRET.")
    instruction.agent_message(
        dossier=filed, actor=paris_agent, body="Could you send a recent payslip?"
    )
    thread = list(selectors.messages_of(dossier=filed))
    assert thread[0].from_administration
    assert "SIRET" not in " ".join(m.body for m in thread)
    assert Notification.objects.filter(
        recipient=applicant, body__contains="recent payslip"
    ).exists()


def test_bulk_assign_and_remind(paris_agent, filed, catalogue):
    second = _filed_for("75011", "2027-02-20")
    colleague = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(colleague)
    done, refused = instruction.bulk(
        action="assign", dossiers=[filed, second], actor=paris_agent, agent=colleague
    )
    assert (done, refused) == (2, [])
    done, refused = instruction.bulk(action="remind", dossiers=[filed], actor=paris_agent)
    assert done == 0
    assert refused == [filed.number]


def test_staff_views_are_recorded(paris_agent, filed):
    instruction.dossier_seen(dossier=filed, viewer=paris_agent)
    assert AuditEntry.objects.filter(action="dossier.viewed", actor=paris_agent).exists()


def test_search_by_number_name_foreigner_number_and_birth_date(paris_agent, filed, applicant):
    applicant.foreigner_number = "7501234567"
    applicant.date_of_birth = dt.date(1990, 4, 12)
    applicant.save()
    for query in [
        filed.number,
        filed.number.lower(),
        applicant.family_name[:4],
        "7501234567",
        "12/04/1990",
    ]:
        found = list(selectors.staff_search(viewer=paris_agent, query=query))
        assert [d.pk for d in found] == [filed.pk], query
    assert not selectors.staff_search(viewer=paris_agent, query="zzzz").exists()
    assert not selectors.staff_search(
        viewer=UserFactory(role=Role.AGENT), query=filed.number
    ).exists()


def test_search_by_name_follows_the_applicants_names_as_they_change(paris_agent, filed, applicant):
    """The dossier's copy of the names is kept by the database, whatever writes them."""
    User.objects.filter(pk=applicant.pk).update(given_name="Amina", family_name="Benali")
    filed.refresh_from_db()
    assert (filed.applicant_given_name, filed.applicant_family_name) == ("Amina", "Benali")
    for query in ["ben", "AMI", "ami ben", "Benali Amina", "  amina   b "]:
        found = list(selectors.staff_search(viewer=paris_agent, query=query))
        assert [d.pk for d in found] == [filed.pk], query
    assert not selectors.staff_search(viewer=paris_agent, query="ami zed").exists()
    # Through the service that corrects an identity, the old name no longer finds it.
    accounts.identity_update(
        user=applicant,
        actor=applicant,
        given_name="Amina",
        family_name="Haddad",
        date_of_birth=applicant.date_of_birth or dt.date(1990, 4, 12),
        nationality=applicant.nationality or "DZA",
        foreigner_number=applicant.foreigner_number,
    )
    assert not selectors.staff_search(viewer=paris_agent, query="benali").exists()
    assert [d.pk for d in selectors.staff_search(viewer=paris_agent, query="hadd")] == [filed.pk]


def test_load_catalog_keeps_prefecture_staff(paris_agent):
    call_command("load_catalog", verbosity=0)
    assert Prefecture.objects.get(departement_code="75").staff.filter(pk=paris_agent.pk).exists()


def test_the_applicant_downloads_the_decision_letter(paris_agent, filed, applicant, client):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    decision = instruction.dossier_refuse(
        dossier=filed,
        actor=paris_agent,
        reasons=["resources", "other"],
        explanation="Your income over the last six months is below the minimum wage.",
    )
    client.force_login(applicant)
    page = client.get(f"/fr/demandes/{filed.number}/").content.decode()
    letter = filed.attestations.get(kind="decision")
    assert f"/fr/demandes/{filed.number}/attestations/{letter.code}/" in page
    response = client.get(f"/fr/demandes/{filed.number}/attestations/{letter.code}/")
    content = b"".join(response.streaming_content)
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert filed.number in text
    assert "minimum" in text
    assert decision.letter.name == letter.pdf.name
    public = client.get("/fr/verifier/", {"code": letter.code}).content.decode()
    assert "Lettre de décision" in public or "Decision letter" in public


def test_a_withdrawn_decision_shows_as_withdrawn_on_the_public_check(paris_agent, filed, client):
    instruction.dossier_take(dossier=filed, actor=paris_agent)
    instruction.dossier_approve(dossier=filed, actor=paris_agent)
    letter = filed.attestations.get(kind="decision")
    supervisor = UserFactory(role=Role.SUPERVISOR)
    instruction.decision_withdraw(
        dossier=filed, actor=supervisor, reason="Approved by mistake on the wrong dossier."
    )
    body = client.get("/en/verifier/", {"code": letter.code}).content.decode()
    assert "This document was withdrawn" in body
