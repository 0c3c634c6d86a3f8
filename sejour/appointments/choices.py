"""Kinds of appointment, where a booking stands, and what a waiting-list offer became."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BIOMETRICS = "biometrics", _("Fingerprints and photo")
    HAND_OVER = "hand_over", _("Hand-over of the card")
    FILING = "filing", _("Filing at the counter")
    INFORMATION = "information", _("Information")


class Status(models.TextChoices):
    # The dossier needs the appointment but no seat is free yet: the next one freed is its own.
    WAITING = "waiting", _("Waiting for a free slot")
    # A seat is held for the dossier; the applicant confirms it or picks another.
    OFFERED = "offered", _("Proposed, to confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


# At most one booking of a kind per dossier in these states (a database constraint).
ACTIVE = frozenset({Status.WAITING, Status.OFFERED, Status.CONFIRMED})
# A booking in these states holds a seat of its slot.
HOLDING = frozenset({Status.OFFERED, Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW})


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("No longer possible")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
