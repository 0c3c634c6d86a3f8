"""The prefecture's appointment pages: counters, slots, the day's list and check-in."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.appointments import selectors, services
from sejour.appointments.forms import BulkSlotsForm, CheckInForm, DayForm
from sejour.appointments.models import Site
from sejour.appointments.permissions import can_run_site, get_booking_abilities
from sejour.core import clock
from sejour.core.errors import DomainError
from sejour.dossiers import permissions as dossier_permissions
from sejour.dossiers import selectors as dossiers

WEEK = 7


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (dossier_permissions.is_agent(user) or dossier_permissions.is_supervisor(user)):
        raise PermissionDenied
    return user


@login_required
@never_cache
def sites(request: HttpRequest) -> HttpResponse:
    viewer = _staff(request)
    return render(
        request, "appointments/staff/sites.html", {"sites": selectors.sites_for(viewer=viewer)}
    )


def _calendar(request: HttpRequest, site: Site, form: BulkSlotsForm | None = None) -> HttpResponse:
    viewer = _staff(request)
    day_form = DayForm(request.GET or None)
    first = clock.today()
    if day_form.is_valid() and day_form.cleaned_data["day"]:
        first = day_form.cleaned_data["day"]
    slots = selectors.slots_of(viewer=viewer, site=site, first_day=first, days=WEEK)
    context = {
        "site": site,
        "slots": slots,
        "first": first,
        "previous": first - dt.timedelta(days=WEEK),
        "next": first + dt.timedelta(days=WEEK),
        "day_form": day_form,
        "form": form or BulkSlotsForm(initial={"first_day": first, "last_day": first}),
        "can_run": can_run_site(viewer, site),
    }
    status = 400 if (form is not None and form.errors) or day_form.errors else 200
    return render(request, "appointments/staff/calendar.html", context, status=status)


@login_required
@never_cache
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_get_for(viewer=_staff(request), pk=pk)
    return _calendar(request, site)


@login_required
@require_POST
def slots_create(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _staff(request)
    site = selectors.site_get_for(viewer=viewer, pk=pk)
    form = BulkSlotsForm(request.POST)
    if form.is_valid():
        try:
            count = services.slots_bulk_create(
                site=site,
                kind=form.cleaned_data["kind"],
                first_day=form.cleaned_data["first_day"],
                last_day=form.cleaned_data["last_day"],
                actor=viewer,
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Slots made: %(count)d.") % {"count": count})
            return redirect(
                f"{request.path.rsplit('creneaux/', 1)[0]}?day={form.cleaned_data['first_day']}"
            )
    return _calendar(request, site, form)


@login_required
@require_POST
def slot_toggle(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Close a slot (its bookings get another proposal) or open it again."""
    viewer = _staff(request)
    slot = selectors.slot_get_for(viewer=viewer, pk=pk)
    try:
        if action == "fermer":
            moved = services.slot_close(slot=slot, actor=viewer)
            messages.success(
                request,
                _("Slot closed. People offered another date: %(count)d.") % {"count": moved},
            )
        else:
            services.slot_open(slot=slot, actor=viewer)
            messages.success(request, _("Slot open again."))
    except DomainError as error:
        messages.error(request, str(error.message))
    day = clock.paris_date(slot.starts_at)
    return redirect(f"/{request.LANGUAGE_CODE}/instruction/rendez-vous/{slot.site_id}/?day={day}")


@login_required
@never_cache
def day(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _staff(request)
    site = selectors.site_get_for(viewer=viewer, pk=pk)
    form = DayForm(request.GET or None)
    chosen = clock.today()
    if form.is_valid() and form.cleaned_data["day"]:
        chosen = form.cleaned_data["day"]
    bookings = selectors.day_list(viewer=viewer, site=site, day=chosen)
    return render(
        request,
        "appointments/staff/day.html",
        {"site": site, "day": chosen, "bookings": bookings, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
def check_in(request: HttpRequest) -> HttpResponse:
    """The counter scans the QR code (or types the reference) and records the arrival."""
    viewer = _staff(request)
    token = request.GET.get("token", "")
    form = CheckInForm(request.POST or None, initial={"code": token})
    booking = None
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_from_code(form.cleaned_data["code"])
            if not get_booking_abilities(viewer, booking)["view"]:
                raise services.UnknownConvocation()
            booking = services.booking_check_in(booking=booking, actor=viewer)
        except DomainError as error:
            form.add_error("code", str(error.message))
            booking = None
        else:
            messages.success(
                request,
                _("%(name)s is checked in.") % {"name": booking.dossier.applicant.display_name},
            )
            return redirect(
                f"/{request.LANGUAGE_CODE}/instruction/rendez-vous/"
                f"{booking.slot.site_id if booking.slot else ''}/jour/"
                f"?day={clock.today().isoformat()}"
            )
    status = 400 if form.errors else 200
    return render(request, "appointments/staff/check_in.html", {"form": form}, status=status)


@login_required
@require_POST
def convoke(request: HttpRequest, number: str) -> HttpResponse:
    """An agent convokes the person of a dossier (a filing at the counter, information)."""
    viewer = _staff(request)
    dossier = dossiers.staff_dossier_get(viewer=viewer, number=number)
    try:
        booking = services.booking_need(
            dossier=dossier, kind=request.POST.get("kind", ""), actor=viewer
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Convocation %(reference)s sent.") % {"reference": booking.reference}
        )
    return redirect("backoffice:review", number=dossier.number)
