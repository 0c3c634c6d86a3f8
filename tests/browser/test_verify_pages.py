"""The public check of a document and the published keys, in Chromium, checked by axe-core."""

import datetime as dt

import pytest
from django.core.management import call_command

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import services
from sejour.attestations.choices import EndReason, Kind
from sejour.catalog.models import Procedure
from sejour.core import clock
from sejour.dossiers.models import Dossier
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _attestation(dossier, start, end):
    holder = dossier.applicant
    attestation, _ = services.cover_issue(
        item=services.CoverItem(
            dossier=dossier,
            kind=Kind.EXTENSION,
            valid_from=start,
            valid_until=end,
            right_to_work=True,
            facts={
                "holder": holder.display_name,
                "date_of_birth": holder.date_of_birth.isoformat(),
                "language": holder.language,
                "dossier": dossier.number,
                "procedure": "Renewal of a residence permit",
                "filed_at": clock.now().isoformat(),
            },
        )
    )
    return attestation


def _dossier(number, lang):
    holder = UserFactory(
        given_name="Amina",
        family_name="DIALLO",
        date_of_birth=dt.date(1990, 5, 17),
        language=lang,
    )
    return Dossier.objects.create(
        number=number,
        applicant=holder,
        procedure=Procedure.objects.get(code="renewal"),
        status="in_review",
        submitted_at=clock.now(),
    )


def _open(page, path, lang):
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_verification_pages_are_accessible(page, lang):
    call_command("load_catalog", verbosity=0)
    today = clock.today()
    running = _attestation(
        _dossier("2026-75-000001", lang),
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=80),
    )
    ended_dossier = _dossier("2026-75-000002", lang)
    ended = _attestation(
        ended_dossier, today - dt.timedelta(days=30), today + dt.timedelta(days=60)
    )
    services.cover_end(
        dossier=ended_dossier,
        last_day=today - dt.timedelta(days=1),
        reason=EndReason.REFUSED,
        kinds=[Kind.EXTENSION],
    )

    _open(page, f"/{lang}/verifier/{running.code}/", lang)
    assert page.locator("#holder-name").inner_text() == "Amina DIALLO"
    assert page.locator("#holder-birth").inner_text() == "1990"
    assert page.locator("#right-to-work").get_attribute("class").endswith("fr-badge--success")

    _open(page, f"/{lang}/verifier/{ended.code}/", lang)
    assert page.locator("#right-to-work").get_attribute("class").endswith("fr-badge--error")
    ended_on = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert ended_on in page.locator("#result .fr-alert__title").inner_text()

    # Typing the code in the form gives the same answer, without JavaScript needed.
    _open(page, f"/{lang}/verifier/", lang)
    page.locator("#code").fill(running.code.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#result")
    assert page.locator("#holder-name").inner_text() == "Amina DIALLO"
    assert_accessible(page)

    # A mistyped code: the form comes back with its error, still accessible.
    page.locator("#code").fill("7K3M-QX9P")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#code-error")
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    _open(page, f"/{lang}/verifier/?token={running.token}", lang)
    assert page.locator("#holder-name").inner_text() == "Amina DIALLO"

    _open(page, f"/{lang}/verifier/cles/", lang)
    assert page.locator("pre").first.inner_text().startswith("-----BEGIN PUBLIC KEY-----")
