"""Fixtures of the support tests: the dossier fixtures, and staff of each kind."""

import uuid

import pytest

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.backoffice.tests.conftest import as_user  # noqa: F401 (fixture)
from sejour.catalog.models import Prefecture
from sejour.dossiers import services
from sejour.dossiers.tests.conftest import (  # noqa: F401 (fixtures)
    _a_fixed_day,
    catalogue,
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
