"""Fixtures shared by every test: outboxes, accounts of each role."""

import functools
import os

import pytest
import redis
import sms
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.tests.factories import UserFactory

REDIS_URL = os.environ.get("SEJOUR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@functools.cache
def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `postgres` run only when DATABASE_URL points at PostgreSQL, and those
    marked `redis` only when a Redis server answers at SEJOUR_TEST_REDIS_URL."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not _redis_answers():
        pytest.skip(f"needs Redis: none answers at {REDIS_URL}")


@pytest.fixture(autouse=True)
def _french_first():
    """Every test starts in the service's first language, whatever the one before it left."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def sms_outbox() -> list:
    """Each test starts with no e-mail and no SMS sent; SMS land in this list."""
    mail.outbox = []
    sms.outbox = []  # type: ignore[attr-defined]
    return sms.outbox  # type: ignore[attr-defined]


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def staff_factory(db):
    """Make a staff member of a role with a confirmed authenticator."""

    def make(role: str):
        user = UserFactory(role=role)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user, device

    return make
