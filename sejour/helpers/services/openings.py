"""Accounts a helper opens, with the person present, for someone without e-mail or phone;
taken over later with the code printed for them."""

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from sejour.accounts import services as accounts
from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.helpers.models import (
    AccountOpening,
    Mandate,
    Organisation,
)
from sejour.helpers.permissions import (
    get_organisation_abilities,
)
from sejour.helpers.services.mandates import audit_details, in_person_mandate, start_mandate

# The code printed for a person whose account a helper opened: 12 letters and digits.
TAKEOVER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
TAKEOVER_LENGTH = 12


def _takeover_digest(code: str) -> str:
    return salted_hmac("sejour.helpers.takeover", code).hexdigest()


def normalize_takeover_code(text: str) -> str | None:
    """The code as stored (12 characters, no spaces or dashes), or None if it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(raw) != TAKEOVER_LENGTH or any(ch not in TAKEOVER_ALPHABET for ch in raw):
        return None
    return raw


def spaced_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def account_open(
    *,
    actor: User,
    organisation: Organisation,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    language: str,
    scopes: Sequence[str],
    duration: str,
) -> tuple[User, Mandate, str]:
    """With the person present, open an account for someone without e-mail or phone, and the
    mandate they give; returns the code printed for them to take the account over later."""
    ensure(get_organisation_abilities(actor, organisation)["act"], NotAllowed())
    applicant = accounts.user_create_without_contact(
        actor=actor,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        language=language,
        data={"organisation": organisation.pk, "organisation_name": organisation.name},
    )
    code = "".join(secrets.choice(TAKEOVER_ALPHABET) for _ in range(TAKEOVER_LENGTH))
    AccountOpening.objects.create(
        user=applicant,
        opened_by=actor,
        organisation=organisation,
        opened_at=clock.now(),
        code_hash=_takeover_digest(code),
    )
    mandate = in_person_mandate(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        actor=actor,
        language=language,
    )
    start_mandate(mandate)
    audit.record(
        actor=actor,
        action="mandate.granted",
        target=mandate,
        on_behalf_of=applicant,
        data=audit_details(mandate, on_paper=True),
    )
    return applicant, mandate, code


def access_code_issue(*, actor: User, user: User, data: dict[str, Any]) -> str:
    """After an identity check in person (made by the caller, the support desk or a prefecture),
    the code on paper that lets the person take their account back; a code not used yet is
    replaced. The account's contacts are told."""
    ensure(actor.is_active and actor.role in (Role.SUPPORT, Role.AGENT), NotAllowed())
    code = "".join(secrets.choice(TAKEOVER_ALPHABET) for _ in range(TAKEOVER_LENGTH))
    with transaction.atomic():
        waiting = (
            AccountOpening.objects.select_for_update()
            .filter(user=user, taken_over_at__isnull=True)
            .first()
        )
        if waiting is not None:
            waiting.code_hash = _takeover_digest(code)
            waiting.opened_at = clock.now()
            waiting.save(update_fields=["code_hash", "opened_at"])
        else:
            AccountOpening.objects.create(
                user=user,
                opened_by=actor,
                recovery=not user.no_contact,
                opened_at=clock.now(),
                code_hash=_takeover_digest(code),
            )
        accounts.access_restore_started(user=user, actor=actor, data=data)
    return code


@transaction.atomic
def account_open_at_counter(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    language: str,
    foreigner_number: str = "",
) -> tuple[User, str]:
    """A prefecture agent, filing at the counter for someone without an account, opens one
    with no contact; the person takes it over later with the code printed on their receipt."""
    ensure(actor.is_active and actor.role == Role.AGENT, NotAllowed())
    applicant = accounts.user_create_without_contact(
        actor=actor,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        language=language,
        foreigner_number=foreigner_number,
        data={"at_counter": True},
    )
    code = "".join(secrets.choice(TAKEOVER_ALPHABET) for _ in range(TAKEOVER_LENGTH))
    AccountOpening.objects.create(
        user=applicant, opened_by=actor, opened_at=clock.now(), code_hash=_takeover_digest(code)
    )
    return applicant, code


def opening_for(*, code: str, date_of_birth: dt.date) -> AccountOpening | None:
    """The account a paper code opens, if the date of birth matches and it is not taken over."""
    normal = normalize_takeover_code(code)
    if normal is None:
        return None
    opening = (
        AccountOpening.objects.select_related("user")
        .filter(code_hash=_takeover_digest(normal), taken_over_at__isnull=True)
        .first()
    )
    if opening is None or opening.user.date_of_birth != date_of_birth:
        return None
    return opening


@transaction.atomic
def account_take_over(
    *,
    code: str,
    date_of_birth: dt.date,
    email: str | None,
    phone: str | None,
    password: str,
    ip: str | None = None,
) -> tuple[User, Any]:
    """The person takes their account over with the paper code: their own address and
    password; the code then stops working. Returns the account and the confirmation code."""
    opening = opening_for(code=code, date_of_birth=date_of_birth)
    ensure(
        opening is not None,
        DomainError(
            _("This code and this date of birth do not match an account. Check both on your paper.")
        ),
    )
    assert opening is not None
    locked = AccountOpening.objects.select_for_update().get(pk=opening.pk)
    ensure(locked.taken_over_at is None, DomainError(_("This account was already taken over.")))
    take = accounts.user_recover if locked.recovery else accounts.user_take_over
    user, challenge = take(user=opening.user, email=email, phone=phone, password=password, ip=ip)
    locked.taken_over_at = clock.now()
    locked.save(update_fields=["taken_over_at"])
    return user, challenge
