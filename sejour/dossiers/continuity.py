"""Continuity of rights: every day from filing to the new card, a document proves the right.

A timely, complete renewal is covered by extension attestations from the day after the old
permit expires until the decision (R.431-15-1), each at most 3 months long (6 for protection,
R.431-15-3 and R.431-15-4), with the right to work of the old permit (R.431-15-2). An approval
is covered by favourable-decision attestations until the card is handed over. The prefecture
may grant extensions to a late renewal, with a recorded reason.

The dossier keeps two dates: `covered_until`, the last day its issued attestations cover, and
`cover_next_on`, the day the next one must be issued (15 days before the running one ends, so
that it is in hand ahead of time even if a batch or a message is late). The sweep takes the
dossiers whose day has come, in batches, each batch in one transaction: attestations, audit
entries, messages to send and the dossiers' new dates commit together or not at all, so a
crash loses nothing, and the database refuses a second attestation for the same period.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Min
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.models import Attestation
from sejour.audit import services as audit
from sejour.catalog.models import PermitType, Prefecture, Procedure
from sejour.core import bulk, clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers.choices import PENDING, CoverBasis, EventKind, Status
from sejour.dossiers.models import DocumentRequest, Dossier, Event
from sejour.dossiers.permissions import get_staff_abilities
from sejour.notifications import services as notifications
from sejour.rules.attestations import (
    FAVOURABLE_DECISION_MONTHS,
    RENEWAL_LEAD_DAYS,
    extension_due,
    extension_max_months,
    renewal_due_on,
    superseded_last_day,
)
from sejour.rules.dates import Period, add_days, add_months, paris_date
from sejour.rules.filing import filing_timeliness, renewal_window
from sejour.rules.work import ProcedureKind, WorkRight, work_right_on_extension

BATCH_SIZE = 1000
# Procedures that end with a card to hand over, covered from approval to hand-over.
PERMIT_KINDS = frozenset(
    {ProcedureKind.FIRST, ProcedureKind.RENEWAL, ProcedureKind.CHANGE_OF_STATUS}
)
# Days before the renewal window closes that a holder who has not filed is reminded.
WINDOW_CLOSING_NOTICE_DAYS = 14


def _url(dossier: Dossier) -> str:
    return f"/{dossier.applicant.language}/demandes/{dossier.number}/"


def _period(start: dt.date, months: int) -> Period:
    return Period(start=start, end=add_days(add_months(start, months), -1))


def _months(dossier: Dossier, kind: str) -> int:
    if kind == Kind.FAVOURABLE:
        return FAVOURABLE_DECISION_MONTHS
    permit = dossier.permit_type
    protection = bool(permit and permit.protection)
    months = permit.extension_months if permit else None
    return extension_max_months(protection=protection, months=months or 3)


def _right_to_work(dossier: Dossier) -> bool:
    permit = dossier.permit_type
    right = work_right_on_extension(
        procedure_kind=dossier.procedure.kind,
        previous_permit_allows_work=permit.allows_work if permit else True,
        permit_type_allows_work_on_first=bool(permit and permit.work_on_first_application),
        protection=bool(permit and permit.protection),
    )
    return right is WorkRight.AUTHORISED


def _protection(dossier: Dossier) -> str:
    permit = dossier.permit_type
    if permit is None or not permit.protection:
        return ""
    return "refugee" if "refugie" in permit.code else "subsidiary"


def _facts(dossier: Dossier) -> dict[str, Any]:
    holder = dossier.applicant
    return {
        "holder": holder.display_name,
        "date_of_birth": holder.date_of_birth.isoformat() if holder.date_of_birth else "",
        "nationality": holder.nationality or "",
        "foreigner_number": holder.foreigner_number or "",
        "language": holder.language or "fr",
        "dossier": dossier.number,
        "procedure": dossier.procedure.name,
        "permit_type": dossier.permit_type.name if dossier.permit_type else "",
        "prefecture": dossier.prefecture.name if dossier.prefecture else "",
        "filed_at": (dossier.submitted_at or timezone.now()).isoformat(),
        "protection": _protection(dossier),
    }


# --- What is due ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Why the next extension attestation waits, and what the applicant can do about it."""

    code: str
    deadline: dt.date

    @property
    def why(self) -> str:
        return str(
            _("The prefecture asked you for documents by %(date)s and has not received them.")
            % {"date": date_format(self.deadline, "j F Y")}
        )

    @property
    def what_to_do(self) -> str:
        return str(
            _("Send them from your application page: the next attestation is issued the same day.")
        )


def blockers(dossiers: Sequence[Dossier], today: dt.date) -> dict[int, Blocker]:
    """What stops the next extension attestation of each dossier, if anything.

    The attestation is due for a complete application (R.431-15-1): when the prefecture asked
    for documents and the date to send them has passed, the application is no longer
    complete, and the next attestation waits for them.
    """
    pending = [dossier.pk for dossier in dossiers if dossier.status in PENDING]
    if not pending:
        return {}
    overdue = (
        DocumentRequest.objects.filter(
            dossier_id__in=pending, answered_at__isnull=True, deadline__lt=today
        )
        .values("dossier_id")
        .annotate(first=Min("deadline"))
    )
    return {
        row["dossier_id"]: Blocker(code="documents_overdue", deadline=row["first"])
        for row in overdue
    }


def blocker(dossier: Dossier, today: dt.date) -> Blocker | None:
    """What stops the dossier's next extension attestation, if anything."""
    return blockers([dossier], today).get(dossier.pk)


@dataclass(frozen=True)
class _Next:
    item: attestations.CoverItem
    covered_until: dt.date
    next_on: dt.date


def _next(dossier: Dossier, today: dt.date) -> _Next | None:
    """The attestation the dossier needs next, or None when it needs no more."""
    if dossier.status in PENDING and dossier.cover_basis and dossier.permit_expires_on:
        kind = Kind.EXTENSION
        first = add_days(dossier.permit_expires_on, 1)
        start = add_days(dossier.covered_until, 1) if dossier.covered_until else first
    elif (
        dossier.status == Status.APPROVED
        and dossier.covered_until is not None
        and dossier.procedure.kind in PERMIT_KINDS
    ):
        kind = Kind.FAVOURABLE
        start = add_days(dossier.covered_until, 1)
    else:
        return None
    period = _period(start, _months(dossier, kind))
    return _Next(
        item=attestations.CoverItem(
            dossier=dossier,
            kind=kind,
            valid_from=period.start,
            valid_until=period.end,
            right_to_work=(
                _right_to_work(dossier)
                if kind == Kind.EXTENSION
                # The new permit's own right (a visitor's card does not allow work).
                else bool(dossier.permit_type is None or dossier.permit_type.allows_work)
            ),
            facts=_facts(dossier),
        ),
        covered_until=period.end,
        next_on=renewal_due_on(period),
    )


def _first_due_on(start: dt.date, today: dt.date) -> dt.date:
    return max(today, add_days(start, -RENEWAL_LEAD_DAYS))


# --- The sweep -----------------------------------------------------------------------------


# What the sweep reads of a dossier and its holder (`_next`, `_facts`, the notices); the
# other columns, timestamps and answers mostly, are left in the database.
_SWEPT_FIELDS = (
    "number", "status", "cover_basis", "permit_expires_on", "covered_until", "cover_next_on",
    "submitted_at", "procedure", "permit_type", "prefecture", "applicant",
    "applicant__given_name", "applicant__family_name", "applicant__email",
    "applicant__date_of_birth", "applicant__nationality", "applicant__foreigner_number",
    "applicant__language",
)  # fmt: skip


def _due(today: dt.date, size: int, *, after: tuple[dt.date, int] | None = None) -> list[Dossier]:
    rows = (
        Dossier.objects.filter(cover_next_on__lte=today)
        .select_related("applicant")
        .only(*_SWEPT_FIELDS)
        .order_by("cover_next_on", "id")
    )
    if after is not None:
        # Past the dossiers already taken, whose old index entries (dead until vacuumed)
        # every scan from the start would read again: the index range starts here.
        rows = rows.filter(
            RawSQL('("dossiers_dossier"."cover_next_on", "dossiers_dossier"."id") > (%s, %s)',
                   after, output_field=BooleanField())
        )  # fmt: skip
    if connection.features.has_select_for_update_skip_locked:
        # Several workers share the work; a dossier being decided right now is skipped.
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    dossiers = list(rows[:size])
    # The few catalogue entries the batch refers to, read once each rather than joined to
    # every row (a procedure carries its whole form).
    for field, model in (
        (Dossier.procedure.field, Procedure),
        (Dossier.permit_type.field, PermitType),
        (Dossier.prefecture.field, Prefecture),
    ):
        ids = {getattr(dossier, field.attname) for dossier in dossiers} - {None}
        found = model.objects.in_bulk(ids) if ids else {}
        for dossier in dossiers:
            related = found.get(getattr(dossier, field.attname))
            if related is not None:
                field.set_cached_value(dossier, related)
    return dossiers


def _blocked_notice(dossier: Dossier, found: Blocker, today: dt.date) -> None:
    last = dossier.covered_until or dossier.permit_expires_on
    notifications.reminder_schedule(
        recipient=dossier.applicant,
        due_on=today,
        template=f"dossiers/messages/cover_{found.code}",
        context={
            "number": dossier.number,
            "until": last.isoformat() if last else "",
            "deadline": found.deadline.isoformat(),
        },
        key=f"cover-blocked:{dossier.number}:{last}",
        url=_url(dossier),
    )


def _issued_notices(rows: Sequence[Attestation], dossiers: dict[int, Dossier]) -> None:
    today = clock.today()
    notifications.reminders_schedule_many(
        reminders=[
            {
                "recipient": dossiers[row.dossier_id].applicant,
                "due_on": today,
                "template": f"dossiers/messages/{row.kind}_issued",
                "context": {
                    "number": dossiers[row.dossier_id].number,
                    "code": row.code,
                    "valid_from": row.valid_from.isoformat() if row.valid_from else "",
                    "valid_until": row.valid_until.isoformat() if row.valid_until else "",
                    "work": bool(row.right_to_work),
                },
                "key": f"attestation:{row.code}",
                "url": _url(dossiers[row.dossier_id]),
            }
            for row in rows
        ]
    )


def _events(rows: Iterable[Attestation]) -> None:
    events = [
        (
            row.dossier_id,
            EventKind.ATTESTATION_ISSUED.value,
            {
                "kind": row.kind,
                "code": row.code,
                "from": row.valid_from.isoformat() if row.valid_from else "",
                "until": row.valid_until.isoformat() if row.valid_until else "",
            },
        )
        for row in rows
    ]
    if bulk.copy_supported():
        bulk.copy_rows(Event, ("dossier_id", "kind", "data"), events)
    else:
        Event.objects.bulk_create(
            [Event(dossier_id=dossier, kind=kind, data=data) for dossier, kind, data in events]
        )


def _apply(dossiers: Sequence[Dossier], today: dt.date) -> int:
    """Issue what `dossiers` need now; returns how many attestations were issued."""
    plans: list[_Next] = []
    stopped: list[Dossier] = []
    held: list[Dossier] = []
    blocked = blockers(dossiers, today)
    for dossier in dossiers:
        plan = _next(dossier, today)
        if plan is None:
            stopped.append(dossier)
            continue
        found = blocked.get(dossier.pk) if plan.item.kind == Kind.EXTENSION else None
        if found is not None:
            _blocked_notice(dossier, found, today)
            # Tried again tomorrow, or as soon as the documents arrive.
            dossier.cover_next_on = add_days(today, 1)
            held.append(dossier)
            continue
        plans.append(plan)
    for plan in plans:
        dossier = plan.item.dossier
        dossier.covered_until, dossier.cover_next_on = plan.covered_until, plan.next_on
    for dossier in stopped:
        dossier.cover_next_on = None
    # The dossiers' new dates first: the rest of the transaction holds the audit chain's lock
    # (taken by cover_issue_many), which other workers wait for; the result is the same.
    changed = [plan.item.dossier for plan in plans] + stopped + held
    if changed and bulk.copy_supported():
        # One UPDATE ... FROM unnest(...), rather than bulk_update's CASE over every row.
        bulk.update_rows(
            Dossier,
            ["covered_until", "cover_next_on"],
            [(dossier.pk, dossier.covered_until, dossier.cover_next_on) for dossier in changed],
        )
    elif changed:
        Dossier.objects.bulk_update(changed, ["covered_until", "cover_next_on"])
    try:
        with transaction.atomic():
            rows = attestations.cover_issue_many(items=[plan.item for plan in plans])
    except IntegrityError:
        rows = []
        for plan in plans:
            row, created = attestations.cover_issue(item=plan.item)
            if created:
                rows.append(row)
    _events(rows)
    _issued_notices(rows, {dossier.pk: dossier for dossier in dossiers})
    return len(rows)


def sweep(*, today: dt.date | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Issue every attestation due on or before `today`, batch by batch; returns how many.

    Idempotent: a second run the same day finds nothing due. A batch that fails is rolled
    back whole and the next run takes it again.
    """
    today = today or clock.today()
    issued = 0
    after = None  # where the previous batch ended, in the order dossiers are taken
    while True:
        with transaction.atomic():
            batch = _due(today, batch_size, after=after)
            if not batch and after is None:
                return issued
            if not batch:
                # Once more from the start: dossiers skipped while locked, or due meanwhile.
                after = None
                continue
            last = batch[-1]
            assert last.cover_next_on is not None
            after = (last.cover_next_on, last.pk)
            issued += _apply(batch, today)


def _issue_now(dossier: Dossier, today: dt.date) -> None:
    """Catch up at once (approval, grant, answered request): the sweep would do the same."""
    while dossier.cover_next_on is not None and dossier.cover_next_on <= today:
        _apply([dossier], today)


# --- Moments of the dossier ----------------------------------------------------------------


def on_submitted(dossier: Dossier) -> list[str]:
    """At filing: a timely, complete renewal is covered as of right (R.431-15-1).

    Called inside the filing's transaction, before the dossier is saved: the cover fields are
    set on `dossier` and their names returned, for the filing's own save; `catch_up` then
    issues at once what is already due. Timeliness is judged on the filing date (that of the
    first attempt, even if the platform failed then).
    """
    if dossier.procedure.kind != ProcedureKind.RENEWAL or dossier.permit_expires_on is None:
        return []
    anef = dossier.permit_type.is_anef if dossier.permit_type else True
    filed_on = paris_date(dossier.submitted_at or timezone.now())
    timeliness = filing_timeliness(filed_on=filed_on, expiry=dossier.permit_expires_on, anef=anef)
    # Filed: the reminders of the window have done their work.
    notifications.reminders_cancel(
        recipient=dossier.applicant,
        keys=[f"{key}:{dossier.applicant_id}" for key in ("window-open", "window-closing")],
    )
    if not extension_due(timeliness=timeliness, complete=True):
        return []
    dossier.cover_basis = CoverBasis.RIGHT
    dossier.cover_next_on = _first_due_on(add_days(dossier.permit_expires_on, 1), clock.today())
    return ["cover_basis", "cover_next_on"]


def catch_up(dossier: Dossier) -> None:
    """Issue at once the attestations already due on a saved dossier (the sweep would later)."""
    _issue_now(dossier, clock.today())


def on_expiry_changed(dossier: Dossier) -> None:
    """The applicant gave (or corrected) the end date of the permit to renew.

    For a draft, the holder is reminded when the window opens and before it closes. For a
    filed renewal not yet covered by any attestation, the first one moves with the date; one
    already issued stays as issued (the prefecture sees the correction in the timeline).
    """
    expiry = dossier.permit_expires_on
    if expiry is None or dossier.procedure.kind != ProcedureKind.RENEWAL:
        return
    if dossier.status == Status.DRAFT:
        window_reminders_schedule(
            holder=dossier.applicant,
            expiry=expiry,
            anef=dossier.permit_type.is_anef if dossier.permit_type else True,
        )
    elif dossier.cover_basis and dossier.covered_until is None and dossier.status in PENDING:
        today = clock.today()
        dossier.cover_next_on = _first_due_on(add_days(expiry, 1), today)
        dossier.save(update_fields=["cover_next_on", "updated_at"])
        _issue_now(dossier, today)


def on_documents_answered(dossier: Dossier) -> None:
    """Requested documents arrived: a renewal held back by them gets its attestation now."""
    today = clock.today()
    if dossier.cover_next_on is None or not dossier.cover_basis or not dossier.permit_expires_on:
        return
    regular = add_days(dossier.covered_until or dossier.permit_expires_on, 1 - RENEWAL_LEAD_DAYS)
    if dossier.cover_next_on > max(regular, today):
        return  # not held back: the next one comes on its usual day
    dossier.cover_next_on = max(regular, today)
    _issue_now(dossier, today)


def on_approved(dossier: Dossier) -> None:
    """Approval: a favourable-decision attestation from today until the card is handed over.

    It supersedes the running extension attestation, which ends yesterday (one document in
    force at a time, no day uncovered); those that would only start later are revoked.
    """
    today = clock.today()
    if dossier.procedure.kind not in PERMIT_KINDS:
        return  # a declaration: the card in hand stays valid
    attestations.cover_end(
        dossier=dossier,
        last_day=superseded_last_day(favourable_from=today),
        reason=EndReason.SUPERSEDED,
        kinds=[Kind.EXTENSION],
    )
    dossier.covered_until = add_days(today, -1)
    dossier.cover_next_on = today
    dossier.save(update_fields=["covered_until", "cover_next_on", "updated_at"])
    _issue_now(dossier, today)


def on_refused(dossier: Dossier) -> None:
    """Refusal: the running extension attestation ends on the day the decision is notified,
    which is the day it is made available in the applicant's account; later ones are revoked."""
    today = clock.today()
    attestations.cover_end(
        dossier=dossier, last_day=today, reason=EndReason.REFUSED, kinds=[Kind.EXTENSION]
    )
    dossier.cover_next_on = None
    dossier.covered_until = min(dossier.covered_until or today, today)
    dossier.save(update_fields=["covered_until", "cover_next_on", "updated_at"])


def on_withdrawn(dossier: Dossier) -> None:
    """The applicant withdrew the application: nothing more is owed after today."""
    today = clock.today()
    attestations.cover_end(
        dossier=dossier,
        last_day=today,
        reason=EndReason.WITHDRAWN,
        kinds=[Kind.EXTENSION, Kind.FAVOURABLE],
    )
    dossier.cover_next_on = None
    dossier.save(update_fields=["cover_next_on", "updated_at"])


def on_decision_withdrawn(dossier: Dossier, outcome: str) -> None:
    """A decision is taken back: the review starts again, and so does the cover."""
    today = clock.today()
    if outcome == "approved":
        attestations.cover_end(
            dossier=dossier,
            last_day=add_days(today, -1),
            reason=EndReason.DECISION_WITHDRAWN,
            kinds=[Kind.FAVOURABLE],
        )
    if not dossier.cover_basis:
        dossier.cover_next_on = None
        dossier.save(update_fields=["cover_next_on", "updated_at"])
        return
    # The extensions start again after the last day a live document covers, the favourable
    # one just ended included: one document in force at a time.
    last = None
    for attestation in Attestation.objects.filter(
        dossier=dossier, kind__in=[Kind.EXTENSION, Kind.FAVOURABLE], revoked_at__isnull=True
    ):
        end = attestation.last_valid_day
        if end is not None and (last is None or end > last):
            last = end
    dossier.covered_until = last
    first = add_days(last, 1) if last else add_days(dossier.permit_expires_on or today, 1)
    dossier.cover_next_on = _first_due_on(first, today)
    dossier.save(update_fields=["covered_until", "cover_next_on", "updated_at"])
    _issue_now(dossier, today)


def on_card_handed_over(dossier: Dossier, card_expires_on: dt.date | None) -> None:
    """The card is in the holder's hands: the favourable-decision attestations end today.

    When the card's end of validity is known, the holder is reminded when its renewal window
    opens and again two weeks before it closes.
    """
    today = clock.today()
    attestations.cover_end(
        dossier=dossier,
        last_day=today,
        reason=EndReason.CARD_HANDED_OVER,
        kinds=[Kind.FAVOURABLE, Kind.EXTENSION],
    )
    dossier.cover_next_on = None
    dossier.save(update_fields=["cover_next_on", "updated_at"])
    if card_expires_on is not None:
        window_reminders_schedule(
            holder=dossier.applicant,
            expiry=card_expires_on,
            anef=dossier.permit_type.is_anef if dossier.permit_type else True,
        )


def window_reminders_schedule(*, holder: User, expiry: dt.date, anef: bool) -> int:
    """Tell the holder of a permit when its renewal window opens, and before it closes.

    One pair per person (a person holds one permit at a time): a later permit replaces the
    plan. Only days still to come are planned; returns how many messages were planned.
    """
    window = renewal_window(expiry=expiry, anef=anef)
    today = clock.today()
    context = {"opens": window.opens.isoformat(), "closes": window.closes.isoformat()}
    url = f"/{holder.language or 'fr'}/demandes/"
    planned = 0
    for key, due_on, template in (
        ("window-open", window.opens, "renewal_window_open"),
        (
            "window-closing",
            max(window.opens, add_days(window.closes, -WINDOW_CLOSING_NOTICE_DAYS)),
            "renewal_window_closing",
        ),
    ):
        notifications.reminder_cancel(recipient=holder, key=f"{key}:{holder.pk}")
        if due_on > today:
            notifications.reminder_schedule(
                recipient=holder,
                due_on=due_on,
                template=f"dossiers/messages/{template}",
                context=context,
                key=f"{key}:{holder.pk}",
                url=url,
            )
            planned += 1
    return planned


# --- Actions of the prefecture -------------------------------------------------------------


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


@transaction.atomic
def extension_grant(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    """The prefecture grants extension attestations to a renewal filed late, with a reason.

    Cover starts the day after the old permit expired or today, whichever is later: a grant
    does not backdate a right.
    """
    dossier = _locked(dossier)
    ensure(
        not dossier.cover_basis,
        DomainError(_("This renewal is already covered by extension attestations.")),
    )
    ensure(get_staff_abilities(actor, dossier)["grant_extension"], NotAllowed())
    reason = reason.strip()
    ensure(
        len(reason) >= 10,
        DomainError(_("Say in a sentence why the attestation is granted.")),
    )
    assert dossier.permit_expires_on is not None
    today = clock.today()
    start = max(add_days(dossier.permit_expires_on, 1), today)
    dossier.cover_basis = CoverBasis.GRANTED
    dossier.covered_until = add_days(start, -1)
    dossier.cover_next_on = _first_due_on(start, today)
    dossier.save(update_fields=["cover_basis", "covered_until", "cover_next_on", "updated_at"])
    Event.objects.create(
        dossier=dossier,
        kind=EventKind.EXTENSION_GRANTED,
        actor=actor,
        data={"from": start.isoformat()},
    )
    audit.record(
        actor=actor,
        action="dossier.extension_granted",
        target=dossier,
        data={"reason": reason[:500], "from": start},
    )
    _issue_now(dossier, today)
    return dossier


# --- The proof -----------------------------------------------------------------------------


@transaction.atomic
def supervisors_alert(*, gaps: Sequence[Any], today: dt.date) -> int:
    """Tell every supervisor what the daily continuity check found; returns how many told."""
    if not gaps:
        return 0
    people = len({gap.holder_id for gap in gaps})
    days = sum(gap.days for gap in gaps)
    first = [
        {
            "dossier": gap.dossier,
            "first": gap.first.isoformat(),
            "last": gap.last.isoformat(),
            "days": gap.days,
            "reason": gap.reason,
        }
        for gap in gaps[:20]
    ]
    told = 0
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True):
        notifications.notify(
            recipient=supervisor,
            template="dossiers/messages/continuity_alert",
            context={"today": today.isoformat(), "people": people, "days": days, "gaps": first},
        )
        told += 1
    audit.record(
        actor=None,
        action="continuity.gaps_found",
        data={"people": people, "days": days, "supervisors_told": told},
    )
    return told
