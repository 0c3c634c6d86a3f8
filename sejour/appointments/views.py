"""Appointment pages of the applicant (and of a helper under a mandate that covers them)."""

from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.appointments import documents, selectors, services, throttle
from sejour.appointments.forms import ChooseForm
from sejour.appointments.models import Booking, Slot
from sejour.appointments.permissions import change_limit, get_booking_abilities
from sejour.core.errors import DomainError


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def slot_label(slot: Slot) -> str:
    starts = timezone.localtime(slot.starts_at)
    return _("%(day)s at %(time)s — %(site)s") % {
        "day": starts.strftime("%d/%m/%Y"),
        "time": starts.strftime("%H:%M"),
        "site": slot.site.name,
    }


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "appointments/too_many.html", status=429)


@login_required
@never_cache
def my_appointments(request: HttpRequest) -> HttpResponse:
    bookings = selectors.bookings_of(viewer=_user(request))[:100]
    return render(request, "appointments/list.html", {"bookings": bookings})


def _detail(
    request: HttpRequest,
    booking: Booking,
    form: ChooseForm | None = None,
    choices: list[Slot] | None = None,
) -> HttpResponse:
    viewer = _user(request)
    if choices is None:
        choices = selectors.choices_for(booking=booking)
    if form is None:
        form = ChooseForm(slots=[(slot.pk, slot_label(slot)) for slot in choices])
    context = {
        "booking": booking,
        "can": get_booking_abilities(viewer, booking),
        "form": form,
        "offer": selectors.open_offer(booking=booking),
        "position": selectors.waitlist_position(booking=booking),
        "limit_hours": f"{change_limit().total_seconds() / 3600:g}",
    }
    return render(request, "appointments/detail.html", context, status=400 if form.errors else 200)


@login_required
@never_cache
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    booking = selectors.booking_get_for(viewer=_user(request), reference=reference)
    return _detail(request, booking)


def _throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count the request per account and per address; past the limit, a page that says so."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not throttle.allow(user_id=_user(request).pk, address=get_client_ip_address(request)):
            return too_many(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


DONE = {
    "confirm": lambda: _("Your appointment is confirmed."),
    "cancel": lambda: _("Your appointment is cancelled. The slot goes to someone else."),
    "waitlist_join": lambda: _(
        "You are on the waiting list. If an earlier slot is freed, we will offer it to you."
    ),
    "waitlist_leave": lambda: _("You left the waiting list. Your appointment stays as it is."),
    "renew": lambda: _("You asked for a new appointment."),
}
SERVICES = {
    "confirm": services.booking_confirm,
    "cancel": services.booking_cancel,
    "waitlist_join": services.waitlist_join,
    "waitlist_leave": services.waitlist_leave,
    "renew": services.booking_renew,
}


@login_required
@require_POST
@_throttled
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Confirm, cancel, join or leave the waiting list, ask again."""
    viewer = _user(request)
    booking = selectors.booking_get_for(viewer=viewer, reference=reference)
    if action not in SERVICES:
        raise Http404
    try:
        result = SERVICES[action](booking=booking, actor=viewer)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("appointments:detail", reference=booking.reference)
    messages.success(request, DONE[action]())
    return redirect("appointments:detail", reference=result.reference)


@login_required
@require_POST
@_throttled
def choose(request: HttpRequest, reference: str) -> HttpResponse:
    """Take another of the slots offered; a slot taken meanwhile brings the list back."""
    viewer = _user(request)
    booking = selectors.booking_get_for(viewer=viewer, reference=reference)
    choices = selectors.choices_for(booking=booking)
    form = ChooseForm(request.POST, slots=[(slot.pk, slot_label(slot)) for slot in choices])
    if form.is_valid():
        try:
            services.booking_choose(
                booking=booking, actor=viewer, slot_id=form.cleaned_data["slot"]
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your appointment is confirmed on the new date."))
            return redirect("appointments:detail", reference=booking.reference)
        # The booking and the free slots may have changed meanwhile: show them as they are now,
        # without the slot just taken.
        booking = selectors.booking_get_for(viewer=viewer, reference=reference)
        choices = selectors.choices_for(booking=booking)
        form.fields["slot"].choices = [(slot.pk, slot_label(slot)) for slot in choices]
    return _detail(request, booking, form, choices)


@login_required
@require_POST
@_throttled
def offer_answer(request: HttpRequest, reference: str, pk: int, answer: str) -> HttpResponse:
    """Take or decline the earlier slot offered from the waiting list."""
    viewer = _user(request)
    booking = selectors.booking_get_for(viewer=viewer, reference=reference)
    offer = selectors.offer_get_for(viewer=viewer, booking=booking, pk=pk)
    try:
        if answer == "accepter":
            services.offer_accept(offer=offer, actor=viewer)
            messages.success(request, _("Your appointment is moved to the earlier date."))
        elif answer == "refuser":
            services.offer_decline(offer=offer, actor=viewer)
            messages.success(request, _("You keep your date. The slot goes to someone else."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("appointments:detail", reference=booking.reference)


def _document(request: HttpRequest, reference: str) -> Booking:
    booking = selectors.booking_get_for(viewer=_user(request), reference=reference)
    if not get_booking_abilities(_user(request), booking)["documents"]:
        raise Http404
    return booking


@login_required
def calendar_file(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _document(request, reference)
    response = HttpResponse(
        documents.ics(booking, language=get_language() or "fr"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{booking.reference}.ics"'
    return response


@login_required
def convocation(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _document(request, reference)
    response = HttpResponse(
        documents.convocation_pdf(booking, language=get_language() or "fr"),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="convocation-{booking.reference}.pdf"'
    return response
