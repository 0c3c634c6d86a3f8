"""The substitute channel (décret 2023-191): what the support desk records when the platform
made filing impossible, so that a counter registers the application with the date kept."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.audit import services as audit
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers.choices import EventKind, Status
from sejour.dossiers.models import Dossier, FilingAttempt
from sejour.dossiers.services import _event


@transaction.atomic
def attempt_record_impossibility(
    *, dossier: Dossier, actor: User, since: dt.datetime, reference: str
) -> FilingAttempt:
    """The support desk records that the platform made filing impossible (décret 2023-191).

    The draft keeps `since` (when the person reported it) as its first attempt, so that a
    filing at the counter or online later keeps that date; the proof can be downloaded.
    """
    dossier = Dossier.objects.select_for_update().select_related("applicant").get(pk=dossier.pk)
    ensure(actor.is_active and actor.role in (Role.SUPPORT, Role.AGENT), NotAllowed())
    ensure(
        dossier.status == Status.DRAFT,
        DomainError(_("This application is already filed: there is nothing to record.")),
    )
    attempt = FilingAttempt.objects.create(
        dossier=dossier,
        actor=actor,
        outcome=FilingAttempt.Outcome.RECORDED,
        error=reference[:200],
        proof_code=attestations.new_code(),
    )
    if dossier.first_attempt_at is None or since < dossier.first_attempt_at:
        dossier.first_attempt_at = since
        dossier.save(update_fields=["first_attempt_at", "updated_at"])
    _event(
        dossier,
        EventKind.IMPOSSIBILITY_RECORDED,
        actor,
        {"proof": attempt.proof_code, "since": since.isoformat(), "reference": reference},
    )
    audit.record(
        actor=actor,
        action="dossier.impossibility_recorded",
        target=dossier,
        data={"proof": attempt.proof_code, "reference": reference},
    )
    return attempt
