"""A slot taken by someone else while the applicant chose it is no longer offered."""

import pytest
from django.db.models import F

from sejour.appointments import services
from sejour.appointments.choices import Kind
from sejour.appointments.models import Slot
from sejour.appointments.tests.conftest import slot

pytestmark = pytest.mark.django_db


def test_after_this_slot_was_just_taken_it_is_no_longer_offered(
    client, site, make_dossier, monkeypatch
):
    slot(site, 25, 9)
    kept = slot(site, 26, 10)
    taken = slot(site, 27, 11)
    booking = services.booking_need(dossier=make_dossier(), kind=Kind.HAND_OVER, actor=None)
    choose = services.booking_choose

    def taken_meanwhile(**kwargs):
        Slot.objects.filter(pk=kwargs["slot_id"]).update(booked=F("capacity"))
        return choose(**kwargs)

    monkeypatch.setattr(services, "booking_choose", taken_meanwhile)
    client.force_login(booking.dossier.applicant)
    response = client.post(f"/en/rendez-vous/{booking.reference}/choisir/", {"slot": taken.pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This slot was just taken. Choose another one below." in page
    assert f'value="{taken.pk}"' not in page
    assert f'value="{kept.pk}"' in page
