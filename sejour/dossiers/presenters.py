"""What the applicant's pages say about a dossier, in plain words: state, next step, history."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.attestations import selectors as attestation_selectors
from sejour.catalog.models import ChecklistItem
from sejour.dossiers import continuity, selectors
from sejour.dossiers.choices import PENDING, AppointmentStep, EventKind, Status
from sejour.dossiers.models import Document, Dossier, Event
from sejour.dossiers.windows import decision_due, filing_check
from sejour.rules.work import ProcedureKind


@dataclass
class Summary:
    """Where the dossier stands, what happens next and by when."""

    status: str
    headline: str
    next_step: str
    badge: str


def summary(dossier: Dossier, *, today: dt.date) -> Summary:
    status = dossier.get_status_display()
    if dossier.status == Status.DRAFT:
        check = filing_check(dossier=dossier, on=today)
        missing = services_missing(dossier)
        if check is not None and check.too_early:
            next_step = _("You can prepare everything now; filing opens on %(date)s.") % {
                "date": _date(check.window_opens)
            }
        elif missing:
            next_step = _("Answer the questions and add the documents still missing, then file.")
        else:
            next_step = _("Everything is there: check and file your application.")
        return Summary(
            status, _("Not filed yet: this is a draft, saved as you go."), next_step, "info"
        )
    if dossier.status == Status.SUBMITTED:
        return Summary(
            status,
            _("Filed on %(date)s. The prefecture will review it.")
            % {"date": _date(dossier.submitted_at)},
            " ".join(
                (
                    _(
                        "Nothing to do for now. You can still add or correct documents until the decision."
                    ),
                    _decision_due(dossier),
                )
            ),
            "new",
        )
    if dossier.status == Status.IN_REVIEW:
        return Summary(
            status,
            _("An agent of the prefecture is reviewing your application."),
            " ".join(
                (
                    _("Nothing to do for now. We will write to you if something is needed."),
                    _decision_due(dossier),
                )
            ),
            "new",
        )
    if dossier.status == Status.AWAITING_APPLICANT:
        return Summary(
            status,
            _("The prefecture needs something from you."),
            " ".join(
                (
                    _("Read the messages below and send what is asked."),
                    _decision_paused(dossier),
                )
            ).strip(),
            "warning",
        )
    if dossier.status in (Status.APPROVED, Status.CLOSED):
        return Summary(status, _("Your application was approved."), "", "success")
    if dossier.status == Status.REFUSED:
        return Summary(status, _("Your application was refused."), "", "error")
    return Summary(status, _("You withdrew this application."), "", "info")


def decision_due_on(dossier: Dossier) -> dt.date | None:
    """When the administration's silence becomes an implicit decision (R.432-2).

    None while the clock is paused by a request for documents: the date is not known then.
    """
    if dossier.decision_paused_since is not None:
        return None
    return dossier.decision_due_on or decision_due(dossier=dossier)


def _decision_due(dossier: Dossier) -> str:
    due = decision_due_on(dossier)
    if due is None:
        return ""
    return _(
        "A decision is due by %(date)s. Without an answer by then, the silence counts as a "
        "refusal, which you can challenge."
    ) % {"date": _date(due)}


def _decision_paused(dossier: Dossier) -> str:
    if dossier.decision_paused_since is None:
        return ""
    return _(
        "The time the prefecture has to decide is paused until you send them: the date of the "
        "decision moves later by as many days."
    )


def services_missing(dossier: Dossier) -> bool:
    return bool(selectors.missing_items(dossier=dossier)) or not dossier.postcode


def _date(value: dt.date | dt.datetime | None) -> str:
    """A day in words, in the reader's language and its order ("31 mars 2027")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "DATE_FORMAT")


@dataclass
class ChecklistRow:
    item: ChecklistItem
    current: list[Document] = field(default_factory=list)
    history: list[Document] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.item.required and not self.current


def checklist_rows(dossier: Dossier) -> list[ChecklistRow]:
    """Each document asked, with the files on record now and the earlier versions."""
    rows = {item.code: ChecklistRow(item) for item in selectors.checklist(dossier=dossier)}
    for document in dossier.documents.filter(message__isnull=True).order_by("uploaded_at", "pk"):
        row = rows.get(document.item_code)
        if row is None:
            continue
        (row.current if document.is_current else row.history).append(document)
    return list(rows.values())


@dataclass
class TimelineRow:
    event: Event
    title: str
    details: list[str]


def timeline_rows(dossier: Dossier) -> list[TimelineRow]:
    """The dossier's history, newest first, each line saying what happened."""
    labels = {item.code: item.translated_label for item in selectors.checklist(dossier=dossier)}
    questions = {q["code"]: q for q in dossier.procedure.translated_questions()}
    rows = []
    for event in selectors.timeline(dossier=dossier).reverse():
        rows.append(TimelineRow(event, _title(event), _details(event, labels, questions)))
    return rows


def _title(event: Event) -> str:
    if event.kind == EventKind.APPOINTMENT:
        step = (event.data or {}).get("step", "")
        if step in AppointmentStep.values:
            return str(AppointmentStep(step).label)
    return str(event.get_kind_display())


def _details(
    event: Event, labels: dict[str, str], questions: dict[str, dict[str, Any]]
) -> list[str]:
    data: dict[str, Any] = event.data or {}
    if event.kind in (
        EventKind.DOCUMENT_ADDED,
        EventKind.DOCUMENT_REPLACED,
        EventKind.DOCUMENT_REMOVED,
    ):
        return [
            f"{labels.get(data.get('item', ''), data.get('item', ''))} — {data.get('name', '')}"
        ]
    if event.kind == EventKind.ANSWERS_CHANGED:
        lines = []
        for code, change in (data.get("changes") or {}).items():
            question = questions.get(code)
            if question is not None:
                label = question["label"]
            else:
                label = _("Postcode") if code == "postcode" else code
            lines.append(
                _("%(question)s: %(before)s → %(after)s")
                % {
                    "question": label,
                    "before": _answer(question, change.get("before")),
                    "after": _answer(question, change.get("after")),
                }
            )
        return lines
    if event.kind == EventKind.SUBMISSION_FAILED:
        return [_("Proof of attempt: %(code)s") % {"code": data.get("proof", "")}]
    if event.kind == EventKind.ATTESTATION_ISSUED:
        return [_("Verification code: %(code)s") % {"code": data.get("code", "")}]
    if event.kind == EventKind.APPOINTMENT:
        return [_appointment_line(data)]
    return []


def _appointment_line(data: dict[str, Any]) -> str:
    """ "Fingerprints and photo — Préfecture de police, Cité — 12/01/2027 09:30"."""
    parts = [_(data["kind_label"])] if data.get("kind_label") else []
    if data.get("site"):
        parts.append(data["site"])
    if data.get("starts_at"):
        starts_at = timezone.localtime(dt.datetime.fromisoformat(data["starts_at"]))
        parts.append(date_format(starts_at, "DATETIME_FORMAT"))
    return " — ".join(parts)


def _value(value: object) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, ""):
        return _("(empty)")
    return str(value)


def _answer(question: dict[str, Any] | None, value: object) -> str:
    """An answer as the reader reads it: a choice by its label, a date in their format."""
    if question is not None and value not in (None, ""):
        choices = {c["value"]: c["label"] for c in question.get("choices", [])}
        if question.get("type") == "choice" and value in choices:
            return str(choices[value])
        if question.get("type") == "date" and isinstance(value, str):
            try:
                return _date(dt.date.fromisoformat(value))
            except ValueError:
                return value
    return _value(value)


def answer_rows(dossier: Dossier) -> list[tuple[str, str]]:
    """Each question with the answer given, in words."""
    rows = []
    for question in dossier.procedure.translated_questions():
        value = dossier.answers.get(question["code"])
        shown = _("(not answered)") if value in (None, "") else _answer(question, value)
        rows.append((question["label"], shown))
    return rows


@dataclass
class QueueFlags:
    """What makes a dossier urgent, for the queue and the review page."""

    decision_due_on: dt.date | None
    decision_paused_since: dt.date | None
    decision_overdue: bool
    decision_soon: bool
    permit_expired: bool
    permit_ends_soon: bool
    changed: bool


# A silence deadline or a permit's end within this many days is flagged.
SOON_DAYS = 14


def queue_flags(dossier: Dossier, *, today: dt.date) -> QueueFlags:
    due = decision_due_on(dossier)
    soon = today + dt.timedelta(days=SOON_DAYS)
    expiry = dossier.permit_expires_on
    return QueueFlags(
        decision_due_on=due,
        decision_paused_since=dossier.decision_paused_since,
        decision_overdue=bool(due and due < today and dossier.is_pending),
        decision_soon=bool(due and today <= due <= soon and dossier.is_pending),
        permit_expired=bool(expiry and expiry < today),
        permit_ends_soon=bool(expiry and today <= expiry <= soon),
        changed=dossier.needs_attention,
    )


@dataclass
class RequestRow:
    label: str
    kind: str
    comment: str
    deadline: dt.date


def request_rows(dossier: Dossier) -> list[RequestRow]:
    """What the prefecture is asking for now, in the applicant's words."""
    labels = {item.code: item.translated_label for item in selectors.checklist(dossier=dossier)}
    return [
        RequestRow(
            label=labels.get(request.item_code, request.item_code),
            kind=request.get_kind_display(),
            comment=request.comment,
            deadline=request.deadline,
        )
        for request in selectors.open_requests(dossier=dossier)
    ]


@dataclass
class Cover:
    """What the applicant holds to prove the right to stay while the renewal is pending."""

    owed: bool  # the service keeps this dossier covered (timely, granted, or approved)
    late: bool  # a renewal filed late that the prefecture has not granted cover to
    current: Any  # the attestation valid today, if any
    next_on: dt.date | None
    blocker: Any  # continuity.Blocker, if the next one is held back


def cover(dossier: Dossier, *, today: dt.date) -> Cover | None:
    """The "right to stay" panel of a renewal once filed; None where it does not apply."""
    if dossier.submitted_at is None or dossier.status not in (*PENDING, Status.APPROVED):
        return None
    is_renewal = dossier.procedure.kind == ProcedureKind.RENEWAL
    owed = bool(dossier.cover_basis) or (
        dossier.status == Status.APPROVED and dossier.procedure.kind in continuity.PERMIT_KINDS
    )
    if not is_renewal and not owed:
        return None
    current = (
        attestation_selectors.covering(holder=dossier.applicant, day=today)
        .filter(dossier=dossier)
        .first()
    )
    return Cover(
        owed=owed,
        late=is_renewal and not owed,
        current=current,
        next_on=dossier.cover_next_on if owed else None,
        blocker=continuity.blocker(dossier, today) if owed else None,
    )
