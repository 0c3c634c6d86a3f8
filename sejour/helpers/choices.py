"""Kinds of organisations, their states, members' roles, what a mandate covers and for how long."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    LAW_FIRM = "law_firm", _("Law firm")
    SOCIAL_SERVICE = "social_service", _("Social service")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")


class MemberRole(models.TextChoices):
    MANAGER = "manager", _("Manager (invites and removes members)")
    MEMBER = "member", _("Member")


class Scope(models.TextChoices):
    """What a mandate covers: one authorisation each, revocable one by one (as Aidants Connect)."""

    VIEW = "view", _("See my applications and their history")
    PREPARE = "prepare", _("Start and prepare my applications, add documents")
    SUBMIT = "submit", _("File my applications")
    MESSAGE = "message", _("Exchange messages with the prefecture")
    APPOINTMENTS = "appointments", _("Book my appointments")
    NOTIFICATIONS = "notifications", _("Receive a copy of my notifications")


class Duration(models.TextChoices):
    DAY = "day", _("1 day")
    MONTH = "month", _("1 month")
    SIX_MONTHS = "six_months", _("6 months")
    YEAR = "year", _("1 year")


# Months each duration lasts; a day is counted in hours (24), as Aidants Connect does.
DURATION_MONTHS = {Duration.MONTH: 1, Duration.SIX_MONTHS: 6, Duration.YEAR: 12}


class Channel(models.TextChoices):
    ONLINE = "online", _("Online, from the applicant's account")
    IN_PERSON = "in_person", _("In person, confirmed with a code")


class MandateStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting the applicant's code")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Ended")


class EndReason(models.TextChoices):
    REVOKED = "revoked", _("Ended by the applicant")
    RENEWED = "renewed", _("Renewed")
    REPLACED = "replaced", _("Replaced by a new mandate")
    CANCELLED = "cancelled", _("Consent not confirmed")
