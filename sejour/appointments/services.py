"""Writes of appointments: convocations proposed by the system, confirmation, change and
cancellation, the waiting list, check-in, the agents' slots, and the sweeps.

A seat is taken by one conditional UPDATE (`booked < capacity`), in the transaction of the
booking it is held for; the database is the only judge, on SQLite and PostgreSQL alike. A
booking's row is locked before it changes, so two requests for one dossier run in turn; the
partial unique constraint on (dossier, kind) refuses a second active booking whatever happens.
"""

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.appointments.choices import ACTIVE, Kind, OfferStatus, Status
from sejour.appointments.models import Booking, Closure, Offer, Site, SiteKind, Slot
from sejour.appointments.permissions import (
    acts_for,
    before_limit,
    can_run_site,
    get_booking_abilities,
)
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed, ensure
from sejour.dossiers import services as dossier_services
from sejour.dossiers import steps
from sejour.dossiers.choices import EventKind
from sejour.dossiers.models import Dossier
from sejour.dossiers.permissions import can_instruct
from sejour.notifications import services as notifications

CHECK_IN_SALT = "sejour.appointments.check-in"
P = ParamSpec("P")
R = TypeVar("R")
# Slots an agent may make at once, and how far ahead.
BULK_MAX_DAYS = 92
# A sweep handles at most this many rows per transaction.
SWEEP_BATCH = 200


class SlotTaken(DomainError):
    default_message = _("This slot was just taken. Choose another one below.")


class TooLate(DomainError):
    default_message = _(
        "It is too late to change or cancel this appointment online. Contact the prefecture."
    )


class UnknownConvocation(DomainError):
    default_message = _("No appointment matches this code. Check it and try again.")


class OldConvocation(DomainError):
    default_message = _(
        "This convocation was replaced by a newer one (the appointment was changed). "
        "Ask the person for the latest one, or type the reference."
    )


def _atomic(service: Callable[P, R]) -> Callable[P, R]:
    """One transaction, its journal entries written together at its end: the journal's lock
    (PostgreSQL) is then taken after every row lock, never before one, so two bookings that
    meet on a slot cannot deadlock on it."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), audit.deferred():
            return service(*args, **kwargs)

    return run


# --- Seats --------------------------------------------------------------------------------


def notice() -> dt.timedelta:
    return dt.timedelta(hours=settings.SEJOUR_APPOINTMENT_NOTICE_HOURS)


def _take_seat(slot_id: int, *, now: dt.datetime) -> bool:
    """Hold one seat of a slot if one is free; the database decides, in one statement."""
    taken = Slot.objects.filter(
        pk=slot_id, closed=False, booked__lt=F("capacity"), starts_at__gt=now
    ).update(booked=F("booked") + 1)
    return taken == 1


def _lock_in_order(*slot_ids: int | None) -> None:
    """Lock the slots a move touches, in one order, so two moves in opposite directions
    wait for each other instead of deadlocking (PostgreSQL)."""
    ids = sorted({pk for pk in slot_ids if pk is not None})
    if len(ids) > 1:
        list(Slot.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _release_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def fitting_slots(
    *, kind: str, prefecture_id: int | None, now: dt.datetime, exclude: Iterable[int] = ()
) -> QuerySet[Slot]:
    """Free slots of `kind` at the counters of the prefecture, earliest first."""
    if prefecture_id is None:
        return Slot.objects.none()
    slots = Slot.objects.free().filter(
        kind=kind,
        starts_at__gte=now + notice(),
        site__active=True,
        site__prefecture_id=prefecture_id,
    )
    excluded = list(exclude)
    if excluded:
        slots = slots.exclude(pk__in=excluded)
    return slots.select_related("site").order_by("starts_at", "pk")


def _new_reference() -> str:
    for _attempt in range(5):
        body = "".join(secrets.choice(dossier_services.NUMBER_ALPHABET) for _ in range(8))
        reference = f"RDV-{body[:4]}-{body[4:]}"
        if not Booking.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no free booking reference after 5 draws")


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("dossier__applicant", "slot__site")
        .get(pk=booking.pk)
    )


# --- Telling people ---------------------------------------------------------------------------


def _url(booking: Booking) -> str:
    return f"/{booking.dossier.applicant.language}/rendez-vous/{booking.reference}/"


def _tell(booking: Booking, template: str, **context: Any) -> None:
    slot = booking.slot
    notifications.notify(
        recipient=booking.dossier.applicant,
        template=f"appointments/messages/{template}",
        context={
            "reference": booking.reference,
            "number": booking.dossier.number,
            "kind": Kind(booking.kind).label,
            "starts_at": slot.starts_at if slot else None,
            "site": slot.site.name if slot else "",
            "address": slot.site.address if slot else "",
            "confirm_by": booking.offer_expires_at,
            **context,
        },
        url=_url(booking),
    )


def _record(actor: User | None, action: str, booking: Booking, **data: Any) -> None:
    """The journal entry, saying for whom a helper acted, and the line of the dossier's
    timeline (the kind's name kept untranslated, shown in the reader's language)."""
    applicant = booking.dossier.applicant
    audit.record(
        actor=actor,
        action=action,
        target=booking,
        on_behalf_of=applicant if actor is not None and actor.pk != applicant.pk else None,
        data={"dossier": booking.dossier.number, "kind": booking.kind, **data},
    )
    slot = booking.slot
    with translation.override(None):
        kind_label = str(Kind(booking.kind).label)
    dossier_services.timeline_add(
        dossier=booking.dossier,
        kind=EventKind.APPOINTMENT,
        actor=actor,
        data={
            "step": action.removeprefix("appointment."),
            "booking": booking.reference,
            "kind": booking.kind,
            "kind_label": kind_label,
            "starts_at": slot.starts_at.isoformat() if slot else None,
            "site": slot.site.name if slot else "",
        },
    )


# --- Convocations -----------------------------------------------------------------------------


def _propose(
    booking: Booking, *, now: dt.datetime, exclude: Sequence[int] = (), only: Slot | None = None
) -> bool:
    """Hold the earliest fitting seat (or a seat of `only`) for a waiting booking, and tell
    the applicant."""
    candidates = (
        [only]
        if only is not None
        else fitting_slots(
            kind=booking.kind,
            prefecture_id=booking.dossier.prefecture_id,
            now=now,
            exclude=exclude,
        )[:20]
    )
    for slot in candidates:
        if _take_seat(slot.pk, now=now):
            booking.slot = slot
            booking.status = Status.OFFERED
            booking.offer_expires_at = min(
                now + dt.timedelta(hours=settings.SEJOUR_APPOINTMENT_CONFIRM_HOURS),
                slot.starts_at - dt.timedelta(hours=1),
            )
            booking.revision += 1
            booking.save(update_fields=["slot", "status", "offer_expires_at", "revision"])
            _tell(booking, "proposed")
            return True
    return False


def needed_kinds(dossier: Dossier, step: str) -> list[str]:
    """The appointments a dossier calls for at `step`."""
    if step == steps.SUBMITTED:
        procedures = settings.SEJOUR_APPOINTMENT_BIOMETRICS_PROCEDURES
        return [Kind.BIOMETRICS] if dossier.procedure.kind in procedures else []
    if step == steps.APPROVED:
        return [Kind.HAND_OVER]
    return []


def _need(dossier: Dossier, kind: str, *, actor: User | None, now: dt.datetime) -> Booking:
    existing = Booking.objects.filter(dossier=dossier, kind=kind, status__in=ACTIVE).first()
    if existing is not None:
        return existing
    booking = Booking.objects.create(
        reference=_new_reference(),
        dossier=dossier,
        kind=kind,
        status=Status.WAITING,
        created_at=now,
    )
    if not _propose(booking, now=now):
        _tell(booking, "waiting")
    _record(actor, "appointment.needed", booking, slot=booking.slot_id)
    return booking


@_atomic
def booking_need(*, dossier: Dossier, kind: str, actor: User | None) -> Booking:
    """The dossier needs an appointment of `kind`: propose the earliest fitting slot at once.

    Called when a dossier reaches a step that calls for one, and by agents who convoke a
    person; a dossier already holding an active booking of that kind keeps it.
    """
    ensure(kind in Kind.values, DomainError(_("Choose a kind of appointment.")))
    ensure(actor is None or can_instruct(actor, dossier), NotAllowed())
    ensure(
        offered_at_prefecture(dossier.prefecture_id, kind),
        DomainError(_("No counter of this prefecture offers this kind of appointment.")),
    )
    return _need(dossier, kind, actor=actor, now=clock.now())


def _end(booking: Booking, *, status: str, now: dt.datetime) -> int | None:
    """End a booking; returns the slot whose seat was freed, if any."""
    freed = booking.slot_id if booking.status in (Status.OFFERED, Status.CONFIRMED) else None
    if freed is not None:
        _release_seat(freed)
    booking.status = status
    booking.ended_at = now
    booking.waitlist_since = None
    booking.save(update_fields=["status", "ended_at", "waitlist_since"])
    _withdraw_offers(booking, now=now)
    return freed


def dossier_step_reached(dossier: Dossier, step: str) -> None:
    """Follow a dossier's steps: convoke when one calls for it; end what no longer applies.

    Runs in the transaction of the step; its journal entries are written at the end of it.
    """
    with audit.deferred():
        _follow(dossier, step)


def offered_at_prefecture(prefecture_id: int | None, kind: str) -> bool:
    """Whether a counter of the prefecture receives this kind of appointment through Séjour;
    until one does, its convocations are made outside and no booking is opened here."""
    if prefecture_id is None:
        return False
    return SiteKind.objects.filter(
        site__prefecture_id=prefecture_id, site__active=True, kind=kind
    ).exists()


def _follow(dossier: Dossier, step: str) -> None:
    now = clock.now()
    for kind in needed_kinds(dossier, step):
        if offered_at_prefecture(dossier.prefecture_id, kind):
            _need(dossier, kind, actor=None, now=now)
    if step in (steps.REFUSED, steps.WITHDRAWN, steps.CLOSED, steps.DECISION_WITHDRAWN):
        ending = Booking.objects.filter(dossier=dossier, status__in=ACTIVE)
        if step == steps.DECISION_WITHDRAWN:
            ending = ending.filter(kind=Kind.HAND_OVER)
        rows = ending.select_for_update(of=("self",)).select_related("dossier__applicant", "slot")
        for booking in rows:
            freed = _end(booking, status=Status.CANCELLED, now=now)
            _tell(booking, "cancelled", by_system=True)
            _record(None, "appointment.cancelled", booking, step=step)
            if freed is not None:
                _seat_freed(freed, now=now)


@_atomic
def booking_confirm(*, booking: Booking, actor: User) -> Booking:
    """The applicant (or their helper) confirms the proposed appointment."""
    booking = _locked(booking)
    abilities = get_booking_abilities(actor, booking)
    if booking.status == Status.CONFIRMED and abilities["view"]:
        return booking  # sent twice
    ensure(abilities["view"], NotAllowed())
    ensure(booking.status == Status.OFFERED, InvalidTransition())
    ensure(before_limit(booking), TooLate())
    ensure(abilities["confirm"], NotAllowed())
    now = clock.now()
    booking.status = Status.CONFIRMED
    booking.confirmed_at = now
    booking.offer_expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "offer_expires_at"])
    _tell(booking, "confirmed")
    _record(actor, "appointment.confirmed", booking, slot=booking.slot_id)
    return booking


def _move(booking: Booking, slot: Slot, *, now: dt.datetime) -> int | None:
    """Put `booking` on `slot`, whose seat the caller holds; returns the seat freed."""
    freed = booking.slot_id if booking.status in (Status.OFFERED, Status.CONFIRMED) else None
    if freed is not None:
        _release_seat(freed)
    booking.slot = slot
    booking.status = Status.CONFIRMED
    booking.confirmed_at = now
    booking.offer_expires_at = None
    booking.reminded_at = None
    booking.revision += 1
    booking.save(
        update_fields=[
            "slot",
            "status",
            "confirmed_at",
            "offer_expires_at",
            "reminded_at",
            "revision",
        ]
    )
    return freed


@_atomic
def booking_choose(*, booking: Booking, actor: User, slot_id: int) -> Booking:
    """Take another slot among those offered: the old seat is freed once the new one is held."""
    booking = _locked(booking)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    if booking.slot_id == slot_id and booking.status == Status.CONFIRMED:
        return booking  # sent twice
    ensure(booking.is_active, InvalidTransition())
    ensure(before_limit(booking), TooLate())
    ensure(abilities["choose"], NotAllowed())
    now = clock.now()
    slot = (
        fitting_slots(kind=booking.kind, prefecture_id=booking.dossier.prefecture_id, now=now)
        .filter(pk=slot_id)
        .first()
    )
    if slot is None or slot.pk == booking.slot_id:
        raise SlotTaken()
    _lock_in_order(slot.pk, booking.slot_id)
    if not _take_seat(slot.pk, now=now):
        raise SlotTaken()
    previous = booking.slot_id
    freed = _move(booking, slot, now=now)
    _withdraw_offers(booking, now=now)
    _tell(booking, "confirmed", changed=previous is not None)
    _record(actor, "appointment.chosen", booking, slot=slot.pk, previous=previous)
    if freed is not None:
        _seat_freed(freed, now=now)
    return booking


@_atomic
def booking_cancel(*, booking: Booking, actor: User) -> Booking:
    """Cancel until the limit before the appointment; the seat goes to the next in line."""
    booking = _locked(booking)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    if booking.status == Status.CANCELLED:
        return booking
    ensure(booking.status in (Status.OFFERED, Status.CONFIRMED), InvalidTransition())
    ensure(before_limit(booking), TooLate())
    ensure(abilities["cancel"], NotAllowed())
    now = clock.now()
    freed = _end(booking, status=Status.CANCELLED, now=now)
    _tell(booking, "cancelled", by_system=False)
    _record(actor, "appointment.cancelled", booking, slot=freed)
    if freed is not None:
        _seat_freed(freed, now=now)
    return booking


@_atomic
def booking_renew(*, booking: Booking, actor: User) -> Booking:
    """After a cancellation or a missed visit, ask again: the system proposes a new slot."""
    booking = Booking.objects.select_related("dossier__applicant", "slot__site").get(pk=booking.pk)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    ensure(booking.status in (Status.CANCELLED, Status.NO_SHOW), InvalidTransition())
    dossier = Dossier.objects.select_for_update().get(pk=booking.dossier_id)
    ensure(
        booking.kind in dossier_needs(dossier),
        DomainError(_("This application no longer needs this appointment.")),
    )
    ensure(acts_for(actor, booking), NotAllowed())
    try:
        with transaction.atomic():
            return _need(dossier, booking.kind, actor=actor, now=clock.now())
    except IntegrityError:
        # Another request made it at the same moment: that one stands.
        return Booking.objects.get(dossier=dossier, kind=booking.kind, status__in=ACTIVE)


def dossier_needs(dossier: Dossier) -> set[str]:
    """The appointments a dossier in its present state still calls for."""
    kinds: set[str] = set()
    if dossier.status in ("submitted", "in_review", "awaiting_applicant"):
        kinds.update(needed_kinds(dossier, steps.SUBMITTED))
    if dossier.status == "approved":
        kinds.add(Kind.HAND_OVER)
    return kinds


# --- The waiting list -------------------------------------------------------------------------


@_atomic
def waitlist_join(*, booking: Booking, actor: User) -> Booking:
    """Ask for an earlier date: freed slots will be offered in the order people asked."""
    booking = _locked(booking)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    if booking.waitlist_since is not None:
        return booking
    ensure(abilities["waitlist_join"], NotAllowed())
    booking.waitlist_since = clock.now()
    booking.save(update_fields=["waitlist_since"])
    _record(actor, "appointment.waitlist_joined", booking)
    return booking


@_atomic
def waitlist_leave(*, booking: Booking, actor: User) -> Booking:
    """Keep the present date and stop receiving offers."""
    booking = _locked(booking)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    if booking.waitlist_since is None:
        return booking
    ensure(abilities["waitlist_leave"], NotAllowed())
    now = clock.now()
    booking.waitlist_since = None
    booking.save(update_fields=["waitlist_since"])
    _withdraw_offers(booking, now=now)
    _record(actor, "appointment.waitlist_left", booking)
    return booking


def _withdraw_offers(booking: Booking, *, now: dt.datetime) -> None:
    """Open offers of `booking` end: their seats go to the next in line."""
    for offer in list(Offer.objects.select_for_update().filter(booking=booking, status="open")):
        offer.status = OfferStatus.WITHDRAWN
        offer.answered_at = now
        offer.save(update_fields=["status", "answered_at"])
        _release_seat(offer.slot_id)
        _seat_freed(offer.slot_id, now=now)


def _seat_freed(slot_id: int, *, now: dt.datetime) -> None:
    """A seat was freed: a dossier still without an appointment gets it first, then the
    waiting list in the order people joined it, as an offer kept a short time."""
    slot = Slot.objects.select_related("site").filter(pk=slot_id).first()
    if slot is None or slot.closed or slot.starts_at < now + notice():
        return
    waiting = (
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=Status.WAITING,
            kind=slot.kind,
            dossier__prefecture_id=slot.site.prefecture_id,
        )
        .select_related("dossier__applicant")
        .order_by("created_at", "pk")
        .first()
    )
    if waiting is not None:
        # The freed seat itself, whose row this transaction already holds: taking another
        # slot's row now could deadlock with a move that holds that one and waits for this.
        _propose(waiting, now=now, only=slot)
        return
    candidate = (
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status__in=(Status.OFFERED, Status.CONFIRMED),
            kind=slot.kind,
            waitlist_since__isnull=False,
            slot__site__prefecture_id=slot.site.prefecture_id,
            slot__starts_at__gt=slot.starts_at,
        )
        .exclude(offers__slot=slot)
        .exclude(offers__status=OfferStatus.OPEN)
        .select_related("dossier__applicant", "slot__site")
        .order_by("waitlist_since", "pk")
        .first()
    )
    if candidate is None or not before_limit(candidate, now) or not _take_seat(slot.pk, now=now):
        return
    minutes = settings.SEJOUR_APPOINTMENT_OFFER_MINUTES
    offer = Offer.objects.create(
        booking=candidate,
        slot=slot,
        offered_at=now,
        expires_at=min(now + dt.timedelta(minutes=minutes), slot.starts_at - notice() / 2),
    )
    _tell(
        candidate,
        "offer",
        offer_starts_at=slot.starts_at,
        offer_site=slot.site.name,
        answer_by=offer.expires_at,
    )
    _record(None, "appointment.offered", candidate, slot=slot.pk, offer=offer.pk)


@_atomic
def offer_accept(*, offer: Offer, actor: User) -> Booking:
    """Take the earlier slot offered: the seat is already held; the old one is freed."""
    offer = Offer.objects.select_for_update().select_related("slot__site").get(pk=offer.pk)
    booking = _locked(offer.booking)
    abilities = get_booking_abilities(actor, booking)
    ensure(abilities["view"], NotAllowed())
    if offer.status == OfferStatus.ACCEPTED:
        return booking
    now = clock.now()
    ensure(
        offer.status == OfferStatus.OPEN and offer.expires_at > now,
        DomainError(_("This offer has ended; the slot went to the next person.")),
    )
    ensure(abilities["choose"], NotAllowed())
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    previous = booking.slot_id
    _lock_in_order(offer.slot_id, previous)
    freed = _move(booking, offer.slot, now=now)
    _tell(booking, "confirmed", changed=True)
    _record(actor, "appointment.offer_accepted", booking, slot=offer.slot_id, previous=previous)
    if freed is not None:
        _seat_freed(freed, now=now)
    return booking


@_atomic
def offer_decline(*, offer: Offer, actor: User) -> Offer:
    """Keep one's date; the offered seat goes to the next in line at once."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    booking = _locked(offer.booking)
    ensure(get_booking_abilities(actor, booking)["view"], NotAllowed())
    if offer.status != OfferStatus.OPEN:
        return offer
    now = clock.now()
    offer.status = OfferStatus.DECLINED
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    _release_seat(offer.slot_id)
    _record(actor, "appointment.offer_declined", booking, slot=offer.slot_id)
    _seat_freed(offer.slot_id, now=now)
    return offer


# --- The counter ------------------------------------------------------------------------------


def check_in_token(booking: Booking) -> str:
    """The signed payload of the convocation's QR code."""
    return signing.dumps({"r": booking.reference, "v": booking.revision}, salt=CHECK_IN_SALT)


def booking_from_code(code: str) -> Booking:
    """The booking a scanned QR code or a typed reference names; raises a readable error."""
    text = code.strip()
    if "token=" in text:
        text = text.split("token=", 1)[1].split("&", 1)[0]
    revision = None
    if text.upper().startswith("RDV-"):
        reference = text.upper()
    else:
        try:
            payload = signing.loads(text, salt=CHECK_IN_SALT)
        except signing.BadSignature as error:
            raise UnknownConvocation() from error
        reference, revision = str(payload.get("r", "")), payload.get("v")
    booking = (
        Booking.objects.select_related("dossier__applicant", "slot__site")
        .filter(reference=reference)
        .first()
    )
    ensure(booking is not None, UnknownConvocation())
    assert booking is not None
    ensure(revision is None or revision == booking.revision, OldConvocation())
    return booking


@_atomic
def booking_check_in(*, booking: Booking, actor: User) -> Booking:
    """The counter receives the person: the visit is recorded (on the day of the slot)."""
    booking = _locked(booking)
    if booking.status == Status.ATTENDED:
        return booking
    ensure(get_booking_abilities(actor, booking)["check_in"], NotAllowed())
    now = clock.now()
    assert booking.slot is not None
    ensure(
        clock.paris_date(booking.slot.starts_at) == clock.paris_date(now),
        DomainError(
            _("This appointment is on %(day)s, not today.")
            % {"day": timezone.localtime(booking.slot.starts_at).strftime("%d/%m/%Y")}
        ),
    )
    booking.status = Status.ATTENDED
    booking.checked_in_at = now
    booking.checked_in_by = actor
    booking.ended_at = now
    booking.waitlist_since = None
    booking.save(
        update_fields=["status", "checked_in_at", "checked_in_by", "ended_at", "waitlist_since"]
    )
    _withdraw_offers(booking, now=now)
    _record(actor, "appointment.checked_in", booking, slot=booking.slot_id)
    return booking


# --- Slots, by the prefecture's agents -------------------------------------------------------


def _day_slots(site: Site, kind: SiteKind, day: dt.date, closures: Sequence[Closure]) -> list[Slot]:
    if any(closure.starts_on <= day <= closure.ends_on for closure in closures):
        return []
    slots = []
    length = dt.timedelta(minutes=kind.duration_minutes)
    tz = timezone.get_default_timezone()
    for hours in site.hours.all():
        if hours.weekday != day.weekday():
            continue
        start = dt.datetime.combine(day, hours.opens, tzinfo=tz)
        close = dt.datetime.combine(day, hours.closes, tzinfo=tz)
        while start + length <= close:
            slots.append(
                Slot(
                    site=site,
                    kind=kind.kind,
                    starts_at=start,
                    ends_at=start + length,
                    capacity=kind.counters,
                )
            )
            start += length
    return slots


@_atomic
def slots_bulk_create(
    *, site: Site, kind: str, first_day: dt.date, last_day: dt.date, actor: User
) -> int:
    """Make the slots of `kind` from the site's opening hours, skipping its closures and
    slots already made; returns how many were made. Waiting dossiers get them at once."""
    ensure(can_run_site(actor, site), NotAllowed())
    site_kind = SiteKind.objects.filter(site=site, kind=kind).first()
    ensure(
        site_kind is not None, DomainError(_("This site does not offer this kind of appointment."))
    )
    assert site_kind is not None
    ensure(first_day <= last_day, DomainError(_("The last day must be after the first.")))
    ensure(
        (last_day - first_day).days < BULK_MAX_DAYS,
        DomainError(_("Make slots for at most three months at a time.")),
    )
    ensure(first_day >= clock.today(), DomainError(_("The first day cannot be in the past.")))
    closures = list(site.closures.filter(ends_on__gte=first_day, starts_on__lte=last_day))
    made: list[Slot] = []
    day = first_day
    while day <= last_day:
        made.extend(_day_slots(site, site_kind, day, closures))
        day += dt.timedelta(days=1)
    existing = set(
        Slot.objects.filter(
            site=site, kind=kind, starts_at__in=[slot.starts_at for slot in made]
        ).values_list("starts_at", flat=True)
    )
    new = [slot for slot in made if slot.starts_at not in existing]
    Slot.objects.bulk_create(new, batch_size=500)
    audit.record(
        actor=actor,
        action="appointment.slots_created",
        target=site,
        data={"kind": kind, "from": first_day, "to": last_day, "count": len(new)},
    )
    _serve_waiting(site=site, kind=kind, now=clock.now())
    return len(new)


def _serve_waiting(*, site: Site, kind: str, now: dt.datetime) -> None:
    """Dossiers waiting for a slot of `kind` in the site's prefecture get proposals."""
    waiting = (
        Booking.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Status.WAITING, kind=kind, dossier__prefecture_id=site.prefecture_id)
        .select_related("dossier__applicant")
        .order_by("created_at", "pk")
    )
    for booking in waiting[:SWEEP_BATCH]:
        if not _propose(booking, now=now):
            return


def _locked_slot(slot: Slot) -> Slot:
    return Slot.objects.select_for_update().select_related("site").get(pk=slot.pk)


@_atomic
def slot_close(*, slot: Slot, actor: User) -> int:
    """Close a slot (a counter short of staff): those booked on it are proposed another at
    once and told why. Returns how many bookings were moved."""
    slot = _locked_slot(slot)
    ensure(can_run_site(actor, slot.site), NotAllowed())
    if slot.closed:
        return 0
    now = clock.now()
    slot.closed = True
    slot.save(update_fields=["closed"])
    moved = 0
    held = (
        Booking.objects.select_for_update(of=("self",))
        .filter(slot=slot, status__in=(Status.OFFERED, Status.CONFIRMED))
        .select_related("dossier__applicant", "slot__site")
    )
    for booking in held:
        _release_seat(slot.pk)
        booking.status = Status.WAITING
        booking.slot = None
        booking.offer_expires_at = None
        booking.save(update_fields=["status", "slot", "offer_expires_at"])
        if not _propose(booking, now=now, exclude=[slot.pk]):
            _tell(booking, "waiting", closed=True)
        _record(actor, "appointment.moved", booking, closed_slot=slot.pk)
        moved += 1
    for offer in Offer.objects.select_for_update().filter(slot=slot, status=OfferStatus.OPEN):
        offer.status = OfferStatus.WITHDRAWN
        offer.answered_at = now
        offer.save(update_fields=["status", "answered_at"])
        _release_seat(slot.pk)
    audit.record(actor=actor, action="appointment.slot_closed", target=slot, data={"moved": moved})
    return moved


@_atomic
def slot_open(*, slot: Slot, actor: User) -> Slot:
    """Open a closed slot again; its seats go to waiting dossiers, then the waiting list."""
    slot = _locked_slot(slot)
    ensure(can_run_site(actor, slot.site), NotAllowed())
    if not slot.closed:
        return slot
    slot.closed = False
    slot.save(update_fields=["closed"])
    audit.record(actor=actor, action="appointment.slot_opened", target=slot)
    now = clock.now()
    for _seat in range(slot.capacity - slot.booked):
        _seat_freed(slot.pk, now=now)
    return slot


# --- Sweeps ---------------------------------------------------------------------------------


def appointments_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Proposals left unconfirmed and waiting-list offers left unanswered pass on; visits
    nobody checked in are recorded as missed. Rows locked, locked rows skipped."""
    now = now or clock.now()
    done = {"proposals": 0, "offers": 0, "missed": 0}
    with transaction.atomic(), audit.deferred():
        for booking in (
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.OFFERED, offer_expires_at__lt=now)
            .select_related("dossier__applicant", "slot__site")[:SWEEP_BATCH]
        ):
            old = booking.slot_id
            assert old is not None
            _release_seat(old)
            booking.status = Status.WAITING
            booking.slot = None
            booking.offer_expires_at = None
            booking.save(update_fields=["status", "slot", "offer_expires_at"])
            if not _propose(booking, now=now, exclude=[old]):
                _tell(booking, "waiting", expired=True)
            _record(None, "appointment.proposal_expired", booking, slot=old)
            _seat_freed(old, now=now)
            done["proposals"] += 1
    with transaction.atomic(), audit.deferred():
        for offer in (
            Offer.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=OfferStatus.OPEN, expires_at__lt=now)
            .select_related("booking__dossier__applicant")[:SWEEP_BATCH]
        ):
            offer.status = OfferStatus.EXPIRED
            offer.answered_at = now
            offer.save(update_fields=["status", "answered_at"])
            _release_seat(offer.slot_id)
            _record(None, "appointment.offer_expired", offer.booking, slot=offer.slot_id)
            _seat_freed(offer.slot_id, now=now)
            done["offers"] += 1
    grace = dt.timedelta(minutes=settings.SEJOUR_APPOINTMENT_NO_SHOW_MINUTES)
    with transaction.atomic(), audit.deferred():
        for booking in (
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(Q(status=Status.CONFIRMED) | Q(status=Status.OFFERED))
            .filter(slot__ends_at__lt=now - grace)
            .select_related("dossier__applicant", "slot__site")[:SWEEP_BATCH]
        ):
            booking.status = Status.NO_SHOW
            booking.ended_at = now
            booking.waitlist_since = None
            booking.save(update_fields=["status", "ended_at", "waitlist_since"])
            _withdraw_offers(booking, now=now)
            _tell(booking, "missed")
            _record(None, "appointment.missed", booking, slot=booking.slot_id)
            done["missed"] += 1
    return done


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind, by e-mail and SMS, everyone whose appointment is within the reminder delay."""
    now = now or clock.now()
    horizon = now + dt.timedelta(hours=settings.SEJOUR_APPOINTMENT_REMINDER_HOURS)
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=Status.CONFIRMED,
                    reminded_at__isnull=True,
                    slot__starts_at__gt=now,
                    slot__starts_at__lte=horizon,
                )
                .select_related("dossier__applicant", "slot__site")
                .order_by("pk")[:SWEEP_BATCH]
            )
            for booking in rows:
                booking.reminded_at = now
                booking.save(update_fields=["reminded_at"])
                _tell(booking, "reminder", can_change=before_limit(booking, now))
        sent += len(rows)
        if len(rows) < SWEEP_BATCH:
            return sent
