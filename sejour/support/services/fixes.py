"""What the support desk (or the prefecture, once a report is theirs) repairs itself: issue
the documents of an application again, give an account back after an identity check in person,
correct contact details, record that the platform made filing impossible.

Each fix is a line of the report's history, a message to the person and an audit entry.
"""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sejour.accounts import selectors as account_selectors
from sejour.accounts import services as accounts
from sejour.accounts.models import User
from sejour.attestations import services as attestations
from sejour.attestations.models import Attestation
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.dossiers import continuity, substitute
from sejour.dossiers.choices import Status as DossierStatus
from sejour.dossiers.models import Dossier, FilingAttempt
from sejour.dossiers.services import receipt_facts
from sejour.helpers import services as helpers
from sejour.support.choices import EventKind, Fix, Status
from sejour.support.escalation import tell
from sejour.support.models import Report, ReportEvent
from sejour.support.permissions import can_restore_access, get_report_abilities

# A residence permit's number as printed on the card: letters and digits.
PERMIT_NUMBER = re.compile(r"[A-Z0-9]{6,20}")


class IdentityNotChecked(DomainError):
    default_message = _(
        "The foreigner number and the date of birth do not match this account. Nothing was "
        "changed: check the documents again."
    )


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("applicant", "author", "dossier")
        .get(pk=report.pk)
    )


def _can_fix(actor: User, report: Report) -> None:
    ensure(get_report_abilities(actor, report)["fix"], NotAllowed())


def _fixed(
    report: Report,
    actor: User,
    fix: str,
    data: dict[str, Any],
    context: dict[str, Any] | None = None,
) -> ReportEvent:
    """The fix in the report's history, the first answer if none was given, the person told."""
    now = clock.now()
    event = ReportEvent.objects.create(
        report=report, kind=EventKind.FIXED, actor=actor, at=now, data={"fix": fix, **data}
    )
    report.first_answered_at = report.first_answered_at or now
    if report.status == Status.OPEN:
        report.status = Status.ANSWERED
    report.save(update_fields=["first_answered_at", "status"])
    tell(report, "fixed", fix=fix, **data, **(context or {}))
    audit.record(
        actor=actor,
        action="report.fixed",
        target=report,
        on_behalf_of=report.applicant,
        data={"fix": fix, **data},
    )
    return event


@transaction.atomic
def report_fix_reissue(*, report: Report, actor: User) -> list[Attestation]:
    """Issue again the documents the application is owed: the filing receipt if it is
    missing, the attestations already due, and a PDF laid out anew where the stored one is
    missing or damaged. Returns the documents the person now has."""
    report = _locked(report)
    _can_fix(actor, report)
    ensure(
        report.dossier is not None and report.dossier.status != DossierStatus.DRAFT,
        DomainError(_("This report is about no filed application: no document is owed yet.")),
    )
    assert report.dossier is not None
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=report.dossier.pk)
    # One receipt per dossier, held by a constraint: look first, as the filing never has to.
    if not Attestation.objects.filter(dossier=dossier, kind="receipt").exists():
        attestations.receipt_issue(dossier=dossier, facts=receipt_facts(dossier))
    continuity.catch_up(dossier)
    live = list(
        Attestation.objects.filter(dossier=dossier, revoked_at__isnull=True).order_by("issued_at")
    )
    repaired = [a.code for a in live if attestations.attestation_repair(attestation=a)]
    _fixed(
        report,
        actor,
        Fix.REISSUE,
        {"codes": [a.code for a in live], "repaired": repaired, "dossier": dossier.number},
    )
    return live


def access_restore(
    *,
    actor: User,
    foreigner_number: str,
    date_of_birth: dt.date,
    permit_number: str,
    in_person: bool,
    user: User | None = None,
) -> tuple[User, str]:
    """Give an account back to the person in front of the agent, without e-mail: their
    foreigner number and date of birth must be the account's, their permit seen in hand.

    Returns the account and the code printed for them; its old contacts are told. A refused
    check is journalled too.
    """
    ensure(can_restore_access(actor), NotAllowed())
    ensure(
        in_person,
        DomainError(_("Check the identity in person, with the residence permit in hand.")),
    )
    number = "".join(permit_number.split()).upper()
    ensure(
        bool(PERMIT_NUMBER.fullmatch(number)),
        DomainError(
            _("Type the number printed on the residence permit: 6 to 20 letters or digits.")
        ),
    )
    foreigner = "".join(foreigner_number.split())
    if user is None:
        user = account_selectors.person_by_identity(
            viewer=actor, foreigner_number=foreigner, date_of_birth=date_of_birth
        )
    if user is None or not accounts.identity_matches(
        user=user, foreigner_number=foreigner, date_of_birth=date_of_birth
    ):
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="account.identity_check_failed",
                target=user,
                data={"foreigner_number_end": foreigner[-3:]},
            )
        raise IdentityNotChecked()
    code = helpers.access_code_issue(
        actor=actor,
        user=user,
        data={"checked": "in person", "permit_number_end": number[-4:]},
    )
    return user, code


def report_fix_access(
    *,
    report: Report,
    actor: User,
    foreigner_number: str,
    date_of_birth: dt.date,
    permit_number: str,
    in_person: bool,
) -> str:
    """Restore access to the account the report is about; returns the code to print."""
    _can_fix(actor, report)
    _user, code = access_restore(
        actor=actor,
        foreigner_number=foreigner_number,
        date_of_birth=date_of_birth,
        permit_number=permit_number,
        in_person=in_person,
        user=report.applicant,
    )
    with transaction.atomic():
        report = _locked(report)
        _can_fix(actor, report)
        _fixed(report, actor, Fix.ACCESS, {})
    return code


@transaction.atomic
def report_fix_contact(
    *, report: Report, actor: User, email: str | None, phone: str | None
) -> list[str]:
    """Correct the person's e-mail address or phone; the old ones are told."""
    report = _locked(report)
    _can_fix(actor, report)
    changed = accounts.contact_correct(
        user=report.applicant, actor=actor, email=email, phone=phone, reason=report.number
    )
    ensure(bool(changed), DomainError(_("These are already the person's contact details.")))
    _fixed(report, actor, Fix.CONTACT, {"fields": changed})
    return changed


@transaction.atomic
def report_fix_impossibility(
    *, report: Report, actor: User, dossier: Dossier | None = None
) -> FilingAttempt:
    """Record that the platform made filing impossible, as of the report's date, and invite
    the person to the substitute channel: a counter of their prefecture registers the
    application, which keeps that date (décret 2023-191)."""
    report = _locked(report)
    _can_fix(actor, report)
    dossier = report.dossier or dossier
    ensure(
        dossier is not None and dossier.applicant_id == report.applicant_id,
        DomainError(_("Choose the person's application that could not be filed.")),
    )
    assert dossier is not None
    attempt = substitute.attempt_record_impossibility(
        dossier=dossier, actor=actor, since=report.opened_at, reference=report.number
    )
    prefecture = dossier.prefecture
    _fixed(
        report,
        actor,
        Fix.IMPOSSIBILITY,
        {
            "dossier": dossier.number,
            "proof": attempt.proof_code,
            "since": report.opened_at.isoformat(),
            "prefecture": prefecture.name if prefecture else "",
        },
        {"since_at": report.opened_at},
    )
    return attempt
