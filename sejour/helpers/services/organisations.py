"""Writes of organisations: apply, verification by an admin, members invited and removed."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from sejour.accounts import services as accounts
from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed, ensure
from sejour.helpers import selectors
from sejour.helpers.choices import (
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
)
from sejour.helpers.models import (
    Invitation,
    Membership,
    Organisation,
)
from sejour.helpers.permissions import (
    can_apply,
    get_organisation_abilities,
    membership,
)
from sejour.helpers.services.notices import tell
from sejour.notifications import services as notifications

INVITATION_DAYS = 14


@transaction.atomic
def organisation_apply(
    *,
    actor: User,
    name: str,
    kind: str,
    address: str,
    email: str,
    siret: str = "",
    bar: str = "",
    bar_number: str = "",
) -> Organisation:
    """Ask for an organisation to be registered; its applicant becomes its first manager."""
    ensure(can_apply(actor), NotAllowed())
    ensure(kind in OrganisationKind.values, DomainError(_("Choose the kind of organisation.")))
    ensure(bool(name.strip()), DomainError(_("Enter the organisation's name.")))
    if kind == OrganisationKind.LAW_FIRM:
        ensure(
            bool(bar.strip() and bar_number.strip()),
            DomainError(_("A law firm's applicant gives their bar and registration number.")),
        )
    now = clock.now()
    organisation = Organisation.objects.create(
        name=" ".join(name.split()),
        kind=kind,
        siret=siret,
        address=address.strip(),
        email=email.strip().lower(),
        applied_by=actor,
        applied_at=now,
    )
    Membership.objects.create(
        organisation=organisation,
        user=actor,
        role=MemberRole.MANAGER,
        bar=bar.strip() if kind == OrganisationKind.LAW_FIRM else "",
        bar_number=bar_number.strip() if kind == OrganisationKind.LAW_FIRM else "",
        added_by=actor,
        joined_at=now,
    )
    accounts.user_become_helper(user=actor, actor=actor)
    audit.record(
        actor=actor,
        action="organisation.applied",
        target=organisation,
        data={"kind": kind, "name": organisation.name, "bar_number": bar_number.strip()},
    )
    return organisation


def _decide(organisation: Organisation, actor: User) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    ensure(get_organisation_abilities(actor, locked)["decide"], NotAllowed())
    locked.decided_by = actor
    locked.decided_at = clock.now()
    return locked


@transaction.atomic
def organisation_verify(*, organisation: Organisation, actor: User) -> Organisation:
    """An admin has checked the organisation: its members may now hold mandates."""
    locked = _decide(organisation, actor)
    locked.status = OrganisationStatus.VERIFIED
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor=actor, action="organisation.verified", target=locked)
    tell(
        locked.applied_by,
        "helpers/messages/verified",
        {"organisation": locked.name},
        "helpers:organisation",
        locked.pk,
    )
    return locked


@transaction.atomic
def organisation_refuse(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    """An admin refuses the organisation, saying why."""
    ensure(bool(reason.strip()), DomainError(_("Say why the organisation is refused.")))
    locked = _decide(organisation, actor)
    locked.status = OrganisationStatus.REFUSED
    locked.refusal_reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    audit.record(
        actor=actor, action="organisation.refused", target=locked, data={"reason": reason.strip()}
    )
    tell(
        locked.applied_by,
        "helpers/messages/refused",
        {"organisation": locked.name, "reason": locked.refusal_reason},
        "helpers:organisation",
        locked.pk,
    )
    return locked


def _token_digest(token: str) -> str:
    return salted_hmac("sejour.helpers.invitation", token).hexdigest()


@transaction.atomic
def invitation_send(
    *, organisation: Organisation, actor: User, email: str, role: str = MemberRole.MEMBER
) -> Invitation:
    """A manager invites a person by e-mail; the link in it works for 14 days."""
    ensure(get_organisation_abilities(actor, organisation)["invite"], NotAllowed())
    ensure(role in MemberRole.values, DomainError(_("Choose the role of the new member.")))
    email = email.strip().lower()
    ensure(bool(email), DomainError(_("Enter the e-mail address of the person to invite.")))
    ensure(
        not organisation.memberships.filter(user__email=email, removed_at__isnull=True).exists(),
        DomainError(_("This person is already a member.")),
    )
    token = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_token_digest(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    language = actor.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("helpers:invitation", args=[token])
    notifications.message_send(
        channel=notifications.EMAIL,
        to=email,
        template="helpers/messages/invitation",
        context={
            "organisation": organisation.name,
            "inviter": actor.display_name,
            "link": f"{settings.SITE_URL}{path}",
            "days": INVITATION_DAYS,
        },
        language=language,
    )
    audit.record(
        actor=actor,
        action="organisation.member_invited",
        target=organisation,
        data={"email": email, "role": role},
    )
    return invitation


def invitation_for(*, token: str) -> Invitation | None:
    """The open invitation a link carries, or None (unknown, used, cancelled or expired)."""
    return (
        Invitation.objects.select_related("organisation")
        .filter(
            token_hash=_token_digest(token),
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=clock.now(),
        )
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, token: str, actor: User, bar: str = "", bar_number: str = ""
) -> Membership:
    """The invited person, signed in with the address invited, joins the organisation."""
    invitation = invitation_for(token=token)
    ensure(
        invitation is not None,
        DomainError(_("This invitation has expired or was already used. Ask for a new one.")),
    )
    assert invitation is not None  # for the type checker: ensure() raised otherwise
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    ensure(
        (actor.email or "").lower() == invitation.email,
        DomainError(
            _("This invitation was sent to another e-mail address. Log in with that address.")
        ),
    )
    organisation = invitation.organisation
    ensure(membership(actor, organisation) is None, DomainError(_("You are already a member.")))
    lawyer = organisation.kind == OrganisationKind.LAW_FIRM
    accounts.user_become_helper(user=actor, actor=actor)
    now = clock.now()
    member = Membership.objects.create(
        organisation=organisation,
        user=actor,
        role=invitation.role,
        bar=bar.strip() if lawyer else "",
        bar_number=bar_number.strip() if lawyer else "",
        added_by=invitation.invited_by,
        joined_at=now,
    )
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        actor=actor,
        action="organisation.member_joined",
        target=organisation,
        data={"role": invitation.role, "bar_number": member.bar_number},
    )
    return member


@transaction.atomic
def member_remove(*, member: Membership, actor: User) -> Membership:
    """A manager removes a member: from now on they act for nobody through this organisation."""
    locked = Membership.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    ensure(get_organisation_abilities(actor, locked.organisation)["remove"], NotAllowed())
    ensure(locked.removed_at is None, InvalidTransition(_("This person was already removed.")))
    if locked.role == MemberRole.MANAGER:
        others = selectors.managers_of(organisation=locked.organisation).exclude(pk=locked.pk)
        ensure(
            others.exists(),
            DomainError(_("An organisation keeps at least one manager. Invite another first.")),
        )
    locked.removed_at = clock.now()
    locked.removed_by = actor
    locked.save(update_fields=["removed_at", "removed_by"])
    audit.record(
        actor=actor,
        action="organisation.member_removed",
        target=locked.organisation,
        data={"member": locked.user_id},
    )
    return locked
