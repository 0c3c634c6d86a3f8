"""Files a person takes away: the calendar entry (ICS, RFC 5545) and the convocation (PDF)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sejour.appointments.choices import Kind
from sejour.appointments.models import Booking
from sejour.appointments.services import check_in_token
from sejour.attestations import render
from sejour.attestations.rendering import labels


def _bring(kind: str) -> list[str]:
    """What to bring, in the active language."""
    common = [
        _("This convocation, printed or on your phone"),
        _("Your passport or identity document"),
    ]
    extra: dict[str, list[str]] = {
        Kind.BIOMETRICS: [_("No photo is needed: it is taken at the counter")],
        Kind.HAND_OVER: [
            _("Your current residence permit or attestation"),
            _("The fee stamps (timbres fiscaux), unless you are exempt"),
        ],
        Kind.FILING: [_("The originals of the documents of your application")],
        Kind.INFORMATION: [_("Any letter or document your question is about")],
    }
    return common + extra.get(kind, [])


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued by a space (RFC 5545, 3.1)."""
    data = line.encode()
    parts: list[str] = []
    start = 0
    while len(data) - start > 75:
        end = start + 75 if not parts else start + 74
        while end > start and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut a character in two
        parts.append(data[start:end].decode())
        start = end
    parts.append(data[start:].decode())
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(booking: Booking, *, language: str) -> bytes:
    """The appointment as a calendar entry, with an alarm the day before."""
    slot = booking.slot
    assert slot is not None
    with translation.override(language):
        summary = _("Prefecture appointment: %(kind)s") % {"kind": Kind(booking.kind).label}
        description = _(
            "Reference %(reference)s, application %(number)s. Bring your convocation."
        ) % {"reference": booking.reference, "number": booking.dossier.number}
    link = f"{settings.SITE_URL}/{language}/rendez-vous/{booking.reference}/"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sejour//Appointments//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booking.reference}@{settings.SITE_URL.split('//')[-1] or 'sejour'}",
        f"SEQUENCE:{booking.revision}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(slot.site.name + ', ' + ' '.join(slot.site.address.split()))}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{link}",
        "STATUS:CONFIRMED",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        f"DESCRIPTION:{_escape(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def convocation_pdf(booking: Booking, *, language: str) -> bytes:
    """The convocation: who, what, where, when, what to bring, and the QR code of check-in."""
    slot = booking.slot
    assert slot is not None
    dossier = booking.dossier
    token = check_in_token(booking)
    starts = timezone.localtime(slot.starts_at)
    with translation.override(language):
        when = _("%(day)s at %(time)s") % {
            "day": starts.strftime("%d/%m/%Y"),
            "time": starts.strftime("%H:%M"),
        }
        return render.render_convocation(
            render.ConvocationData(
                language=language,
                labels=labels(),
                title=_("Convocation: %(kind)s") % {"kind": Kind(booking.kind).label},
                holder=render.Holder(full_name=dossier.applicant.display_name),
                facts=[
                    (_("Application number"), dossier.number, True),
                    (_("Appointment reference"), booking.reference, True),
                    (_("Place"), slot.site.name, False),
                    (_("Address"), " ".join(slot.site.address.split()), False),
                ],
                box=(_("Date and time"), when),
                bring_heading=_("What to bring"),
                bring=_bring(booking.kind),
                issued_at=timezone.now(),
                verification=render.Verification(
                    code=booking.reference,
                    url=f"{settings.SITE_URL}/{language}/instruction/rendez-vous/accueil/",
                    token=token,
                ),
                legal_mention=_(
                    "Show this convocation at the counter: its QR code records your arrival. "
                    "You may change or cancel the appointment online until %(hours)s hours "
                    "before it. This convocation is personal and cannot be transferred."
                )
                % {"hours": f"{settings.SEJOUR_APPOINTMENT_CHANGE_LIMIT_HOURS:g}"},
            )
        )
