"""The counter pages: only agents file there, and only what they took on or their prefecture's;
bad input is explained with what was typed kept."""

import datetime as dt

import pytest

from sejour.dossiers import substitute
from sejour.dossiers.choices import Channel
from sejour.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_counter(people, draft):
    return substitute.counter_take(
        actor=people["agent"], applicant=draft.applicant, channel=Channel.COUNTER, dossier=draft
    )


@pytest.mark.parametrize(
    "who",
    ["other_agent", "local_supervisor", "supervisor", "support", "admin", "helper", "applicant"],
)
def test_counter_pages_are_the_agents_own(as_user, people, at_counter, who):
    client = as_user(people[who])
    number = at_counter.number
    if who != "other_agent":
        assert client.get("/fr/instruction/guichet/").status_code in (403, 404)
    for path in ("", "recepisse/", "recepisse.pdf"):
        response = client.get(f"/fr/instruction/guichet/{number}/{path}")
        assert response.status_code in (403, 404), path
    for path, data in (
        ("reponses/", {"revision": at_counter.revision, "postcode": "13001"}),
        ("deposer/", {}),
    ):
        assert client.post(f"/fr/instruction/guichet/{number}/{path}", data).status_code in (
            403,
            404,
        )
    dossier = Dossier.objects.get(pk=at_counter.pk)
    assert dossier.postcode == "75011"
    assert dossier.status == "draft"


def test_an_unknown_person_is_explained_and_a_known_one_found(as_user, people, applicant):
    applicant.foreigner_number = "7501234567"
    applicant.date_of_birth = dt.date(1990, 4, 2)
    applicant.save()
    client = as_user(people["agent"])
    birth = {"day": "2", "month": "4", "year": "1990", "language": "fr"}
    missing = client.post(
        "/fr/instruction/guichet/",
        {"has_account": "yes", "foreigner_number": "7509999999", **birth},
    )
    assert missing.status_code == 200
    assert "No account has this foreigner number" in missing.content.decode() or (
        "Aucun compte" in missing.content.decode()
    )
    assert "7509999999" in missing.content.decode()
    nameless = client.post("/fr/instruction/guichet/", {"has_account": "no", **birth})
    assert nameless.status_code == 200  # names are needed to open an account
    twice = client.post(
        "/fr/instruction/guichet/",
        {
            "has_account": "no",
            "foreigner_number": "7501234567",
            "given_name": "A",
            "family_name": "B",
            **birth,
        },
    )
    assert twice.status_code == 200  # already has an account: found, not opened again
    found = client.post(
        "/fr/instruction/guichet/",
        {"has_account": "yes", "foreigner_number": "7501234567", **birth},
    )
    assert "/fr/instruction/guichet/personne/" in found["Location"]
    assert client.get(found["Location"]).status_code == 200
    assert client.get("/fr/instruction/guichet/personne/forged/").status_code == 404
