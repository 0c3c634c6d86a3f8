"""Writes of share codes: make one, cancel one, and check one.

A check is a write too: every check, shown or refused, is logged for the holder to read and in
the audit journal, and guesses are throttled from those same rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.attestations import codes
from sejour.attestations import selectors as attestations
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, ensure
from sejour.notifications import services as notifications
from sejour.sharing.choices import FAILED, Outcome, Purpose, Status
from sejour.sharing.models import ShareCheck, ShareCode
from sejour.sharing.permissions import can_share, is_holder

# As the UK eVisa share code: valid 90 days, or less if the holder wants.
DEFAULT_VALIDITY_DAYS = 90
MAX_VALIDITY_DAYS = 90
# Guesses are counted in the database, so that every web process sees the same counts. Only
# failed checks count (unknown code, wrong date of birth), over a sliding window. A lock never
# falls on the code as a whole, or five wrong dates from anyone would keep the holder's real
# checker out: one address is locked for one code, or for every code past its own limit.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
FAILURES_PER_IP = 10
FAILURES_PER_CODE_AND_IP = 5
# Against guessing spread over many addresses: past this many failures on a code, each
# address that has failed on it once is refused for that code; an address with no failure on
# it, like the checker the holder gave the code and their date to, still gets its answer.
FAILURES_PER_CODE = 50
ORGANISATION_MAX_LENGTH = 200


class NoDateOfBirth(DomainError):
    default_message = _(
        "Your account has no date of birth yet. A checker needs it together with the code, "
        "so a share code cannot be made until it is recorded."
    )


class MalformedCode(DomainError):
    default_message = _(
        "This is not a share code. Check it with the holder: it has 9 letters and digits, "
        "in three groups of three, e.g. ABC 123 XYZ."
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckResult:
    """What a check gave; refusals are results, not exceptions, so that their record commits."""

    check: ShareCheck
    right: attestations.Right | None = None  # when shown: the live status, None if no right
    retry_at: dt.datetime | None = None  # when throttled: the earliest time to try again

    @property
    def shown(self) -> bool:
        return self.check.outcome == Outcome.SHOWN


def _new_code() -> str:
    """A share code no other share code carries."""
    while True:
        code = codes.new_share_code()
        if not ShareCode.objects.filter(code=code).exists():
            return code


@transaction.atomic
def share_code_create(*, actor: User, purpose: str, days: int = DEFAULT_VALIDITY_DAYS) -> ShareCode:
    """Make a code for one purpose, working from now until the end of the day `days` days on."""
    ensure(can_share(actor))
    ensure(actor.date_of_birth is not None, NoDateOfBirth())
    ensure(purpose in Purpose.values, DomainError(_("Choose who the code is for.")))
    ensure(
        1 <= days <= MAX_VALIDITY_DAYS,
        DomainError(
            _("A share code is valid from 1 to %(days)s days.") % {"days": MAX_VALIDITY_DAYS}
        ),
    )
    now = clock.now()
    share_code = ShareCode.objects.create(
        holder=actor,
        purpose=purpose,
        code=_new_code(),
        created_at=now,
        expires_on=clock.paris_date(now) + dt.timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action="share_code.created",
        target=share_code,
        data={"purpose": purpose, "expires_on": share_code.expires_on},
    )
    return share_code


@transaction.atomic
def share_code_revoke(*, share_code: ShareCode, actor: User) -> ShareCode:
    """Cancel a code at once: every later check of it is refused."""
    locked = ShareCode.objects.select_for_update().get(pk=share_code.pk)
    ensure(is_holder(actor, locked))
    ensure(
        locked.status_on(clock.today()) == Status.ACTIVE,
        InvalidTransition(_("This share code is already cancelled or expired.")),
    )
    locked.revoked_at = clock.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="share_code.revoked", target=locked)
    return locked


@transaction.atomic
def share_code_check(
    *,
    code: str,
    date_of_birth: dt.date,
    organisation: str = "",
    ip: str | None = None,
    actor: User | None = None,
) -> CheckResult:
    """Check a share code with its holder's date of birth; log the check whatever it gives.

    The checker learns nothing of a code without its holder's date of birth: an unknown code
    and a wrong date give the same outcome to show, and are throttled alike.
    """
    normal = codes.normalize_share_code(code)
    if normal is None:
        raise MalformedCode()
    now = clock.now()
    today = clock.paris_date(now)
    share_code = ShareCode.objects.select_related("holder").filter(code=normal).first()
    retry_at = _throttled_until(ip=ip, code=normal, now=now)
    if retry_at is not None:
        outcome = Outcome.THROTTLED
    elif share_code is None:
        outcome = Outcome.UNKNOWN_CODE
    elif share_code.holder.date_of_birth != date_of_birth:
        outcome = Outcome.WRONG_DATE_OF_BIRTH
    elif share_code.revoked_at is not None:
        outcome = Outcome.REVOKED
    elif today > share_code.expires_on:
        outcome = Outcome.EXPIRED
    else:
        outcome = Outcome.SHOWN
    check = ShareCheck.objects.create(
        share_code=share_code,
        code=normal,
        at=now,
        ip=ip,
        outcome=outcome,
        organisation=" ".join(organisation.split())[:ORGANISATION_MAX_LENGTH],
    )
    audit.record(
        actor=actor,
        action="share_code.checked",
        target=share_code,
        data={"outcome": outcome, "code": normal, "organisation": check.organisation},
        ip=ip,
    )
    if share_code is None or outcome != Outcome.SHOWN:
        return CheckResult(check=check, retry_at=retry_at)
    _tell_holder(share_code=share_code, check=check)
    # The live status, computed now and never stored: it changes as documents are issued.
    return CheckResult(
        check=check, right=attestations.right_on(holder=share_code.holder, day=today)
    )


def _throttled_until(*, ip: str | None, code: str, now: dt.datetime) -> dt.datetime | None:
    """Until when checks of `code` from `ip` are refused, or None if they are not.

    Parallel requests may each pass a count just under the limit: the limit is a brake on
    guessing, not an exact quota. Without a readable address, the code's own limit applies.
    """
    failures = ShareCheck.objects.filter(at__gt=now - THROTTLE_WINDOW, outcome__in=FAILED)
    on_code = failures.filter(code=code)
    if not ip:
        ends = [_lock_end(on_code, FAILURES_PER_CODE_AND_IP)]
    else:
        ends = [
            _lock_end(failures.filter(ip=ip), FAILURES_PER_IP),
            _lock_end(on_code.filter(ip=ip), FAILURES_PER_CODE_AND_IP),
        ]
        if on_code.filter(ip=ip).exists():
            ends.append(_lock_end(on_code, FAILURES_PER_CODE))
    found = [end for end in ends if end is not None]
    return max(found) if found else None


def _lock_end(failures: QuerySet[ShareCheck], limit: int) -> dt.datetime | None:
    """When fewer than `limit` of `failures` will lie in the window again; None if they do now."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return times[-1] + THROTTLE_WINDOW


def _tell_holder(*, share_code: ShareCode, check: ShareCheck) -> None:
    holder = share_code.holder
    with translation.override(holder.language or settings.LANGUAGE_CODE):
        url = reverse("sharing:detail", args=[share_code.pk])
    notifications.notify(
        recipient=holder,
        template="sharing/messages/checked",
        context={
            "code": share_code.spaced,
            "purpose": Purpose(share_code.purpose).label,
            "organisation": check.organisation,
            "at": check.at,
        },
        url=url,
    )
