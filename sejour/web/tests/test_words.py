"""Words of the public pages: what a checker compares, and a helper whose mandate ended."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import services
from sejour.attestations.choices import Kind
from sejour.attestations.services import CoverItem
from sejour.catalog.models import Procedure
from sejour.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _a_fixed_moment():
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=PARIS), tick=False):
        yield


def _attestation_of(holder):
    call_command("load_catalog", verbosity=0)
    dossier = Dossier.objects.create(
        number="2026-75-000321",
        applicant=holder,
        procedure=Procedure.objects.get(code="renewal"),
        status="in_review",
        submitted_at=dt.datetime(2026, 7, 20, 9, 0, tzinfo=PARIS),
    )
    born = holder.date_of_birth.isoformat() if holder.date_of_birth else ""
    attestation, _created = services.cover_issue(
        item=CoverItem(
            dossier=dossier,
            kind=Kind.EXTENSION,
            valid_from=dt.date(2026, 11, 1),
            valid_until=dt.date(2027, 1, 31),
            right_to_work=True,
            facts={
                "holder": holder.display_name,
                "date_of_birth": born,
                "language": "fr",
                "dossier": dossier.number,
                "procedure": "Renewal of a residence permit",
                "permit_type": "",
                "prefecture": "Paris",
                "filed_at": dossier.submitted_at.isoformat(),
                "protection": "",
            },
        )
    )
    return attestation


def test_without_a_date_of_birth_the_checker_is_told_to_compare_the_name(client):
    holder = UserFactory(email=None, phone="+33611223344", date_of_birth=None)
    attestation = _attestation_of(holder)
    body = client.get(f"/en/verifier/{attestation.code}/").content.decode()
    assert "This document was issued by the service" in body
    assert "birth with the identity document" not in body
    assert "Compare the name with the identity document the holder shows you" in body


def test_with_a_date_of_birth_the_checker_compares_it_too(client):
    holder = UserFactory(date_of_birth=dt.date(1990, 5, 17))
    attestation = _attestation_of(holder)
    body = client.get(f"/en/verifier/{attestation.code}/").content.decode()
    assert "Compare the name and the " in body
