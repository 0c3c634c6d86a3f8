"""Organisations of helpers, their members, the mandates applicants give them, and lawyers'
declarations on a client's dossier.

Rows are never deleted: a member removed, a mandate ended or a scope withdrawn keeps its row
with the date it ended, and every change is also written to the audit journal.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sejour.helpers.choices import (
    Channel,
    Duration,
    EndReason,
    MandateStatus,
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
    Scope,
)


class Organisation(models.Model):
    """An association, a law firm or a social service whose members help applicants."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    siret = models.CharField(_("SIRET number"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=250)
    email = models.EmailField(_("contact e-mail address"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified or refused by"),
    )
    decided_at = models.DateTimeField(_("verified or refused at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == OrganisationStatus.VERIFIED


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> "MembershipQuerySet":
        """Members not removed, of verified organisations: those who may act."""
        return self.filter(
            removed_at__isnull=True, organisation__status=OrganisationStatus.VERIFIED
        )


class Membership(models.Model):
    """A helper's place in an organisation; a lawyer's bar registration is kept here."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("helper"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    bar = models.CharField(_("bar (barreau)"), max_length=120, blank=True)
    bar_number = models.CharField(_("bar registration number"), max_length=40, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    joined_at = models.DateTimeField(_("joined at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(removed_at__isnull=True),
                name="one_current_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"

    @property
    def is_lawyer(self) -> bool:
        return bool(self.bar_number) and self.organisation.kind == OrganisationKind.LAW_FIRM


class Invitation(models.Model):
    """An e-mail sent by a manager to bring a person into the organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    token_hash = models.CharField(max_length=128, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} — {self.organisation}"


class MandateQuerySet(models.QuerySet["Mandate"]):
    def active(self, *, at: dt.datetime) -> "MandateQuerySet":
        """Consented, not ended, not expired at `at`."""
        return self.filter(consented_at__isnull=False, ended_at__isnull=True, expires_at__gt=at)


class Mandate(models.Model):
    """What an applicant allows an organisation to do for them, until when, and the exact
    text they agreed to (with its SHA-256), online or in person with a code."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name=_("applicant"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name=_("organisation"),
    )
    duration = models.CharField(_("duration"), max_length=12, choices=Duration.choices)
    channel = models.CharField(_("consent given"), max_length=10, choices=Channel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"))
    consent_text = models.TextField(_("text agreed to"))
    consent_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    consent_language = models.CharField(_("language of the text"), max_length=8)
    # For consent in person: the code sent to the applicant, until they give it to the helper.
    challenge = models.ForeignKey(
        "accounts.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verification code"),
    )
    consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=10, choices=EndReason.choices, blank=True
    )
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renews"),
    )

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "applicant"], name="mandate_org_applicant_idx"),
            models.Index(fields=["applicant", "-created_at"], name="mandate_applicant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.organisation}"

    def status_at(self, moment: dt.datetime) -> MandateStatus:
        if self.ended_at is not None:
            return MandateStatus.REVOKED
        if self.consented_at is None:
            return MandateStatus.AWAITING
        if self.expires_at is not None and self.expires_at <= moment:
            return MandateStatus.EXPIRED
        return MandateStatus.ACTIVE


class MandateScope(models.Model):
    """One thing a mandate covers; withdrawn alone when the applicant ends only this part."""

    mandate = models.ForeignKey(
        Mandate, on_delete=models.PROTECT, related_name="scopes", verbose_name=_("mandate")
    )
    scope = models.CharField(_("covers"), max_length=20, choices=Scope.choices)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("mandate scope")
        verbose_name_plural = _("mandate scopes")
        ordering = ["mandate", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mandate", "scope"], name="one_scope_per_mandate")
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id} {self.scope}"


class Representation(models.Model):
    """A lawyer attached to a client's dossier on their own declaration (Conseil d'État,
    5 June 2002, n° 227373: a lawyer represents a client without producing a mandate)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("dossier"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("lawyer"),
    )
    declared_at = models.DateTimeField(_("declared at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("lawyer's representation")
        verbose_name_plural = _("lawyers' representations")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "membership"],
                condition=Q(ended_at__isnull=True),
                name="one_current_representation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} — {self.dossier_id}"


class AccountOpening(models.Model):
    """A code on paper that gives an account to the person in front of a helper or an agent:
    an account a helper opened for someone without e-mail or phone, or (`recovery`) one an
    agent gives back after checking its holder's identity in person. Taken over once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="openings",
        verbose_name=_("account"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # The helper's organisation; none for a recovery by the support desk or a prefecture.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    recovery = models.BooleanField(_("access restored after an identity check"), default=False)
    opened_at = models.DateTimeField(_("opened at"))
    code_hash = models.CharField(max_length=128, unique=True)
    taken_over_at = models.DateTimeField(_("taken over at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account opened by a helper")
        verbose_name_plural = _("accounts opened by a helper")
        constraints = [
            # One code at a time: a new one replaces the code not used yet.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(taken_over_at__isnull=True),
                name="one_open_code_per_account",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)
