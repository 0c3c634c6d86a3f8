"""The applicant's "right to stay" panel, in Chromium, checked by axe-core in every language:
an attestation in hand, one held back by overdue documents, and a late renewal."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import expect

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers import continuity, instruction, services
from sejour.dossiers.tests.conftest import fill_documents
from tests.browser.conftest import LANGUAGES, assert_accessible
from tests.browser.test_dossier_pages import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "permit_type": "cst-salarie",
    "employed": True,
    "married": False,
    "has_children": False,
    "hosted": False,
}


def _filed(person, *, days_ago: int, expires_in: int):
    """A renewal filed `days_ago` days ago, for a permit ending `expires_in` days after that."""
    filed_on = clock.today() - dt.timedelta(days=days_ago)
    with time_machine.travel(dt.datetime.combine(filed_on, dt.time(10), tzinfo=dt.UTC)):
        dossier = services.dossier_start(
            actor=person, procedure=Procedure.objects.get(code="renewal")
        )
        dossier = services.dossier_answer(
            dossier=dossier,
            actor=person,
            postcode="75011",
            answers={
                **ANSWERS,
                "permit_expires_on": (filed_on + dt.timedelta(days=expires_in)).isoformat(),
            },
        )
        fill_documents(dossier, person)
        return services.dossier_submit(dossier=dossier, actor=person, key=uuid.uuid4())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_to_stay_panel_is_accessible(page, lang):
    call_command("load_catalog", verbosity=0)
    person = UserFactory(email=f"cover-{lang}@example.org", language=lang)
    covered = _filed(person, days_ago=100, expires_in=80)
    late = _filed(person, days_ago=5, expires_in=30)
    waiting = _filed(person, days_ago=10, expires_in=100)
    continuity.sweep(today=clock.today())
    _login(page, lang, person.email)

    # Filed on time, the permit still valid: no attestation yet, so none is "current".
    page.goto(f"/{lang}/demandes/{waiting.number}/")
    waiting.refresh_from_db()
    panel = page.locator("#cover-title").locator("xpath=..")
    with translation.override(lang):
        first = gettext(
            "Your first attestation will be issued on %(day)s, without your asking. "
            "You will get a message when it is ready."
        ) % {"day": date_format(waiting.cover_next_on, "j F Y")}
        current = gettext(
            "Your next attestation will be issued on %(day)s, before the current one ends. "
            "You will get a message; there is nothing to ask for."
        ) % {"day": date_format(waiting.cover_next_on, "j F Y")}
    expect(panel).to_contain_text(first)
    expect(panel).not_to_contain_text(current)
    assert_accessible(page)

    page.goto(f"/{lang}/demandes/{covered.number}/")
    panel = page.locator("#cover-title").locator("xpath=..")
    assert panel.locator(".fr-alert--success").count() == 1
    code = covered.attestations.filter(kind="extension").order_by("valid_from").last().code
    assert code in panel.inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        panel.locator("a[href*='/attestations/']").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.goto(f"/{lang}/demandes/{late.number}/")
    assert page.locator("#cover-title").locator("xpath=..").locator(".fr-alert--info").count() == 1
    assert_accessible(page)


def test_a_held_back_attestation_says_why_and_what_to_do(page):
    call_command("load_catalog", verbosity=0)
    agent = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    person = UserFactory(email="held@example.org", language="fr")
    dossier = _filed(person, days_ago=100, expires_in=70)
    asked_on = clock.today() - dt.timedelta(days=20)
    with time_machine.travel(dt.datetime.combine(asked_on, dt.time(10), tzinfo=dt.UTC)):
        continuity.sweep(today=asked_on)
        instruction.dossier_take(dossier=dossier, actor=agent)
        instruction.documents_request(
            dossier=dossier,
            actor=agent,
            items=[("proof-of-address", "outdated", "Facture de 2025.")],
            deadline=asked_on + dt.timedelta(days=8),
        )
    continuity.sweep(today=clock.today())
    _login(page, "fr", person.email)
    page.goto(f"/fr/demandes/{dossier.number}/")
    warning = page.locator("#cover-title").locator("xpath=..").locator(".fr-alert--warning")
    assert warning.count() == 1
    assert "documents" in warning.inner_text()
    assert_accessible(page)
