"""Writes of the prefecture's side: take, assign, ask for documents, decide, note, write.

Services like those of services.py: each checks the actor's right in the back-office,
changes state in one transaction, writes the timeline and the audit journal, and queues
the messages to the applicant in that same transaction.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.accounts import services as accounts
from sejour.accounts.choices import FamilySituation, Role
from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers import continuity, selectors, steps, workflow
from sejour.dossiers.choices import EventKind, RefusalReason, RequestKind
from sejour.dossiers.models import (
    Decision,
    Document,
    DocumentRequest,
    Dossier,
    Event,
    Message,
    Note,
)
from sejour.dossiers.permissions import get_staff_abilities, may
from sejour.dossiers.services import _event, _intake, _record
from sejour.dossiers.windows import decision_due
from sejour.helpers.choices import Scope
from sejour.notifications import services as notifications
from sejour.rules.dates import paris_date
from sejour.rules.decisions import Pause, pauses_clock
from sejour.rules.work import ProcedureKind

# Days before a request's deadline when the applicant is reminded.
REQUEST_REMINDER_DAYS = 3
# Shortest and longest time an agent may give to send documents.
REQUEST_MIN_DAYS, REQUEST_MAX_DAYS = 8, 60


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _can(actor: User, dossier: Dossier, ability: str) -> None:
    ensure(get_staff_abilities(actor, dossier)[ability], NotAllowed())


def _move(dossier: Dossier, action: str, actor: User | None) -> Event:
    previous = dossier.status
    dossier.status = workflow.target(action, dossier.status)
    return _event(
        dossier, EventKind.STATUS_CHANGED, actor, {"from": previous, "to": dossier.status}
    )


def _url(dossier: Dossier) -> str:
    return f"/{dossier.applicant.language}/demandes/{dossier.number}/"


@transaction.atomic
def dossier_seen(*, dossier: Dossier, viewer: User) -> None:
    """Record that staff opened a dossier; its agent's look clears the "changed" flag."""
    audit.record(actor=viewer, action="dossier.viewed", target=dossier)
    if dossier.assigned_to_id == viewer.pk:
        Dossier.objects.filter(pk=dossier.pk).update(
            agent_seen_at=timezone.now(), needs_attention=False
        )


@transaction.atomic
def document_viewed(*, document: Document, viewer: User) -> None:
    """Record that staff opened a file of a dossier."""
    ensure(get_staff_abilities(viewer, document.dossier)["view"], NotAllowed())
    audit.record(actor=viewer, action="dossier.document_viewed", target=document)


@transaction.atomic
def search_recorded(*, viewer: User, results: int) -> None:
    """Record that staff searched the dossiers (the query itself is not kept)."""
    audit.record(actor=viewer, action="dossier.searched", data={"results": results})


@transaction.atomic
def dossier_take(*, dossier: Dossier, actor: User) -> Dossier:
    """An agent of the dossier's prefecture takes it and starts the review."""
    dossier = _locked(dossier)
    _can(actor, dossier, "take")
    _move(dossier, "take", actor)
    dossier.assigned_to = actor
    dossier.agent_seen_at = timezone.now()
    dossier.needs_attention = False
    dossier.save(
        update_fields=["status", "assigned_to", "agent_seen_at", "needs_attention", "updated_at"]
    )
    audit.record(actor=actor, action="dossier.taken", target=dossier)
    return dossier


@transaction.atomic
def dossier_assign(*, dossier: Dossier, actor: User, agent: User) -> Dossier:
    """Give a dossier to an agent of its prefecture (an agent to a colleague, or a supervisor)."""
    dossier = _locked(dossier)
    _can(actor, dossier, "assign")
    ensure(
        agent.role == Role.AGENT
        and agent.is_active
        and dossier.prefecture_id is not None
        and agent.prefectures.filter(pk=dossier.prefecture_id).exists(),
        DomainError(_("This person is not an agent of the dossier's prefecture.")),
    )
    previous = dossier.assigned_to_id
    dossier.assigned_to = agent
    dossier.save(update_fields=["assigned_to", "updated_at"])
    _event(dossier, EventKind.ASSIGNED, actor, {"to": agent.pk, "from": previous})
    audit.record(
        actor=actor,
        action="dossier.assigned",
        target=dossier,
        data={"to": agent.pk, "from": previous},
    )
    return dossier


def _pauses(dossier: Dossier) -> list[Pause]:
    """The requests for documents already answered: the silence clock stopped meanwhile."""
    return [
        Pause(asked_on=paris_date(request.requested_at), answered_on=paris_date(answered_at))
        for request in dossier.requests.all()
        if (answered_at := request.answered_at) is not None
    ]


def _refresh_due(dossier: Dossier) -> None:
    dossier.decision_due_on = decision_due(dossier=dossier, pauses=_pauses(dossier))
    dossier.decision_paused_since = None


def _pause_clock(dossier: Dossier, today: dt.date) -> None:
    # The due date moves a day per day of the request, so it is unknown until the answer.
    due = dossier.decision_due_on or decision_due(dossier=dossier, pauses=_pauses(dossier))
    if due is not None and pauses_clock(asked_on=today, deadline=due):
        dossier.decision_due_on = None
        dossier.decision_paused_since = today


@transaction.atomic
def documents_request(
    *,
    dossier: Dossier,
    actor: User,
    items: Sequence[tuple[str, str, str]],
    deadline: dt.date,
) -> list[DocumentRequest]:
    """Ask the applicant for documents: (checklist item, kind, comment) each, by `deadline`."""
    dossier = _locked(dossier)
    _can(actor, dossier, "request_documents")
    ensure(bool(items), DomainError(_("Choose at least one document to ask for.")))
    today = clock.today()
    ensure(
        today + dt.timedelta(days=REQUEST_MIN_DAYS)
        <= deadline
        <= today + dt.timedelta(days=REQUEST_MAX_DAYS),
        DomainError(
            _("Give the applicant between %(min)s and %(max)s days.")
            % {"min": REQUEST_MIN_DAYS, "max": REQUEST_MAX_DAYS}
        ),
    )
    known = {item.code: item for item in selectors.checklist(dossier=dossier)}
    requests = []
    for code, kind, comment in items:
        ensure(code in known, DomainError(_("This document is not on the dossier's checklist.")))
        ensure(kind in RequestKind.values, DomainError(_("Choose why the document is asked.")))
        requests.append(
            DocumentRequest.objects.create(
                dossier=dossier,
                item_code=code,
                kind=kind,
                comment=comment.strip(),
                deadline=deadline,
                requested_by=actor,
            )
        )
    _move(dossier, "request_documents", actor)
    _pause_clock(dossier, today)
    dossier.save(update_fields=["status", "decision_due_on", "decision_paused_since", "updated_at"])
    details = {"items": [code for code, _kind, _comment in items], "deadline": deadline.isoformat()}
    _event(dossier, EventKind.DOCUMENTS_REQUESTED, actor, details)
    audit.record(actor=actor, action="dossier.documents_requested", target=dossier, data=details)
    context: dict[str, object] = {
        "number": dossier.number,
        "deadline": deadline.isoformat(),
        "items": [
            {
                "label": known[request.item_code].label,
                "kind": request.kind,
                "comment": request.comment,
            }
            for request in requests
        ],
    }
    notifications.notify(
        recipient=dossier.applicant,
        template="dossiers/messages/requested",
        context=context,
        url=_url(dossier),
    )
    notifications.reminder_schedule(
        recipient=dossier.applicant,
        due_on=deadline - dt.timedelta(days=REQUEST_REMINDER_DAYS),
        template="dossiers/messages/requested",
        context={**context, "reminder": True},
        key=f"request:{dossier.number}:{requests[0].pk}",
        url=_url(dossier),
    )
    return requests


@transaction.atomic
def documents_answered(*, dossier: Dossier, actor: User) -> Dossier:
    """The applicant says the requested documents are sent: the review resumes."""
    dossier = _locked(dossier)
    ensure(may(actor, dossier, Scope.PREPARE), NotAllowed())
    open_requests = dossier.requests.filter(answered_at__isnull=True)
    sent = set(
        selectors.current_documents(dossier=dossier)
        .filter(
            uploaded_at__gte=dossier.requests.order_by("-requested_at").values("requested_at")[:1]
        )
        .values_list("item_code", flat=True)
    )
    missing = [r.item_code for r in open_requests if r.item_code not in sent]
    if missing:
        labels = {item.code: item.translated_label for item in selectors.checklist(dossier=dossier)}
        raise DomainError(
            _("Send a new file for each document asked first: %(items)s.")
            % {"items": ", ".join(labels.get(code, code) for code in missing)}
        )
    open_requests.update(answered_at=timezone.now())
    _move(dossier, "complete", actor)
    dossier.needs_attention = True
    _refresh_due(dossier)
    dossier.save(
        update_fields=[
            "status",
            "needs_attention",
            "decision_due_on",
            "decision_paused_since",
            "updated_at",
        ]
    )
    _event(dossier, EventKind.DOCUMENTS_SENT, actor)
    continuity.on_documents_answered(dossier)
    _record(actor=actor, action="dossier.documents_sent", dossier=dossier)
    return dossier


def declaration_changes(dossier: Dossier) -> dict[str, Any]:
    """What an accepted change of address or of family situation changes in the profile."""
    answers = dossier.answers
    applicant = dossier.applicant
    if dossier.procedure.kind == ProcedureKind.CHANGE_OF_ADDRESS:
        return {
            "address": answers.get("new_address") or applicant.address,
            "city": answers.get("new_city") or applicant.city,
            "postcode": dossier.postcode or applicant.postcode,
        }
    if dossier.procedure.kind == ProcedureKind.CHANGE_OF_FAMILY:
        event = answers.get("event")
        if event == "birth":
            return {"children": applicant.children + 1}
        situation = FAMILY_EVENTS.get(event or "")
        return {"family_situation": situation} if situation else {}
    return {}


FAMILY_EVENTS = {
    "marriage": FamilySituation.MARRIED,
    "pacs": FamilySituation.PACS,
    "divorce": FamilySituation.SEPARATED,
    "death": FamilySituation.WIDOWED,
}

# Remedies against a refusal, with their deadlines (Code des relations entre le public et
# l'administration L.411-2; Code de justice administrative R.421-1).
REMEDIES = (
    _(
        "You may ask the prefect to reconsider this decision (recours gracieux), or ask the "
        "Minister of the Interior (recours hiérarchique), within two months of receiving it."
    ),
    _(
        "You may bring the decision before the administrative court (tribunal administratif) "
        "within two months of receiving it, also online at citoyens.telerecours.fr. A request to "
        "the prefect or the minister made within that time extends it."
    ),
)


def _decide(
    *,
    dossier: Dossier,
    actor: User,
    outcome: str,
    reasons: Sequence[str] = (),
    explanation: str = "",
) -> Decision:
    decision = Decision.objects.create(
        dossier=dossier,
        outcome=outcome,
        reasons=list(reasons),
        explanation=explanation.strip(),
        decided_by=actor,
    )
    letter = attestations.decision_letter_issue(
        dossier=dossier,
        outcome=outcome,
        # Translatable texts, laid out in the applicant's language; the explanation as written.
        reasons=[RefusalReason(code).label for code in reasons]
        + ([explanation.strip()] if explanation.strip() else []),
        remedies=list(REMEDIES) if outcome == Decision.Outcome.REFUSED else [],
        decided_at=decision.decided_at,
        agent_name=actor.display_name,
    )
    decision.letter = letter.pdf.name
    decision.letter_sha256 = letter.sha256
    decision.save(update_fields=["letter", "letter_sha256"])
    dossier.decided_at = decision.decided_at
    dossier.save(update_fields=["status", "decided_at", "updated_at"])
    _event(dossier, EventKind.DECIDED, actor, {"outcome": outcome, "decision": decision.pk})
    if outcome == Decision.Outcome.APPROVED:
        continuity.on_approved(dossier)
        steps.reached(dossier, steps.APPROVED)
    else:
        continuity.on_refused(dossier)
        steps.reached(dossier, steps.REFUSED)
    audit.record(
        actor=actor,
        action=f"dossier.{outcome}",
        target=dossier,
        data={"decision": decision.pk, "reasons": list(reasons)},
    )
    notifications.notify(
        recipient=dossier.applicant,
        template=f"dossiers/messages/{outcome}",
        context={"number": dossier.number, "procedure": dossier.procedure.translated_name},
        url=_url(dossier),
    )
    return decision


@transaction.atomic
def dossier_approve(*, dossier: Dossier, actor: User) -> Decision:
    """Approve; an accepted declaration updates the applicant's profile at once."""
    dossier = _locked(dossier)
    _can(actor, dossier, "decide")
    _move(dossier, "approve", actor)
    decision = _decide(dossier=dossier, actor=actor, outcome=Decision.Outcome.APPROVED)
    changes = declaration_changes(dossier)
    if changes:
        applied = accounts.profile_apply(
            user=dossier.applicant, actor=actor, changes=changes, source=dossier.number
        )
        if applied:
            _event(dossier, EventKind.PROFILE_UPDATED, actor, {"changes": applied})
    return decision


@transaction.atomic
def dossier_refuse(
    *, dossier: Dossier, actor: User, reasons: Sequence[str], explanation: str
) -> Decision:
    """Refuse, on grounds chosen from the list and explained in words; remedies are stated."""
    dossier = _locked(dossier)
    _can(actor, dossier, "decide")
    ensure(bool(reasons), DomainError(_("Choose at least one ground for the refusal.")))
    ensure(
        all(reason in RefusalReason.values for reason in reasons),
        DomainError(_("Choose the grounds from the list.")),
    )
    ensure(
        len(explanation.strip()) >= 20,
        DomainError(_("Explain the refusal in a few sentences the applicant can understand.")),
    )
    _move(dossier, "refuse", actor)
    return _decide(
        dossier=dossier,
        actor=actor,
        outcome=Decision.Outcome.REFUSED,
        reasons=reasons,
        explanation=explanation,
    )


@transaction.atomic
def decision_withdraw(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    """A supervisor withdraws a decision, with a recorded reason; the review starts again."""
    dossier = _locked(dossier)
    _can(actor, dossier, "withdraw_decision")
    ensure(len(reason.strip()) >= 10, DomainError(_("Say why the decision is withdrawn.")))
    decision = dossier.decisions.filter(withdrawn_at__isnull=True).order_by("-decided_at").first()
    ensure(decision is not None, DomainError(_("There is no decision to withdraw.")))
    assert decision is not None
    decision.withdrawn_at = timezone.now()
    decision.withdrawn_by = actor
    decision.withdrawal_reason = reason.strip()
    decision.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    attestations.attestation_revoke(
        dossier=dossier, pdf_name=decision.letter.name, reason=decision.withdrawal_reason
    )
    _move(dossier, "withdraw_decision", actor)
    dossier.decided_at = None
    dossier.save(update_fields=["status", "decided_at", "updated_at"])
    continuity.on_decision_withdrawn(dossier, decision.outcome)
    steps.reached(dossier, steps.DECISION_WITHDRAWN)
    _event(dossier, EventKind.DECISION_WITHDRAWN, actor, {"decision": decision.pk})
    audit.record(
        actor=actor,
        action="dossier.decision_withdrawn",
        target=dossier,
        data={"decision": decision.pk, "reason": reason.strip()},
    )
    return dossier


@transaction.atomic
def card_hand_over(
    *, dossier: Dossier, actor: User, card_expires_on: dt.date | None = None
) -> Dossier:
    """The new card is handed to its holder: the dossier closes and its attestations end.

    With the card's end of validity, the holder is reminded of its renewal in due time.
    """
    dossier = _locked(dossier)
    _can(actor, dossier, "hand_over")
    today = clock.today()
    ensure(
        card_expires_on is None or card_expires_on > today,
        DomainError(_("The card's end of validity must be after today.")),
    )
    _move(dossier, "hand_over", actor)
    dossier.closed_at = timezone.now()
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    _event(
        dossier,
        EventKind.CARD_HANDED_OVER,
        actor,
        {"expires_on": card_expires_on.isoformat() if card_expires_on else ""},
    )
    continuity.on_card_handed_over(dossier, card_expires_on)
    steps.reached(dossier, steps.CLOSED)
    audit.record(
        actor=actor,
        action="dossier.card_handed_over",
        target=dossier,
        data={"expires_on": card_expires_on},
    )
    return dossier


@transaction.atomic
def note_add(*, dossier: Dossier, actor: User, body: str) -> Note:
    """A private note for the prefecture's agents."""
    _can(actor, dossier, "note")
    ensure(bool(body.strip()), DomainError(_("Write the note first.")))
    note = Note.objects.create(dossier=dossier, author=actor, body=body.strip())
    audit.record(actor=actor, action="dossier.note_added", target=dossier)
    return note


@transaction.atomic
def agent_message(
    *, dossier: Dossier, actor: User, body: str, attachments: Sequence[tuple[Any, str]] = ()
) -> Message:
    """The prefecture writes in the dossier's thread; the applicant is told at once."""
    dossier = _locked(dossier)
    _can(actor, dossier, "message")
    ensure(bool(body.strip()), DomainError(_("Write a message first.")))
    message = Message.objects.create(
        dossier=dossier, author=actor, body=body.strip(), from_administration=True
    )
    for data, name in attachments:
        _intake(dossier=dossier, actor=actor, data=data, name=name, message=message)
    _event(dossier, EventKind.MESSAGE, actor, {"message": message.pk})
    audit.record(actor=actor, action="dossier.message_posted", target=message)
    notifications.notify(
        recipient=dossier.applicant,
        template="dossiers/messages/from_prefecture",
        context={"number": dossier.number, "body": message.body},
        url=f"{_url(dossier)}#messages",
    )
    return message


@transaction.atomic
def applicant_remind(*, dossier: Dossier, actor: User) -> None:
    """Remind the applicant of the documents still awaited."""
    _can(actor, dossier, "remind")
    pending = dossier.requests.filter(answered_at__isnull=True).order_by("deadline")
    labels = {item.code: item.label for item in selectors.checklist(dossier=dossier)}
    notifications.notify(
        recipient=dossier.applicant,
        template="dossiers/messages/requested",
        context={
            "number": dossier.number,
            "deadline": pending[0].deadline.isoformat() if pending else "",
            "items": [
                {
                    "label": labels.get(r.item_code, r.item_code),
                    "kind": r.kind,
                    "comment": r.comment,
                }
                for r in pending
            ],
            "reminder": True,
        },
        url=_url(dossier),
    )
    audit.record(actor=actor, action="dossier.applicant_reminded", target=dossier)


def bulk(
    *, action: str, dossiers: Sequence[Dossier], actor: User, agent: User | None = None
) -> tuple[int, list[str]]:
    """Apply `assign` or `remind` to several dossiers; returns (done, refused numbers)."""
    done, refused = 0, []
    for dossier in dossiers:
        try:
            if action == "assign" and agent is not None:
                dossier_assign(dossier=dossier, actor=actor, agent=agent)
            elif action == "remind":
                applicant_remind(dossier=dossier, actor=actor)
            else:
                raise DomainError(_("Unknown action."))
            done += 1
        except DomainError:
            refused.append(dossier.number)
    return done, refused
