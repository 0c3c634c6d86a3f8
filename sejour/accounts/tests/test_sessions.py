"""Where sessions live: in the shared cache (Redis) when there is one, else in the database."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[3]
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _session_engine(cache_url: str | None) -> str:
    env = {"SEJOUR_ENV": "test", "PATH": "/usr/bin:/bin"}
    if cache_url:
        env["CACHE_URL"] = cache_url
    done = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.SESSION_ENGINE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_sessions_stay_in_the_database_without_a_shared_cache():
    assert _session_engine(None) == "django.contrib.sessions.backends.db"
    assert _session_engine("locmemcache://") == "django.contrib.sessions.backends.db"


def test_sessions_are_read_from_redis_when_it_is_the_cache():
    assert _session_engine("redis://127.0.0.1:6379/0") == CACHED_DB


@pytest.fixture
def redis_sessions():
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"sejour-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=caches, SESSION_ENGINE=CACHED_DB):
        yield
        cache.clear()


@pytest.mark.redis
def test_a_signed_in_page_reads_its_session_from_redis_not_the_database(
    client, applicant, redis_sessions
):
    client.force_login(applicant)
    key = client.session.session_key
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    client.get("/fr/tableau-de-bord/")  # the first request marks the session as in use

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/tableau-de-bord/")

    assert response.status_code == 200
    assert "Se déconnecter" in response.content.decode()
    assert not [q for q in queries if "django_session" in q["sql"]]


@pytest.mark.redis
def test_logging_out_ends_the_session_in_redis_and_in_the_database(
    client, applicant, redis_sessions
):
    from django.contrib.sessions.models import Session

    client.force_login(applicant)
    key = client.session.session_key

    client.post("/fr/compte/deconnexion/")

    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    assert not Session.objects.filter(session_key=key).exists()
    response = client.get("/fr/tableau-de-bord/")
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]
