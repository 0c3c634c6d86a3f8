"""Users and the one-time codes that prove they hold an e-mail address or a phone."""

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from phonenumber_field.modelfields import PhoneNumberField

from sejour.accounts.choices import (
    SECOND_FACTOR_ROLES,
    STAFF_ROLES,
    Channel,
    FamilySituation,
    Purpose,
    Role,
)


class UserManager(BaseUserManager["User"]):
    """Creates users; services call it, nothing else should."""

    use_in_migrations = True

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: object
    ) -> "User":
        user = self.model(email=self.normalize_email(email).lower() or None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            email_verified_at=timezone.now(),
            # Made by whoever runs the server's shell: the first authenticator may be enrolled.
            second_factor_enrol_until=timezone.now()
            + dt.timedelta(hours=settings.SEJOUR_SECOND_FACTOR_ENROL_HOURS),
        )
        return self.create_user(email=email, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person with an account: reached by e-mail, by mobile phone, or both."""

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = PhoneNumberField(_("mobile phone number"), unique=True, null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("phone confirmed at"), null=True, blank=True)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=80, blank=True)
    # The 10-digit national identifier of a foreign resident (AGDREF), when known.
    foreigner_number = models.CharField(
        _("foreigner number"), max_length=10, blank=True, db_index=True
    )
    # Where the person lives and their family situation, as last accepted by the prefecture.
    address = models.CharField(_("address"), max_length=250, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town or city"), max_length=120, blank=True)
    family_situation = models.CharField(
        _("family situation"),
        max_length=20,
        choices=FamilySituation.choices,
        blank=True,
        default=FamilySituation.UNKNOWN,
    )
    children = models.PositiveSmallIntegerField(_("children declared"), default=0)
    # Opened by a helper, with the person present, for someone with no e-mail or phone: the
    # person takes it over later with the code printed for them (see sejour.helpers).
    no_contact = models.BooleanField(_("opened without e-mail or phone"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined at"), default=timezone.now)
    # Until when a first authenticator may be enrolled by a session that has only passed the
    # password: opened when an administrator creates the account or resets its second factor.
    second_factor_enrol_until = models.DateTimeField(
        _("second factor may be enrolled until"), null=True, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False) | Q(no_contact=True),
                name="user_has_a_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="user_name_idx"),
            models.Index(fields=["date_of_birth"], name="user_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return name or str(self.email or self.phone or self.pk)

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def may_use_contact_code(self) -> bool:
        """Helpers may pass the second step with a code sent to their contact; staff may not."""
        return self.role == Role.HELPER

    @property
    def has_confirmed_contact(self) -> bool:
        return self.email_verified_at is not None or self.phone_verified_at is not None


class Challenge(models.Model):
    """A one-time code (and, by e-mail, a link) sent to prove a person holds an address."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="challenges",
        verbose_name=_("user"),
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    destination = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(max_length=128)
    token_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.channel} {self.public_id}"


class ContactCodeDevice(Device):
    """The second step passed with a one-time code sent to a confirmed contact (helpers only).

    The code itself is a `Challenge` (kept hashed); this device is what the session records as
    having verified it, so that django-otp's `is_verified()` holds for the rest of the session.
    """

    channel: "models.CharField[str, str]" = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices
    )

    class Meta:
        verbose_name = _("code by e-mail or SMS")
        verbose_name_plural = _("codes by e-mail or SMS")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_contact_device_a_channel")
        ]

    def verify_token(self, token: object) -> bool:
        # Codes are checked against their hashed Challenge by the accounts services only.
        return False
