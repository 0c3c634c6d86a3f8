"""Forms of the appointment pages: pick a slot, the agents' slots and the counter's check-in."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.appointments.choices import Kind
from sejour.appointments.services import BULK_MAX_DAYS


class ChooseForm(DsfrBaseForm):
    slot = forms.TypedChoiceField(
        label=_("Choose another date"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the dates offered."),
            "invalid_choice": _("This date is no longer offered. Choose one of those below."),
        },
    )

    def __init__(self, *args: Any, slots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots


class BulkSlotsForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Kind of appointment"),
        choices=Kind.choices,
        error_messages={"required": _("Choose a kind of appointment.")},
    )
    first_day = forms.DateField(
        label=_("First day"),
        help_text=_("Format: dd/mm/yyyy"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Give the first day."),
            "invalid": _("Write the date as dd/mm/yyyy, for example 02/03/2027."),
        },
    )
    last_day = forms.DateField(
        label=_("Last day"),
        help_text=_("Format: dd/mm/yyyy. At most three months after the first day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Give the last day."),
            "invalid": _("Write the date as dd/mm/yyyy, for example 02/03/2027."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                self.add_error("last_day", _("The last day must be after the first."))
            elif (last - first).days >= BULK_MAX_DAYS:
                self.add_error("last_day", _("Make slots for at most three months at a time."))
        return data


class DayForm(DsfrBaseForm):
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, for example 02/03/2027.")},
    )


class CheckInForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Reference or QR code of the convocation"),
        help_text=_(
            "Scan the QR code, or type the reference printed under it, for example RDV-7K3M-QX9P."
        ),
        max_length=500,
        error_messages={"required": _("Scan the QR code or type the reference.")},
    )
