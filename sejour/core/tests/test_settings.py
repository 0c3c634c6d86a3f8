"""Settings read from the environment: production refuses to start without its secrets."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "SEJOUR_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "DJANGO_ALLOWED_HOSTS": "sejour.example.org",
    "SEJOUR_SITE_URL": "https://sejour.example.org",
    "SEJOUR_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    "SEJOUR_TRUSTED_PROXY_HOPS": "1",
    "SEJOUR_CLAMAV_SOCKET": "/run/clamav/clamd.ctl",
    "SEJOUR_AUDIT_KEY": "y" * 40 + "-a-long-random-journal-key",
    "SEJOUR_AUDIT_CHECKPOINT_DIR": "/var/lib/sejour/audit-checkpoints",
}


def _environ(**env: str) -> dict[str, str]:
    """This process's environment without the project's variables, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SEJOUR_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return clean


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_environ(**env),
        capture_output=True,
        text=True,
        check=False,
    )


PRINT_HASHER = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.PASSWORD_HASHERS[0], settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
)


def test_production_starts_with_its_secrets_and_hashes_with_argon2():
    result = _run(PRINT_HASHER, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "False",
        "True",
    ]


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "SEJOUR_SITE_URL", "SEJOUR_SIGNING_KEY"])
def test_production_refuses_to_start_without_a_secret_or_address(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(PRINT_HASHER, **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_debug():
    result = _run(PRINT_HASHER, **PRODUCTION, DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_check_deploy_prints_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environ(**PRODUCTION),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_database_and_mail_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.EMAIL_BACKEND, "
        "settings.SMS_BACKEND)"
    )
    result = _run(
        code,
        **PRODUCTION,
        DATABASE_URL="postgres://u:p@db.example.org:5432/sejour",
        EMAIL_URL="smtp+tls://user:pass@smtp.example.org:587",
        SMS_BACKEND="sms.backends.twilio.SmsBackend",
    )
    assert result.returncode == 0, result.stderr
    engine, email, sms = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert email == "django.core.mail.backends.smtp.EmailBackend"
    assert sms == "sms.backends.twilio.SmsBackend"


def _check_deploy(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environ(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


def test_check_deploy_requires_the_number_of_trusted_proxies():
    env = {k: v for k, v in PRODUCTION.items() if k != "SEJOUR_TRUSTED_PROXY_HOPS"}
    assert "sejour.E001" in _check_deploy(**env)
    assert "sejour.E001" not in _check_deploy(**env, SEJOUR_TRUSTED_PROXY_HOPS="0")


def test_check_deploy_warns_when_no_antivirus_scans_uploads():
    env = {k: v for k, v in PRODUCTION.items() if k != "SEJOUR_CLAMAV_SOCKET"}
    assert "sejour.W001" in _check_deploy(**env)
