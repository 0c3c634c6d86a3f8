"""Many clients at once: no seat is given twice, no dossier holds two bookings of a kind.

Each thread has its own database connection (a file database on SQLite, as in production),
and all start together at a barrier.
"""

import functools
import random
import threading

import pytest
from django.db import connections
from django.db.models import Count, Q

from sejour.appointments import services
from sejour.appointments.choices import ACTIVE, HOLDING, Kind, Status
from sejour.appointments.models import Booking, Slot
from sejour.appointments.tests.conftest import slot

DOSSIERS = 24
CLIENTS_PER_DOSSIER = 2  # the same person in two windows, or a double click


def _race(work: list) -> tuple[int, list[BaseException]]:
    start = threading.Barrier(len(work))
    done = []
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            start.wait()
            call()
            done.append(1)
        except services.SlotTaken:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_choices_never_overbook_nor_double_book(site, make_dossier):
    bookings = [
        Booking.objects.create(
            reference=f"RDV-RACE-{n:04d}",
            dossier=make_dossier(),
            kind=Kind.HAND_OVER,
            status=Status.WAITING,
        )
        for n in range(DOSSIERS)
    ]
    slots = [slot(site, 25, 9, capacity=2), slot(site, 25, 10, capacity=3), slot(site, 26, 9)]
    chooser = random.Random(8)
    picks = [
        (booking, chooser.choice(slots)) for booking in bookings for _ in range(CLIENTS_PER_DOSSIER)
    ]
    work = [
        functools.partial(
            services.booking_choose, booking=b, actor=b.dossier.applicant, slot_id=s.pk
        )
        for b, s in picks
    ]

    succeeded, errors = _race(work)

    assert errors == []
    held = dict(
        Slot.objects.annotate(
            holding=Count("bookings", filter=Q(bookings__status__in=sorted(HOLDING)))
        ).values_list("pk", "holding")
    )
    for each in Slot.objects.all():
        assert held[each.pk] == each.booked <= each.capacity
    assert sum(held.values()) == 6  # every seat given, once
    active = (
        Booking.objects.filter(status__in=sorted(ACTIVE))
        .values("dossier", "kind")
        .annotate(n=Count("pk"))
    )
    assert max(row["n"] for row in active) == 1
    assert succeeded >= 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_needs_of_one_dossier_make_one_booking(site, make_dossier):
    slot(site, 25, 9, capacity=5)
    dossier = make_dossier()
    work = [
        lambda: services.booking_need(dossier=dossier, kind=Kind.HAND_OVER, actor=None)
        for _ in range(6)
    ]
    _succeeded, errors = _race(work)
    # A request that lost the race on PostgreSQL is refused by the constraint, never doubled.
    assert all("booking_one_active_per_dossier_kind" in str(error) for error in errors)
    assert Booking.objects.filter(dossier=dossier).count() == 1
    assert Slot.objects.get().booked == 1
