"""Content-Security-Policy on every page, and integrity of the static files as served."""

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"


def _policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response[HEADER].split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _client_for(role: str | None) -> Client:
    client = Client()
    if role is None:
        return client
    user = UserFactory(role=role)
    client.force_login(user)
    if role != Role.APPLICANT:
        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


PAGES = [
    (None, "/fr/"),
    (None, "/ar/"),
    (None, "/en/compte/connexion/"),
    (None, "/fr/compte/inscription/"),
    (None, "/fr/verifier/"),
    (None, "/fr/verifier/cles/"),
    (None, "/fr/page-qui-n-existe-pas/"),
    (Role.APPLICANT, "/fr/tableau-de-bord/"),
    (Role.APPLICANT, "/ar/compte/"),
    (Role.AGENT, "/fr/instruction/"),
    (Role.SUPPORT, "/fr/signalements/guichet/"),
]


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_every_page_enforces_a_policy_whose_nonce_is_that_of_its_scripts(role, path):
    response = _client_for(role).get(path)
    assert response["Content-Type"].startswith("text/html")
    assert HEADER + "-Report-Only" not in response
    policy = _policy(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    [nonce] = policy["script-src"]
    assert re.fullmatch(r"'nonce-[A-Za-z0-9+/=]{16,}'", nonce)
    body = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts
    assert all(f'nonce="{nonce[7:-1]}"' in script for script in scripts)
    assert not re.search(r"\sstyle=", body)


def test_each_response_has_its_own_nonce():
    first, second = Client().get("/fr/"), Client().get("/fr/")
    assert _policy(first)["script-src"] != _policy(second)["script-src"]


def test_the_admin_may_also_run_the_scripts_of_this_origin():
    response = Client().get(f"/fr/{settings.ADMIN_URL}login/")
    assert response.status_code == 200
    assert "'self'" in _policy(response)["script-src"]
    assert "'unsafe-inline'" in _policy(response)["style-src"]
    site = _policy(Client().get("/fr/"))
    assert "'self'" not in site["script-src"]
    assert "'unsafe-inline'" not in site["style-src"]


def _sha384(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


@pytest.fixture
def collected(tmp_path):
    """Static files collected with hashed names and rewritten CSS, as in production."""
    static = {
        "STATIC_ROOT": str(tmp_path),
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": settings.SEJOUR_COLLECTED_STATICFILES_BACKEND},
        },
        "WHITENOISE_USE_FINDERS": False,
    }
    with override_settings(**static):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


@pytest.mark.parametrize("collect", [True, False], ids=["collected", "finders"])
def test_integrity_of_each_stylesheet_and_script_is_that_of_the_bytes_served(request, collect):
    if collect:
        request.getfixturevalue("collected")
    client = Client()
    body = client.get("/ar/").content.decode()
    tags = re.findall(r'<(?:link|script)\b[^>]*\b(?:href|src)="(/static/[^"]+)"[^>]*>', body)
    files = [url for url in tags if url.endswith((".css", ".js"))]
    assert len(files) >= 6
    if collect:
        # Hashed names, and the design system's stylesheet rewritten by the storage.
        assert any(re.search(r"dsfr\.min\.[0-9a-f]{12}\.css$", url) for url in files)
    for url in files:
        tag = next(tag for tag in re.findall(r"<(?:link|script)\b[^>]*>", body) if url in tag)
        declared = re.search(r'integrity="([^"]*)"', tag)
        served = client.get(url)
        assert served.status_code == 200, url
        content = b"".join(served.streaming_content)
        assert declared, url
        assert declared.group(1) == _sha384(content), url
