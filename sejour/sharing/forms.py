"""Forms: make a share code; check one with the holder's date of birth."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.attestations.codes import normalize_share_code
from sejour.core import clock
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


class CheckForm(DsfrBaseForm):
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
    day = forms.CharField(
        label=_("Day"),
        required=False,
        max_length=10,
        error_messages={"max_length": _("The day is a number from 1 to 31.")},
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=10,
        error_messages={"max_length": _("The month is a number from 1 to 12.")},
    )
    year = forms.CharField(
        label=_("Year"),
        required=False,
        max_length=10,
        error_messages={"max_length": _("The year has 4 digits, e.g. 1990.")},
    )
    organisation = forms.CharField(
        label=_("Your organisation (optional)"),
        help_text=_("The holder sees it, with the date and time of your check."),
        max_length=ORGANISATION_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    BIRTH_FIELDS = ("day", "month", "year")

    def clean_code(self) -> str:
        normal = normalize_share_code(self.cleaned_data["code"])
        if normal is None:
            raise ValidationError(MalformedCode.default_message)
        return normal

    def clean_day(self) -> int | None:
        return _number(self.cleaned_data["day"], 1, 31, _("The day is a number from 1 to 31."))

    def clean_month(self) -> int | None:
        return _number(self.cleaned_data["month"], 1, 12, _("The month is a number from 1 to 12."))

    def clean_year(self) -> int | None:
        return _number(
            self.cleaned_data["year"],
            EARLIEST_BIRTH_YEAR,
            9999,
            _("The year has 4 digits, e.g. 1990."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(name in self.errors for name in self.BIRTH_FIELDS):
            return data
        missing = [name for name in self.BIRTH_FIELDS if data.get(name) is None]
        if missing:
            self.add_error(missing[0], _("Enter the holder's date of birth: day, month and year."))
            return data
        day, month, year = (data[name] for name in self.BIRTH_FIELDS)
        try:
            born = dt.date(year, month, day)
        except ValueError:
            self.add_error("day", _("This date does not exist. Check the day and the month."))
            return data
        if born > clock.today():
            self.add_error("year", _("A date of birth cannot be in the future."))
            return data
        data["date_of_birth"] = born
        return data

    @property
    def birth_errors(self) -> list[str]:
        """The errors of the three date boxes, once each, shown under the group."""
        found: list[str] = []
        for name in self.BIRTH_FIELDS:
            for error in self.errors.get(name, []):
                if error not in found:
                    found.append(error)
        return found


def _number(text: str, low: int, high: int, message: Any) -> int | None:
    """The whole number typed (blank is None), or a ValidationError with `message`.

    Any script's decimal digits are read (Arabic-Indic ones too), as `int()` reads them.
    """
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or not low <= int(text) <= high:
        raise ValidationError(message)
    return int(text)
