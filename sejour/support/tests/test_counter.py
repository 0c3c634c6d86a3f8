"""The substitute channel: a prefecture agent files at the counter or from paper, for a person
with or without an account; same dossier and lifecycle, channel recorded, date kept."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import translation

from sejour.attestations.models import Attestation
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers import permissions, substitute
from sejour.dossiers import services as dossiers
from sejour.dossiers.choices import Channel, EventKind, Status
from sejour.dossiers.tests.conftest import fill_documents
from sejour.helpers import services as helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are matched in English."""
    with translation.override("en"):
        yield


ANSWERS = {
    "permit_type": "cst-salarie",
    "permit_expires_on": "2027-02-15",
    "employed": True,
    "married": False,
    "has_children": False,
    "hosted": False,
}


def test_the_counter_files_the_draft_whose_online_filing_was_impossible(applicant, people, draft):
    reported = clock.now()
    substitute.attempt_record_impossibility(
        dossier=draft, actor=people["support"], since=reported, reference="S2026-TEST"
    )
    agent = people["paris_agent"]
    assert not permissions.get_abilities(agent, draft)["edit"]  # online: the applicant's
    with time_machine.travel(reported + dt.timedelta(days=6), tick=False):
        dossier = substitute.counter_take(
            actor=agent, applicant=applicant, channel=Channel.COUNTER, dossier=draft
        )
        assert permissions.get_abilities(agent, dossier)["submit"]
        assert not permissions.get_abilities(people["marseille_agent"], dossier)["view"]
        fill_documents(dossier, agent)
        filed = dossiers.dossier_submit(dossier=dossier, actor=agent, key=uuid.uuid4())
    assert filed.status == Status.SUBMITTED
    assert filed.channel == Channel.COUNTER
    assert filed.filed_by == agent
    assert filed.submitted_at == reported
    assert Attestation.objects.filter(dossier=filed, kind="receipt").exists()
    assert filed.events.filter(kind=EventKind.AT_COUNTER).exists()
    # Filed, the application is the prefecture's to instruct, no more the counter's to edit.
    assert not permissions.get_abilities(agent, filed)["edit"]


def test_a_paper_filing_for_someone_without_an_account_taken_over_later(people, renewal):
    agent = people["paris_agent"]
    person, code = helpers.account_open_at_counter(
        actor=agent,
        given_name="Awa",
        family_name="Diallo",
        date_of_birth=dt.date(1994, 3, 8),
        language="fr",
        foreigner_number="7509876543",
    )
    assert person.no_contact
    assert person.foreigner_number == "7509876543"
    dossier = substitute.counter_take(
        actor=agent, applicant=person, channel=Channel.PAPER, procedure=renewal
    )
    dossier = dossiers.dossier_answer(
        dossier=dossier, actor=agent, answers=ANSWERS, postcode="75011"
    )
    fill_documents(dossier, agent)
    filed = dossiers.dossier_submit(dossier=dossier, actor=agent, key=uuid.uuid4())
    assert filed.channel == Channel.PAPER
    assert filed.applicant == person
    user, _challenge = helpers.account_take_over(
        code=code,
        date_of_birth=dt.date(1994, 3, 8),
        email="awa@example.org",
        phone=None,
        password="A long passphrase for Awa 7",
    )
    assert user.email == "awa@example.org"
    assert list(user.dossiers.all()) == [filed]


def test_only_agents_file_at_the_counter_and_only_drafts_of_the_person(
    applicant, people, draft, renewal
):
    for who in ("support", "supervisor", "other_applicant"):
        with pytest.raises(NotAllowed):
            substitute.counter_take(
                actor=people[who], applicant=applicant, channel=Channel.COUNTER, dossier=draft
            )
    with pytest.raises(DomainError, match="not filed yet"):
        substitute.counter_take(
            actor=people["paris_agent"],
            applicant=people["other_applicant"],
            channel=Channel.COUNTER,
            dossier=draft,
        )
    with pytest.raises(DomainError, match="counter or on paper"):
        substitute.counter_take(
            actor=people["paris_agent"], applicant=applicant, channel="online", procedure=renewal
        )
    with pytest.raises(NotAllowed):
        helpers.account_open_at_counter(
            actor=people["support"],
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(1990, 1, 1),
            language="fr",
        )
