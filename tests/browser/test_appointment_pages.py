"""Appointments in Chromium: the applicant's convocation, confirmed then moved to another date;
the counter's pages and a check-in by the convocation's reference; axe-core on every page."""

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from sejour.accounts.tests.factories import UserFactory
from sejour.appointments import services
from sejour.appointments.choices import Kind, Status
from sejour.appointments.models import Booking, OpeningHours, Site, SiteKind, Slot
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers.models import Dossier
from tests.browser.conftest import assert_accessible
from tests.browser.test_backoffice_pages import _agent, _staff_login
from tests.browser.test_support_pages import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _approved(applicant, paris):
    return Dossier.objects.create(
        number=f"B{uuid.uuid4().hex[:10].upper()}",
        applicant=applicant,
        procedure=Procedure.objects.get(code="renewal"),
        prefecture=paris,
        status="approved",
    )


def _slot(site, starts, *, capacity=1):
    return Slot.objects.create(
        site=site,
        kind=Kind.HAND_OVER,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=20),
        capacity=capacity,
    )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_convocation_reschedule_and_check_in(page, browser, live_server, settings, lang):
    call_command("load_catalog", verbosity=0)
    paris = Prefecture.objects.get(departement_code="75")
    site = Site.objects.create(prefecture=paris, name="Cité", address="1 rue de Lutèce, Paris")
    for weekday in range(7):
        OpeningHours.objects.create(
            site=site, weekday=weekday, opens=dt.time(9), closes=dt.time(11)
        )
    SiteKind.objects.create(site=site, kind=Kind.HAND_OVER, duration_minutes=20, counters=1)
    base = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    first = _slot(site, base + dt.timedelta(days=2))
    second = _slot(site, base + dt.timedelta(days=3))
    applicant = UserFactory(email=f"karim-{lang}@example.org", language=lang)
    booking = services.booking_need(
        dossier=_approved(applicant, paris), kind=Kind.HAND_OVER, actor=None
    )
    assert booking.slot == first

    # The applicant finds the proposal, confirms it, then takes another date.
    _login(page, lang, applicant)
    page.goto(f"/{lang}/rendez-vous/")
    assert_accessible(page)
    page.locator(f"a[href='/{lang}/rendez-vous/{booking.reference}/']").click()
    page.wait_for_url(f"**/rendez-vous/{booking.reference}/")
    assert_accessible(page)
    page.locator("form[action$='/confirm/'] button").click()
    page.wait_for_selector(".fr-alert--success, .fr-notice, .messages, [role=status]", timeout=5000)
    assert_accessible(page)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert page.locator(f"a[href$='/{booking.reference}/convocation.pdf']").count() == 1
    page.locator("form[action$='/choisir/'] button").click()  # nothing chosen
    assert_accessible(page)
    page.locator(f"input[name=slot][value='{second.pk}']").check(force=True)
    page.locator("form[action$='/choisir/'] button").click()
    page.wait_for_url(f"**/rendez-vous/{booking.reference}/")
    assert_accessible(page)
    booking.refresh_from_db()
    assert (booking.slot_id, booking.status) == (second.pk, Status.CONFIRMED)
    settings.SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT = 0
    page.locator("form[action$='/waitlist_join/'] button").click()
    page.wait_for_load_state("load")
    assert_accessible(page)  # the page that says to wait, in the person's language
    assert (
        page.locator("h1").inner_text() == {"fr": "Trop de demandes", "ar": "طلبات كثيرة جدًا"}[lang]
    )
    booking.refresh_from_db()
    assert booking.waitlist_since is None
    settings.SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT = 20

    # Someone expected now at the counter: the agent finds the day's list and checks them in.
    now = clock.now()
    today = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0, second=0))
    current = _slot(site, today)
    visitor = UserFactory(email=f"visitor-{lang}@example.org")
    expected = Booking.objects.create(
        reference=f"RDV-{uuid.uuid4().hex[:4].upper()}-TEST",
        dossier=_approved(visitor, paris),
        kind=Kind.HAND_OVER,
        status=Status.CONFIRMED,
        slot=current,
    )
    Slot.objects.filter(pk=current.pk).update(booked=1)
    counter = browser.new_context(base_url=live_server.url).new_page()
    agent, device = _agent()
    _staff_login(counter, lang, agent, device)
    counter.wait_for_url(f"**/{lang}/tableau-de-bord/")
    counter.goto(f"/{lang}/instruction/rendez-vous/")
    assert_accessible(counter)
    counter.locator(f"a[href='/{lang}/instruction/rendez-vous/{site.pk}/']").click()
    counter.wait_for_url(f"**/rendez-vous/{site.pk}/")
    assert_accessible(counter)
    counter.locator("form[action$='/creneaux/'] button").click()  # no kind chosen
    assert_accessible(counter)
    counter.goto(f"/{lang}/instruction/rendez-vous/{site.pk}/jour/")
    assert expected.reference in counter.content()
    assert_accessible(counter)
    counter.goto(f"/{lang}/instruction/rendez-vous/accueil/")
    assert_accessible(counter)
    counter.locator("input[name=code]").fill("RDV-0000-0000")
    counter.locator("main form button[type=submit]").click()
    counter.wait_for_selector("#form-errors")
    assert_accessible(counter)
    counter.locator("input[name=code]").fill(expected.reference)
    counter.locator("main form button[type=submit]").click()
    counter.wait_for_url(f"**/rendez-vous/{site.pk}/jour/**")
    assert_accessible(counter)
    expected.refresh_from_db()
    assert (expected.status, expected.checked_in_by) == (Status.ATTENDED, agent)
