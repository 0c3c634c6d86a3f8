"""Reads of accounts used by the account pages."""

import base64
import datetime as dt
import uuid

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.backends import normalize_identifier
from sejour.accounts.choices import Channel, Role
from sejour.accounts.models import Challenge, User


def masked_value(value: str) -> str:
    """An address shown in part, enough to recognise it, not enough to learn it."""
    value = normalize_identifier(value)
    if "@" in value:
        name, _at, domain = value.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"{value[:3]}•••{value[-2:]}" if len(value) > 5 else "•••"


def masked(challenge: Challenge) -> str:
    """Where a code went, masked."""
    return masked_value(challenge.destination)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def user_for_challenge(*, public_id: object) -> User | None:
    """The account a pending code belongs to."""
    key = _uuid(public_id)
    if key is None:
        return None
    challenge = Challenge.objects.select_related("user").filter(public_id=key).first()
    return challenge.user if challenge else None


def challenge_open(*, public_id: object) -> Challenge | None:
    """A code that was proven and may still be used (a password reset in progress)."""
    key = _uuid(public_id)
    if key is None:
        return None
    return (
        Challenge.objects.select_related("user")
        .filter(public_id=key, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def totp_secret(*, device: TOTPDevice) -> str:
    """The authenticator key in base 32, grouped by four for typing by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def person_by_identity(
    *, viewer: object, foreigner_number: str, date_of_birth: dt.date
) -> User | None:
    """For an agent or the support desk, with the person in front of them: the one account of
    an applicant or helper with this foreigner number and date of birth, or None."""
    if getattr(viewer, "role", None) not in (Role.AGENT, Role.SUPPORT):
        return None
    found = list(
        User.objects.filter(
            foreigner_number="".join(foreigner_number.split()),
            date_of_birth=date_of_birth,
            role__in=(Role.APPLICANT, Role.HELPER),
            is_active=True,
        )[:2]
    )
    return found[0] if len(found) == 1 else None


def second_factor_contacts(*, user: User) -> list[tuple[str, str]]:
    """The confirmed contacts a helper may receive the second step's code at: (channel, masked)."""
    if not user.may_use_contact_code:
        return []
    contacts = []
    if user.email and user.email_verified_at:
        contacts.append((Channel.EMAIL.value, masked_value(str(user.email))))
    if user.phone and user.phone_verified_at:
        contacts.append((Channel.SMS.value, masked_value(str(user.phone))))
    return contacts


def authenticators_of(*, user: User) -> list[TOTPDevice]:
    """The holder's own confirmed authenticators, oldest first."""
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
