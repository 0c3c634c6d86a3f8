"""The back-office in Chromium: an agent with TOTP takes a dossier, asks for a document,
the applicant answers, the agent approves; axe-core checks every page."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from sejour.accounts.choices import Role
from sejour.accounts.second_factor import totp_code_now
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers import services
from sejour.dossiers.choices import Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _filed_dossier(applicant):
    dossier = services.dossier_start(
        actor=applicant, procedure=Procedure.objects.get(code="renewal")
    )
    expiry = clock.today() + dt.timedelta(days=90)
    dossier = services.dossier_answer(
        dossier=dossier,
        actor=applicant,
        postcode="75011",
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": expiry.isoformat(),
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
    )
    fill_documents(dossier, applicant)
    return services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())


def _staff_login(page, lang, user, device):
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/double-authentification/**")
    assert_accessible(page)
    page.locator("input[name=token]").fill(totp_code_now(device))
    page.locator("main form button[type=submit]").click()


def _agent():
    agent = UserFactory(role=Role.AGENT, email=f"agent-{uuid.uuid4().hex[:6]}@example.org")
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    return agent, TOTPDevice.objects.create(user=agent, name="app", confirmed=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_back_office_pages_are_accessible(page, lang):
    call_command("load_catalog", verbosity=0)
    dossier = _filed_dossier(UserFactory())
    agent, device = _agent()
    _staff_login(page, lang, agent, device)
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    for path in [
        "instruction/",
        f"instruction/recherche/?q={dossier.number}",
        f"instruction/{dossier.number}/",
        "instruction/chiffres/",
    ]:
        response = page.goto(f"/{lang}/{path}")
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert_accessible(page)


def test_agent_requests_a_document_the_applicant_answers_the_agent_approves(
    page, browser, live_server, tmp_path
):
    call_command("load_catalog", verbosity=0)
    applicant = UserFactory(email="amina@example.org")
    dossier = _filed_dossier(applicant)
    agent, device = _agent()

    _staff_login(page, "fr", agent, device)
    page.goto("/fr/instruction/")
    assert_accessible(page)
    page.locator(f"a[href='/fr/instruction/{dossier.number}/']").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/")
    assert_accessible(page)
    page.locator("form[action$='/prendre/'] button").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/")
    page.locator("select[name=kind_proof-of-address]").select_option("outdated")
    page.locator("input[name=comment_proof-of-address]").fill(
        "Votre facture date de plus de 3 mois."
    )
    page.locator("input[name=deadline]").fill((clock.today() + dt.timedelta(days=20)).isoformat())
    page.locator("form[action$='/demander/'] button[type=submit]").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/")
    assert_accessible(page)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_APPLICANT
    # While the request is open, the silence deadline is paused, not the date it had.
    callout = page.locator("main .fr-callout").first.inner_text()
    assert "Le délai de décision est suspendu depuis le" in callout
    assert dossier.decision_due_on.strftime("%d/%m/%Y") not in callout

    other = browser.new_context(base_url=live_server.url)
    applicant_page = other.new_page()
    applicant_page.goto("/fr/compte/connexion/")
    applicant_page.locator("input[name=username]").fill(applicant.email)
    applicant_page.locator("input[name=password]").fill(PASSWORD)
    applicant_page.locator("main form button[type=submit]").click()
    applicant_page.wait_for_url("**/fr/tableau-de-bord/")
    applicant_page.goto(f"/fr/demandes/{dossier.number}/")
    assert "Votre facture date de plus de 3 mois." in applicant_page.content()
    applicant_text = applicant_page.locator("main").inner_text()
    assert "Le délai dont dispose la préfecture pour décider est suspendu" in applicant_text
    assert_accessible(applicant_page)
    applicant_page.goto(f"/fr/demandes/{dossier.number}/pieces/")
    bill = tmp_path / "facture.pdf"
    bill.write_bytes(pdf_bytes("Facture de novembre"))
    applicant_page.locator("#file-proof-of-address").set_input_files(str(bill))
    applicant_page.locator("#item-proof-of-address form.sejour-upload button").click()
    applicant_page.wait_for_load_state()
    applicant_page.locator("form[action$='/pieces-envoyees/'] button").first.click()
    applicant_page.wait_for_url(f"**/fr/demandes/{dossier.number}/")
    assert_accessible(applicant_page)
    other.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_REVIEW

    page.goto(f"/fr/instruction/{dossier.number}/")
    expect(page.locator(".fr-alert--info").first).to_be_visible()  # changed since the last look
    page.locator("form[action$='/accepter/'] button").click()
    page.wait_for_url(f"**/instruction/{dossier.number}/")
    assert_accessible(page)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.APPROVED
