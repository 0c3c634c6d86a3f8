"""Share codes in Chromium: the applicant makes one, a checker uses it, the applicant sees it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.sharing.models import ShareCode
from sejour.sharing.tests.factories import attestation_for
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORN = dt.date(1990, 5, 17)


def _login(page, lang, email):
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")


def _check_page(page, lang):
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def _fill_check(page, code, born, organisation=""):
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=day]").fill(str(born.day))
    page.locator("input[name=month]").fill(str(born.month))
    page.locator("input[name=year]").fill(str(born.year))
    page.locator("input[name=organisation]").fill(organisation)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_share_code_from_making_to_checking(page, browser, live_server, lang):
    holder = UserFactory(
        email=f"share-{lang}@example.org",
        given_name="Amina",
        family_name="Diallo",
        date_of_birth=BORN,
        language=lang,
    )
    document = attestation_for(holder)
    _login(page, lang, holder.email)

    # From the dashboard to the list of codes, empty, then make one for an employer.
    page.locator(f"main a[href='/{lang}/partage/']").click()
    page.wait_for_url(f"**/{lang}/partage/")
    _check_page(page, lang)
    page.locator("main a[href$='/partage/nouveau/']").click()
    page.wait_for_url("**/partage/nouveau/")
    _check_page(page, lang)
    page.locator("input[name=purpose][value=work]").check(force=True)
    page.locator("main form button[type=submit]").click()
    share_code = ShareCode.objects.get(holder=holder)
    page.wait_for_url(f"**/{lang}/partage/{share_code.pk}/")
    shown = page.locator("#share-code").inner_text().strip()
    assert shown == share_code.spaced
    _check_page(page, lang)

    # A checker, with no account, in a browser of their own: a wrong date first, then the right one.
    checker = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    other = checker.new_page()
    other.set_default_timeout(15000)
    try:
        other.goto(f"/{lang}/partage/verifier/")
        _check_page(other, lang)
        _fill_check(other, shown.lower(), BORN.replace(day=18))
        expect(other.locator("#form-errors")).to_be_visible()
        assert other.locator("input[name=day]").input_value() == "18"
        _check_page(other, lang)
        _fill_check(other, shown, BORN, organisation="Boulangerie Martin")
        assert other.locator("#holder-name").inner_text().strip() == "Amina Diallo"
        assert document.code in other.locator("main").inner_text()
        assert document.dossier.number not in other.content()
        assert other.locator("#right-to-work").inner_text().strip() != ""
        _check_page(other, lang)
    finally:
        checker.close()

    # The applicant sees both checks, and who made the one that showed the status.
    page.reload()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    assert "Boulangerie Martin" in rows.first.inner_text()
    _check_page(page, lang)
    page.goto(f"/{lang}/partage/")
    assert "Boulangerie Martin" in page.locator("main").inner_text()
    _check_page(page, lang)

    # Cancel it, after the confirmation page.
    page.goto(f"/{lang}/partage/{share_code.pk}/annuler/")
    _check_page(page, lang)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/partage/{share_code.pk}/")
    share_code.refresh_from_db()
    assert share_code.revoked_at is not None
    _check_page(page, lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_without_a_date_of_birth_the_page_explains(page, lang):
    user = UserFactory(email=f"no-birth-{lang}@example.org", date_of_birth=None)
    _login(page, lang, user.email)
    page.goto(f"/{lang}/partage/nouveau/")
    assert page.locator("main a[href$='/compte/']").count() == 1
    assert page.locator("main form").count() == 0
    _check_page(page, lang)
