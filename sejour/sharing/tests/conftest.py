"""Fixtures of the share-code tests: a fixed instant, a holder with a birth date and a document."""

import datetime as dt

import pytest
import time_machine

from sejour.accounts.tests.factories import UserFactory
from sejour.core.clock import PARIS
from sejour.sharing.tests.factories import attestation_for

BORN = dt.date(1990, 5, 17)


@pytest.fixture(autouse=True)
def traveller():
    """These tests live at 10:00 on 22 November 2026 in Paris; time moves only when told to."""
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, 0, tzinfo=PARIS), tick=False) as moving:
        yield moving


@pytest.fixture
def holder(db):
    return UserFactory(given_name="Amina", family_name="Diallo", date_of_birth=BORN, language="en")


@pytest.fixture
def document(holder):
    """An extension attestation, with the right to work, valid until 19 February 2027."""
    return attestation_for(holder, valid_until=dt.date(2027, 2, 19))
