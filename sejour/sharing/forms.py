"""Forms: make a share code; check one with the holder's date of birth."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.attestations.codes import normalize_share_code
from sejour.core import clock
from sejour.core.forms import BirthDateBoxes
from sejour.sharing.choices import Purpose
from sejour.sharing.services import (
    DEFAULT_VALIDITY_DAYS,
    MAX_VALIDITY_DAYS,
    ORGANISATION_MAX_LENGTH,
    MalformedCode,
)

# Nobody checked here was born before this year; it catches a two-digit year typed as "90".
EARLIEST_BIRTH_YEAR = 1900


class ShareCodeForm(DsfrBaseForm):
    purpose = forms.ChoiceField(
        label=_("Who will check it?"),
        help_text=_("A code is for one purpose. Make another code for another checker."),
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the code is for.")},
    )
    days = forms.IntegerField(
        label=_("Valid for how many days"),
        help_text=_("From 1 to 90 days. You can cancel the code at any time."),
        min_value=1,
        max_value=MAX_VALIDITY_DAYS,
        required=False,
        initial=DEFAULT_VALIDITY_DAYS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter a number of days from 1 to 90."),
            "min_value": _("Enter a number of days from 1 to 90."),
            "max_value": _("Enter a number of days from 1 to 90."),
        },
    )

    def clean_days(self) -> int:
        days: int | None = self.cleaned_data.get("days")
        return DEFAULT_VALIDITY_DAYS if days is None else days


class CheckForm(DsfrBaseForm, BirthDateBoxes):
    """The share code, the holder's date of birth in three boxes, and who checks (optional)."""

    code = forms.CharField(
        label=_("Share code"),
        help_text=_("9 letters and digits, given to you by the holder, e.g. ABC 123 XYZ."),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
        error_messages={
            "required": _("Enter the share code."),
            "max_length": MalformedCode.default_message,
        },
    )
    organisation = forms.CharField(
        label=_("Your organisation (optional)"),
        help_text=_("The holder sees it, with the date and time of your check."),
        max_length=ORGANISATION_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    EARLIEST_BIRTH_YEAR = EARLIEST_BIRTH_YEAR
    field_order = ["code", "day", "month", "year", "organisation"]

    def clean_code(self) -> str:
        normal = normalize_share_code(self.cleaned_data["code"])
        if normal is None:
            raise ValidationError(MalformedCode.default_message)
        return normal

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Enter the holder's date of birth: day, month and year."))
        if born is not None and born > clock.today():
            self.add_error("year", _("A date of birth cannot be in the future."))
        elif born is not None:
            data["date_of_birth"] = born
        return data
