"""Every account page, in French, English and Arabic, opened in Chromium and checked by axe-core."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from sejour.accounts.choices import Role
from sejour.accounts.second_factor import totp_code_now
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _login(page, lang: str, identifier: str, password: str = PASSWORD) -> None:
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(identifier)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=username]) button[type=submit]").click()


def _check(page, path: str, lang: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status < 500
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_are_accessible(page, lang):
    for path in [
        "",
        "compte/inscription/",
        "compte/connexion/",
        "compte/mot-de-passe-oublie/",
        "no-such-page/",
        "compte/verifier/6f1c1d34-8f4e-4a53-9a53-1b9d2c1a0e77/x/",
        "verifier/",
        "verifier/?code=ABCD-EFGH-JKMN",
    ]:
        _check(page, f"/{lang}/{path}", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forms_with_errors_are_accessible(page, lang):
    page.goto(f"/{lang}/compte/inscription/")
    page.locator("input[name=given_name]").fill("Amina")
    page.locator("input[name=phone]").fill("12")
    page.locator("form:has(input[name=given_name]) button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert page.locator("input[name=given_name]").input_value() == "Amina"
    assert_accessible(page)
    _login(page, lang, "nobody@example.org", "wrong-password")
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_applicant_pages_are_accessible(page, lang):
    user = UserFactory(email=f"applicant-{lang}@example.org", phone="+33611111111")
    _login(page, lang, user.email)
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    for path in [
        "tableau-de-bord/",
        "compte/",
        "compte/coordonnees/email/",
        "compte/coordonnees/sms/",
    ]:
        _check(page, f"/{lang}/{path}", lang)
    page.goto(f"/{lang}/compte/coordonnees/email/")
    page.locator("input[name=value]").fill(f"new-{lang}@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/compte/code/")
    _check(page, f"/{lang}/compte/code/", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_identity_page_is_accessible_empty_with_errors_and_once_saved(page, lang):
    user = UserFactory(email=f"identity-{lang}@example.org", date_of_birth=None)
    _login(page, lang, user.email)
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    _check(page, f"/{lang}/compte/", lang)
    page.locator(f"main a[href='/{lang}/compte/identite/']").first.click()
    page.wait_for_url(f"**/{lang}/compte/identite/")
    _check(page, f"/{lang}/compte/identite/", lang)
    page.locator("input[name=day]").fill("31")
    page.locator("input[name=month]").fill("2")
    page.locator("input[name=year]").fill("1990")
    page.locator("input[name=foreigner_number]").fill("12 34")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#birth.fr-fieldset--error")).to_be_visible()
    assert page.locator("input[name=day]").input_value() == "31"
    assert page.locator("input[name=foreigner_number]").input_value() == "12 34"
    assert_accessible(page)
    page.locator("input[name=day]").fill("17")
    page.locator("input[name=foreigner_number]").fill("7501234567")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/compte/")
    assert "1990" in page.locator("#identity-birth").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_second_factor_pages_are_accessible(page, lang):
    agent = UserFactory(role=Role.AGENT, email=f"agent-{lang}@example.org")
    _login(page, lang, agent.email)
    page.wait_for_url("**/double-authentification/activer/**")
    assert page.locator("main svg").count() == 1
    assert_accessible(page)
    assert page.locator("html").get_attribute("lang") == lang
    TOTPDevice.objects.filter(user=agent).update(confirmed=True)
    page.goto(f"/{lang}/compte/double-authentification/")
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_authenticators_page_and_the_closed_enrolment_are_accessible(page, lang):
    agent = UserFactory(role=Role.AGENT, email=f"apps-{lang}@example.org", language=lang)
    device = TOTPDevice.objects.create(user=agent, name="work phone", confirmed=True)
    _login(page, lang, agent.email)
    page.wait_for_url("**/double-authentification/**")
    page.locator("input[name=token]").fill(totp_code_now(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    _check(page, f"/{lang}/compte/double-authentification/appareils/", lang)
    remove = page.locator("main form button[type=submit]")
    expect(remove).to_have_count(1)
    # The only authenticator of a staff account stays: the refusal is said on the page.
    remove.click()
    page.wait_for_url("**/appareils/")
    expect(page.locator(".fr-alert--error, .fr-alert--warning")).to_have_count(1)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert_accessible(page)
    page.locator("header .sejour-tools .fr-icon-logout-box-r-line").click()
    page.wait_for_url(f"**/{lang}/")
    late = UserFactory(
        role=Role.AGENT,
        email=f"late-{lang}@example.org",
        language=lang,
        second_factor_enrol_until=timezone.now(),
    )
    _login(page, lang, late.email)
    page.wait_for_url("**/double-authentification/activer/**")
    assert page.locator("main svg").count() == 0
    assert_accessible(page)


def test_email_link_pages_are_accessible(page):
    for lang in LANGUAGES:
        mail.outbox = []
        page.goto(f"/{lang}/compte/inscription/")
        page.locator("input[name=given_name]").fill("Amina")
        page.locator("input[name=family_name]").fill("Diallo")
        page.locator("input[name=email]").fill(f"link-{lang}@example.org")
        page.locator("input[name=password1]").fill(PASSWORD)
        page.locator("input[name=password2]").fill(PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"**/{lang}/compte/code/")
        link = re.search(r"https?://\S+/verifier/\S+/", mail.outbox[0].body).group(0)
        path = "/" + link.split("://", 1)[1].split("/", 1)[1]
        _check(page, path, lang)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/{lang}/compte/connexion/")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_signup_confirm_login_logout_reset_journey(page, lang):
    page.goto(f"/{lang}/")
    page.locator("header a[href$='/compte/inscription/']").first.click()
    page.locator("input[name=given_name]").fill("Karim")
    page.locator("input[name=family_name]").fill("Haddad")
    page.locator("input[name=phone]").fill("06 98 76 54 32")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/compte/code/")
    import sms

    page.locator("input[name=code]").fill(_code(sms.outbox[-1].body))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    assert_accessible(page)

    page.locator("header .sejour-tools form[action$='/deconnexion/'] button").click()
    page.wait_for_url(f"**/{lang}/")
    _login(page, lang, "+33698765432")
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    page.locator("header .sejour-tools form[action$='/deconnexion/'] button").click()

    page.goto(f"/{lang}/compte/mot-de-passe-oublie/")
    page.locator("input[name=identifier]").fill("0698765432")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/compte/code/")
    page.locator("input[name=code]").fill(_code(sms.outbox[-1].body))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/compte/mot-de-passe-oublie/nouveau/")
    assert_accessible(page)
    new_password = "a-brand-new-passphrase-9"
    page.locator("input[name=password1]").fill(new_password)
    page.locator("input[name=password2]").fill(new_password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/compte/connexion/")
    _login(page, lang, "+33698765432", new_password)
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
