"""The counter in Chromium, in French: an agent files for a person without an account, from
who it is for to the printed receipt; axe-core checks every page."""

import datetime as dt

import pytest
from django.core.management import call_command

from sejour.accounts.choices import Role
from sejour.core import clock
from sejour.dossiers import selectors
from sejour.dossiers.choices import Channel, Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import pdf_bytes
from tests.browser.conftest import assert_accessible
from tests.browser.test_backoffice_pages import _staff_login
from tests.browser.test_support_pages import _staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counter_filing_from_start_to_printed_receipt(page, tmp_path):
    call_command("load_catalog", verbosity=0)
    agent, device = _staff(Role.AGENT, "75")
    _staff_login(page, "fr", agent, device)
    page.wait_for_url("**/fr/tableau-de-bord/")
    page.goto("/fr/instruction/")
    page.locator("a[href='/fr/instruction/guichet/']").click()
    page.wait_for_url("**/instruction/guichet/")
    assert_accessible(page)
    page.locator("input[name=has_account][value=no]").check(force=True)
    page.locator("input[name=day]").fill("8")
    page.locator("input[name=month]").fill("3")
    page.locator("input[name=year]").fill("1994")
    page.locator("main form button[type=submit]").click()  # no names: explained, kept
    assert page.locator("input[name=year]").input_value() == "1994"
    assert_accessible(page)
    page.locator("input[name=given_name]").fill("Awa")
    page.locator("input[name=family_name]").fill("Diallo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/guichet/personne/**")
    assert_accessible(page)
    page.locator("select[name=procedure]").select_option("renewal")
    page.locator("input[name=channel][value=paper]").check(force=True)
    page.locator("main form button[type=submit]").click()
    dossier = Dossier.objects.get()
    page.wait_for_url(f"**/guichet/{dossier.number}/")
    assert_accessible(page)

    expiry = clock.today() + dt.timedelta(days=90)
    page.locator("input[name=postcode]").fill("75011")
    page.locator("select[name=q_permit_type]").select_option("cst-salarie")
    page.locator("input[name=q_permit_expires_on]").fill(expiry.isoformat())
    for question, answer in (
        ("employed", "yes"),
        ("married", "no"),
        ("has_children", "no"),
        ("hosted", "no"),
    ):
        page.locator(f"input[name=q_{question}][value={answer}]").check(force=True)
    page.locator("form[action$='/reponses/'] button[type=submit]").click()
    page.wait_for_url(f"**/guichet/{dossier.number}/")
    for item in selectors.missing_items(dossier=Dossier.objects.get()):
        scan = tmp_path / f"{item.code}.pdf"
        scan.write_bytes(pdf_bytes(item.code))
        page.locator("form[action$='/fichier/'] select[name=item]").select_option(item.code)
        page.locator("form[action$='/fichier/'] input[name=file]").set_input_files(str(scan))
        page.locator("form[action$='/fichier/'] button[type=submit]").click()
        page.wait_for_url(f"**/guichet/{dossier.number}/")
    assert_accessible(page)
    page.locator("form[action$='/deposer/'] button[type=submit]").click()
    page.wait_for_url(f"**/guichet/{dossier.number}/recepisse/")
    assert "Diallo" in page.content()
    assert page.locator(".sejour-code").count() == 1  # the code to take the account over
    assert_accessible(page)
    pdf = page.request.get(f"/fr/instruction/guichet/{dossier.number}/recepisse.pdf")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == Channel.PAPER
    assert dossier.filed_by == agent
    assert dossier.applicant.no_contact
    page.reload()  # the code is shown once
    assert page.locator(".sejour-code").count() == 0
