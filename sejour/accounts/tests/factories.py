"""Factories of accounts."""

import datetime as dt

import factory
from django.conf import settings
from django.utils import timezone

from sejour.accounts.choices import STAFF_ROLES, Role
from sejour.accounts.models import User

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    role = Role.APPLICANT
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # As when an administrator creates a staff account: its first authenticator may be enrolled.
    second_factor_enrol_until = factory.LazyAttribute(
        lambda user: (
            timezone.now() + dt.timedelta(hours=settings.SEJOUR_SECOND_FACTOR_ENROL_HOURS)
            if user.role in STAFF_ROLES
            else None
        )
    )

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
