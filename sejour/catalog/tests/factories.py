"""Factories of the catalogue."""

import factory

from sejour.catalog.choices import PermitCategory, ProcedureKind
from sejour.catalog.models import ChecklistItem, PermitType, Prefecture, Procedure


class PermitTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"permit-{n}")
    name = factory.Sequence(lambda n: f"Permit type {n}")
    official_name_fr = factory.Sequence(lambda n: f"Titre de séjour {n}")
    category = PermitCategory.TEMPORARY
    max_validity_months = 12
    fee_tax_cents = 20000
    fee_stamp_cents = 2500


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"procedure-{n}")
    kind = ProcedureKind.RENEWAL
    name = factory.Sequence(lambda n: f"Procedure {n}")
    fee_applies = True
    questions = factory.LazyFunction(
        lambda: [
            {
                "code": "married",
                "label": "Are you married?",
                "type": "yes_no",
                "choices": [],
                "help": "",
            }
        ]
    )

    @factory.post_generation
    def permit_types(self, create: bool, extracted: list[PermitType] | None, **kwargs: object):
        if create and extracted:
            self.permit_types.set(extracted)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    procedure = factory.SubFactory(ProcedureFactory)
    code = factory.Sequence(lambda n: f"item-{n}")
    label = factory.Sequence(lambda n: f"Document {n}")
    order = factory.Sequence(int)


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ["departement_code"]

    code = factory.Sequence(lambda n: f"prefecture-{n}")
    name = factory.Sequence(lambda n: f"Préfecture {n}")
    departement_code = factory.Sequence(lambda n: f"{n % 95 + 1:02d}")
    departement_name = factory.Sequence(lambda n: f"Département {n}")
    seat = "Chef-lieu"
    region = "Région"
