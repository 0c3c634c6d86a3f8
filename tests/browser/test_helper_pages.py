"""A helper's day, in Chromium, checked by axe-core: consent in person, prepare and file for two
applicants, answer a prefecture's request for documents; in French and in English."""

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers import instruction, selectors, services
from sejour.dossiers.choices import EventKind, Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from sejour.helpers.choices import MemberRole, Scope
from sejour.helpers.models import Mandate
from sejour.helpers.services import mandate_revoke
from sejour.helpers.tests.factories import MembershipFactory, OrganisationFactory, mandate_for
from sejour.notifications.models import Notification
from tests.browser.conftest import LANGUAGES, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _expiry() -> dt.date:
    """An expiry date that puts today inside the renewal window."""
    return clock.today() + dt.timedelta(days=90)


ANSWERS = {
    "permit_type": "cst-salarie",
    "employed": True,
    "married": False,
    "has_children": False,
    "hosted": False,
}


def _login(page, lang, email):
    """Log in; a helper then passes the second step with the code sent to their e-mail."""
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/compte/double-authentification/" in page.url:
        assert_accessible(page)
        page.locator("main form[action*='/code/'] button[type=submit]").first.click()
        page.wait_for_url("**/compte/double-authentification/**")
        assert_accessible(page)
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        page.locator("input[name=code]").fill(code)
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")


def _awaiting_documents(applicant) -> Dossier:
    """A renewal filed by `applicant`, for which the Paris prefecture asks a new document."""
    renewal = Procedure.objects.get(code="renewal")
    dossier = services.dossier_start(actor=applicant, procedure=renewal)
    dossier = services.dossier_answer(
        dossier=dossier,
        actor=applicant,
        postcode="75011",
        answers={**ANSWERS, "permit_expires_on": _expiry().isoformat()},
    )
    fill_documents(dossier, applicant)
    services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())
    agent = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    instruction.dossier_take(dossier=dossier, actor=agent)
    instruction.documents_request(
        dossier=dossier,
        actor=agent,
        items=[("proof-of-address", "outdated", "Votre facture date de 2025.")],
        deadline=clock.today() + dt.timedelta(days=30),
    )
    return dossier


def _prepare_and_file(page, lang, applicant, tmp_path) -> Dossier:
    """From the dashboard: start a renewal for `applicant`, answer, add every file, file it."""
    page.goto(f"/{lang}/demandes/accompagnees/")
    page.locator(f"main a[href$='/accompagnees/{applicant.pk}/nouvelle/']").click()
    page.wait_for_url(f"**/accompagnees/{applicant.pk}/nouvelle/")
    assert_accessible(page)
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
    dossier = Dossier.objects.filter(applicant=applicant).latest("created_at")
    for item in selectors.missing_items(dossier=dossier):
        path = tmp_path / f"{applicant.pk}-{item.code}.pdf"
        path.write_bytes(pdf_bytes(item.code))
        page.locator(f"#file-{item.code}").set_input_files(str(path))
        page.locator(f"#item-{item.code} form.sejour-upload button").click()
        page.wait_for_load_state()
    assert not selectors.missing_items(dossier=dossier)
    assert_accessible(page)
    page.goto(f"/{lang}/demandes/{dossier.number}/verifier/")
    assert_accessible(page)
    page.locator("main form[action$='/deposer/'] button").click()
    page.wait_for_url(f"**/{lang}/demandes/{dossier.number}/")
    assert_accessible(page)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    return dossier


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_helpers_day(page, lang, tmp_path):
    call_command("load_catalog", verbosity=0)
    organisation = OrganisationFactory(name="Cimade Paris")
    MembershipFactory(organisation=organisation, role=MemberRole.MANAGER)
    helper = MembershipFactory(
        organisation=organisation,
        user=UserFactory(role=Role.HELPER, email=f"helper-{lang}@example.org", language=lang),
    ).user
    amina = UserFactory(given_name="Amina", family_name="Diallo", language=lang)
    karim = UserFactory(given_name="Karim", family_name="Benali", language=lang)
    mandate_for(karim, organisation)
    sofia = UserFactory(given_name="Sofia", family_name="Haddad", language=lang)
    mandate_for(sofia, organisation)
    requested = _awaiting_documents(sofia)

    _login(page, lang, helper.email)
    page.goto(f"/{lang}/demandes/accompagnees/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(requested.number)

    # Amina is at the desk: she gives a mandate in person and reads out the code she receives.
    page.goto(f"/{lang}/aidants/organisation/{organisation.pk}/consentement/")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page)
    page.locator("input[name=identifier]").fill(amina.email)
    for scope in (Scope.PREPARE, Scope.SUBMIT, Scope.MESSAGE):
        page.locator(f"input[name=scopes][value={scope}]").check(force=True)
    page.locator("input[name=duration][value=six_months]").check(force=True)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/code/")
    assert_accessible(page)
    message = next(m for m in reversed(mail.outbox) if m.to == [amina.email])
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/{lang}/demandes/accompagnees/")
    assert_accessible(page)
    mandate = Mandate.objects.get(applicant=amina)
    assert mandate.consented_at is not None
    assert mandate.consent_sha256 in message.body or mandate.consent_text in message.body

    # Prepare and file for Amina and for Karim.
    filed = [_prepare_and_file(page, lang, person, tmp_path) for person in (amina, karim)]
    for dossier, person in zip(filed, (amina, karim), strict=True):
        submitted = dossier.events.get(kind=EventKind.SUBMITTED)
        assert (submitted.actor, submitted.on_behalf_of) == (helper, person)
        assert Notification.objects.filter(
            recipient=person, body__contains=helper.display_name
        ).exists()

    # Sofia's prefecture asked for a new proof of address: send it, then say so.
    page.goto(f"/{lang}/demandes/{requested.number}/pieces/")
    assert_accessible(page)
    path = tmp_path / "address.pdf"
    path.write_bytes(pdf_bytes("new proof of address"))
    page.locator("#file-proof-of-address").set_input_files(str(path))
    page.locator("#item-proof-of-address form.sejour-upload button").click()
    page.wait_for_load_state()
    page.goto(f"/{lang}/demandes/{requested.number}/")
    page.locator("form[action$='/pieces-envoyees/'] button").click()
    page.wait_for_url(f"**/{lang}/demandes/{requested.number}/")
    assert_accessible(page)
    requested.refresh_from_db()
    assert requested.status == Status.IN_REVIEW
    sent = requested.events.get(kind=EventKind.DOCUMENTS_SENT)
    assert (sent.actor, sent.on_behalf_of) == (helper, sofia)

    # Amina sees, in her own history, what the helper did for her, and by whom.
    page.context.clear_cookies()
    amina_page = page
    amina.set_password(PASSWORD)
    amina.save(update_fields=["password"])
    _login(amina_page, lang, amina.email)
    amina_page.goto(f"/{lang}/demandes/{filed[0].number}/")
    expect(amina_page.locator(".sejour-timeline")).to_contain_text("Cimade Paris")
    assert_accessible(amina_page)
    amina_page.goto(f"/{lang}/aidants/mes-mandats/")
    expect(amina_page.locator("main")).to_contain_text("Cimade Paris")
    assert_accessible(amina_page)


def _check(page, path):
    response = page.goto(path)
    assert response.status < 400, path
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_helper_and_mandate_page_is_accessible(page, lang):
    call_command("load_catalog", verbosity=0)
    organisation = OrganisationFactory(name="Cimade Paris")
    manager = MembershipFactory(
        organisation=organisation,
        role=MemberRole.MANAGER,
        user=UserFactory(role=Role.HELPER, email=f"manager-{lang}@example.org", language=lang),
    )
    applicant = UserFactory(email=f"applicant-{lang}@example.org", language=lang)
    mandate = mandate_for(applicant, organisation)
    _login(page, lang, manager.user.email)
    base = f"/{lang}/aidants/"
    for path in [
        f"/{lang}/demandes/accompagnees/",
        base,
        f"{base}organisation/demande/",
        f"{base}organisation/{organisation.pk}/",
        f"{base}organisation/{organisation.pk}/consentement/",
        f"{base}organisation/{organisation.pk}/ouvrir-un-compte/",
        f"/{lang}/demandes/accompagnees/{applicant.pk}/nouvelle/",
    ]:
        _check(page, path)
    # One applicant under mandate is said in the singular, in every language.
    page.goto(f"/{lang}/demandes/accompagnees/")
    with translation.override(lang):
        one = ngettext(
            "<strong>%(n)s</strong> applicant under mandate",
            "<strong>%(n)s</strong> applicants under mandate",
            1,
        ) % {"n": 1}
    expect(page.locator("main .sejour-counts")).to_contain_text(re.sub(r"<[^>]+>", "", one))
    # Opening an account prints the paper with the code.
    page.goto(f"{base}organisation/{organisation.pk}/ouvrir-un-compte/")
    page.locator("input[name=given_name]").fill("Amina")
    page.locator("input[name=family_name]").fill("Diallo")
    page.locator("input[name=day]").fill("4")
    page.locator("input[name=month]").fill("5")
    page.locator("input[name=year]").fill("1990")
    page.locator("input[name=scopes][value=prepare]").check(force=True)
    page.locator("input[name=duration][value=year]").check(force=True)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .sejour-code")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    _check(page, f"{base}reprendre-mon-compte/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page)
    _login(page, lang, applicant.email)
    for path in [
        f"{base}mes-mandats/",
        f"{base}mes-mandats/nouveau/",
        f"{base}mes-mandats/{mandate.pk}/retirer/",
        f"{base}mes-mandats/{mandate.pk}/renouveler/",
    ]:
        _check(page, path)
    # The button that ends a mandate says so (it once read "withdraw the application").
    page.goto(f"{base}mes-mandats/{mandate.pk}/retirer/")
    with translation.override(lang):
        words = gettext("End the mandate for what I ticked")
    expect(page.locator("main form button[type=submit]")).to_have_text(words)
    page.goto(f"{base}mes-mandats/nouveau/")
    page.locator("select[name=organisation]").select_option(str(organisation.pk))
    page.locator("input[name=scopes][value=message]").check(force=True)
    page.locator("input[name=duration][value=day]").check(force=True)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .sejour-consent")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_helper_whose_mandate_ended_is_told_so_and_nothing_more(page, lang):
    call_command("load_catalog", verbosity=0)
    organisation = OrganisationFactory(name="Cimade Paris")
    helper = MembershipFactory(
        organisation=organisation,
        user=UserFactory(role=Role.HELPER, email=f"ended-{lang}@example.org", language=lang),
    ).user
    sofia = UserFactory(given_name="Sofia", family_name="Haddad", language=lang)
    mandate = mandate_for(sofia, organisation)
    dossier = services.dossier_start(actor=sofia, procedure=Procedure.objects.get(code="renewal"))
    mandate_revoke(mandate=mandate, actor=sofia)

    _login(page, lang, helper.email)
    response = page.goto(f"/{lang}/demandes/{dossier.number}/")
    assert response.status == 403
    with translation.override(lang):
        ended = gettext("Your mandate has ended")
    expect(page.locator("h1")).to_have_text(ended)
    expect(page.locator("main")).not_to_contain_text("Sofia")
    expect(page.locator("main")).not_to_contain_text("Haddad")
    assert_accessible(page)
