"""Brakes on what costs money or reaches other people: codes sent, accounts opened, logins.

Counted in the shared cache (`sejour.core.throttle`) per client address, per destination and,
for SMS, per country calling code and overall, so that nobody can pump paid SMS through the
sign-up form, flood a person's phone, or open accounts in bulk. Each refusal says in plain
words what to do, and is logged so that operators see an attack or a limit set too low.
"""

import logging

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sejour.core import throttle
from sejour.core.errors import DomainError

logger = logging.getLogger(__name__)

HOUR = 3600


class CodesLimited(DomainError):
    default_message = _(
        "Too many codes were asked for in the last hour. Wait an hour before asking again."
    )


class CountryRefused(DomainError):
    default_message = _(
        "We cannot send text messages to this number: its country is not served. "
        "Give an e-mail address, or a French mobile number."
    )


class SignupsLimited(DomainError):
    default_message = _(
        "Too many accounts were opened from your connection in the last hour. Wait an hour, "
        "or ask a helper or your prefecture to open the account with you."
    )


class LoginSlowed(DomainError):
    """Many failed logins came from this address: one try every few seconds only."""

    def __init__(self, *, seconds: int) -> None:
        super().__init__(
            _(
                "Many failed logins came from your connection. For everyone's safety, wait "
                "%(seconds)s seconds, then try again."
            )
            % {"seconds": seconds}
        )
        self.seconds = seconds


def _phone(destination: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(destination, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


def sms_region_allowed(destination: str) -> bool:
    """Whether SMS may go to this number: a valid number of a region the deployment serves."""
    number = _phone(destination)
    return (
        number is not None
        and phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) in settings.SEJOUR_SMS_REGIONS
    )


def _over(scope: str, key: str, limit: int) -> bool:
    return throttle.hit(scope, key, window=HOUR) > limit


def code_send_allow(*, destination: str, ip: str | None) -> None:
    """Count one code for `destination` asked from `ip`; raise if a limit is passed.

    The cheap refusals come first and the shared counts last, so that a refused request never
    uses up the country's or the service's SMS budget.
    """
    sms = "@" not in destination
    if sms and not sms_region_allowed(destination):
        logger.warning("Code refused: SMS to a region not served", extra={"ip": ip})
        raise CountryRefused()
    if ip and _over("codes-ip", ip, settings.SEJOUR_CODES_PER_ADDRESS):
        logger.warning("Code refused: limit per address", extra={"ip": ip})
        raise CodesLimited()
    if _over("codes-to", destination.lower(), settings.SEJOUR_CODES_PER_DESTINATION):
        logger.warning("Code refused: limit per destination", extra={"ip": ip})
        raise CodesLimited()
    if not sms:
        return
    number = _phone(destination)
    prefix = f"+{number.country_code}" if number is not None else "?"
    if _over("sms-prefix", prefix, settings.SEJOUR_SMS_PER_COUNTRY_CODE):
        logger.warning("Code refused: SMS limit per country code", extra={"prefix": prefix})
        raise CodesLimited()
    if _over("sms-all", "all", settings.SEJOUR_SMS_PER_HOUR):
        logger.error("Code refused: overall SMS limit reached", extra={"prefix": prefix})
        raise CodesLimited()


def signup_allow(*, ip: str | None) -> None:
    """Count one sign-up from `ip`; raise past the limit per address."""
    if ip and _over("signups-ip", ip, settings.SEJOUR_SIGNUPS_PER_ADDRESS):
        logger.warning("Sign-up refused: limit per address", extra={"ip": ip})
        raise SignupsLimited()


def login_pace(*, ip: str | None) -> None:
    """Raise LoginSlowed if this address failed many logins and has tried again too soon."""
    if not ip:
        return
    window = settings.SEJOUR_LOGIN_ADDRESS_WINDOW_SECONDS
    if (
        throttle.count("login-failed-ip", ip, window=window)
        < settings.SEJOUR_LOGIN_ADDRESS_FAILURES
    ):
        return
    pace = settings.SEJOUR_LOGIN_ADDRESS_PACE_SECONDS
    if throttle.hit("login-pace-ip", ip, window=pace) > 1:
        raise LoginSlowed(seconds=pace)


def login_failed(*, ip: str | None) -> None:
    """Count a failed login from `ip` towards its slowing."""
    if ip:
        throttle.hit("login-failed-ip", ip, window=settings.SEJOUR_LOGIN_ADDRESS_WINDOW_SECONDS)
