"""Who may do what with organisations and mandates: dicts read by views, templates and services."""

import datetime as dt
from typing import Any

from sejour.accounts.choices import Role
from sejour.helpers.choices import MandateStatus, MemberRole, OrganisationStatus
from sejour.helpers.models import Mandate, Membership, Organisation


def is_helper(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.HELPER)


def is_applicant(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.APPLICANT)


def is_admin(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.role == Role.ADMIN or user.is_superuser)
    )


def can_apply(user: Any) -> bool:
    """Anyone signed in outside the administration may ask to register an organisation."""
    return is_helper(user) or is_applicant(user)


def membership(user: Any, organisation: Organisation) -> Membership | None:
    """`user`'s current place in `organisation` (verified or not), if any."""
    if not user.is_authenticated:
        return None
    return organisation.memberships.filter(user=user, removed_at__isnull=True).first()


def get_organisation_abilities(user: Any, organisation: Organisation) -> dict[str, bool]:
    """The actions `user` may take on `organisation`."""
    member = membership(user, organisation) if user.is_active else None
    manager = member is not None and member.role == MemberRole.MANAGER
    verified = organisation.status == OrganisationStatus.VERIFIED
    pending = organisation.status == OrganisationStatus.PENDING
    return {
        "view": member is not None or is_admin(user),
        "invite": manager and verified,
        "remove": manager and verified,
        "act": member is not None and verified and is_helper(user),
        "decide": is_admin(user) and pending,
    }


def is_mandate_applicant(user: Any, mandate: Mandate) -> bool:
    return bool(user.is_authenticated and mandate.applicant_id == user.pk)


def get_mandate_abilities(user: Any, mandate: Mandate, *, at: dt.datetime) -> dict[str, bool]:
    """The actions `user` may take on `mandate` at `at`: its applicant ends or renews it."""
    applicant = is_mandate_applicant(user, mandate) and user.is_active
    status = mandate.status_at(at)
    return {
        "view": applicant,
        "revoke": applicant and status in (MandateStatus.ACTIVE, MandateStatus.AWAITING),
        "renew": applicant
        and status in (MandateStatus.ACTIVE, MandateStatus.EXPIRED)
        and not Mandate.objects.filter(renews=mandate).exists(),
    }
