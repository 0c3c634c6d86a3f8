"""Purposes of share codes, their states, and what a check of one gave."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    WORK = "work", _("Work (an employer)")
    HOUSING = "housing", _("Housing (a landlord or an agency)")
    BENEFITS = "benefits", _("Benefits (a social security or benefits office)")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Cancelled")


class Outcome(models.TextChoices):
    SHOWN = "shown", _("Status shown")
    WRONG_DATE_OF_BIRTH = "wrong_date_of_birth", _("Refused: wrong date of birth")
    UNKNOWN_CODE = "unknown_code", _("Refused: unknown code")
    EXPIRED = "expired", _("Refused: the code had expired")
    REVOKED = "revoked", _("Refused: the code was cancelled")
    THROTTLED = "throttled", _("Refused: too many tries")


# Guesses: these count towards the throttle. Unknown code and wrong date of birth look the same
# to the checker, so that a code's existence is never revealed without its holder's birth date.
FAILED = (Outcome.WRONG_DATE_OF_BIRTH, Outcome.UNKNOWN_CODE)
