"""Writes of accounts: sign-up, codes, logins, password reset, contact details, identity.

Every function records what it did in the audit journal, in its own transaction.
"""

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sejour.accounts import limits
from sejour.accounts.backends import normalize_identifier, user_for_identifier
from sejour.accounts.choices import SECOND_FACTOR_ROLES, Channel, Purpose, Role
from sejour.accounts.models import Challenge, User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.notifications import services as notifications

# At most this many codes for one purpose in one hour, so nobody can flood a phone.
CODES_PER_HOUR = 5


class CodeError(DomainError):
    default_message = _("This code is not right. Check it and try again.")


class CodeExpired(DomainError):
    default_message = _("This code or link has expired. Ask for a new one.")


class TooManyAttempts(DomainError):
    default_message = _("Too many wrong codes. Ask for a new code.")


class TooManyCodes(DomainError):
    default_message = _("Too many codes were sent. Wait an hour before asking for another one.")


class TooFast(DomainError):
    default_message = _("Too many wrong codes in a row. Wait a minute, then type the new code.")


class ContactTaken(DomainError):
    default_message = _("Another account already uses this address.")


class WrongPassword(DomainError):
    default_message = _("Your current password is not right.")


class IdentityInvalid(DomainError):
    """A detail of identity was refused; `field` names it, so that a form shows it there."""

    def __init__(self, message: str | Promise, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, kw_only=True, slots=True)
class SignupSent:
    """What a sign-up answers: the code to wait for, whether or not an account was made."""

    user: User | None  # None when the address already had an account (its holder was told)
    public_id: uuid.UUID
    destination: str


def _digest(challenge_id: uuid.UUID, secret: str) -> str:
    return salted_hmac("sejour.accounts.challenge", f"{challenge_id}:{secret}").hexdigest()


def _channel_for(destination: str) -> str:
    return Channel.EMAIL if "@" in destination else Channel.SMS


@transaction.atomic
def challenge_issue(
    *,
    user: User,
    purpose: str,
    destination: str,
    extra: Mapping[str, object] | None = None,
    ip: str | None = None,
) -> Challenge:
    """Create a one-time code (and link) for `destination` and queue the message carrying it.

    `extra` adds to what the message's template reads (e.g. who asks for consent); `ip`, the
    client's address, counts towards the limits of `limits.code_send_allow`.
    """
    # The limits by destination first: they answer alike whether an account exists or not.
    limits.code_send_allow(destination=destination, ip=ip)
    since = timezone.now() - dt.timedelta(hours=1)
    recent = Challenge.objects.filter(user=user, purpose=purpose, created_at__gte=since).count()
    ensure(recent < CODES_PER_HOUR, TooManyCodes())
    channel = _channel_for(destination)
    code = f"{secrets.randbelow(10**6):06d}"
    token = secrets.token_urlsafe(32)
    public_id = uuid.uuid4()
    challenge = Challenge.objects.create(
        public_id=public_id,
        user=user,
        purpose=purpose,
        channel=channel,
        destination=destination,
        code_hash=_digest(public_id, code),
        token_hash=_digest(public_id, token),
        expires_at=timezone.now() + dt.timedelta(minutes=settings.SEJOUR_CODE_TTL_MINUTES),
    )
    link = f"{settings.SITE_URL}/{user.language}/compte/verifier/{public_id}/{token}/"
    notifications.message_send(
        channel=channel,
        to=destination,
        template=f"accounts/messages/{purpose}",
        context={
            "user": user,
            "code": code,
            "link": link,
            "minutes": settings.SEJOUR_CODE_TTL_MINUTES,
            **(extra or {}),
        },
        language=user.language,
    )
    audit.record(
        actor=user,
        action="account.code_sent",
        target=user,
        data={"purpose": purpose, "channel": channel},
    )
    return challenge


def _usable(public_id: uuid.UUID | str) -> Challenge:
    challenge = Challenge.objects.select_for_update().filter(public_id=public_id).first()
    if challenge is None or challenge.used_at is not None:
        raise CodeExpired()
    if challenge.expires_at <= timezone.now():
        raise CodeExpired()
    if challenge.attempts >= settings.SEJOUR_CODE_MAX_ATTEMPTS:
        raise TooManyAttempts()
    return challenge


def challenge_check_code(*, public_id: uuid.UUID | str, code: str) -> Challenge:
    """The challenge if `code` is right; a wrong code counts as an attempt and raises."""
    with transaction.atomic():
        challenge = _usable(public_id)
        if constant_time_compare(challenge.code_hash, _digest(challenge.public_id, code.strip())):
            return challenge
        challenge.attempts += 1
        challenge.save(update_fields=["attempts"])
        audit.record(
            actor=challenge.user,
            action="account.code_failed",
            target=challenge.user,
            data={"purpose": challenge.purpose, "attempts": challenge.attempts},
        )
    raise CodeError()


def challenge_check_token(*, public_id: uuid.UUID | str, token: str) -> Challenge:
    """The challenge if the link's token is right; raises otherwise."""
    with transaction.atomic():
        challenge = _usable(public_id)
    if not constant_time_compare(challenge.token_hash, _digest(challenge.public_id, token)):
        raise CodeExpired()
    return challenge


def _consume(challenge: Challenge, purpose: str) -> None:
    if challenge.purpose != purpose:
        raise CodeExpired()
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])


def challenge_use(*, challenge: Challenge, purpose: str) -> None:
    """Spend a proven code for `purpose` (a code for another purpose is refused)."""
    _consume(challenge, purpose)


@transaction.atomic
def user_signup(
    *,
    email: str | None,
    phone: str | None,
    password: str,
    given_name: str,
    family_name: str,
    language: str,
    ip: str | None = None,
) -> SignupSent:
    """Create an applicant's account and send the code that confirms its address.

    The answer is the same whether the address is free or not, so that the form tells nobody
    who has an account: when it is taken, nothing is created and its holder is told instead.
    """
    email = email.strip().lower() if email else None
    ensure(bool(email or phone), DomainError(_("Give an e-mail address or a mobile number.")))
    limits.signup_allow(ip=ip)
    destination = email or str(phone)
    user = User(
        email=email,
        phone=phone,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        language=language,
        role=Role.APPLICANT,
    )
    validate_password(password, user)  # before the lookup: a taken address answers alike
    taken = [
        (holder, address)
        for holder, address in (
            (User.objects.filter(email=email).first() if email else None, email),
            (User.objects.filter(phone=phone).first() if phone else None, str(phone)),
        )
        if holder is not None and address
    ]
    if taken:
        for holder, address in taken:
            _signup_attempt_tell(holder=holder, destination=address, ip=ip)
        return SignupSent(user=None, public_id=uuid.uuid4(), destination=destination)
    user.set_password(password)
    user.save()
    audit.record(
        actor=user,
        action="account.signed_up",
        target=user,
        ip=ip,
        data={"by": "email" if email else "phone"},
    )
    challenge = challenge_issue(user=user, purpose=Purpose.CONFIRM, destination=destination, ip=ip)
    return SignupSent(user=user, public_id=challenge.public_id, destination=destination)


def _signup_attempt_tell(*, holder: User, destination: str, ip: str | None) -> None:
    """Someone signed up with an address that has an account: tell that address, within the
    limits of codes, so that the holder learns of it and the form reveals nothing."""
    limits.code_send_allow(destination=destination, ip=ip)
    language = holder.language or settings.LANGUAGE_CODE
    with translation.override(language):
        login_url = f"{settings.SITE_URL}{reverse('accounts:login')}"
    notifications.message_send(
        channel=_channel_for(destination),
        to=destination,
        template="accounts/messages/signup_taken",
        context={"user": holder, "login_url": login_url},
        language=language,
    )
    audit.record(actor=None, action="account.signup_taken", target=holder, ip=ip)


@transaction.atomic
def contact_confirm(*, challenge: Challenge, ip: str | None = None) -> User:
    """Mark the address of a sign-up code as confirmed."""
    _consume(challenge, Purpose.CONFIRM)
    user = challenge.user
    field = "email_verified_at" if challenge.channel == Channel.EMAIL else "phone_verified_at"
    setattr(user, field, timezone.now())
    user.save(update_fields=[field])
    audit.record(
        actor=user,
        action="account.contact_confirmed",
        target=user,
        ip=ip,
        data={"channel": challenge.channel},
    )
    return user


def confirmation_resend(*, user: User, ip: str | None = None) -> Challenge:
    """Send a new code to confirm the account's first address."""
    destination = user.email or str(user.phone)
    return challenge_issue(user=user, purpose=Purpose.CONFIRM, destination=destination, ip=ip)


@transaction.atomic
def user_login_succeeded(*, user: User, ip: str | None = None) -> None:
    """Record a successful login."""
    audit.record(actor=user, action="account.logged_in", target=user, ip=ip)


@transaction.atomic
def user_login_failed(*, identifier: str, ip: str | None = None, locked: bool = False) -> None:
    """Record a failed login, against the account when one matches; the address counts it."""
    limits.login_failed(ip=ip)
    user = user_for_identifier(identifier)
    audit.record(
        actor=None,
        action="account.login_locked" if locked else "account.login_failed",
        target=user,
        ip=ip,
        data={"identifier": normalize_identifier(identifier)[:254]},
    )


@transaction.atomic
def user_logged_out(*, user: User, ip: str | None = None) -> None:
    """Record a logout."""
    audit.record(actor=user, action="account.logged_out", target=user, ip=ip)


@transaction.atomic
def password_reset_request(*, identifier: str, ip: str | None = None) -> uuid.UUID:
    """Send a reset code to a confirmed address; the answer is the same whether it exists or not."""
    user = user_for_identifier(identifier)
    value = normalize_identifier(identifier)
    confirmed = user is not None and (
        (user.email == value and user.email_verified_at is not None)
        or (str(user.phone) == value and user.phone_verified_at is not None)
    )
    if user is None or not confirmed or not user.is_active:
        # Counted as if a code left, so that the limits answer alike for any address.
        limits.code_send_allow(destination=value, ip=ip)
        audit.record(actor=None, action="account.reset_unknown", ip=ip, data={"identifier": value})
        return uuid.uuid4()
    challenge = challenge_issue(user=user, purpose=Purpose.RESET, destination=value, ip=ip)
    audit.record(actor=user, action="account.reset_requested", target=user, ip=ip)
    return challenge.public_id


@transaction.atomic
def password_reset_complete(*, challenge: Challenge, password: str, ip: str | None = None) -> User:
    """Set a new password after a reset code was checked; other sessions are signed out."""
    _consume(challenge, Purpose.RESET)
    user = challenge.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=user, action="account.password_reset", target=user, ip=ip)
    return user


def contact_change_request(
    *, user: User, actor: User, kind: str, value: str, password: str, ip: str | None = None
) -> Challenge:
    """Send a code to a new e-mail address or phone, once the current password is given."""
    ensure(actor.pk == user.pk, NotAllowed())
    if not user.check_password(password):
        with transaction.atomic():
            audit.record(actor=actor, action="account.contact_change_refused", target=user, ip=ip)
        raise WrongPassword()
    with transaction.atomic():
        return _contact_change_send(user=user, actor=actor, kind=kind, value=value, ip=ip)


def _contact_change_send(
    *, user: User, actor: User, kind: str, value: str, ip: str | None
) -> Challenge:
    value = value.strip().lower() if kind == Channel.EMAIL else value
    lookup = {"email": value} if kind == Channel.EMAIL else {"phone": value}
    if User.objects.filter(**lookup).exclude(pk=user.pk).exists():
        raise ContactTaken()
    audit.record(
        actor=actor,
        action="account.contact_change_requested",
        target=user,
        ip=ip,
        data={"kind": kind},
    )
    return challenge_issue(user=user, purpose=Purpose.CHANGE, destination=value, ip=ip)


@transaction.atomic
def contact_change_confirm(*, challenge: Challenge, ip: str | None = None) -> User:
    """Apply a confirmed new address and tell the old one it changed."""
    _consume(challenge, Purpose.CHANGE)
    user = challenge.user
    now = timezone.now()
    if challenge.channel == Channel.EMAIL:
        old = user.email
        if User.objects.filter(email=challenge.destination).exclude(pk=user.pk).exists():
            raise ContactTaken()
        user.email, user.email_verified_at = challenge.destination, now
        user.save(update_fields=["email", "email_verified_at"])
    else:
        old = str(user.phone) if user.phone else None
        if User.objects.filter(phone=challenge.destination).exclude(pk=user.pk).exists():
            raise ContactTaken()
        user.phone, user.phone_verified_at = challenge.destination, now
        user.save(update_fields=["phone", "phone_verified_at"])
    # Tell the old address, or else the other one, so a hijack cannot go unnoticed.
    notice_to = old if old and old != challenge.destination else None
    if notice_to is None:
        other = str(user.phone) if challenge.channel == Channel.EMAIL else user.email
        notice_to = other if other and other != "None" else None
    if notice_to:
        notifications.message_send(
            channel=_channel_for(notice_to),
            to=notice_to,
            template="accounts/messages/contact_changed",
            context={"user": user, "new": challenge.destination, "changed_at": now},
            language=user.language,
        )
    audit.record(
        actor=user,
        action="account.contact_changed",
        target=user,
        ip=ip,
        data={"channel": challenge.channel, "notice_sent": bool(notice_to)},
    )
    return user


@transaction.atomic
def user_language_set(*, user: User, actor: User, language: str) -> User:
    """Remember the language the person reads, for pages and messages."""
    ensure(actor.pk == user.pk, NotAllowed())
    ensure(language in dict(settings.LANGUAGES), DomainError(_("Unknown language.")))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit.record(actor=actor, action="account.language_set", target=user, data={"to": language})
    return user


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    role: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    given_name: str = "",
    family_name: str = "",
    language: str = "fr",
    confirmed: bool = True,
) -> User:
    """Create an account of any role (administration, demo data); only admins or the system."""
    ensure(actor is None or actor.role == Role.ADMIN or actor.is_superuser, NotAllowed())
    now = timezone.now() if confirmed else None
    user = User(
        email=email.lower() if email else None,
        phone=phone,
        given_name=given_name,
        family_name=family_name,
        role=role,
        language=language,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        email_verified_at=now if email else None,
        phone_verified_at=now if phone else None,
        # The administrator who creates the account vouches for its holder: the first
        # authenticator may be enrolled with the password for a while.
        second_factor_enrol_until=(
            timezone.now() + dt.timedelta(hours=settings.SEJOUR_SECOND_FACTOR_ENROL_HOURS)
            if role in SECOND_FACTOR_ROLES
            else None
        ),
    )
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="account.created", target=user, data={"role": role})
    return user


# Fields a prefecture may change in a person's profile when it accepts a declaration.
PROFILE_FIELDS = frozenset({"address", "postcode", "city", "family_situation", "children"})


@transaction.atomic
def profile_apply(
    *, user: User, actor: User, changes: dict[str, object], source: str
) -> dict[str, dict[str, object]]:
    """Apply a declaration accepted by the prefecture to the person's profile.

    Returns what changed, before and after; `source` names the declaration (a dossier number).
    """
    ensure(actor.role in (Role.AGENT, Role.ADMIN) and actor.is_active, NotAllowed())
    unknown = set(changes) - PROFILE_FIELDS
    ensure(not unknown, DomainError(_("These details cannot be changed this way.")))
    applied = {
        field: {"before": getattr(user, field), "after": value}
        for field, value in changes.items()
        if getattr(user, field) != value
    }
    for field, change in applied.items():
        setattr(user, field, change["after"])
    if applied:
        user.save(update_fields=sorted(applied))
        audit.record(
            actor=actor,
            action="account.profile_updated",
            target=user,
            data={"fields": sorted(applied), "source": source},
        )
    return applied


# Nobody with an account was born before this year; it catches a year typed wrong ("1090").
EARLIEST_BIRTH_YEAR = 1900
# The numéro étranger (AGDREF): 10 digits, as printed on residence permits.
FOREIGNER_NUMBER = re.compile(r"[0-9]{10}")


@transaction.atomic
def identity_update(
    *,
    user: User,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    nationality: str,
    foreigner_number: str,
) -> dict[str, dict[str, object]]:
    """Record the person's names, date of birth, nationality and foreigner number.

    Returns what changed, before and after; the journal keeps only the names of those fields.
    """
    ensure(actor.pk == user.pk or actor.role == Role.ADMIN or actor.is_superuser, NotAllowed())
    given_name, family_name = given_name.strip(), family_name.strip()
    foreigner_number = "".join(foreigner_number.split())
    if not given_name:
        raise IdentityInvalid(_("Enter your given name(s)."), field="given_name")
    if not family_name:
        raise IdentityInvalid(_("Enter your family name."), field="family_name")
    if date_of_birth > clock.today():
        raise IdentityInvalid(_("A date of birth cannot be in the future."), field="date_of_birth")
    if date_of_birth.year < EARLIEST_BIRTH_YEAR:
        raise IdentityInvalid(
            _("Check the year: a date of birth before %(year)s is not accepted.")
            % {"year": EARLIEST_BIRTH_YEAR},
            field="date_of_birth",
        )
    if foreigner_number and not FOREIGNER_NUMBER.fullmatch(foreigner_number):
        raise IdentityInvalid(
            _("The foreigner number has 10 digits, e.g. 7501234567."), field="foreigner_number"
        )
    values: dict[str, object] = {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "nationality": nationality.strip(),
        "foreigner_number": foreigner_number,
    }
    changes = {
        field: {"before": getattr(user, field), "after": value}
        for field, value in values.items()
        if getattr(user, field) != value
    }
    for field, change in changes.items():
        setattr(user, field, change["after"])
    if changes:
        user.save(update_fields=sorted(changes))
        audit.record(
            actor=actor,
            action="account.identity_updated",
            target=user,
            data={"fields": sorted(changes)},
        )
    return changes


@transaction.atomic
def user_become_helper(*, user: User, actor: User) -> User:
    """Give an applicant's account the helper's role (they joined an organisation)."""
    ensure(actor.pk == user.pk and user.is_active, NotAllowed())
    ensure(
        user.role in (Role.APPLICANT, Role.HELPER),
        DomainError(_("A staff account cannot join an organisation of helpers.")),
    )
    if user.role != Role.HELPER:
        user.role = Role.HELPER
        user.save(update_fields=["role"])
        audit.record(actor=actor, action="account.became_helper", target=user)
    return user


@transaction.atomic
def user_create_without_contact(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    language: str,
    data: Mapping[str, object] | None = None,
    foreigner_number: str = "",
) -> User:
    """Open an applicant's account with no e-mail or phone; only a helper or a prefecture
    agent, with the person present (the helpers app checks the helper's organisation)."""
    ensure(actor.role in (Role.HELPER, Role.AGENT) and actor.is_active, NotAllowed())
    foreigner_number = "".join(foreigner_number.split())
    if foreigner_number and not FOREIGNER_NUMBER.fullmatch(foreigner_number):
        raise IdentityInvalid(
            _("The foreigner number has 10 digits, e.g. 7501234567."), field="foreigner_number"
        )
    ensure(
        bool(given_name.strip() and family_name.strip()),
        DomainError(_("Enter the person's given name and family name.")),
    )
    user = User(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        language=language,
        role=Role.APPLICANT,
        no_contact=True,
        foreigner_number=foreigner_number,
    )
    user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="account.opened_for", target=user, data=dict(data or {}))
    return user


@transaction.atomic
def user_take_over(
    *, user: User, email: str | None, phone: str | None, password: str, ip: str | None = None
) -> tuple[User, Challenge]:
    """The person an account was opened for gives it their own address and password, then
    confirms the address with the code sent there."""
    email = email.strip().lower() if email else None
    ensure(bool(email or phone), DomainError(_("Give an e-mail address or a mobile number.")))
    ensure(user.no_contact, NotAllowed())
    if email and User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise ContactTaken()
    if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise ContactTaken()
    validate_password(password, user)
    user.email = email
    user.phone = phone
    user.no_contact = False
    user.set_password(password)
    user.save(update_fields=["email", "phone", "no_contact", "password"])
    audit.record(
        actor=user,
        action="account.taken_over",
        target=user,
        ip=ip,
        data={"by": "email" if email else "phone"},
    )
    destination = email or str(phone)
    challenge = challenge_issue(user=user, purpose=Purpose.CONFIRM, destination=destination, ip=ip)
    return user, challenge


def _tell_old_contacts(
    user: User, *, old: Mapping[str, str | None], template: str, context: Mapping[str, object]
) -> list[str]:
    """Write to each contact the account had (`old`: channel → address): whoever held the
    account must hear of a change made without them. Returns the channels written to."""
    told = []
    for channel, address in old.items():
        if address:
            notifications.message_send(
                channel=channel,
                to=address,
                template=template,
                context={"user": user, **context},
                language=user.language or settings.LANGUAGE_CODE,
            )
            told.append(channel)
    return told


def _contacts(user: User) -> dict[str, str | None]:
    return {
        Channel.EMAIL: user.email or None,
        Channel.SMS: str(user.phone) if user.phone else None,
    }


@transaction.atomic
def contact_correct(
    *, user: User, actor: User, email: str | None, phone: str | None, reason: str
) -> list[str]:
    """The support desk corrects a person's e-mail address or phone (a typo, a number given
    up); the old ones are told. Returns the names of the fields changed."""
    ensure(actor.is_active and actor.role in (Role.SUPPORT, Role.AGENT), NotAllowed())
    ensure(user.role in (Role.APPLICANT, Role.HELPER), NotAllowed())
    email = email.strip().lower() if email else None
    phone = phone or None
    ensure(bool(email or phone), DomainError(_("Give an e-mail address or a mobile number.")))
    if email and User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise ContactTaken()
    if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise ContactTaken()
    before = _contacts(user)
    changed = []
    if email != user.email:
        user.email, user.email_verified_at = email, None
        changed += ["email", "email_verified_at"]
    if phone != (str(user.phone) if user.phone else None):
        user.phone, user.phone_verified_at = phone, None
        changed += ["phone", "phone_verified_at"]
    if not changed:
        return []
    user.no_contact = False
    user.save(update_fields=[*changed, "no_contact"])
    new = ", ".join(value for value in (email, phone) if value)
    told = _tell_old_contacts(
        user,
        old={k: v for k, v in before.items() if v and v not in (email, phone)},
        template="accounts/messages/contact_changed",
        context={"new": new, "changed_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="account.contact_corrected",
        target=user,
        data={
            "fields": [f for f in changed if not f.endswith("_at")],
            "reason": reason,
            "told": told,
        },
    )
    return [f for f in changed if not f.endswith("_at")]


def identity_matches(*, user: User, foreigner_number: str, date_of_birth: dt.date) -> bool:
    """Whether the foreigner number and date of birth shown in person are the account's."""
    number = "".join(foreigner_number.split())
    return bool(
        user.foreigner_number
        and user.date_of_birth
        and constant_time_compare(number, user.foreigner_number)
        and user.date_of_birth == date_of_birth
    )


@transaction.atomic
def access_restore_started(*, user: User, actor: User, data: Mapping[str, object]) -> list[str]:
    """An agent checked the person's identity in person and handed them a code to take the
    account back: the account's contacts hear of it, in case it was not them."""
    ensure(actor.is_active and actor.role in (Role.SUPPORT, Role.AGENT), NotAllowed())
    told = _tell_old_contacts(
        user,
        old=_contacts(user),
        template="accounts/messages/access_restored",
        context={"restored_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="account.access_restore_started",
        target=user,
        data={**data, "told": told},
    )
    return told


@transaction.atomic
def user_recover(
    *, user: User, email: str | None, phone: str | None, password: str, ip: str | None = None
) -> tuple[User, Challenge]:
    """With the code an agent handed after an identity check, the person sets a new address
    and password; the old contacts are told, and every other session ends with the password."""
    email = email.strip().lower() if email else None
    ensure(bool(email or phone), DomainError(_("Give an e-mail address or a mobile number.")))
    ensure(user.is_active and user.role in (Role.APPLICANT, Role.HELPER), NotAllowed())
    if email and User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise ContactTaken()
    if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise ContactTaken()
    validate_password(password, user)
    before = _contacts(user)
    user.email, user.phone = email, phone
    user.email_verified_at = user.phone_verified_at = None
    user.no_contact = False
    user.set_password(password)
    user.save(
        update_fields=[
            "email",
            "phone",
            "email_verified_at",
            "phone_verified_at",
            "no_contact",
            "password",
        ]
    )
    now = timezone.now()
    told = _tell_old_contacts(
        user,
        old={k: v for k, v in before.items() if v and v not in (email, phone)},
        template="accounts/messages/contact_changed",
        context={"new": ", ".join(v for v in (email, phone) if v), "changed_at": now},
    )
    audit.record(
        actor=user,
        action="account.recovered",
        target=user,
        ip=ip,
        data={"by": "email" if email else "phone", "told": told},
    )
    destination = email or str(phone)
    challenge = challenge_issue(user=user, purpose=Purpose.CONFIRM, destination=destination, ip=ip)
    return user, challenge
