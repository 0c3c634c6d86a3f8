"""Writes of mandates: consent online or in person with a code (the exact text kept with
its SHA-256), revocation of all or part, renewal, and the reminders before they end.

Each function checks the actor's right, changes state in one transaction, writes the audit
journal in that same transaction, and queues messages there too.
"""

import calendar
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sejour.accounts import services as accounts
from sejour.accounts.backends import user_for_identifier
from sejour.accounts.choices import Purpose, Role
from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed, ensure
from sejour.helpers import selectors
from sejour.helpers.choices import (
    DURATION_MONTHS,
    Channel,
    Duration,
    EndReason,
    Scope,
)
from sejour.helpers.models import (
    Mandate,
    MandateScope,
    Organisation,
)
from sejour.helpers.permissions import (
    get_mandate_abilities,
    get_organisation_abilities,
    is_applicant,
)
from sejour.helpers.services.notices import day_text, path_for, tell, tell_organisation
from sejour.notifications import services as notifications

# Both sides are told this many days before a mandate ends (not for a one-day mandate).
EXPIRY_NOTICE_DAYS = 7


class ConsentTextChanged(DomainError):
    default_message = _(
        "The text of the mandate changed since the page was shown. Read it again below, "
        "then agree to it."
    )


class NoScope(DomainError):
    default_message = _("Choose at least one thing the mandate covers.")


class UnknownApplicant(DomainError):
    default_message = _(
        "No applicant's account uses this e-mail address or mobile number. Check it with the "
        "person, or open an account for them."
    )


def expiry_of(*, duration: str, start: dt.datetime) -> dt.datetime:
    """When a mandate of `duration` given at `start` ends: a day is 24 hours; months are
    calendar months, ending on the same time of the same day (or the month's last day)."""
    if duration == Duration.DAY:
        return start + dt.timedelta(days=1)
    months = DURATION_MONTHS[Duration(duration)]
    local = start.astimezone(clock.PARIS)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set(scopes)
    ensure(chosen <= set(Scope.values), NoScope())
    ensure(bool(chosen), NoScope())
    chosen.add(Scope.VIEW)  # nothing can be done for someone without seeing it
    return [scope for scope in Scope.values if scope in chosen]


def consent_text(
    *,
    applicant: User,
    organisation: Organisation,
    scopes: Sequence[str],
    duration: str,
    language: str,
) -> str:
    """The exact text the applicant agrees to, in `language`: it is stored with its SHA-256."""
    ensure(duration in Duration.values, DomainError(_("Choose how long the mandate lasts.")))
    scopes = _clean_scopes(scopes)
    with translation.override(language):
        lines = [
            gettext(
                "I, %(applicant)s, allow the organisation %(organisation)s and its members to act "
                "for me on Séjour, for %(duration)s, as follows:"
            )
            % {
                "applicant": applicant.display_name,
                "organisation": organisation.name,
                "duration": str(Duration(duration).label),
            },
            *[f"- {Scope(scope).label}" for scope in scopes],
            gettext(
                "Everything they do for me is recorded as done by them and shown in my history. "
                "I can end this mandate, or any part of it, at any time from my account."
            ),
        ]
    return "\n".join(lines)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _end(mandate: Mandate, actor: User, reason: str) -> None:
    mandate.ended_at = clock.now()
    mandate.ended_by = actor
    mandate.end_reason = reason
    mandate.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _cancel_reminders(mandate)


def _replace_active(
    applicant: User, organisation: Organisation, actor: User, *, keep: Mandate | None = None
) -> None:
    """A new mandate to the same organisation replaces the one running (or waiting)."""
    others = Mandate.objects.select_for_update().filter(
        applicant=applicant, organisation=organisation, ended_at__isnull=True
    )
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    for old in others:
        _end(old, actor, EndReason.REPLACED)


def new_mandate(
    *,
    applicant: User,
    organisation: Organisation,
    scopes: Sequence[str],
    duration: str,
    channel: str,
    actor: User,
    text: str,
    language: str,
    renews: Mandate | None = None,
) -> Mandate:
    """A mandate with its scopes, not yet in force (the callers check rights and consent)."""
    ensure(duration in Duration.values, DomainError(_("Choose how long the mandate lasts.")))
    ensure(organisation.is_verified, DomainError(_("This organisation is not verified.")))
    mandate = Mandate.objects.create(
        applicant=applicant,
        organisation=organisation,
        duration=duration,
        channel=channel,
        created_by=actor,
        created_at=clock.now(),
        consent_text=text,
        consent_sha256=text_digest(text),
        consent_language=language,
        renews=renews,
    )
    MandateScope.objects.bulk_create(
        [MandateScope(mandate=mandate, scope=scope) for scope in _clean_scopes(scopes)]
    )
    return mandate


def in_person_mandate(
    *,
    applicant: User,
    organisation: Organisation,
    scopes: Sequence[str],
    duration: str,
    actor: User,
    language: str,
) -> Mandate:
    """A mandate recorded by a helper with the applicant present, its text in their language."""
    text = consent_text(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        language=language,
    )
    return new_mandate(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        channel=Channel.IN_PERSON,
        actor=actor,
        text=text,
        language=language,
    )


def start_mandate(mandate: Mandate) -> None:
    """Consent is given: the mandate runs from now, and both sides will hear before it ends."""
    now = clock.now()
    mandate.consented_at = now
    mandate.expires_at = expiry_of(duration=mandate.duration, start=now)
    mandate.save(update_fields=["consented_at", "expires_at"])
    _schedule_reminders(mandate)


def audit_details(mandate: Mandate, **more: object) -> dict[str, object]:
    """What the journal keeps of a mandate: organisation, scopes, duration, the text's hash."""
    return {
        "organisation": mandate.organisation_id,
        "organisation_name": mandate.organisation.name,
        "scopes": list(mandate.scopes.values_list("scope", flat=True)),
        "duration": mandate.duration,
        "channel": mandate.channel,
        "sha256": mandate.consent_sha256,
        **more,
    }


@transaction.atomic
def mandate_grant(
    *,
    actor: User,
    organisation: Organisation,
    scopes: Sequence[str],
    duration: str,
    text_sha256: str,
) -> Mandate:
    """The applicant gives a mandate from their own account, agreeing to the text shown."""
    ensure(is_applicant(actor), NotAllowed())
    text = consent_text(
        applicant=actor,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    ensure(constant_time_compare(text_digest(text), text_sha256), ConsentTextChanged())
    _replace_active(actor, organisation, actor)
    mandate = new_mandate(
        applicant=actor,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        channel=Channel.ONLINE,
        actor=actor,
        text=text,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    start_mandate(mandate)
    audit.record(actor=actor, action="mandate.granted", target=mandate, data=audit_details(mandate))
    tell_organisation(mandate, "helpers/messages/granted")
    return mandate


@transaction.atomic
def mandate_request_in_person(
    *,
    actor: User,
    organisation: Organisation,
    identifier: str,
    scopes: Sequence[str],
    duration: str,
) -> Mandate:
    """The helper records a consent given in front of them; the applicant confirms it with the
    code sent to their e-mail address or phone, which they read out to the helper."""
    ensure(get_organisation_abilities(actor, organisation)["act"], NotAllowed())
    applicant = user_for_identifier(identifier)
    if applicant is None or not applicant.is_active or applicant.role != Role.APPLICANT:
        raise UnknownApplicant()
    language = applicant.language or settings.LANGUAGE_CODE
    mandate = in_person_mandate(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        actor=actor,
        language=language,
    )
    destination = _destination(applicant, identifier)
    mandate.challenge = accounts.challenge_issue(
        user=applicant,
        purpose=Purpose.CONSENT,
        destination=destination,
        extra={
            "organisation": organisation.name,
            "helper": actor.display_name,
            "text": mandate.consent_text,
        },
    )
    mandate.save(update_fields=["challenge"])
    audit.record(
        actor=actor,
        action="mandate.consent_asked",
        target=mandate,
        on_behalf_of=applicant,
        data=audit_details(mandate),
    )
    return mandate


def _destination(applicant: User, identifier: str) -> str:
    """Where the code goes: the address the helper typed, which is the applicant's own."""
    if "@" in identifier and applicant.email:
        return applicant.email
    return str(applicant.phone) if applicant.phone else str(applicant.email)


@transaction.atomic
def mandate_confirm(*, mandate: Mandate, actor: User, code: str) -> Mandate:
    """The helper types the code the applicant received: the mandate starts now."""
    locked = Mandate.objects.select_for_update().select_related("organisation").get(pk=mandate.pk)
    ensure(get_organisation_abilities(actor, locked.organisation)["act"], NotAllowed())
    ensure(
        locked.consented_at is None and locked.ended_at is None and locked.challenge is not None,
        InvalidTransition(_("This consent is already confirmed or was cancelled.")),
    )
    assert locked.challenge is not None  # for the type checker: ensure() raised otherwise
    challenge = accounts.challenge_check_code(public_id=locked.challenge.public_id, code=code)
    challenge.used_at = clock.now()
    challenge.save(update_fields=["used_at"])
    _replace_active(locked.applicant, locked.organisation, actor, keep=locked)
    start_mandate(locked)
    audit.record(
        actor=actor,
        action="mandate.granted",
        target=locked,
        on_behalf_of=locked.applicant,
        data=audit_details(locked),
    )
    tell(
        locked.applicant,
        "helpers/messages/granted_in_person",
        {
            "organisation": locked.organisation.name,
            "helper": actor.display_name,
            "until": day_text(locked.expires_at),
        },
        "helpers:mandates",
    )
    return locked


@transaction.atomic
def mandate_code_resend(*, mandate: Mandate, actor: User) -> Mandate:
    """Send a new code for a consent in person still waiting."""
    locked = (
        Mandate.objects.select_for_update()
        .select_related("organisation", "applicant")
        .get(pk=mandate.pk)
    )
    ensure(get_organisation_abilities(actor, locked.organisation)["act"], NotAllowed())
    ensure(
        locked.consented_at is None and locked.ended_at is None and locked.challenge is not None,
        InvalidTransition(_("This consent is already confirmed or was cancelled.")),
    )
    assert locked.challenge is not None
    locked.challenge = accounts.challenge_issue(
        user=locked.applicant,
        purpose=Purpose.CONSENT,
        destination=locked.challenge.destination,
        extra={
            "organisation": locked.organisation.name,
            "helper": actor.display_name,
            "text": locked.consent_text,
        },
    )
    locked.save(update_fields=["challenge"])
    return locked


@transaction.atomic
def mandate_revoke(
    *, mandate: Mandate, actor: User, scopes: Sequence[str] | None = None
) -> Mandate:
    """The applicant ends the mandate, or only some of what it covers, at once.

    Withdrawing "see my applications" or every part ends the whole mandate.
    """
    locked = Mandate.objects.select_for_update().select_related("organisation").get(pk=mandate.pk)
    ensure(get_mandate_abilities(actor, locked, at=clock.now())["revoke"], NotAllowed())
    current = locked.scopes.filter(revoked_at__isnull=True)
    withdrawn = set(scopes) if scopes is not None else set(Scope.values)
    ensure(bool(withdrawn), NoScope())
    remaining = set(current.values_list("scope", flat=True)) - withdrawn
    if not remaining or Scope.VIEW not in remaining:
        current.update(revoked_at=clock.now(), revoked_by=actor)
        _end(locked, actor, EndReason.REVOKED)
        audit.record(
            actor=actor, action="mandate.revoked", target=locked, data=audit_details(locked)
        )
        tell_organisation(locked, "helpers/messages/revoked")
        return locked
    current.filter(scope__in=withdrawn).update(revoked_at=clock.now(), revoked_by=actor)
    audit.record(
        actor=actor,
        action="mandate.scopes_revoked",
        target=locked,
        data=audit_details(locked, withdrawn=sorted(withdrawn), remaining=sorted(remaining)),
    )
    tell_organisation(locked, "helpers/messages/scopes_revoked")
    return locked


@transaction.atomic
def mandate_renew(*, mandate: Mandate, actor: User, text_sha256: str) -> Mandate:
    """One step: the same organisation, the same parts still covered, the same duration, from
    now; the applicant agrees to the text shown again."""
    locked = Mandate.objects.select_for_update().select_related("organisation").get(pk=mandate.pk)
    ensure(get_mandate_abilities(actor, locked, at=clock.now())["renew"], NotAllowed())
    scopes = list(locked.scopes.filter(revoked_at__isnull=True).values_list("scope", flat=True))
    language = translation.get_language() or settings.LANGUAGE_CODE
    text = consent_text(
        applicant=actor,
        organisation=locked.organisation,
        scopes=scopes,
        duration=locked.duration,
        language=language,
    )
    ensure(constant_time_compare(text_digest(text), text_sha256), ConsentTextChanged())
    if locked.ended_at is None:
        _end(locked, actor, EndReason.RENEWED)
    _replace_active(actor, locked.organisation, actor)
    renewal = new_mandate(
        applicant=actor,
        organisation=locked.organisation,
        scopes=scopes,
        duration=locked.duration,
        channel=Channel.ONLINE,
        actor=actor,
        text=text,
        language=language,
        renews=locked,
    )
    start_mandate(renewal)
    audit.record(
        actor=actor,
        action="mandate.renewed",
        target=renewal,
        data=audit_details(renewal, renews=locked.pk),
    )
    tell_organisation(renewal, "helpers/messages/renewed")
    return renewal


def renewal_text(*, mandate: Mandate, language: str) -> str:
    """The text a renewal of `mandate` asks the applicant to agree to."""
    scopes = list(mandate.scopes.filter(revoked_at__isnull=True).values_list("scope", flat=True))
    return consent_text(
        applicant=mandate.applicant,
        organisation=mandate.organisation,
        scopes=scopes or [Scope.VIEW],
        duration=mandate.duration,
        language=language,
    )


def _reminder_key(mandate: Mandate) -> str:
    return f"mandate-{mandate.pk}-expiry"


def _schedule_reminders(mandate: Mandate) -> None:
    """Both sides hear, a week ahead, that the mandate ends (a day's mandate ends too soon)."""
    if mandate.duration == Duration.DAY or mandate.expires_at is None:
        return
    ends_on = clock.paris_date(mandate.expires_at)
    context = {"organisation": mandate.organisation.name, "until": day_text(mandate.expires_at)}
    due_on = ends_on - dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    notifications.reminder_schedule(
        recipient=mandate.applicant,
        due_on=due_on,
        template="helpers/messages/expiring",
        context={**context, "applicant": ""},
        key=_reminder_key(mandate),
        url=path_for(mandate.applicant, "helpers:mandates"),
    )
    for manager in selectors.managers_of(organisation=mandate.organisation):
        notifications.reminder_schedule(
            recipient=manager.user,
            due_on=due_on,
            template="helpers/messages/expiring",
            context={**context, "applicant": mandate.applicant.display_name},
            key=_reminder_key(mandate),
            url=path_for(manager.user, "dossiers:helping"),
        )


def _cancel_reminders(mandate: Mandate) -> None:
    notifications.reminder_cancel(recipient=mandate.applicant, key=_reminder_key(mandate))
    for manager in selectors.managers_of(organisation=mandate.organisation):
        notifications.reminder_cancel(recipient=manager.user, key=_reminder_key(mandate))
