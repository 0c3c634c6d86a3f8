"""States of a dossier, kinds of timeline events, states of a file scan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Filed")
    IN_REVIEW = "in_review", _("Being reviewed")
    AWAITING_APPLICANT = "awaiting_applicant", _("Waiting for your documents")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Filed and not yet decided: the applicant may still complete and correct it.
PENDING = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_APPLICANT})
# The applicant may change answers and documents (before the decision).
EDITABLE = frozenset({Status.DRAFT, *PENDING})


class EventKind(models.TextChoices):
    CREATED = "created", _("Application started")
    ANSWERS_CHANGED = "answers_changed", _("Answers changed")
    DOCUMENT_ADDED = "document_added", _("Document added")
    DOCUMENT_REPLACED = "document_replaced", _("Document replaced")
    DOCUMENT_REMOVED = "document_removed", _("Document removed")
    SUBMISSION_FAILED = "submission_failed", _("Filing attempt failed on our side")
    IMPOSSIBILITY_RECORDED = "impossibility_recorded", _("Filing impossible online: recorded")
    AT_COUNTER = "at_counter", _("Taken on at the prefecture's counter")
    SUBMITTED = "submitted", _("Application filed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    MESSAGE = "message", _("Message")
    ATTESTATION_ISSUED = "attestation_issued", _("Document issued")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    PROFILE_UPDATED = "profile_updated", _("Profile updated")
    ASSIGNED = "assigned", _("Assigned to an agent")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested by the prefecture")
    DOCUMENTS_SENT = "documents_sent", _("Requested documents sent")
    DECIDED = "decided", _("Decision")
    DECISION_WITHDRAWN = "decision_withdrawn", _("Decision withdrawn")
    EXTENSION_GRANTED = "extension_granted", _("Extension attestation granted")
    CARD_HANDED_OVER = "card_handed_over", _("Residence card handed over")
    APPOINTMENT = "appointment", _("Appointment")


class AppointmentStep(models.TextChoices):
    """What happened to an appointment, as the timeline says it (the appointments part writes
    these lines; the dossier only shows them)."""

    NEEDED = "needed", _("Appointment needed")
    CONFIRMED = "confirmed", _("Appointment confirmed")
    CHOSEN = "chosen", _("Another date chosen for the appointment")
    CANCELLED = "cancelled", _("Appointment cancelled")
    WAITLIST_JOINED = "waitlist_joined", _("Waiting list joined for an earlier date")
    WAITLIST_LEFT = "waitlist_left", _("Waiting list left")
    OFFERED = "offered", _("Earlier date offered")
    OFFER_ACCEPTED = "offer_accepted", _("Earlier date accepted")
    OFFER_DECLINED = "offer_declined", _("Earlier date declined")
    CHECKED_IN = "checked_in", _("Arrived at the appointment")
    MOVED = "moved", _("Appointment moved: its slot was closed")
    PROPOSAL_EXPIRED = "proposal_expired", _("Proposed appointment not confirmed in time")
    OFFER_EXPIRED = "offer_expired", _("Earlier date not answered in time")
    MISSED = "missed", _("Appointment missed")


class Channel(models.TextChoices):
    """How an application reached the prefecture: the substitute channel is recorded."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    PAPER = "paper", _("On paper")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Not scanned (no antivirus configured)")
    PENDING = "pending", _("Being checked")
    CLEAN = "clean", _("Checked")
    INFECTED = "infected", _("Refused: a virus was found")


class RequestKind(models.TextChoices):
    """Why a document is asked again (démarches-simplifiées' three kinds)."""

    MISSING = "missing", _("Missing")
    INCORRECT = "incorrect", _("Incorrect or unreadable")
    OUTDATED = "outdated", _("Out of date")


class RefusalReason(models.TextChoices):
    """Grounds of refusal an agent picks from, completed by free text."""

    CONDITIONS = "conditions", _("The conditions of the permit asked for are not met")
    RESOURCES = "resources", _("Resources are insufficient or not proven")
    DOCUMENTS = "documents", _("Documents asked for were not provided")
    PUBLIC_ORDER = "public_order", _("Threat to public order")
    FRAUD = "fraud", _("Fraud or false documents")
    RESIDENCE = "residence", _("Habitual residence in France is not proven")
    OTHER = "other", _("Other reason, explained below")


class CoverBasis(models.TextChoices):
    """Why the system keeps a pending renewal covered by extension attestations."""

    NONE = "", _("No attestation as of right")
    RIGHT = "right", _("Timely and complete renewal (R.431-15-1)")
    GRANTED = "granted", _("Granted by the prefecture")
