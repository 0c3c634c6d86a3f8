"""Fixtures shared by every test: outboxes, accounts of each role."""

import functools
import os

import pytest
import redis
import sms
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.models import ContactCodeDevice
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
def _fresh_brakes():
    """Each test starts with no count in the brakes (codes, sign-ups, logins by address)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox() -> list:
    """Each test starts with no e-mail and no SMS sent; SMS land in this list."""
    mail.outbox = []
    sms.outbox = []  # type: ignore[attr-defined]
    return sms.outbox  # type: ignore[attr-defined]


class HelperVerifiedClient(Client):
    """The test client; a helper it logs in has passed the second step, as after a code by
    e-mail (sejour/accounts/tests/test_second_factor.py tests that step itself, with
    `django.test.Client`)."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if getattr(user, "may_use_contact_code", False):
            device, _created = ContactCodeDevice.objects.get_or_create(
                user=user, channel="email", defaults={"name": "test", "confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return HelperVerifiedClient()


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
