"""Pages of appointments: wiring, permissions, mistakes, files and the rate limit."""

import datetime as dt

import pytest
from django.core.cache import cache

from sejour.accounts.tests.factories import UserFactory
from sejour.appointments import services
from sejour.appointments.choices import Kind, Status
from sejour.appointments.models import Booking
from sejour.appointments.tests.conftest import at, slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offered(site, make_dossier):
    slot(site, 25, 9)
    slot(site, 26, 10)
    dossier = make_dossier()
    return services.booking_need(dossier=dossier, kind=Kind.HAND_OVER, actor=None)


def test_the_applicant_sees_and_confirms_the_proposal(client, offered):
    client.force_login(offered.dossier.applicant)
    page = client.get(f"/fr/rendez-vous/{offered.reference}/")
    assert page.status_code == 200
    assert "Confirmer ce rendez-vous" in page.content.decode()
    listing = client.get("/fr/rendez-vous/")
    assert offered.reference in listing.content.decode()
    response = client.post(f"/fr/rendez-vous/{offered.reference}/confirm/")
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.CONFIRMED


def test_someone_else_gets_a_404(client, offered):
    client.force_login(UserFactory())
    assert client.get(f"/fr/rendez-vous/{offered.reference}/").status_code == 404
    assert client.post(f"/fr/rendez-vous/{offered.reference}/cancel/").status_code == 404


def test_a_slot_no_longer_offered_comes_back_with_a_message(client, offered):
    client.force_login(offered.dossier.applicant)
    response = client.post(f"/fr/rendez-vous/{offered.reference}/choisir/", {"slot": "999999"})
    assert response.status_code == 400
    assert "plus proposée" in response.content.decode()
    response = client.post(f"/fr/rendez-vous/{offered.reference}/choisir/", {"slot": "abc"})
    assert response.status_code == 400


def test_too_late_to_cancel_says_so(client, offered, travel):
    services.booking_confirm(booking=offered, actor=offered.dossier.applicant)
    travel.move_to(at(25, 7))
    client.force_login(offered.dossier.applicant)
    page = client.get(f"/fr/rendez-vous/{offered.reference}/")
    assert "trop tard" in page.content.decode()
    response = client.post(f"/fr/rendez-vous/{offered.reference}/cancel/", follow=True)
    assert "trop tard" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == Status.CONFIRMED


def test_booking_requests_are_limited_per_account(client, offered, settings):
    settings.SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT = 3
    client.force_login(offered.dossier.applicant)
    url = f"/ar/rendez-vous/{offered.reference}/waitlist_join/"
    statuses = [client.post(url).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    page = client.post(url)
    assert page.status_code == 429
    assert 'dir="rtl"' in page.content.decode()
    assert "طلبات" in page.content.decode()


def test_booking_requests_are_limited_per_address(client, site, make_dossier, settings):
    settings.SEJOUR_APPOINTMENT_RATE_PER_ADDRESS = 2
    slot(site, 25, 9, capacity=5)
    bookings = [
        services.booking_need(dossier=make_dossier(), kind=Kind.HAND_OVER, actor=None)
        for _ in range(3)
    ]
    statuses = []
    for booking in bookings:
        client.force_login(booking.dossier.applicant)
        statuses.append(client.post(f"/fr/rendez-vous/{booking.reference}/confirm/").status_code)
    assert statuses == [302, 302, 429]
    assert Booking.objects.filter(status=Status.CONFIRMED).count() == 2


def test_calendar_file_and_convocation(client, offered):
    client.force_login(offered.dossier.applicant)
    assert client.get(f"/fr/rendez-vous/{offered.reference}/convocation.pdf").status_code == 404
    services.booking_confirm(booking=offered, actor=offered.dossier.applicant)
    ics = client.get(f"/fr/rendez-vous/{offered.reference}/rendez-vous.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert "DTSTART:20261125T080000Z" in text  # 9:00 in Paris
    assert f"UID:{offered.reference}@" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    pdf = client.get(f"/ar/rendez-vous/{offered.reference}/convocation.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_agents_pages_and_check_in(client, offered, agent, as_user, travel):
    services.booking_confirm(booking=offered, actor=offered.dossier.applicant)
    site = offered.slot.site
    as_user(agent)
    assert client.get("/fr/instruction/rendez-vous/").status_code == 200
    assert client.get(f"/fr/instruction/rendez-vous/{site.pk}/?day=2026-11-25").status_code == 200
    day = client.get(f"/fr/instruction/rendez-vous/{site.pk}/jour/?day=2026-11-25")
    assert offered.reference in day.content.decode()
    bad = client.get(f"/fr/instruction/rendez-vous/{site.pk}/jour/?day=31/02/2026")
    assert bad.status_code == 400
    token = services.check_in_token(offered)
    form = client.get(f"/fr/instruction/rendez-vous/accueil/?token={token}")
    assert token in form.content.decode()
    travel.move_to(at(25, 8, 50))
    as_user(agent)  # the session of two days ago has ended
    response = client.post("/fr/instruction/rendez-vous/accueil/", {"code": token})
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.ATTENDED
    unknown = client.post("/fr/instruction/rendez-vous/accueil/", {"code": "RDV-0000-0000"})
    assert unknown.status_code == 400


def test_agents_make_and_close_slots_from_their_pages(client, site, agent, as_user):
    as_user(agent)
    response = client.post(
        f"/fr/instruction/rendez-vous/{site.pk}/creneaux/",
        {"kind": Kind.HAND_OVER, "first_day": "2026-11-25", "last_day": "2026-11-24"},
    )
    assert response.status_code == 400
    assert "après le premier" in response.content.decode()
    response = client.post(
        f"/fr/instruction/rendez-vous/{site.pk}/creneaux/",
        {"kind": Kind.HAND_OVER, "first_day": "25/11/2026", "last_day": "25/11/2026"},
    )
    assert response.status_code == 302
    first = site.slots.order_by("starts_at").first()
    client.post(f"/fr/instruction/rendez-vous/creneau/{first.pk}/fermer/")
    first.refresh_from_db()
    assert first.closed


def test_applicants_and_other_prefectures_cannot_open_the_agents_pages(
    client, site, marseille_agent, as_user, applicant
):
    client.force_login(applicant)
    assert client.get("/fr/instruction/rendez-vous/").status_code == 403
    as_user(marseille_agent)
    assert client.get(f"/fr/instruction/rendez-vous/{site.pk}/").status_code == 404
    assert site.slots.count() == 0
    assert dt.date(2026, 11, 25)


def test_an_agent_convokes_from_the_dossier_page(client, site, agent, as_user, make_dossier):
    slot(site, 25, 9, kind=Kind.BIOMETRICS)
    dossier = make_dossier(status="in_review")
    as_user(agent)
    review = client.get(f"/fr/instruction/{dossier.number}/")
    assert "Convoquer la personne" in review.content.decode()
    client.post(f"/fr/instruction/rendez-vous/convoquer/{dossier.number}/", {"kind": "filing"})
    assert not Booking.objects.exists()  # the counter offers no filing: said, not done
    response = client.post(
        f"/fr/instruction/rendez-vous/convoquer/{dossier.number}/", {"kind": Kind.BIOMETRICS}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == Status.OFFERED
    assert booking.reference in client.get(f"/fr/instruction/{dossier.number}/").content.decode()
