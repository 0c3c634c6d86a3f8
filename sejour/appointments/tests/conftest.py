"""Fixtures of the appointment tests: a Paris counter with its hours, agents, dossiers."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.appointments.choices import Kind
from sejour.appointments.models import OpeningHours, Site, SiteKind, Slot
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers.choices import Status
from sejour.dossiers.models import Dossier

# Monday 23 November 2026, 8:00 in Paris.
MONDAY = "2026-11-23T08:00:00+01:00"


@pytest.fixture(autouse=True)
def travel():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def catalogue(db):
    call_command("load_catalog", verbosity=0)


@pytest.fixture
def paris(catalogue):
    return Prefecture.objects.get(departement_code="75")


@pytest.fixture
def agent(paris):
    user = UserFactory(role=Role.AGENT)
    paris.staff.add(user)
    return user


@pytest.fixture
def marseille_agent(catalogue):
    user = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="13").staff.add(user)
    return user


@pytest.fixture
def site(paris):
    """Open Monday to Friday, 9:00 to 12:00; hand-overs of 30 minutes at 2 counters."""
    site = Site.objects.create(
        prefecture=paris, name="Préfecture de police, Cité", address="1 rue de Lutèce\n75004 Paris"
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            site=site, weekday=weekday, opens=dt.time(9), closes=dt.time(12)
        )
    SiteKind.objects.create(site=site, kind=Kind.HAND_OVER, duration_minutes=30, counters=2)
    SiteKind.objects.create(site=site, kind=Kind.BIOMETRICS, duration_minutes=15, counters=1)
    return site


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of November 2026 (or later days counted on) in Paris."""
    return dt.datetime(2026, 11, 1, hour, minute, tzinfo=clock.PARIS) + dt.timedelta(days=day - 1)


def slot(site, day: int, hour: int, minute: int = 0, *, kind=Kind.HAND_OVER, capacity=1) -> Slot:
    starts = at(day, hour, minute)
    return Slot.objects.create(
        site=site,
        kind=kind,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=capacity,
    )


@pytest.fixture
def make_dossier(paris):
    """An approved dossier of an applicant of Paris (made directly: the instruction is tested
    in the dossiers; the step that calls for an appointment is tested here once, for real)."""
    procedure = Procedure.objects.get(code="renewal")

    def make(applicant=None, *, status=Status.APPROVED, language="fr", phone=None) -> Dossier:
        applicant = applicant or UserFactory(language=language, phone=phone)
        return Dossier.objects.create(
            number=f"T{uuid.uuid4().hex[:10].upper()}",
            applicant=applicant,
            procedure=procedure,
            prefecture=paris,
            status=status,
        )

    return make


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        if user.role in (Role.AGENT, Role.SUPPORT, Role.SUPERVISOR, Role.ADMIN):
            session = client.session
            device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return login
