"""Support in Chromium: an applicant reports what blocks them, the desk passes the report to
the prefecture, whose agent settles it; axe-core checks every page, in each language."""

import uuid

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.catalog.models import Prefecture
from sejour.support.choices import Status
from sejour.support.models import Report
from tests.browser.conftest import LANGUAGES, assert_accessible
from tests.browser.test_backoffice_pages import _filed_dossier, _staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, lang, user):
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")


def _staff(role, departement=None):
    user = UserFactory(role=role, email=f"{role}-{uuid.uuid4().hex[:6]}@example.org")
    if departement:
        Prefecture.objects.get(departement_code=departement).staff.add(user)
    return user, TOTPDevice.objects.create(user=user, name="app", confirmed=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_escalation_and_resolution(page, browser, live_server, lang):
    call_command("load_catalog", verbosity=0)
    applicant = UserFactory(email=f"amina-{lang}@example.org")
    dossier = _filed_dossier(applicant)

    _login(page, lang, applicant)
    page.goto(f"/{lang}/signalements/signaler/")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()  # nothing chosen, nothing written
    assert_accessible(page)
    page.locator("input[name=category][value=no_attestation]").check(force=True)
    page.locator("select[name=dossier]").select_option(dossier.number)
    page.locator("textarea[name=description]").fill("Mon récépissé n'apparaît pas.")
    page.locator("main form button[type=submit]").click()
    report = Report.objects.get()
    page.wait_for_url(f"**/{lang}/signalements/{report.number}/")
    assert report.number in page.content()
    assert_accessible(page)
    page.goto(f"/{lang}/signalements/")
    assert_accessible(page)

    desk = browser.new_context(base_url=live_server.url).new_page()
    support, device = _staff(Role.SUPPORT)
    _staff_login(desk, lang, support, device)
    desk.wait_for_url(f"**/{lang}/tableau-de-bord/")
    desk.goto(f"/{lang}/signalements/bureau/")
    assert_accessible(desk)
    desk.locator(f"a[href='/{lang}/signalements/{report.number}/']").click()
    desk.wait_for_url(f"**/signalements/{report.number}/")
    assert_accessible(desk)
    desk.locator("form[action$='/escalate/'] textarea").fill("Récépissé à réémettre.")
    desk.locator("form[action$='/escalate/'] button").click()
    desk.wait_for_url(f"**/signalements/{report.number}/")
    assert_accessible(desk)
    assert Report.objects.get().status == Status.ESCALATED

    prefecture = browser.new_context(base_url=live_server.url).new_page()
    agent, device = _staff(Role.AGENT, "75")
    _staff_login(prefecture, lang, agent, device)
    prefecture.wait_for_url(f"**/{lang}/tableau-de-bord/")
    prefecture.goto(f"/{lang}/signalements/bureau/")
    assert_accessible(prefecture)
    prefecture.goto(f"/{lang}/signalements/{report.number}/")
    prefecture.locator("form[action$='/resolve/'] textarea").fill("Récépissé disponible.")
    prefecture.locator("form[action$='/resolve/'] button").click()
    prefecture.wait_for_url(f"**/signalements/{report.number}/")
    assert_accessible(prefecture)
    assert Report.objects.get().status == Status.RESOLVED

    page.goto(f"/{lang}/signalements/{report.number}/")
    assert "Récépissé disponible." in page.content()
    assert_accessible(page)
