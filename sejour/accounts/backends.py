"""Log in with an e-mail address or a mobile phone number."""

from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from sejour.accounts.models import User


def normalize_identifier(identifier: str) -> str:
    """The canonical form of what a person types to log in: a lowercased e-mail, or E.164."""
    value = (identifier or "").strip()
    if "@" in value:
        return value.lower()
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value.lower()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def user_for_identifier(identifier: str) -> User | None:
    """The account reached by this e-mail address or phone number, if any."""
    value = normalize_identifier(identifier)
    if not value:
        return None
    if "@" in value:
        return User.objects.filter(email=value).first()
    return User.objects.filter(phone=value).first() if value.startswith("+") else None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Failed logins are counted per account whatever way the identifier was typed."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalize_identifier(str(raw))


class IdentifierBackend(ModelBackend):
    """Authenticates by e-mail or phone number and password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Spend the same time as a real check, so timing does not tell who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
