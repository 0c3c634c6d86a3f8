"""Factories of share codes, and a live document for a holder (with the dossier it needs)."""

import datetime as dt
import itertools

import factory
from django.apps import apps
from django.utils import timezone

from sejour.attestations.choices import Kind
from sejour.attestations.codes import new_share_code
from sejour.attestations.models import Attestation
from sejour.attestations.services import new_code
from sejour.catalog.choices import ProcedureKind
from sejour.catalog.models import Procedure
from sejour.core import clock
from sejour.sharing.choices import Purpose
from sejour.sharing.models import ShareCode

_numbers = itertools.count(1)


class ShareCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareCode

    holder = factory.SubFactory("sejour.accounts.tests.factories.UserFactory")
    purpose = Purpose.WORK
    code = factory.LazyFunction(new_share_code)
    created_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: clock.today() + dt.timedelta(days=90))


def attestation_for(
    holder,
    *,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    right_to_work: bool = True,
    kind: str = Kind.EXTENSION,
) -> Attestation:
    """A live document proving `holder`'s right to stay, by default from today for 3 months."""
    today = clock.today()
    procedure, _created = Procedure.objects.get_or_create(
        code="renewal", defaults={"kind": ProcedureKind.RENEWAL, "name": "Renewal"}
    )
    # By name: share codes sit beside dossiers and never import them, tests included.
    dossier = apps.get_model("dossiers", "Dossier").objects.create(
        number=f"2026-TEST-{next(_numbers):04d}",
        applicant=holder,
        procedure=procedure,
        status="in_review",
    )
    return Attestation.objects.create(
        kind=kind,
        dossier=dossier,
        holder=holder,
        code=new_code(),
        issued_at=timezone.now(),
        valid_from=valid_from or today,
        valid_until=valid_until or today + dt.timedelta(days=90),
        right_to_work=right_to_work,
        language=holder.language or "fr",
        token="x",
    )
