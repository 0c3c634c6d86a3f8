"""Reads of dossiers, always through the person who reads."""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.attestations.codes import normalize_code
from sejour.audit import services as audit
from sejour.catalog import selectors as catalog_selectors
from sejour.catalog.models import ChecklistItem
from sejour.core import clock
from sejour.core.errors import DomainError, MandateEnded
from sejour.dossiers import permissions, uploads
from sejour.dossiers.choices import ScanStatus, Status
from sejour.dossiers.models import (
    Document,
    DocumentRequest,
    Dossier,
    Event,
    FilingAttempt,
    Message,
)
from sejour.helpers import selectors as helpers

# The rows a dossier is read with: its applicant and its catalogue entries.
READ_WITH = ("applicant", "procedure", "permit_type", "prefecture")


def dossier_list_for(*, user: Any) -> QuerySet[Dossier]:
    """The dossiers `user` may see: for an applicant, their own; for a helper, also those of
    the applicants whose mandate lets them see, and those they represent as a lawyer."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    visible = Q(applicant=user)
    if permissions.is_helper(user):
        visible |= Q(applicant_id__in=helpers.mandated_applicant_ids(helper=user)) | Q(
            pk__in=helpers.represented_dossier_ids(helper=user)
        )
    return Dossier.objects.filter(visible).select_related(*READ_WITH)


def own_dossiers(*, user: Any) -> QuerySet[Dossier]:
    """The dossiers `user` holds as applicant (their own page), never those they help with."""
    return dossier_list_for(user=user).filter(applicant_id=user.pk)


def helped_dossiers(*, viewer: Any, query: str = "") -> QuerySet[Dossier]:
    """The dossiers a helper may see for others, what needs action first; `query` finds a
    dossier number or an applicant's names."""
    dossiers = dossier_list_for(user=viewer).exclude(applicant_id=viewer.pk)
    text = " ".join(query.split())
    if re.fullmatch(r"\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text.upper()):
        dossiers = dossiers.filter(number=text.upper())
    else:
        for word in text.split()[:4]:
            dossiers = dossiers.filter(
                Q(applicant__family_name__istartswith=word)
                | Q(applicant__given_name__istartswith=word)
            )
    # Documents asked for first, then drafts to finish, then decided (attestations ready),
    # then those waiting for the prefecture; within each, the permit that ends first.
    urgency = Case(
        When(status=Status.AWAITING_APPLICANT, then=Value(0)),
        When(status=Status.DRAFT, then=Value(1)),
        When(status=Status.APPROVED, then=Value(2)),
        When(status__in=(Status.SUBMITTED, Status.IN_REVIEW), then=Value(3)),
        default=Value(4),
    )
    waiting = DocumentRequest.objects.filter(answered_at__isnull=True).order_by("deadline", "pk")
    return (
        dossiers.annotate(urgency=urgency)
        .prefetch_related(Prefetch("requests", queryset=waiting, to_attr="waiting_requests"))
        .order_by(
            "urgency", F("permit_expires_on").asc(nulls_last=True), F("updated_at").desc(), "pk"
        )
    )


def dossier_get_for(*, user: Any, number: str) -> Dossier:
    """One dossier `user` may see, by number; 404 otherwise, telling nothing of others.

    A helper whose mandate for its applicant (or whose representation) has ended is told that
    (MandateEnded, a 403), and nothing else.
    """
    try:
        # The number is unique: no ordering to add to the query.
        return dossier_list_for(user=user).get(number=number)
    except Dossier.DoesNotExist:
        if permissions.is_helper(user):
            found = Dossier.objects.filter(number=number).values_list("pk", "applicant_id").first()
            if found is not None and helpers.acted_for_before(
                helper=user, dossier_id=found[0], applicant_id=found[1]
            ):
                raise MandateEnded from None
        raise Http404 from None


def helped_counts(*, viewer: Any) -> dict[str, int]:
    """The figures of a helper's dashboard: applicants, dossiers, and what waits on them."""
    dossiers = dossier_list_for(user=viewer).exclude(applicant_id=viewer.pk).order_by()
    rows = dossiers.values("status").annotate(total=Count("*"))
    by_status = {row["status"]: row["total"] for row in rows}
    return {
        "applicants": helpers.mandates_active_held(viewer=viewer)
        .values("applicant_id")
        .distinct()
        .count(),
        "dossiers": sum(by_status.values()),
        "awaiting": by_status.get(Status.AWAITING_APPLICANT, 0),
        "drafts": by_status.get(Status.DRAFT, 0),
        "approved": by_status.get(Status.APPROVED, 0),
        "expiring": helpers.expiring_soon(viewer=viewer).count(),
    }


def applicant_prepared_by(*, viewer: Any, pk: int) -> User:
    """An applicant whose mandate lets `viewer` start applications for them; 404 otherwise."""
    applicant = User.objects.filter(
        pk=pk, pk__in=helpers.mandated_applicant_ids(helper=viewer, scope="prepare")
    ).first()
    if applicant is None:
        raise Http404
    return applicant


def dossier_for_declaration(*, number: str) -> Dossier | None:
    """The dossier a lawyer names in a declaration (the service then checks the client's name)."""
    return Dossier.objects.select_related("applicant").filter(number=number.upper()).first()


def checklist(*, dossier: Dossier) -> list[ChecklistItem]:
    """The documents this dossier needs, given its answers."""
    return catalog_selectors.checklist_for(procedure=dossier.procedure, answers=dossier.answers)


def current_documents(*, dossier: Dossier) -> QuerySet[Document]:
    """The documents on file now (not replaced, not removed), checklist items only."""
    return dossier.documents.filter(
        replaced_by__isnull=True, removed_at__isnull=True, message__isnull=True
    ).exclude(item_code="")


def missing_items(*, dossier: Dossier) -> list[ChecklistItem]:
    """Required checklist items with no current document."""
    present = set(current_documents(dossier=dossier).values_list("item_code", flat=True))
    return [
        item for item in checklist(dossier=dossier) if item.required and item.code not in present
    ]


def timeline(*, dossier: Dossier) -> QuerySet[Event]:
    return dossier.events.select_related("actor", "on_behalf_of").order_by("at", "pk")


def messages_of(*, dossier: Dossier) -> QuerySet[Message]:
    return dossier.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Document.objects.order_by("pk"))
    )


def document_get_for(*, user: Any, number: str, document_id: int) -> Document:
    """A document of a dossier `user` may see; 404 otherwise."""
    dossier = dossier_get_for(user=user, number=number)
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


NOT_FILED = (FilingAttempt.Outcome.FAILED, FilingAttempt.Outcome.RECORDED)


def failed_attempts(*, dossier: Dossier) -> QuerySet[FilingAttempt]:
    """Filing attempts the platform could not complete, or that the support desk recorded as
    impossible: each has a proof to download."""
    return dossier.attempts.filter(outcome__in=NOT_FILED)


def attempt_by_proof_code(*, code: str) -> FilingAttempt | None:
    """The failed filing a proof of attempt records, for the public check (no login)."""
    normal = normalize_code(code)
    if normal is None:
        return None
    return (
        FilingAttempt.objects.select_related("dossier", "dossier__prefecture")
        .filter(outcome__in=NOT_FILED, proof_code=normal)
        .first()
    )


def document_content(*, document: Document, viewer: Any) -> bytes:
    """The bytes of a stored file, once the antivirus cleared it and its checksum matches.

    A mismatch is recorded in the audit journal: a file must never change in storage.
    """
    if document.scan_status == ScanStatus.INFECTED:
        raise DomainError(_("This file was refused by the antivirus and cannot be opened."))
    if document.scan_status == ScanStatus.PENDING:
        raise DomainError(_("This file is still being checked. Try again in a minute."))
    with default_storage.open(document.file.name) as handle:
        content: bytes = handle.read()
    try:
        uploads.verify_integrity(content=content, sha256=document.sha256)
    except uploads.IntegrityFailure:
        with transaction.atomic():
            audit.record(
                actor=viewer if getattr(viewer, "is_authenticated", False) else None,
                action="dossier.document_corrupted",
                target=document,
                data={"expected": document.sha256},
            )
        raise
    return content


# The back-office's reads: every one takes the staff member and keeps to their scope.

QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_APPLICANT)
# What a line of the work queue shows (with its flags), and so all the queue reads of a dossier.
QUEUE_FIELDS = (
    "number",
    "status",
    "permit_expires_on",
    "submitted_at",
    "decision_due_on",
    "decision_paused_since",
    "needs_attention",
    "applicant",
    "applicant__given_name",
    "applicant__family_name",
    "procedure",
    "procedure__name",
    "permit_type",
    "permit_type__implicit_decision_months",
    "assigned_to",
    "assigned_to__given_name",
    "assigned_to__family_name",
)


def staff_dossiers(*, viewer: Any) -> QuerySet[Dossier]:
    """Every filed dossier `viewer` may see from the back-office (their prefectures)."""
    if not (permissions.is_agent(viewer) or permissions.is_supervisor(viewer)):
        return Dossier.objects.none()
    scope = permissions.prefecture_ids(viewer)
    dossiers = Dossier.objects.exclude(status=Status.DRAFT)
    if scope is not None:
        dossiers = dossiers.filter(prefecture_id__in=scope)
    return dossiers.select_related(
        "applicant", "procedure", "permit_type", "prefecture", "assigned_to"
    )


def risk_order(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Most at risk first: permit expired or ending soonest, silence deadline nearest,
    longest waiting, then changed since the agent's last look."""
    return dossiers.order_by(
        F("permit_expires_on").asc(nulls_last=True),
        F("decision_due_on").asc(nulls_last=True),
        F("submitted_at").asc(nulls_last=True),
        F("needs_attention").desc(),
        "pk",
    )


def staff_queue(*, viewer: Any, filters: Mapping[str, Any]) -> QuerySet[Dossier]:
    """The work queue: filters of the queue page, in order of risk to the applicant's rights."""
    dossiers = staff_dossiers(viewer=viewer)
    status = filters.get("status") or ""
    dossiers = (
        dossiers.filter(status=status) if status else dossiers.filter(status__in=QUEUE_STATUSES)
    )
    if filters.get("procedure"):
        dossiers = dossiers.filter(procedure__code=filters["procedure"])
    if filters.get("permit_type"):
        dossiers = dossiers.filter(permit_type__code=filters["permit_type"])
    assigned = filters.get("assigned") or ""
    if assigned == "me":
        dossiers = dossiers.filter(assigned_to=viewer)
    elif assigned == "none":
        dossiers = dossiers.filter(assigned_to__isnull=True)
    elif assigned.isdigit():
        dossiers = dossiers.filter(assigned_to_id=int(assigned))
    if filters.get("older_than"):
        since = timezone.now() - dt.timedelta(days=int(filters["older_than"]))
        dossiers = dossiers.filter(submitted_at__lte=since)
    if filters.get("changed"):
        dossiers = dossiers.filter(needs_attention=True)
    dossiers = dossiers.select_related(None).select_related(
        "applicant", "procedure", "permit_type", "assigned_to"
    )
    return risk_order(dossiers.only(*QUEUE_FIELDS))


def staff_counts(*, viewer: Any) -> dict[str, int]:
    """How many dossiers wait in each queue of `viewer`'s scope."""
    waiting = staff_dossiers(viewer=viewer).filter(status__in=QUEUE_STATUSES)
    # One pass for the queues and the overdue ones, counting no column but those of the index
    # (prefecture, status, decision due): PostgreSQL then reads that index, not the table.
    overdue_rows = Q(decision_due_on__lt=clock.today())
    rows = (
        waiting.order_by()
        .values("status")
        .annotate(total=Count("*"), overdue=Count("decision_due_on", filter=overdue_rows))
    )
    counts: dict[str, int] = dict.fromkeys(map(str, QUEUE_STATUSES), 0)
    overdue = 0
    for row in rows:
        counts[row["status"]] = row["total"]
        overdue += row["overdue"]
    counts["mine"] = waiting.filter(assigned_to=viewer).count()
    counts["overdue"] = overdue
    return counts


def staff_dossier_get(*, viewer: Any, number: str) -> Dossier:
    """One dossier in `viewer`'s scope; 404 otherwise, telling nothing."""
    dossier = staff_dossiers(viewer=viewer).filter(number=number).first()
    if dossier is None:
        raise Http404
    return dossier


# A search shows at most this many dossiers, the most at risk first, and of each only this.
SEARCH_LIMIT = 100
SEARCH_FIELDS = (
    "number",
    "status",
    "applicant",
    "applicant__given_name",
    "applicant__family_name",
    "procedure",
    "procedure__name",
)


def staff_search(*, viewer: Any, query: str) -> QuerySet[Dossier]:
    """Find dossiers by number, name, foreigner number or date of birth (dd/mm/yyyy).

    At most `SEARCH_LIMIT`, the most at risk first.
    """
    dossiers = staff_dossiers(viewer=viewer)
    text = " ".join(query.split())
    if not text:
        return dossiers.none()
    upper = text.upper()
    dossiers = dossiers.select_related(None).select_related("applicant", "procedure")
    dossiers = dossiers.only(*SEARCH_FIELDS)
    if re.fullmatch(r"\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", upper):
        return dossiers.filter(number=upper)
    if re.fullmatch(r"\d{10}", text):
        return risk_order(dossiers.filter(applicant__foreigner_number=text))
    birth = _date_in(text)
    if birth is not None:
        return risk_order(dossiers.filter(applicant__date_of_birth=birth))
    condition = Q()
    for word in text.split()[:4]:
        condition &= Q(applicant_family_name__istartswith=word) | Q(
            applicant_given_name__istartswith=word
        )
    # The dossier's own copy of the names (migrations 0006 and 0007), no join: the matches are
    # ranked from the dossier rows alone, and only those shown are read with their relations.
    shown = risk_order(dossiers.filter(condition)).values("pk")[:SEARCH_LIMIT]
    return risk_order(dossiers.filter(pk__in=shown))


def _date_in(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    return None


def agents_of(*, dossier: Dossier) -> QuerySet[Any]:
    """The agents who may be given this dossier."""
    if dossier.prefecture is None:
        return User.objects.none()
    return dossier.prefecture.staff.filter(role="agent", is_active=True).order_by(
        "family_name", "given_name"
    )


def open_requests(*, dossier: Dossier) -> QuerySet[DocumentRequest]:
    return dossier.requests.filter(answered_at__isnull=True).order_by("deadline", "pk")


def changes_since(*, dossier: Dossier, moment: dt.datetime | None) -> QuerySet[Event]:
    """What happened in the dossier since the agent last looked."""
    events = dossier.events.select_related("actor")
    return events.filter(at__gt=moment) if moment else events.none()


def staff_figures(*, viewer: Any) -> list[dict[str, Any]]:
    """Per prefecture in `viewer`'s scope: backlog, overdue decisions, decisions this month."""
    today = clock.today()
    month_start = today.replace(day=1)
    rows = (
        staff_dossiers(viewer=viewer)
        .values("prefecture__departement_code", "prefecture__name")
        .annotate(
            pending=Count("pk", filter=Q(status__in=QUEUE_STATUSES)),
            awaiting=Count("pk", filter=Q(status=Status.AWAITING_APPLICANT)),
            overdue=Count("pk", filter=Q(status__in=QUEUE_STATUSES, decision_due_on__lt=today)),
            approved=Count(
                "pk", filter=Q(status=Status.APPROVED, decided_at__date__gte=month_start)
            ),
            refused=Count("pk", filter=Q(status=Status.REFUSED, decided_at__date__gte=month_start)),
        )
        .order_by("prefecture__departement_code")
    )
    return list(rows)


def counter_dossier_get(*, viewer: Any, number: str) -> Dossier:
    """A dossier an agent prepares at the counter, or filed there by them (to print its
    receipt); 404 otherwise, telling nothing of others."""
    dossier = (
        Dossier.objects.select_related("applicant", "procedure", "prefecture")
        .filter(number=number.strip().upper())
        .first()
    )
    if dossier is None or not (
        permissions.at_counter(viewer, dossier)
        or (permissions.is_agent(viewer) and dossier.filed_by_id == viewer.pk)
    ):
        raise Http404
    return dossier


def counter_person(*, viewer: Any, pk: int) -> User | None:
    """The person an agent found at the counter (by identity, signed into the page's
    address), if the account is still active; None otherwise."""
    if not permissions.is_agent(viewer):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def counter_drafts(*, viewer: Any, applicant: Any) -> QuerySet[Dossier]:
    """The applicant's drafts an agent may take on at the counter (the person is present)."""
    if not permissions.is_agent(viewer):
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant=applicant, status=Status.DRAFT)
        .select_related("procedure")
        .order_by("-created_at")
    )
