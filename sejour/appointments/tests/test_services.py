"""Convocations, changes, the waiting list, check-in and the agents' slots."""

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import translation

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.appointments import services
from sejour.appointments.choices import Kind, OfferStatus, Status
from sejour.appointments.models import Booking, Closure, Offer, Slot
from sejour.appointments.tests.conftest import at, slot
from sejour.audit.models import AuditEntry
from sejour.core.errors import NotAllowed
from sejour.dossiers import instruction, presenters
from sejour.dossiers import services as dossier_services
from sejour.dossiers.choices import EventKind
from sejour.dossiers.tests.conftest import fill_documents
from sejour.helpers.choices import Scope
from sejour.helpers.tests.factories import MembershipFactory, mandate_for

pytestmark = pytest.mark.django_db


def need(dossier, kind=Kind.HAND_OVER):
    return services.booking_need(dossier=dossier, kind=kind, actor=None)


def seats(slot_obj):
    slot_obj.refresh_from_db()
    return slot_obj.booked


def test_approval_proposes_the_earliest_fitting_slot_at_once(site, agent, make_dossier, paris):
    applicant = UserFactory(postcode="75011")
    draft = dossier_services.dossier_start(actor=applicant, procedure=make_dossier().procedure)
    draft = dossier_services.dossier_answer(
        dossier=draft,
        actor=applicant,
        answers={
            "permit_type": "cst-salarie",
            "permit_expires_on": "2027-02-15",
            "employed": True,
            "married": False,
            "has_children": False,
            "hosted": False,
        },
        postcode="75011",
    )
    fill_documents(draft, applicant)
    dossier = dossier_services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    # Too soon (within the 24 hours' notice), then the earliest fitting one, then a later one.
    slot(site, 23, 15)
    earliest = slot(site, 25, 9)
    slot(site, 26, 9)
    slot(site, 24, 9, kind=Kind.BIOMETRICS)  # another kind
    assert not Booking.objects.filter(dossier=dossier).exists()  # a renewal: no biometrics

    instruction.dossier_take(dossier=dossier, actor=agent)
    instruction.dossier_approve(dossier=dossier, actor=agent)

    booking = Booking.objects.get(dossier=dossier)
    assert (booking.kind, booking.status, booking.slot) == (
        Kind.HAND_OVER,
        Status.OFFERED,
        earliest,
    )
    assert seats(earliest) == 1
    # To confirm within 72 hours, but an hour before the slot at the latest.
    assert booking.offer_expires_at == at(25, 8)
    assert any(
        "RDV-" in message.body and booking.reference in message.body for message in mail.outbox
    )


def test_first_application_calls_for_biometrics_at_filing(site, make_dossier):
    dossier = make_dossier(status="submitted")
    dossier.procedure = type(dossier.procedure).objects.get(kind="first", code__startswith="first")
    dossier.save()
    early = slot(site, 24, 9, kind=Kind.BIOMETRICS)
    services.dossier_step_reached(dossier, "submitted")
    booking = Booking.objects.get(dossier=dossier)
    assert (booking.kind, booking.slot) == (Kind.BIOMETRICS, early)


def test_without_a_free_slot_the_dossier_waits_and_gets_the_first_slots_made(
    site, agent, make_dossier
):
    first, second = make_dossier(), make_dossier()
    a, b = need(first), need(second)
    assert (a.status, a.slot) == (Status.WAITING, None)
    assert "nothing to do" in mail.outbox[-1].body or "rien à faire" in mail.outbox[-1].body

    made = services.slots_bulk_create(
        site=site,
        kind=Kind.HAND_OVER,
        first_day=dt.date(2026, 11, 25),
        last_day=dt.date(2026, 11, 25),
        actor=agent,
    )

    assert made == 6  # 9:00 to 12:00 in 30 minutes
    a.refresh_from_db()
    b.refresh_from_db()
    # In the order they were waiting, on the earliest seats (two counters: the same slot).
    assert a.status == b.status == Status.OFFERED
    assert a.slot == b.slot
    assert a.slot.starts_at == at(25, 9)


def test_bulk_creation_follows_hours_and_skips_closures_and_existing_slots(site, agent):
    Closure.objects.create(
        site=site, starts_on=dt.date(2026, 11, 26), ends_on=dt.date(2026, 11, 26)
    )
    args = {"site": site, "kind": Kind.HAND_OVER, "actor": agent}
    # Wednesday 25 to Sunday 29: Thursday closed, the weekend shut.
    made = services.slots_bulk_create(
        first_day=dt.date(2026, 11, 25), last_day=dt.date(2026, 11, 29), **args
    )
    assert made == 12
    assert set(Slot.objects.values_list("capacity", flat=True)) == {2}
    again = services.slots_bulk_create(
        first_day=dt.date(2026, 11, 25), last_day=dt.date(2026, 11, 30), **args
    )
    assert again == 6  # only Monday 30 is new


def test_an_agent_of_another_prefecture_cannot_make_slots(site, marseille_agent):
    with pytest.raises(NotAllowed):
        services.slots_bulk_create(
            site=site,
            kind=Kind.HAND_OVER,
            first_day=dt.date(2026, 11, 25),
            last_day=dt.date(2026, 11, 25),
            actor=marseille_agent,
        )


def test_confirm_then_choose_another_date_frees_the_first_seat(site, make_dossier):
    first, later = slot(site, 25, 9), slot(site, 27, 10)
    dossier = make_dossier()
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)

    services.booking_choose(booking=booking, actor=dossier.applicant, slot_id=later.pk)

    booking.refresh_from_db()
    assert (booking.status, booking.slot, booking.revision) == (Status.CONFIRMED, later, 3)
    assert (seats(first), seats(later)) == (0, 1)


def test_a_full_slot_cannot_be_chosen(site, make_dossier):
    full = slot(site, 25, 9)
    slot(site, 26, 9)
    holder = need(make_dossier())
    assert holder.slot == full
    other = need(make_dossier())
    with pytest.raises(services.SlotTaken):
        services.booking_choose(booking=other, actor=other.dossier.applicant, slot_id=full.pk)
    assert seats(full) == 1


def test_the_database_refuses_a_second_active_booking_of_a_kind(site, make_dossier):
    dossier = make_dossier()
    need(dossier)
    assert need(dossier).pk == Booking.objects.get(dossier=dossier).pk  # asked twice: one
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            reference="RDV-TEST-0001", dossier=dossier, kind=Kind.HAND_OVER, status=Status.WAITING
        )


def test_the_database_refuses_more_seats_than_counters(site):
    full = slot(site, 25, 9, capacity=1)
    Slot.objects.filter(pk=full.pk).update(booked=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=full.pk).update(booked=2)


def test_someone_else_cannot_touch_a_booking(site, make_dossier):
    booking = need(make_dossier())
    with pytest.raises(NotAllowed):
        services.booking_cancel(booking=booking, actor=UserFactory())


def test_a_helper_books_under_a_mandate_that_covers_appointments_only(site, make_dossier):
    slot(site, 25, 9)
    dossier = make_dossier()
    booking = need(dossier)
    member = MembershipFactory()
    mandate_for(dossier.applicant, member.organisation, scopes=(Scope.VIEW,))
    with pytest.raises(NotAllowed):
        services.booking_confirm(booking=booking, actor=member.user)

    other = MembershipFactory()
    mandate_for(dossier.applicant, other.organisation, scopes=(Scope.APPOINTMENTS,))
    services.booking_confirm(booking=booking, actor=other.user)

    entry = AuditEntry.objects.get(action="appointment.confirmed")
    assert (entry.actor_id, entry.on_behalf_of_id) == (other.user.pk, dossier.applicant.pk)
    # The dossier's timeline says it too, as done by the helper of that organisation.
    event = dossier.events.filter(kind=EventKind.APPOINTMENT).latest("pk")
    assert (event.actor, event.on_behalf_of) == (other.user, dossier.applicant)
    assert event.data["organisation_name"] == other.organisation.name
    with translation.override("fr"):
        row = next(r for r in presenters.timeline_rows(dossier) if r.event == event)
    assert row.title == "Rendez-vous confirmé"
    assert row.details[0].split(" — ")[0] in ("Remise du titre", "Empreintes et photo")
    assert site.name in row.details[0]


def test_cancellation_and_changes_stop_four_hours_before(site, make_dossier, travel):
    slot(site, 25, 10)
    later = slot(site, 26, 10)
    dossier = make_dossier()
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)

    travel.move_to(at(25, 6, 0))  # exactly four hours before: still possible
    booking.refresh_from_db()
    assert services.get_booking_abilities(dossier.applicant, booking)["cancel"]

    travel.move_to(at(25, 6, 1))
    with pytest.raises(services.TooLate):
        services.booking_cancel(booking=booking, actor=dossier.applicant)
    with pytest.raises(services.TooLate):
        services.booking_choose(booking=booking, actor=dossier.applicant, slot_id=later.pk)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


def test_the_limit_is_a_setting(site, make_dossier, settings, travel):
    settings.SEJOUR_APPOINTMENT_CHANGE_LIMIT_HOURS = 24
    slot(site, 25, 10)
    dossier = make_dossier()
    booking = need(dossier)
    travel.move_to(at(24, 11))
    with pytest.raises(services.TooLate):
        services.booking_cancel(booking=booking, actor=dossier.applicant)


def test_a_freed_seat_goes_first_to_a_dossier_without_appointment(site, make_dossier):
    only = slot(site, 25, 9)
    holder = need(make_dossier())
    waiting = need(make_dossier())
    assert waiting.status == Status.WAITING

    services.booking_cancel(booking=holder, actor=holder.dossier.applicant)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.slot) == (Status.OFFERED, only)
    assert seats(only) == 1


def test_freed_slots_are_offered_in_waiting_list_order_with_a_short_time(
    site, make_dossier, travel
):
    early = slot(site, 25, 9)
    late = slot(site, 27, 9, capacity=3)
    holder = need(make_dossier())
    first, second = need(make_dossier()), need(make_dossier())
    assert holder.slot == early
    assert first.slot == second.slot == late
    services.waitlist_join(booking=second, actor=second.dossier.applicant)
    travel.shift(60)
    services.waitlist_join(booking=first, actor=first.dossier.applicant)

    services.booking_cancel(booking=holder, actor=holder.dossier.applicant)

    offer = Offer.objects.get()
    assert (offer.booking_id, offer.slot_id) == (second.pk, early.pk)  # who asked first
    assert offer.expires_at == at(23, 8, 1) + dt.timedelta(minutes=120)
    assert seats(early) == 1  # held for the offer
    # Not taken in time: it goes to the next on the list.
    travel.move_to(offer.expires_at + dt.timedelta(minutes=1))
    assert services.appointments_sweep()["offers"] == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    following = Offer.objects.get(status=OfferStatus.OPEN)
    assert following.booking_id == first.pk

    services.offer_accept(offer=following, actor=first.dossier.applicant)
    first.refresh_from_db()
    assert (first.slot, first.status) == (early, Status.CONFIRMED)
    assert (seats(early), seats(late)) == (1, 1)  # first's old seat freed; second keeps theirs


def test_declining_an_offer_passes_it_on_at_once(site, make_dossier):
    early = slot(site, 25, 9)
    slot(site, 27, 9, capacity=2)
    holder = need(make_dossier())
    a, b = need(make_dossier()), need(make_dossier())
    services.waitlist_join(booking=a, actor=a.dossier.applicant)
    services.waitlist_join(booking=b, actor=b.dossier.applicant)
    services.booking_cancel(booking=holder, actor=holder.dossier.applicant)
    services.offer_decline(offer=Offer.objects.get(booking=a), actor=a.dossier.applicant)
    assert Offer.objects.get(status=OfferStatus.OPEN).booking_id == b.pk
    assert seats(early) == 1


def test_an_unconfirmed_proposal_passes_on_and_another_date_is_proposed(site, make_dossier, travel):
    first, second = slot(site, 25, 9), slot(site, 26, 9)
    booking = need(make_dossier())
    assert booking.slot == first
    travel.move_to(booking.offer_expires_at + dt.timedelta(minutes=1))
    assert services.appointments_sweep()["proposals"] == 1
    booking.refresh_from_db()
    assert (booking.status, booking.slot) == (Status.OFFERED, second)
    assert (seats(first), seats(second)) == (0, 1)


def test_reminders_go_48_hours_before_once_by_email_and_sms(site, make_dossier, travel, sms_outbox):
    slot(site, 26, 10)
    dossier = make_dossier(phone="+33612345678", language="ar")
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)
    mail.outbox.clear()
    sms_outbox.clear()

    travel.move_to(at(24, 9, 59))  # 48 h 01 before
    assert services.reminders_send_due() == 0
    travel.move_to(at(24, 10, 0))
    assert services.reminders_send_due() == 1
    assert services.reminders_send_due() == 0  # once
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1
    assert booking.reference in mail.outbox[0].body
    assert "تذكير" in mail.outbox[0].subject  # in the applicant's language


def test_a_changed_appointment_is_reminded_again(site, make_dossier, travel):
    slot(site, 25, 10)
    later = slot(site, 27, 10)
    dossier = make_dossier()
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)
    travel.move_to(at(23, 11))
    assert services.reminders_send_due() == 1
    services.booking_choose(booking=booking, actor=dossier.applicant, slot_id=later.pk)
    travel.move_to(at(25, 10))
    assert services.reminders_send_due() == 1


def test_nobody_checked_in_is_recorded_missed_and_may_ask_again(site, make_dossier, travel):
    slot(site, 25, 9)
    slot(site, 30, 9)
    dossier = make_dossier()
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)
    travel.move_to(at(25, 10, 31))
    assert services.appointments_sweep()["missed"] == 1
    booking.refresh_from_db()
    assert booking.status == Status.NO_SHOW
    renewed = services.booking_renew(booking=booking, actor=dossier.applicant)
    assert renewed.pk != booking.pk
    assert renewed.status == Status.OFFERED


def test_check_in_by_qr_code_or_reference_on_the_day(
    site, make_dossier, agent, marseille_agent, travel
):
    slot(site, 25, 9)
    later = slot(site, 26, 9)
    dossier = make_dossier()
    booking = need(dossier)
    services.booking_confirm(booking=booking, actor=dossier.applicant)
    old_token = services.check_in_token(booking)
    services.booking_choose(booking=booking, actor=dossier.applicant, slot_id=later.pk)
    booking.refresh_from_db()

    with pytest.raises(services.OldConvocation):
        services.booking_from_code(old_token)
    with pytest.raises(services.UnknownConvocation):
        services.booking_from_code("not a code")
    token = services.check_in_token(booking)
    found = services.booking_from_code(f"https://sejour.example.org/fr/x/?token={token}")
    assert found == booking
    assert services.booking_from_code(booking.reference.lower()) == booking

    with pytest.raises(services.DomainError, match="26/11/2026"):
        services.booking_check_in(booking=found, actor=agent)  # not today
    travel.move_to(at(26, 8, 55))
    with pytest.raises(NotAllowed):
        services.booking_check_in(booking=found, actor=marseille_agent)
    services.booking_check_in(booking=found, actor=agent)
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in_by) == (Status.ATTENDED, agent)


def test_closing_a_slot_proposes_another_date_to_those_booked(site, make_dossier, agent):
    first, second = slot(site, 25, 9), slot(site, 26, 9)
    booking = need(make_dossier())
    services.booking_confirm(booking=booking, actor=booking.dossier.applicant)
    assert services.slot_close(slot=first, actor=agent) == 1
    booking.refresh_from_db()
    assert (booking.status, booking.slot) == (Status.OFFERED, second)
    assert (seats(first), seats(second)) == (0, 1)
    services.slot_open(slot=first, actor=agent)
    first.refresh_from_db()
    assert not first.closed


def test_a_refusal_or_withdrawal_ends_the_appointments(site, make_dossier):
    only = slot(site, 25, 9)
    dossier = make_dossier()
    booking = need(dossier)
    services.dossier_step_reached(dossier, "closed")
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert seats(only) == 0


def test_staff_convoke_only_within_their_prefecture(site, make_dossier, agent, marseille_agent):
    slot(site, 25, 9, kind=Kind.BIOMETRICS)
    dossier = make_dossier(status="in_review")
    with pytest.raises(NotAllowed):
        services.booking_need(dossier=dossier, kind=Kind.BIOMETRICS, actor=marseille_agent)
    booking = services.booking_need(dossier=dossier, kind=Kind.BIOMETRICS, actor=agent)
    assert booking.status == Status.OFFERED
    assert UserFactory(role=Role.AGENT)  # an agent of no prefecture


def test_a_prefecture_without_counters_here_opens_no_booking(make_dossier, catalogue):
    dossier = make_dossier()
    services.dossier_step_reached(dossier, "approved")
    assert not Booking.objects.exists()
    with pytest.raises(services.DomainError, match="guichet"):
        need(dossier)
