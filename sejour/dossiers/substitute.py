"""The substitute channel (décret 2023-191): what the support desk records when the platform
made filing impossible, and the counter (or paper) filing by a prefecture agent, which keeps
that date."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.audit import services as audit
from sejour.catalog.models import Procedure
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers.choices import Channel, EventKind, Status
from sejour.dossiers.models import Dossier, FilingAttempt
from sejour.dossiers.services import _event, _new_number


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


@transaction.atomic
def counter_take(
    *,
    actor: User,
    applicant: User,
    channel: str,
    procedure: Procedure | None = None,
    dossier: Dossier | None = None,
) -> Dossier:
    """A prefecture agent takes on, at the counter or from paper, the applicant's draft (the one
    whose online filing was impossible keeps its first attempt's date), or starts one for
    `procedure`: same dossier, same lifecycle, the channel and the agent recorded."""
    ensure(actor.is_active and actor.role == Role.AGENT, NotAllowed())
    ensure(
        channel in (Channel.COUNTER, Channel.PAPER),
        DomainError(_("Choose how the application came: at the counter or on paper.")),
    )
    if dossier is None:
        ensure(procedure is not None, DomainError(_("Choose the procedure.")))
        assert procedure is not None
        ensure(procedure.active, DomainError(_("This procedure is no longer offered.")))
        number = _new_number()
        while Dossier.objects.filter(number=number).exists():
            number = _new_number()
        dossier = Dossier.objects.create(number=number, applicant=applicant, procedure=procedure)
        _event(dossier, EventKind.CREATED, actor, {"procedure": procedure.code})
    else:
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        ensure(
            dossier.applicant_id == applicant.pk and dossier.status == Status.DRAFT,
            DomainError(_("Choose one of the person's applications not filed yet.")),
        )
    dossier.channel = channel
    dossier.filed_by = actor
    dossier.save(update_fields=["channel", "filed_by", "updated_at"])
    _event(dossier, EventKind.AT_COUNTER, actor, {"channel": channel})
    audit.record(
        actor=actor,
        action="dossier.taken_at_counter",
        target=dossier,
        on_behalf_of=applicant,
        data={"channel": channel},
    )
    return dossier
