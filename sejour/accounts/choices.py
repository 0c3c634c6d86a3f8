"""Roles, channels and purposes of verification codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    HELPER = "helper", _("Helper (association or lawyer)")
    AGENT = "agent", _("Prefecture agent")
    SUPPORT = "support", _("Support agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


# Roles that see other people's data: they must log in with a second factor.
STAFF_ROLES = frozenset({Role.AGENT, Role.SUPPORT, Role.SUPERVISOR, Role.ADMIN})
# Roles asked for a second factor after the password: staff, and helpers, who read many people's
# data too. Helpers may use a code sent to their confirmed contact when they have no app.
SECOND_FACTOR_ROLES = STAFF_ROLES | {Role.HELPER}


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Purpose(models.TextChoices):
    CONFIRM = "confirm", _("Confirm a new account")
    RESET = "reset", _("Reset a forgotten password")
    CHANGE = "change", _("Change contact details")
    CONSENT = "consent", _("Agree to a mandate given in person")
    SECOND_FACTOR = "factor", _("Second step of a login")


class FamilySituation(models.TextChoices):
    UNKNOWN = "", _("Not declared")
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    PACS = "pacs", _("In a civil partnership (PACS)")
    SEPARATED = "separated", _("Divorced or separated")
    WIDOWED = "widowed", _("Widowed")
