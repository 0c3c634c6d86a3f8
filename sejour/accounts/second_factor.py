"""Writes of the second step of a login: authenticators, codes by contact, resets.

A session that has passed only the password never adds, replaces or removes a device: the
first authenticator of an account is enrolled within the period an administrator opened (on
creating the account, or on resetting its second factor after checking the person's identity);
any later change needs a session verified by a device of that same account. Every enrolment,
removal and reset is journalled and told to the holder by every contact they have.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Channel, Purpose, Role
from sejour.accounts.models import Challenge, ContactCodeDevice, User
from sejour.accounts.services import (
    CodeError,
    TooFast,
    challenge_check_code,
    challenge_issue,
    challenge_use,
)
from sejour.audit import services as audit
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.notifications import services as notifications

CHANGED_TEMPLATE = "accounts/messages/second_factor_changed"


class EnrolmentClosed(DomainError):
    default_message = _(
        "An authenticator can be added only after the second step of the login, or within "
        "the period an administrator opens for you. Ask an administrator to reset your "
        "second factor."
    )


class LastAuthenticator(DomainError):
    default_message = _("This is your only authenticator: add another one before you remove it.")


def _verified_by_own(user: User, verified_by: Device | None) -> bool:
    """Whether the session was verified by a confirmed device of `user` itself."""
    return (
        verified_by is not None and verified_by.user_id == user.pk and bool(verified_by.confirmed)
    )


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def may_enrol(*, user: User, verified_by: Device | None) -> bool:
    """Whether this session may add an authenticator to `user`'s account."""
    if not user.needs_second_factor or not user.is_active:
        return False
    if _verified_by_own(user, verified_by):
        return True
    window = user.second_factor_enrol_until
    return window is not None and window > timezone.now() and not has_authenticator(user)


def _tell_holder(user: User, *, change: str) -> None:
    """Tell the holder, by inbox, e-mail and SMS, that their second factor changed."""
    notifications.notify(
        recipient=user,
        template=CHANGED_TEMPLATE,
        context={"change": change, "when": timezone.now()},
        copies=False,
    )


@transaction.atomic
def authenticator_start(
    *, user: User, verified_by: Device | None, device_id: int | None = None
) -> TOTPDevice:
    """An unconfirmed authenticator for the holder to scan. The one this session started
    (`device_id`) is kept until confirmed; a key shown to another session is never reused."""
    ensure(may_enrol(user=user, verified_by=verified_by), EnrolmentClosed())
    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    device = pending.filter(pk=device_id).first() if device_id else None
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        audit.record(actor=user, action="account.otp_enrolment_started", target=user)
    return device


def _totp_matches(device: TOTPDevice, token: str) -> bool:
    token = token.strip().replace(" ", "")
    return token.isdigit() and bool(device.verify_token(token))


def authenticator_confirm(
    *,
    user: User,
    device: TOTPDevice,
    token: str,
    verified_by: Device | None,
    ip: str | None = None,
) -> TOTPDevice:
    """Confirm an authenticator by its first code; the enrolment period closes with it."""
    ensure(device.user_id == user.pk and not device.confirmed, NotAllowed())
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        ensure(may_enrol(user=locked, verified_by=verified_by), EnrolmentClosed())
        if _totp_matches(device, token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # Keys shown to other sessions die with this enrolment.
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            locked.second_factor_enrol_until = None
            locked.save(update_fields=["second_factor_enrol_until"])
            user.second_factor_enrol_until = None
            audit.record(
                actor=user,
                action="account.otp_enrolled",
                target=user,
                ip=ip,
                data={"device": device.pk, "first": verified_by is None},
            )
            _tell_holder(locked, change="added")
            return device
        audit.record(actor=user, action="account.otp_failed", target=user, ip=ip)
    raise CodeError()


def authenticator_verify(*, user: User, token: str, ip: str | None = None) -> TOTPDevice:
    """The confirmed authenticator that accepts `token`; a wrong code raises and is recorded."""
    throttled = False
    with transaction.atomic():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            allowed, _details = device.verify_is_allowed()
            throttled = throttled or not allowed
            if allowed and _totp_matches(device, token):
                audit.record(actor=user, action="account.otp_verified", target=user, ip=ip)
                return device
        audit.record(actor=user, action="account.otp_failed", target=user, ip=ip)
    raise TooFast() if throttled else CodeError()


@transaction.atomic
def authenticator_remove(
    *, user: User, device_id: int, verified_by: Device | None, ip: str | None = None
) -> None:
    """Remove one of the holder's authenticators, from a session verified by the account."""
    ensure(_verified_by_own(user, verified_by), NotAllowed())
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id).first()
    ensure(device is not None, NotAllowed())
    assert device is not None
    others = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    # Staff keep at least one authenticator; helpers still have codes by contact.
    ensure(
        not device.confirmed or user.may_use_contact_code or others.exists(), LastAuthenticator()
    )
    device.delete()
    audit.record(
        actor=user, action="account.otp_removed", target=user, ip=ip, data={"device": device_id}
    )
    _tell_holder(user, change="removed")


def contact_code_send(*, user: User, channel: str, ip: str | None = None) -> Challenge:
    """Send a helper the code of their login's second step to a confirmed contact."""
    ensure(user.may_use_contact_code and user.is_active, NotAllowed())
    if channel == Channel.EMAIL:
        ensure(bool(user.email and user.email_verified_at), NotAllowed())
        destination = str(user.email)
    else:
        ensure(bool(user.phone and user.phone_verified_at), NotAllowed())
        destination = str(user.phone)
    return challenge_issue(user=user, purpose=Purpose.SECOND_FACTOR, destination=destination, ip=ip)


def contact_code_verify(
    *, user: User, public_id: uuid.UUID | str, code: str, ip: str | None = None
) -> ContactCodeDevice:
    """The device that records a helper's second step passed with the code sent to them."""
    challenge = challenge_check_code(public_id=public_id, code=code)
    ensure(challenge.user_id == user.pk and user.may_use_contact_code, NotAllowed())
    with transaction.atomic():
        challenge_use(challenge=challenge, purpose=Purpose.SECOND_FACTOR)
        device, _created = ContactCodeDevice.objects.get_or_create(
            user=user,
            channel=challenge.channel,
            defaults={"name": str(Channel(challenge.channel).label), "confirmed": True},
        )
        audit.record(
            actor=user,
            action="account.second_factor_passed",
            target=user,
            ip=ip,
            data={"channel": challenge.channel},
        )
    return device


@transaction.atomic
def second_factor_reset(*, actor: User, user: User, identity_check: str) -> User:
    """An administrator removes every device of `user`, after checking who they are, and opens
    a period for them to enrol a new authenticator with their password."""
    ensure(actor.role == Role.ADMIN or actor.is_superuser, NotAllowed())
    ensure(actor.pk != user.pk, DomainError(_("Another administrator must reset your own.")))
    identity_check = identity_check.strip()
    ensure(
        bool(identity_check),
        DomainError(_("Say how you checked the person's identity before resetting.")),
    )
    locked = User.objects.select_for_update().get(pk=user.pk)
    removed = TOTPDevice.objects.filter(user=locked).delete()[0]
    removed += ContactCodeDevice.objects.filter(user=locked).delete()[0]
    locked.second_factor_enrol_until = timezone.now() + dt.timedelta(
        hours=settings.SEJOUR_SECOND_FACTOR_ENROL_HOURS
    )
    locked.save(update_fields=["second_factor_enrol_until"])
    audit.record(
        actor=actor,
        action="account.second_factor_reset",
        target=locked,
        data={"identity_check": identity_check[:500], "devices_removed": removed},
    )
    _tell_holder(locked, change="reset")
    return locked


def totp_code_now(device: TOTPDevice) -> str:
    """The code an authenticator shows now (demo and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
