"""Kinds of documents the system issues."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RECEIPT = "receipt", _("Filing receipt")
    EXTENSION = "extension", _("Extension attestation")
    FAVOURABLE = "favourable", _("Favourable decision attestation")
    PROOF_OF_ATTEMPT = "attempt", _("Proof of a filing attempt")
    DECISION = "decision", _("Decision letter")


class EndReason(models.TextChoices):
    """Why a document stopped proving a right before its printed term."""

    REFUSED = "refused", _("The application was refused")
    WITHDRAWN = "withdrawn", _("The application was withdrawn")
    CARD_HANDED_OVER = "card_handed_over", _("The residence card was handed over")
    DECISION_WITHDRAWN = "decision_withdrawn", _("The decision was withdrawn")
    SUPERSEDED = "superseded", _("Replaced by a favourable-decision attestation")
