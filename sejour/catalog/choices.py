"""Kinds of permit and of procedure, and the types of question a guided form asks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PermitCategory(models.TextChoices):
    # L.411-4: temporary cards last at most one year; multi-year cards four years as a rule.
    TEMPORARY = "cst", _("Temporary residence card (CST)")
    MULTI_YEAR = "csp", _("Multi-year residence card (CSP)")
    RESIDENT = "resident", _("Resident card")
    PROTECTION = "protection", _("International protection")
    OTHER = "other", _("Other document")


class ProcedureKind(models.TextChoices):
    FIRST = "first", _("First application")
    RENEWAL = "renewal", _("Renewal")
    CHANGE_OF_STATUS = "change_of_status", _("Change of status")
    DUPLICATE = "duplicate", _("Duplicate after loss or theft")
    CHANGE_OF_ADDRESS = "change_of_address", _("Change of address")
    CHANGE_OF_FAMILY = "change_of_family", _("Change of family situation")


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("Choice from a list")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")
