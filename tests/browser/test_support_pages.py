"""Support in Chromium: an applicant reports what blocks them, the desk passes the report to
the prefecture, whose agent settles it; axe-core checks every page, in each language."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.catalog.models import Prefecture
from sejour.support.choices import CallStatus, Status
from sejour.support.models import CallBack, Report
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


def test_desk_fixes_calls_access_and_figures_in_french(page, browser, live_server, tmp_path):
    """A screenshot with a report, a call-back asked and made, the account given back from the
    report (code printed), an account given back at a desk, and the supervisor's figures."""
    lang = "fr"
    call_command("load_catalog", verbosity=0)
    applicant = UserFactory(
        email="samir@example.org", foreigner_number="7501234567", date_of_birth=dt.date(1990, 4, 2)
    )
    other = UserFactory(
        email="lina@example.org", foreigner_number="1301234567", date_of_birth=dt.date(1985, 1, 9)
    )
    _login(page, lang, applicant)
    page.goto(f"/{lang}/signalements/signaler/")
    page.locator("input[name=category][value=account_access]").check(force=True)
    page.locator("textarea[name=description]").fill("Mon adresse électronique n'existe plus.")
    screenshot = tmp_path / "ecran.png"
    Image.new("RGB", (40, 30), (10, 120, 200)).save(screenshot)
    page.locator("input[name=attachment]").set_input_files(str(screenshot))
    page.locator("main form button[type=submit]").click()
    report = Report.objects.get()
    page.wait_for_url(f"**/{lang}/signalements/{report.number}/")
    assert "ecran.png" in page.content()
    page.locator("a[href*='/signalements/rappel/']").click()
    page.wait_for_url("**/signalements/rappel/**")
    assert_accessible(page)
    page.locator("input[name=phone]").fill("06 12 34 56 78")
    page.locator("input[name=window][value='14-17']").check(force=True)
    page.locator("select[name=language]").select_option("ar")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/signalements/{report.number}/")
    assert_accessible(page)

    desk = browser.new_context(base_url=live_server.url).new_page()
    support, device = _staff(Role.SUPPORT)
    _staff_login(desk, lang, support, device)
    desk.wait_for_url(f"**/{lang}/tableau-de-bord/")
    desk.goto(f"/{lang}/signalements/bureau/appels/")
    assert_accessible(desk)
    desk.locator("button[name=status][value=done]").click()
    desk.wait_for_url("**/bureau/appels/")
    assert CallBack.objects.get().status == CallStatus.DONE

    desk.goto(f"/{lang}/signalements/{report.number}/")
    desk.locator("#fix-access input[name=foreigner_number]").fill("7501234567")
    desk.locator("#fix-access input[name=day]").fill("2")
    desk.locator("#fix-access input[name=month]").fill("4")
    desk.locator("#fix-access input[name=year]").fill("1991")  # wrong: explained, kept
    desk.locator("#fix-access input[name=permit_number]").fill("AB1234567")
    desk.locator("#fix-access input[name=in_person]").check(force=True)
    desk.locator("#fix-access button[type=submit]").click()
    assert "ne correspondent pas" in desk.content()
    assert_accessible(desk)
    desk.locator("#fix-access input[name=year]").fill("1990")
    desk.locator("#fix-access input[name=permit_number]").fill("AB1234567")
    desk.locator("#fix-access input[name=in_person]").check(force=True)
    desk.locator("#fix-access button[type=submit]").click()
    desk.wait_for_selector(".sejour-code")
    assert_accessible(desk)
    assert applicant.openings.filter(recovery=True).exists()

    desk.goto(f"/{lang}/signalements/bureau/acces/")
    assert_accessible(desk)
    desk.locator("input[name=foreigner_number]").fill("1301234567")
    desk.locator("input[name=day]").fill("9")
    desk.locator("input[name=month]").fill("1")
    desk.locator("input[name=year]").fill("1985")
    desk.locator("input[name=permit_number]").fill("CD7654321")
    desk.locator("input[name=in_person]").check(force=True)
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_selector(".sejour-code")
    assert other.openings.exists()

    page.goto(f"/{lang}/signalements/{report.number}/")
    assert "Accès rétabli" in page.content()
    assert_accessible(page)
    page.goto(f"/{lang}/signalements/")
    assert_accessible(page)

    boss = browser.new_context(base_url=live_server.url).new_page()
    supervisor, device = _staff(Role.SUPERVISOR)
    _staff_login(boss, lang, supervisor, device)
    boss.wait_for_url(f"**/{lang}/tableau-de-bord/")
    boss.goto(f"/{lang}/signalements/chiffres/")
    assert "accéder à mon compte" in boss.content()  # the category, in French
    assert_accessible(boss)
    boss.locator("input[name=since]").fill("2030-01-01")
    boss.locator("main form button[type=submit]").click()
    boss.wait_for_url("**/chiffres/?**")
    assert_accessible(boss)
