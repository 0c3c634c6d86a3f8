"""Who may do what with a booking and a site: dicts read by views, templates and services."""

import datetime as dt
from typing import Any

from django.conf import settings

from sejour.appointments.choices import Status
from sejour.appointments.models import Booking, Site
from sejour.core import clock
from sejour.dossiers import permissions as dossier_permissions
from sejour.helpers.choices import Scope


def change_limit() -> dt.timedelta:
    """How long before its start an appointment may still be changed or cancelled."""
    return dt.timedelta(hours=float(settings.SEJOUR_APPOINTMENT_CHANGE_LIMIT_HOURS))


def before_limit(booking: Booking, now: dt.datetime | None = None) -> bool:
    """Whether the appointment is still far enough ahead to be changed or cancelled."""
    if booking.slot is None:
        return True
    return (now or clock.now()) <= booking.slot.starts_at - change_limit()


def acts_for(user: Any, booking: Booking) -> bool:
    """The applicant, or a helper whose mandate covers appointments (checked on each call)."""
    return dossier_permissions.may(user, booking.dossier, Scope.APPOINTMENTS)


def site_in_scope(user: Any, site: Site) -> bool:
    """Prefecture staff see the counters of their prefectures (all, for national ones)."""
    if not (dossier_permissions.is_agent(user) or dossier_permissions.is_supervisor(user)):
        return False
    scope = dossier_permissions.prefecture_ids(user)
    return scope is None or site.prefecture_id in scope


def can_run_site(user: Any, site: Site) -> bool:
    """Agents of the prefecture open, close and make slots and receive people."""
    return dossier_permissions.is_agent(user) and site_in_scope(user, site)


def get_booking_abilities(user: Any, booking: Booking) -> dict[str, bool]:
    """The actions `user` may take on `booking`."""
    acting = bool(user.is_authenticated and user.is_active) and acts_for(user, booking)
    staff = booking.slot is not None and site_in_scope(user, booking.slot.site)
    early = before_limit(booking)
    status = booking.status
    placed = status in (Status.OFFERED, Status.CONFIRMED)
    return {
        "view": acting or staff,
        "confirm": acting and status == Status.OFFERED and early,
        "choose": acting and (status == Status.WAITING or (placed and early)),
        "cancel": acting and placed and early,
        "waitlist_join": acting and placed and early and booking.waitlist_since is None,
        "waitlist_leave": acting and booking.waitlist_since is not None and booking.is_active,
        "documents": (acting or staff) and status == Status.CONFIRMED,
        "check_in": staff
        and status in (Status.CONFIRMED, Status.OFFERED)
        and booking.slot is not None
        and can_run_site(user, booking.slot.site),
        "for_someone": acting and not dossier_permissions.is_owner(user, booking.dossier),
    }
