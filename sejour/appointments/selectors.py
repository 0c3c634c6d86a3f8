"""Reads of appointments, always through the person who reads."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sejour.appointments.choices import ACTIVE, OfferStatus, Status
from sejour.appointments.models import Booking, Offer, Site, Slot
from sejour.appointments.permissions import get_booking_abilities, site_in_scope
from sejour.appointments.services import fitting_slots
from sejour.core import clock
from sejour.dossiers import permissions as dossier_permissions
from sejour.helpers import selectors as helpers
from sejour.helpers.choices import Scope

# How many other slots an applicant is offered to choose from.
CHOICES = 8


def bookings_of(*, viewer: Any) -> QuerySet[Booking]:
    """The appointments of the viewer's dossiers, and of those a mandate lets them book."""
    if not viewer.is_authenticated:
        return Booking.objects.none()
    condition = Q(dossier__applicant=viewer)
    if dossier_permissions.is_helper(viewer):
        condition |= Q(
            dossier__applicant_id__in=helpers.mandated_applicant_ids(
                helper=viewer, scope=Scope.APPOINTMENTS
            )
        )
    return (
        Booking.objects.filter(condition)
        .select_related("dossier__applicant", "dossier__procedure", "slot__site")
        .order_by("-created_at", "-pk")
    )


def booking_get_for(*, viewer: Any, reference: str) -> Booking:
    """One booking `viewer` may see; 404 otherwise, telling nothing of others."""
    booking = (
        Booking.objects.select_related(
            "dossier__applicant", "dossier__procedure", "dossier__prefecture", "slot__site"
        )
        .filter(reference=reference.strip().upper())
        .first()
    )
    if booking is None or not get_booking_abilities(viewer, booking)["view"]:
        raise Http404
    return booking


def bookings_of_dossier(*, viewer: Any, dossier: Any) -> list[Booking]:
    """A dossier's active appointments, for its page."""
    bookings = (
        Booking.objects.filter(dossier=dossier, status__in=ACTIVE)
        .select_related("dossier__applicant", "slot__site")
        .order_by("created_at")
    )
    return [b for b in bookings if get_booking_abilities(viewer, b)["view"]]


def choices_for(*, booking: Booking) -> list[Slot]:
    """The next free slots the applicant may take instead, earliest first."""
    if not booking.is_active:
        return []
    exclude = [booking.slot_id] if booking.slot_id else []
    return list(
        fitting_slots(
            kind=booking.kind,
            prefecture_id=booking.dossier.prefecture_id,
            now=clock.now(),
            exclude=exclude,
        )[:CHOICES]
    )


def open_offer(*, booking: Booking) -> Offer | None:
    """The freed slot offered to this booking from the waiting list, if one is open."""
    return (
        Offer.objects.filter(booking=booking, status=OfferStatus.OPEN, expires_at__gt=clock.now())
        .select_related("slot__site")
        .first()
    )


def offer_get_for(*, viewer: Any, booking: Booking, pk: int) -> Offer:
    offer = Offer.objects.filter(booking=booking, pk=pk).select_related("slot__site").first()
    if offer is None or not get_booking_abilities(viewer, booking)["view"]:
        raise Http404
    return offer


def waitlist_position(*, booking: Booking) -> int | None:
    """Where the booking stands on the waiting list of its prefecture and kind (1 = next)."""
    if booking.waitlist_since is None or booking.slot is None:
        return None
    ahead = Booking.objects.filter(
        kind=booking.kind,
        status__in=(Status.OFFERED, Status.CONFIRMED),
        slot__site__prefecture_id=booking.slot.site.prefecture_id,
        waitlist_since__lt=booking.waitlist_since,
    ).count()
    return ahead + 1


def sites_for(*, viewer: Any) -> QuerySet[Site]:
    """The counters of the prefectures a staff member works for."""
    if not (dossier_permissions.is_agent(viewer) or dossier_permissions.is_supervisor(viewer)):
        return Site.objects.none()
    sites = Site.objects.select_related("prefecture").order_by("prefecture__name", "name")
    scope = dossier_permissions.prefecture_ids(viewer)
    return sites if scope is None else sites.filter(prefecture_id__in=scope)


def site_get_for(*, viewer: Any, pk: int) -> Site:
    site = Site.objects.select_related("prefecture").filter(pk=pk).first()
    if site is None or not site_in_scope(viewer, site):
        raise Http404
    return site


def slot_get_for(*, viewer: Any, pk: int) -> Slot:
    slot = Slot.objects.select_related("site").filter(pk=pk).first()
    if slot is None or not site_in_scope(viewer, slot.site):
        raise Http404
    return slot


def slots_of(*, viewer: Any, site: Site, first_day: dt.date, days: int) -> QuerySet[Slot]:
    """A site's slots from `first_day`, for `days` days."""
    if not site_in_scope(viewer, site):
        return Slot.objects.none()
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=clock.PARIS)
    return Slot.objects.filter(
        site=site, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=days)
    ).order_by("starts_at", "kind", "pk")


def day_list(*, viewer: Any, site: Site, day: dt.date) -> QuerySet[Booking]:
    """The people expected at a site on a day, by time, and those already received."""
    if not site_in_scope(viewer, site):
        return Booking.objects.none()
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.PARIS)
    return (
        Booking.objects.filter(
            slot__site=site,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + dt.timedelta(days=1),
            status__in=(Status.OFFERED, Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW),
        )
        .select_related("dossier__applicant", "slot")
        .order_by("slot__starts_at", "pk")
    )
