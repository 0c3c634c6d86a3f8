"""Writes of lawyers' declarations on a client's dossier, and their end."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed, ensure
from sejour.helpers import selectors
from sejour.helpers.models import (
    Representation,
)
from sejour.helpers.services.notices import tell


@transaction.atomic
def representation_declare(*, actor: User, dossier: Any, family_name: str) -> Representation:
    """A verified lawyer attaches to a client's dossier on their declaration, giving the
    dossier's number and the client's family name; the client is told at once."""
    member = selectors.lawyer_membership(viewer=actor)
    ensure(
        member is not None,
        DomainError(_("Only a lawyer of a verified law firm, with a bar number, may do this.")),
    )
    assert member is not None  # for the type checker: ensure() raised otherwise
    ensure(
        " ".join(family_name.split()).casefold()
        == " ".join(dossier.applicant.family_name.split()).casefold(),
        DomainError(
            _(
                "No application matches this number and this family name. Check both with your client."
            )
        ),
    )
    ensure(
        not Representation.objects.filter(
            dossier=dossier, membership=member, ended_at__isnull=True
        ).exists(),
        DomainError(_("You already represent this client on this application.")),
    )
    representation = Representation.objects.create(
        dossier=dossier, membership=member, declared_at=clock.now()
    )
    audit.record(
        actor=actor,
        action="representation.declared",
        target=representation,
        on_behalf_of=dossier.applicant,
        data={
            "dossier": dossier.number,
            "organisation": member.organisation_id,
            "organisation_name": member.organisation.name,
            "bar": member.bar,
            "bar_number": member.bar_number,
        },
    )
    tell(
        dossier.applicant,
        "helpers/messages/represented",
        {
            "lawyer": actor.display_name,
            "organisation": member.organisation.name,
            "bar": member.bar,
            "number": dossier.number,
        },
        "helpers:mandates",
    )
    return representation


@transaction.atomic
def representation_end(*, representation: Representation, actor: User) -> Representation:
    """The client (or the lawyer) ends the representation at once."""
    locked = (
        Representation.objects.select_for_update()
        .select_related("dossier", "membership__organisation")
        .get(pk=representation.pk)
    )
    ensure(
        actor.is_authenticated
        and actor.pk in (locked.dossier.applicant_id, locked.membership.user_id),
        NotAllowed(),
    )
    ensure(locked.ended_at is None, InvalidTransition(_("This representation already ended.")))
    locked.ended_at = clock.now()
    locked.ended_by = actor
    locked.save(update_fields=["ended_at", "ended_by"])
    audit.record(
        actor=actor,
        action="representation.ended",
        target=locked,
        data={"dossier": locked.dossier.number},
    )
    other = (
        locked.membership.user
        if actor.pk == locked.dossier.applicant_id
        else locked.dossier.applicant
    )
    tell(
        other,
        "helpers/messages/representation_ended",
        {"number": locked.dossier.number, "organisation": locked.membership.organisation.name},
        "web:dashboard",
    )
    return locked
