"""Every back-office page and action, for every kind of person: denied where it must be,
and nothing of the dossier leaked when denied."""

import pytest

from sejour.dossiers.choices import Status
from sejour.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PAGES = ["", "{number}/", "recherche/?q={number}"]
ACTIONS = [
    ("{number}/prendre/", {}),
    ("{number}/attribuer/", {"agent": "0"}),
    ("{number}/demander/", {"deadline": "2026-12-20", "kind_passport": "missing"}),
    ("{number}/accepter/", {}),
    ("{number}/refuser/", {"reasons": ["resources"], "explanation": "x" * 40}),
    ("{number}/retirer-decision/", {"reason": "A reason long enough"}),
    ("{number}/accorder-attestation/", {"reason": "A reason long enough"}),
    ("{number}/remise-titre/", {"card_expires_on": "2030-01-01"}),
    ("{number}/note/", {"body": "note"}),
    ("{number}/message/", {"body": "hello"}),
    ("lot/", {"action": "remind", "dossier": ["{number}"]}),
]
DENIED = ["other_agent", "local_supervisor", "support", "admin", "helper", "applicant"]


SECRET_NAME = "Qzxwyvutsr"


def _secret(dossier: Dossier) -> str:
    """A family name no page could hold by chance (a drawn one may be a word such as
    "English", which every page holds in its language menu)."""
    if dossier.applicant.family_name != SECRET_NAME:
        dossier.applicant.family_name = SECRET_NAME
        dossier.applicant.save(update_fields=["family_name"])
    return SECRET_NAME


@pytest.mark.parametrize("who", DENIED)
def test_pages_are_denied_without_leaking(as_user, people, filed, who):
    client = as_user(people[who])
    secret = _secret(filed)
    for page in PAGES:
        response = client.get("/fr/instruction/" + page.format(number=filed.number))
        body = response.content.decode()
        if who in ("other_agent", "local_supervisor"):
            # Staff of another prefecture: the queue and search open, but show nothing of it.
            assert response.status_code in (200, 404), page
        else:
            assert response.status_code == 403, page
        assert secret not in body, page


@pytest.mark.parametrize("who", DENIED)
def test_actions_are_denied_and_change_nothing(as_user, people, filed, who):
    client = as_user(people[who])
    secret = _secret(filed)
    for path, data in ACTIONS:
        payload = {
            k: ([v.format(number=filed.number) for v in val] if isinstance(val, list) else val)
            for k, val in data.items()
        }
        response = client.post("/fr/instruction/" + path.format(number=filed.number), payload)
        assert response.status_code in (302, 403, 404), path
        assert secret not in response.content.decode()
    dossier = Dossier.objects.get(pk=filed.pk)
    assert dossier.status == Status.SUBMITTED
    assert dossier.assigned_to is None
    assert not dossier.notes.exists()
    assert not dossier.messages.exists()


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_staff_in_scope_see_the_dossier(as_user, people, filed, who):
    client = as_user(people[who])
    assert _secret(filed) in client.get("/fr/instruction/").content.decode()
    assert client.get(f"/fr/instruction/{filed.number}/").status_code == 200


def test_a_supervisor_may_assign_but_not_decide(as_user, people, filed):
    client = as_user(people["supervisor"])
    client.post(f"/fr/instruction/{filed.number}/attribuer/", {"agent": people["agent"].pk})
    assert Dossier.objects.get(pk=filed.pk).assigned_to == people["agent"]
    client.post(f"/fr/instruction/{filed.number}/prendre/")
    assert Dossier.objects.get(pk=filed.pk).status == Status.SUBMITTED


def test_drafts_never_reach_the_back_office(as_user, people, draft):
    client = as_user(people["agent"])
    assert client.get(f"/fr/instruction/{draft.number}/").status_code == 404
    assert draft.number not in client.get("/fr/instruction/").content.decode()


def test_staff_need_their_second_factor(client, people, filed):
    client.force_login(people["agent"])
    response = client.get("/fr/instruction/")
    assert response.status_code == 302
    assert "/double-authentification/" in response["Location"]
