"""Fixtures of the support tests: the dossier fixtures, and staff of each kind."""

import uuid

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.catalog.models import Prefecture
from sejour.dossiers import services
from sejour.dossiers.tests.conftest import (  # noqa: F401 (fixtures)
    _a_fixed_day,
    catalogue,
    clamd_socket,
    draft,
    fill_documents,
    renewal,
)


@pytest.fixture
def applicant(db):
    return UserFactory(postcode="13001", language="en")


@pytest.fixture
def filed(draft, applicant):  # noqa: F811
    fill_documents(draft, applicant)
    return services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())


@pytest.fixture
def people(catalogue):  # noqa: F811
    def staff(role: str, departement: str | None = None):
        user = UserFactory(role=role)
        if departement:
            Prefecture.objects.get(departement_code=departement).staff.add(user)
        return user

    return {
        "support": staff(Role.SUPPORT),
        "paris_agent": staff(Role.AGENT, "75"),
        "marseille_agent": staff(Role.AGENT, "13"),
        "supervisor": staff(Role.SUPERVISOR),
        "other_applicant": UserFactory(),
    }


@pytest.fixture
def as_user(client):
    """Log a client in as `user`, second factor passed for staff (support sits below the
    back-office, so its tests cannot borrow the back-office's fixture)."""

    def login(user):
        client.force_login(user)
        if user.role in (Role.AGENT, Role.SUPPORT, Role.SUPERVISOR, Role.ADMIN):
            session = client.session
            device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return login
