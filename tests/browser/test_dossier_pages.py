"""The application journey and every application page, in Chromium, checked by axe-core."""

import datetime as dt
import io
import re
import uuid
from pathlib import Path

import pytest
import sms
from django.core.management import call_command
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.catalog.models import Procedure
from sejour.core import clock
from sejour.dossiers import selectors, services
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _expiry() -> dt.date:
    """An expiry date that puts today inside the renewal window."""
    return clock.today() + dt.timedelta(days=90)


def _login(page, lang, email):
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")


def _check(page, path, lang):
    response = page.goto(path)
    assert response.status < 400, path
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_application_page_is_accessible(page, lang, tmp_path):
    call_command("load_catalog", verbosity=0)
    user = UserFactory(email=f"pages-{lang}@example.org", language=lang)
    renewal = Procedure.objects.get(code="renewal")
    draft = services.dossier_start(actor=user, procedure=renewal)
    draft = services.dossier_answer(
        dossier=draft,
        actor=user,
        postcode="75011",
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": _expiry().isoformat(),
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
    )
    filed = services.dossier_start(actor=user, procedure=renewal)
    filed = services.dossier_answer(
        dossier=filed, actor=user, postcode="13001", answers=draft.answers
    )
    fill_documents(filed, user)
    services.dossier_submit(dossier=filed, actor=user, key=uuid.uuid4())
    services.message_post(
        dossier=filed, actor=user, body="Bonjour", attachments=[(pdf_bytes(), "a.pdf")]
    )
    _login(page, lang, user.email)
    for path in [
        "tableau-de-bord/",
        "messages/",
        "demandes/nouvelle/",
        "demandes/mes-donnees/",
        f"demandes/{draft.number}/",
        f"demandes/{draft.number}/questions/",
        f"demandes/{draft.number}/pieces/",
        f"demandes/{draft.number}/verifier/",
        f"demandes/{draft.number}/retirer/",
        f"demandes/{filed.number}/",
        f"demandes/{filed.number}/pieces/",
        f"verifier/{filed.attestations.get().code}/",
    ]:
        _check(page, f"/{lang}/{path}", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_errors_on_application_pages_are_accessible(page, lang, tmp_path):
    call_command("load_catalog", verbosity=0)
    user = UserFactory(email=f"errors-{lang}@example.org")
    draft = services.dossier_start(actor=user, procedure=Procedure.objects.get(code="renewal"))
    _login(page, lang, user.email)
    page.goto(f"/{lang}/demandes/{draft.number}/questions/")
    page.locator("input[name=postcode]").fill("123")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page)
    services.dossier_answer(
        dossier=draft, actor=user, postcode="75011", answers={"permit_type": "cst-salarie"}
    )
    page.goto(f"/{lang}/demandes/{draft.number}/pieces/")
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(b"MZ" + b"\x00" * 100)
    page.locator("#file-passport").set_input_files(str(bad))
    page.locator("#item-passport form.sejour-upload button").click()
    expect(page.locator(".fr-alert--error").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_whole_journey(page, lang, tmp_path):
    call_command("load_catalog", verbosity=0)
    # Sign up with a phone number and confirm it.
    page.goto(f"/{lang}/compte/inscription/")
    page.locator("input[name=given_name]").fill("Amina")
    page.locator("input[name=family_name]").fill("Diallo")
    page.locator("input[name=phone]").fill("06 11 22 33 44")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/compte/code/")
    # The code went by SMS: no spam folder to look in, no link to click.
    with translation.override(lang):
        spam = gettext("Check your spam folder, or wait a minute: messages can be slow.")
    expect(page.locator("main")).not_to_contain_text(spam)
    assert_accessible(page)
    page.locator("input[name=code]").fill(_code(sms.outbox[-1].body))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")

    # Start a renewal and answer the questions.
    page.locator("main a[href$='/demandes/nouvelle/']").click()
    page.locator("form:has(input[value=renewal]) button").click()
    page.wait_for_url("**/questions/")
    assert_accessible(page)
    page.locator("input[name=postcode]").fill("75011")
    page.locator("select[name=q_permit_type]").select_option("cst-salarie")
    page.locator("input[name=q_permit_expires_on]").fill(_expiry().isoformat())
    for question, answer in [
        ("employed", "yes"),
        ("married", "no"),
        ("has_children", "no"),
        ("hosted", "no"),
    ]:
        page.locator(f"input[name=q_{question}][value={answer}]").check(force=True)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/pieces/")

    # Upload every document, one at a time.
    dossier = Dossier.objects.get(applicant__phone="+33611223344")
    for item in selectors.missing_items(dossier=dossier):
        path = tmp_path / f"{item.code}.pdf"
        path.write_bytes(pdf_bytes(item.code))
        page.locator(f"#file-{item.code}").set_input_files(str(path))
        page.locator(f"#item-{item.code} form.sejour-upload button").click()
        page.wait_for_load_state()
    assert not selectors.missing_items(dossier=dossier)
    assert_accessible(page)

    # File it, and read the receipt.
    page.goto(f"/{lang}/demandes/{dossier.number}/verifier/")
    page.locator("main form[action$='/deposer/'] button").click()
    page.wait_for_url(f"**/{lang}/demandes/{dossier.number}/")
    assert_accessible(page)
    # The history says the answers in words and the day in the reader's format.
    timeline = page.locator(".sejour-timeline")
    with translation.override(lang):
        permit = gettext("Temporary residence card \u2013 employee")
        expires = date_format(_expiry(), "DATE_FORMAT")
    expect(timeline).to_contain_text(permit)
    expect(timeline).to_contain_text(expires)
    expect(timeline).not_to_contain_text("cst-salarie")
    expect(timeline).not_to_contain_text(_expiry().isoformat())
    with page.expect_download() as download:
        page.locator("main a[href*='/attestations/']").first.click()
    content = Path(download.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert dossier.number in text

    # After filing: add a document, then write to the prefecture.
    page.goto(f"/{lang}/demandes/{dossier.number}/pieces/")
    extra = tmp_path / "payslip.pdf"
    extra.write_bytes(pdf_bytes("another payslip"))
    page.locator("#file-payslips").set_input_files(str(extra))
    page.locator("#item-payslips form.sejour-upload button").click()
    page.wait_for_load_state()
    page.goto(f"/{lang}/demandes/{dossier.number}/")
    page.locator("textarea[name=body]").fill("J'ai ajouté une fiche de paie.")
    page.locator("form[action$='/messages/'] button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/demandes/{dossier.number}/#messages")
    assert page.locator(".sejour-message").count() == 1
    assert_accessible(page)
    dossier.refresh_from_db()
    assert dossier.needs_attention
    assert dossier.documents.filter(item_code="payslips").count() == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_failure_pages_are_accessible(page, lang, monkeypatch):
    call_command("load_catalog", verbosity=0)
    user = UserFactory(email=f"failure-{lang}@example.org", language=lang)
    draft = services.dossier_start(actor=user, procedure=Procedure.objects.get(code="renewal"))
    draft = services.dossier_answer(
        dossier=draft,
        actor=user,
        postcode="75011",
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": _expiry().isoformat(),
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
    )
    fill_documents(draft, user)
    _login(page, lang, user.email)

    # The platform fails at filing: the proof of the attempt is on screen.
    def broken(**kwargs):
        raise OSError("storage unreachable")

    monkeypatch.setattr(services.attestations, "receipt_issue", broken)
    page.goto(f"/{lang}/demandes/{draft.number}/verifier/")
    page.locator("main form[action$='/deposer/'] button").click()
    page.wait_for_load_state()
    assert page.locator("main .sejour-code").count() == 1
    assert_accessible(page)

    # A page of the back-office, for an applicant: not allowed.
    response = page.goto(f"/{lang}/instruction/")
    assert response.status == 403
    assert_accessible(page)

    # A form sent after its security token expired.
    page.goto(f"/{lang}/demandes/nouvelle/")
    page.context.clear_cookies()
    page.locator("form:has(input[value=renewal]) button").click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    assert_accessible(page)
