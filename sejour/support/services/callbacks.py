"""Call-backs: a person asks the contact centre to call them, on a weekday of their choice, in
a time window and a language the centre offers; the desk calls and says how it went."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed, ensure
from sejour.notifications import services as notifications
from sejour.support.choices import CallStatus, EventKind, window_label
from sejour.support.models import CallBack, Report, ReportEvent
from sejour.support.permissions import can_report, get_report_abilities, is_support

# Saturday and Sunday: the contact centre calls on weekdays.
WEEKEND = (5, 6)


def call_days(today: dt.date) -> list[dt.date]:
    """The days a call can be asked for: weekdays from tomorrow, as far as the settings say."""
    return [
        day
        for offset in range(1, settings.SEJOUR_SUPPORT_CALL_DAYS + 1)
        if (day := today + dt.timedelta(days=offset)).weekday() not in WEEKEND
    ]


@transaction.atomic
def callback_request(
    *,
    actor: User,
    phone: str,
    day: dt.date,
    window: str,
    language: str,
    subject: str = "",
    report: Report | None = None,
) -> CallBack:
    """Plan a call; the same window asked twice plans one call."""
    ensure(can_report(actor), NotAllowed())
    if report is not None:
        ensure(get_report_abilities(actor, report)["callback"], NotAllowed())
    ensure(bool(phone.strip()), DomainError(_("Give the number we should call.")))
    ensure(
        day in call_days(clock.today()),
        DomainError(_("Choose a weekday among those offered.")),
    )
    ensure(
        window in settings.SEJOUR_SUPPORT_CALL_WINDOWS,
        DomainError(_("Choose one of the time windows offered.")),
    )
    ensure(
        language in settings.SEJOUR_SUPPORT_CALL_LANGUAGES,
        DomainError(_("Choose one of the languages offered.")),
    )
    applicant = report.applicant if report is not None else actor
    try:
        with transaction.atomic():
            call = CallBack.objects.create(
                applicant=applicant,
                asked_by=actor,
                report=report,
                phone=phone.strip(),
                day=day,
                window=window,
                language=language,
                subject=subject.strip()[:300],
                asked_at=clock.now(),
            )
    except IntegrityError:
        raise DomainError(_("A call is already planned for you in this time window.")) from None
    if report is not None:
        ReportEvent.objects.create(
            report=report,
            kind=EventKind.CALLBACK,
            actor=actor,
            at=call.asked_at,
            data={"day": day.isoformat(), "window": window, "language": language},
        )
    notifications.notify(
        recipient=applicant,
        template="support/messages/callback",
        context={"day": day, "window": window_label(window), "phone": call.phone},
        url=f"/{applicant.language}/signalements/",
    )
    audit.record(
        actor=actor,
        action="callback.requested",
        target=call,
        on_behalf_of=applicant if applicant.pk != actor.pk else None,
        data={"day": day.isoformat(), "window": window, "language": language},
    )
    return call


@transaction.atomic
def callback_close(*, callback: CallBack, actor: User, status: str) -> CallBack:
    """The desk says how the call went; the person may cancel a call still planned."""
    call = CallBack.objects.select_for_update().get(pk=callback.pk)
    own = actor.pk in (call.applicant_id, call.asked_by_id)
    ensure(is_support(actor) or (own and status == CallStatus.CANCELLED), NotAllowed())
    ensure(
        status in (CallStatus.DONE, CallStatus.MISSED, CallStatus.CANCELLED),
        DomainError(_("Say how the call went.")),
    )
    ensure(call.status == CallStatus.PLANNED, DomainError(_("This call is no longer planned.")))
    call.status = status
    call.handled_by = actor
    call.handled_at = clock.now()
    call.save(update_fields=["status", "handled_by", "handled_at"])
    audit.record(actor=actor, action="callback.closed", target=call, data={"status": status})
    return call
