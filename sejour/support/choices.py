"""What a report is about, where it stands, and what happened to it."""

from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


def window_label(window: str) -> str:
    """A call-back window "09-12" as people read it: "09:00 - 12:00"."""
    start, _sep, end = window.partition("-")
    return f"{start}:00 - {end}:00" if end else window


def language_name(code: str, *, local: bool = False) -> str:
    """A language's name in the reader's language, or in its own (`local`) for choosing it."""
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    return str(info["name_local"] if local else info["name_translated"])


class Category(models.TextChoices):
    CANNOT_FILE = "cannot_file", _("I cannot file my application")
    CANNOT_UPLOAD = "cannot_upload", _("I cannot send a document")
    NO_ATTESTATION = "no_attestation", _("I have no attestation")
    ACCOUNT_ACCESS = "account_access", _("I cannot get into my account")
    APPOINTMENT = "appointment", _("I cannot get an appointment")
    WRONG_INFORMATION = "wrong_information", _("Some information about me is wrong")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Passed to the prefecture")
    RESOLVED = "resolved", _("Resolved")


# The reports someone still has to act on.
WAITING = (Status.OPEN, Status.ANSWERED, Status.ESCALATED)


class EventKind(models.TextChoices):
    OPENED = "opened", _("Report sent")
    ANSWERED = "answered", _("Answer")
    ADDED = "added", _("Message from the person")
    ESCALATED = "escalated", _("Passed to the prefecture")
    OVERDUE = "overdue", _("Passed to the prefecture: no answer within the deadline")
    RESOLVED = "resolved", _("Resolved")
    FIXED = "fixed", _("Fixed by the support desk")
    CALLBACK = "callback", _("Call-back planned")


class Fix(models.TextChoices):
    """What the support desk (or the prefecture) can repair itself from a report."""

    REISSUE = "reissue", _("Documents issued again")
    ACCESS = "access", _("Access restored after an identity check")
    CONTACT = "contact", _("Contact details corrected")
    IMPOSSIBILITY = "impossibility", _("Filing impossibility recorded")


class CallStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Called")
    MISSED = "missed", _("No answer")
    CANCELLED = "cancelled", _("Cancelled")
