"""Reads of organisations, members and mandates, always through the person who reads.

`scopes_for` is what every page and service acting for an applicant asks, on every request:
a mandate ended, expired or withdrawn in part stops what it covered at once.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from sejour.core import clock
from sejour.helpers.choices import MemberRole, OrganisationStatus, Scope
from sejour.helpers.models import (
    Invitation,
    Mandate,
    MandateQuerySet,
    MandateScope,
    Membership,
    Organisation,
    Representation,
)
from sejour.helpers.permissions import is_admin, is_helper
from sejour.notifications.services import CopyTo

# A lawyer attached on their declaration acts on that one dossier as the applicant would,
# except for appointments and copies of notifications, which need a mandate.
REPRESENTATION_SCOPES = frozenset({Scope.VIEW, Scope.PREPARE, Scope.SUBMIT, Scope.MESSAGE})
# Mandates ending within this many days come first on the helper's dashboard.
EXPIRING_SOON_DAYS = 7


def organisations_of(*, viewer: Any) -> QuerySet[Organisation]:
    """The organisations `viewer` belongs to now (verified or not)."""
    if not viewer.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=viewer, memberships__removed_at__isnull=True
    ).distinct()


def organisation_get_for(*, viewer: Any, pk: int) -> Organisation:
    """One organisation `viewer` belongs to, or any for an admin; 404 otherwise."""
    organisations = (
        Organisation.objects.all() if is_admin(viewer) else organisations_of(viewer=viewer)
    )
    organisation = organisations.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.filter(removed_at__isnull=True).select_related("user")


def invitations_open(*, organisation: Organisation, at: dt.datetime) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=at
    )


def organisations_to_decide(*, viewer: Any) -> QuerySet[Organisation]:
    """For an admin: the organisations waiting for verification, oldest first."""
    if not is_admin(viewer):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(status=OrganisationStatus.PENDING)
        .select_related("applied_by")
        .order_by("applied_at", "pk")
    )


def verified_organisations() -> QuerySet[Organisation]:
    """The organisations an applicant may choose from."""
    return Organisation.objects.filter(status=OrganisationStatus.VERIFIED).order_by("name", "pk")


def _acting_memberships(helper: Any) -> QuerySet[Membership]:
    if not is_helper(helper):
        return Membership.objects.none()
    return Membership.objects.current().filter(user=helper)


def _active_scopes(helper: Any, at: dt.datetime) -> QuerySet[MandateScope]:
    organisations = _acting_memberships(helper).values("organisation_id")
    return MandateScope.objects.filter(
        revoked_at__isnull=True,
        mandate__organisation_id__in=organisations,
        mandate__consented_at__isnull=False,
        mandate__ended_at__isnull=True,
        mandate__expires_at__gt=at,
    )


def scopes_for(*, helper: Any, applicant_id: int, dossier_id: int | None = None) -> frozenset[str]:
    """What `helper` may do now for this applicant (and on this dossier, if one is named)."""
    if not is_helper(helper):
        return frozenset()
    at = clock.now()
    scopes = set(
        _active_scopes(helper, at)
        .filter(mandate__applicant_id=applicant_id)
        .values_list("scope", flat=True)
    )
    if dossier_id is not None and (
        Representation.objects.filter(
            dossier_id=dossier_id,
            ended_at__isnull=True,
            membership__in=_acting_memberships(helper),
        ).exists()
    ):
        scopes |= REPRESENTATION_SCOPES
    return frozenset(scopes)


def acting_organisation(
    *, helper: Any, applicant_id: int, dossier_id: int | None = None
) -> Organisation | None:
    """The organisation through which `helper` acts for this applicant now, if any."""
    if not is_helper(helper):
        return None
    mandate = (
        Mandate.objects.active(at=clock.now())
        .filter(
            applicant_id=applicant_id,
            organisation_id__in=_acting_memberships(helper).values("organisation_id"),
        )
        .select_related("organisation")
        .order_by("-consented_at", "-pk")
        .first()
    )
    if mandate is not None:
        return mandate.organisation
    if dossier_id is None:
        return None
    representation = (
        Representation.objects.filter(
            dossier_id=dossier_id,
            ended_at__isnull=True,
            membership__in=_acting_memberships(helper),
        )
        .select_related("membership__organisation")
        .first()
    )
    return representation.membership.organisation if representation else None


def mandated_applicant_ids(*, helper: Any, scope: str = Scope.VIEW) -> QuerySet[Any]:
    """Ids of the applicants whose mandate lets `helper` do `scope` now (a subquery)."""
    return _active_scopes(helper, clock.now()).filter(scope=scope).values("mandate__applicant_id")


def acted_for_before(*, helper: Any, applicant_id: int, dossier_id: int) -> bool:
    """Whether `helper` acted for this applicant under a mandate of one of their organisations,
    or on this dossier as a lawyer: called once that is over, to tell them it ended."""
    memberships = _acting_memberships(helper)
    return (
        Mandate.objects.filter(
            organisation_id__in=memberships.values("organisation_id"),
            applicant_id=applicant_id,
            consented_at__isnull=False,
        ).exists()
        or Representation.objects.filter(membership__in=memberships, dossier_id=dossier_id).exists()
    )


def represented_dossier_ids(*, helper: Any) -> QuerySet[Any]:
    """Ids of the dossiers `helper` is attached to as a lawyer now (a subquery)."""
    return Representation.objects.filter(
        ended_at__isnull=True, membership__in=_acting_memberships(helper)
    ).values("dossier_id")


def mandates_of(*, viewer: Any) -> QuerySet[Mandate]:
    """Every mandate `viewer` gave (or was asked for), newest first, with its scopes."""
    if not viewer.is_authenticated:
        return Mandate.objects.none()
    return (
        Mandate.objects.filter(applicant=viewer)
        .select_related("organisation", "created_by")
        .prefetch_related(Prefetch("scopes", queryset=MandateScope.objects.order_by("pk")))
    )


def mandates_held(*, viewer: Any) -> MandateQuerySet:
    """The mandates of the organisations `viewer` acts for, newest first."""
    organisations = _acting_memberships(viewer).values("organisation_id")
    return (
        Mandate.objects.filter(organisation_id__in=organisations)
        .select_related("organisation", "applicant")
        .prefetch_related(Prefetch("scopes", queryset=MandateScope.objects.order_by("pk")))
    )


def mandates_active_held(*, viewer: Any, query: str = "") -> MandateQuerySet:
    """Active mandates held for `viewer`'s organisations, the soonest to end first; `query`
    filters by the applicant's names."""
    mandates = mandates_held(viewer=viewer).active(at=clock.now())
    for word in " ".join(query.split()).split()[:4]:
        mandates = mandates.filter(
            Q(applicant__family_name__istartswith=word) | Q(applicant__given_name__istartswith=word)
        )
    return mandates.order_by("expires_at", "pk")


def expiring_soon(*, viewer: Any) -> QuerySet[Mandate]:
    at = clock.now()
    return mandates_active_held(viewer=viewer).filter(
        expires_at__lte=at + dt.timedelta(days=EXPIRING_SOON_DAYS)
    )


def awaiting_code(*, viewer: Any) -> QuerySet[Mandate]:
    """Consents in person started by `viewer`'s organisations that still wait for the code."""
    return mandates_held(viewer=viewer).filter(consented_at__isnull=True, ended_at__isnull=True)


def representations_of(*, viewer: Any) -> QuerySet[Representation]:
    """The lawyers attached to `viewer`'s dossiers, current ones first."""
    if not viewer.is_authenticated:
        return Representation.objects.none()
    return (
        Representation.objects.filter(dossier__applicant=viewer)
        .select_related("membership__user", "membership__organisation", "dossier")
        .order_by("ended_at", "-declared_at")
    )


def representation_get_for(*, viewer: Any, pk: int) -> Representation:
    """One representation on `viewer`'s dossiers, or one `viewer` declared; 404 otherwise."""
    found = representations_of(viewer=viewer).filter(pk=pk).first()
    if found is None and viewer.is_authenticated:
        found = Representation.objects.filter(pk=pk, membership__user=viewer).first()
    if found is None:
        raise Http404
    return found


def lawyer_membership(*, viewer: Any) -> Membership | None:
    """`viewer`'s current place as a lawyer in a verified law firm, if any."""
    return (
        _acting_memberships(viewer)
        .filter(organisation__kind="law_firm")
        .exclude(bar_number="")
        .select_related("organisation")
        .first()
    )


def managers_of(*, organisation: Organisation) -> QuerySet[Any]:
    """The people who answer for an organisation: its current managers."""
    return Membership.objects.filter(
        organisation=organisation, removed_at__isnull=True, role=MemberRole.MANAGER
    ).select_related("user")


def notification_copies_for(recipient: Any) -> list[CopyTo]:
    """Who receives a copy of what `recipient` is told: each organisation holding a mandate in
    force that covers copies, at its contact address, and in the inbox of the member who
    recorded the mandate (in person) while they remain a member, else of its managers."""
    if not getattr(recipient, "pk", None):
        return []
    # The mandates first as ids alone (most people have none, and that query is light), then
    # those found with their organisations.
    covering = set(
        Mandate.objects.active(at=clock.now())
        .filter(
            applicant_id=recipient.pk,
            scopes__scope=Scope.NOTIFICATIONS,
            scopes__revoked_at__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    if not covering:
        return []
    mandates = Mandate.objects.filter(pk__in=covering).select_related("organisation")
    copies: list[CopyTo] = []
    for mandate in mandates:
        organisation = mandate.organisation
        members = Membership.objects.current().filter(organisation=organisation)
        recorder = members.filter(user_id=mandate.created_by_id).select_related("user").first()
        readers = [recorder] if recorder else list(members.filter(role=MemberRole.MANAGER))
        copies.append(
            CopyTo(user=None, email=organisation.email, language="", on_behalf=organisation.name)
        )
        copies.extend(
            CopyTo(
                user=member.user,
                email="",
                language=member.user.language,
                on_behalf=organisation.name,
            )
            for member in readers
        )
    return copies
