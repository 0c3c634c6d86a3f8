"""Fixtures of the helpers' tests: a verified association, its manager and a helper."""

import pytest
import time_machine

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.helpers.choices import MemberRole
from sejour.helpers.tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture(autouse=True)
def _a_fixed_day():
    """Durations and reminders depend on today: these tests live on 22 November 2026 in Paris."""
    with time_machine.travel("2026-11-22T10:00:00+01:00", tick=True):
        yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Cimade Paris")


@pytest.fixture
def manager(organisation):
    return MembershipFactory(organisation=organisation, role=MemberRole.MANAGER).user


@pytest.fixture
def helper(organisation, manager):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
