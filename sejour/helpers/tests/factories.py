"""Factories of organisations, members and mandates."""

import factory
from django.utils import timezone

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.core import clock
from sejour.helpers import services
from sejour.helpers.choices import (
    Channel,
    Duration,
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
    Scope,
)
from sejour.helpers.models import Mandate, MandateScope, Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association d'aide n° {n}")
    kind = OrganisationKind.ASSOCIATION
    address = "12 rue des Lilas, 75011 Paris"
    email = factory.Sequence(lambda n: f"contact{n}@asso.example.org")
    status = OrganisationStatus.VERIFIED
    applied_by = factory.SubFactory(UserFactory, role=Role.HELPER)
    applied_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory, role=Role.HELPER)
    role = MemberRole.MEMBER
    joined_at = factory.LazyFunction(timezone.now)


def mandate_for(
    applicant,
    organisation,
    *,
    scopes=(Scope.VIEW, Scope.PREPARE, Scope.SUBMIT, Scope.MESSAGE),
    duration=Duration.MONTH,
) -> Mandate:
    """An active mandate, consented online now (as `mandate_grant` makes it)."""
    now = clock.now()
    text = services.consent_text(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        language="fr",
    )
    mandate = Mandate.objects.create(
        applicant=applicant,
        organisation=organisation,
        duration=duration,
        channel=Channel.ONLINE,
        created_by=applicant,
        created_at=now,
        consent_text=text,
        consent_sha256=services.text_digest(text),
        consent_language="fr",
        consented_at=now,
        expires_at=services.expiry_of(duration=duration, start=now),
    )
    MandateScope.objects.bulk_create(
        [MandateScope(mandate=mandate, scope=scope) for scope in {Scope.VIEW, *scopes}]
    )
    return mandate
