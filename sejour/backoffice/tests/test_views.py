"""Back-office pages: wiring, forms that explain and keep what was typed, audit of every view."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sejour.accounts.tests.factories import UserFactory
from sejour.audit.models import AuditEntry
from sejour.dossiers import instruction, services
from sejour.dossiers.choices import Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(as_user, people):
    return as_user(people["agent"])


def test_queue_lists_with_counts_and_flags(agent_client, filed):
    body = agent_client.get("/en/instruction/").content.decode()
    assert filed.number in body
    assert "Filed, not taken" in body
    assert re.search(r"Filed, not taken \(1\)", body)


def _file_for_a_new_applicant(renewal, family_name: str) -> Dossier:
    applicant = UserFactory(family_name=family_name)
    dossier = services.dossier_start(actor=applicant, procedure=renewal)
    dossier = services.dossier_answer(
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
    fill_documents(dossier, applicant)
    return services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())


def test_queue_and_search_read_the_same_whatever_the_number_of_lines(
    agent_client, people, renewal, filed
):
    """Lists read only what their lines show, in a fixed number of queries: no line reads
    its dossier again (a field left unread, then shown, would cost a query per line)."""

    def queries(path: str) -> tuple[int, str]:
        """The page's reads, leaving out the session's own (written once a minute)."""
        with CaptureQueriesContext(connection) as captured:
            body = agent_client.get(path).content.decode()
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if "django_session" not in q["sql"] and not q["sql"].startswith(("SAVE", "RELEASE"))
        ]
        return len(reads), body

    instruction.dossier_take(dossier=filed, actor=people["agent"])
    one_queue, _body = queries("/en/instruction/")
    one_search, _body = queries("/en/instruction/recherche/?q=Lindqvist")
    for index in range(3):
        dossier = _file_for_a_new_applicant(renewal, f"Lindqvist{index}")
        instruction.dossier_take(dossier=dossier, actor=people["agent"])
    many_queue, body = queries("/en/instruction/")
    assert body.count("Lindqvist") == 3
    assert people["agent"].display_name in body
    many_search, body = queries("/en/instruction/recherche/?q=Lindqvist")
    assert "3 results" in body
    assert (many_queue, many_search) == (one_queue, one_search)


def test_queue_with_bad_filters_still_answers(agent_client, filed):
    response = agent_client.get("/en/instruction/?status=nonsense&older_than=abc&page=999")
    assert response.status_code == 200


def test_take_request_and_decide_through_the_pages(agent_client, people, filed):
    agent_client.post(f"/en/instruction/{filed.number}/prendre/")
    assert Dossier.objects.get(pk=filed.pk).assigned_to == people["agent"]
    page = agent_client.get(f"/en/instruction/{filed.number}/").content.decode()
    assert "Ask for documents" in page
    bad = agent_client.post(
        f"/en/instruction/{filed.number}/demander/",
        {"deadline": "2026-11-23", "kind_passport": "incorrect", "comment_passport": "Blurred"},
    )
    body = bad.content.decode()
    assert "between 8 and 60 days" in body.lower() or "Give the applicant between" in body
    assert "Blurred" in body
    agent_client.post(
        f"/en/instruction/{filed.number}/demander/",
        {"deadline": "2026-12-20", "kind_passport": "incorrect", "comment_passport": "Blurred"},
    )
    assert Dossier.objects.get(pk=filed.pk).status == Status.AWAITING_APPLICANT


def test_refusal_without_grounds_is_explained_and_keeps_the_text(agent_client, filed):
    agent_client.post(f"/en/instruction/{filed.number}/prendre/")
    response = agent_client.post(
        f"/en/instruction/{filed.number}/refuser/",
        {"explanation": "Your resources are below the legal minimum for this card."},
    )
    body = response.content.decode()
    assert "Choose at least one ground" in body
    assert "below the legal minimum" in body
    assert Dossier.objects.get(pk=filed.pk).status == Status.IN_REVIEW


def test_every_staff_view_of_a_dossier_and_its_files_is_recorded(agent_client, people, filed):
    agent_client.get(f"/en/instruction/{filed.number}/")
    document = filed.documents.first()
    response = agent_client.get(f"/en/instruction/{filed.number}/fichiers/{document.pk}/")
    assert response["Content-Disposition"].startswith("inline")
    actions = set(AuditEntry.objects.filter(actor=people["agent"]).values_list("action", flat=True))
    assert {"dossier.viewed", "dossier.document_viewed"} <= actions


def test_search_page(agent_client, filed):
    body = agent_client.get(f"/en/instruction/recherche/?q={filed.number}").content.decode()
    assert "1 result" in body
    assert f"/en/instruction/{filed.number}/" in body


def test_notes_and_messages_from_the_review_page(agent_client, filed, applicant, client):
    agent_client.post(f"/en/instruction/{filed.number}/note/", {"body": "Employer to call."})
    agent_client.post(
        f"/en/instruction/{filed.number}/message/", {"body": "Please send a payslip."}
    )
    review = agent_client.get(f"/en/instruction/{filed.number}/").content.decode()
    assert "Employer to call." in review
    assert "Please send a payslip." in review
    agent_client.logout()
    client.force_login(applicant)
    page = client.get(f"/en/demandes/{filed.number}/").content.decode()
    assert "Please send a payslip." in page
    assert "Employer to call." not in page


def test_bulk_assign_from_the_queue(agent_client, people, filed):
    response = agent_client.post(
        "/en/instruction/lot/",
        {"action": "assign", "agent": people["agent"].pk, "dossier": [filed.number]},
        follow=True,
    )
    assert "Done for 1 dossier." in response.content.decode()
    assert Dossier.objects.get(pk=filed.pk).assigned_to == people["agent"]


def test_bulk_without_ticks_is_explained(agent_client, filed):
    response = agent_client.post("/en/instruction/lot/", {"action": "remind"}, follow=True)
    assert "Tick at least one dossier" in response.content.decode()


def test_figures_per_prefecture_for_a_national_supervisor(as_user, people, filed):
    body = as_user(people["supervisor"]).get("/en/instruction/chiffres/").content.decode()
    assert "75 — " in body
    assert "Waiting for a decision" in body


def test_figures_of_another_prefecture_show_nothing_of_this_one(as_user, people, filed):
    body = as_user(people["local_supervisor"]).get("/en/instruction/chiffres/").content.decode()
    assert "75 — " not in body
