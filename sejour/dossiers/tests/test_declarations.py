"""A change of address or of family is a procedure like any other; accepted, it updates the profile."""

import uuid

import pytest

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.catalog.models import Prefecture, Procedure
from sejour.core.errors import NotAllowed
from sejour.dossiers import instruction, services
from sejour.dossiers.choices import EventKind, Status
from sejour.dossiers.tests.conftest import fill_documents
from sejour.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_of(catalogue):
    def make(departement: str):
        agent = UserFactory(role=Role.AGENT)
        Prefecture.objects.get(departement_code=departement).staff.add(agent)
        return agent

    return make


def _filed(applicant, code: str, answers: dict, postcode: str):
    dossier = services.dossier_start(actor=applicant, procedure=Procedure.objects.get(code=code))
    dossier = services.dossier_answer(
        dossier=dossier, actor=applicant, answers=answers, postcode=postcode
    )
    fill_documents(dossier, applicant)
    return services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())


def test_an_accepted_change_of_address_updates_the_profile(applicant, agent_of):
    dossier = _filed(
        applicant,
        "change-of-address",
        {
            "new_address": "12 rue des Lilas",
            "new_city": "Lyon",
            "moved_on": "2026-11-01",
            "moved_departement": True,
            "hosted": False,
        },
        "69003",
    )
    assert dossier.prefecture.departement_code == "69"
    agent = agent_of("69")
    instruction.dossier_take(dossier=dossier, actor=agent)
    applicant.refresh_from_db()
    assert applicant.city == ""
    instruction.dossier_approve(dossier=dossier, actor=agent)
    applicant.refresh_from_db()
    assert (applicant.address, applicant.postcode, applicant.city) == (
        "12 rue des Lilas",
        "69003",
        "Lyon",
    )
    event = dossier.events.get(kind=EventKind.PROFILE_UPDATED)
    assert event.data["changes"]["city"] == {"before": "", "after": "Lyon"}
    assert Notification.objects.filter(recipient=applicant, subject__contains=dossier.number)


@pytest.mark.parametrize(
    ("event", "field", "value"),
    [
        ("marriage", "family_situation", "married"),
        ("pacs", "family_situation", "pacs"),
        ("divorce", "family_situation", "separated"),
        ("birth", "children", 1),
    ],
)
def test_an_accepted_change_of_family_updates_the_profile(applicant, agent_of, event, field, value):
    dossier = _filed(
        applicant, "change-of-family", {"event": event, "event_date": "2026-10-10"}, "75011"
    )
    agent = agent_of("75")
    instruction.dossier_take(dossier=dossier, actor=agent)
    instruction.dossier_approve(dossier=dossier, actor=agent)
    applicant.refresh_from_db()
    assert getattr(applicant, field) == value
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED


def test_only_an_agent_of_the_dossiers_prefecture_may_decide(applicant, agent_of):
    dossier = _filed(
        applicant, "change-of-family", {"event": "marriage", "event_date": "2026-10-10"}, "75011"
    )
    for outsider in [agent_of("13"), UserFactory(role=Role.SUPPORT), applicant]:
        with pytest.raises(NotAllowed):
            instruction.dossier_take(dossier=dossier, actor=outsider)
    applicant.refresh_from_db()
    assert applicant.family_situation == ""


def test_a_profile_is_not_changed_before_acceptance(applicant, agent_of):
    _filed(
        applicant, "change-of-family", {"event": "marriage", "event_date": "2026-10-10"}, "75011"
    )
    applicant.refresh_from_db()
    assert applicant.family_situation == ""
