"""Continuity of rights in Chromium: an agent opens a late renewal, sees why it has no
attestation, is told when the reason is too short, grants one; axe-core checks each page."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations.choices import Kind
from sejour.catalog.models import Procedure
from sejour.core import clock
from sejour.dossiers import services
from sejour.dossiers.choices import CoverBasis
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents
from tests.browser.conftest import LANGUAGES, assert_accessible
from tests.browser.test_backoffice_pages import _agent, _staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _late_renewal(applicant):
    """A CST renewed 10 days before it expires: its window closed 60 days before expiry
    (R.431-5 1°), so no attestation is due as of right, and a grant is issued at once."""
    dossier = services.dossier_start(
        actor=applicant, procedure=Procedure.objects.get(code="renewal")
    )
    dossier = services.dossier_answer(
        dossier=dossier,
        actor=applicant,
        postcode="75011",
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": (clock.today() + dt.timedelta(days=10)).isoformat(),
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
    )
    fill_documents(dossier, applicant)
    return services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_agent_grants_an_extension_attestation_to_a_late_renewal(page, lang):
    call_command("load_catalog", verbosity=0)
    dossier = _late_renewal(UserFactory())
    assert dossier.cover_basis == ""
    agent, device = _agent()
    _staff_login(page, lang, agent, device)
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")

    page.goto(f"/{lang}/instruction/{dossier.number}/")
    expect(page.locator("#continuity")).to_be_visible()
    grant = page.locator("form[action$='/accorder-attestation/']")
    expect(grant.locator("textarea[name=reason]")).to_be_visible()
    assert_accessible(page)

    grant.locator("textarea[name=reason]").fill("Court")
    grant.locator("button[type=submit]").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/accorder-attestation/")
    expect(page.locator("#form-errors")).to_be_visible()
    assert page.locator("textarea[name=reason]").input_value() == "Court"
    assert_accessible(page)
    assert Dossier.objects.get(pk=dossier.pk).cover_basis == ""

    reason = "Hospitalisé pendant toute la période de renouvellement."
    page.locator("textarea[name=reason]").fill(reason)
    page.locator("form[action$='/accorder-attestation/'] button[type=submit]").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/#continuity")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.cover_basis == CoverBasis.GRANTED
    attestation = dossier.attestations.get(kind=Kind.EXTENSION)
    expect(page.locator("#continuity ~ .fr-table").get_by_text(attestation.code)).to_be_visible()
    assert page.locator("form[action$='/accorder-attestation/']").count() == 0
    assert_accessible(page)
