"""Form parts shared by several apps."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


def number_typed(text: str, low: int, high: int, message: StrOrPromise) -> int | None:
    """The whole number typed (blank is None), or a ValidationError with `message`.

    Any script's decimal digits are read (Arabic-Indic ones too), as `int()` reads them.
    """
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or not low <= int(text) <= high:
        raise ValidationError(message)
    return int(text)


class BirthDateBoxes(forms.Form):
    """A date of birth typed in three boxes (day, month, year), as DSFR lays it out.

    Mix it into a form (list its boxes in the form's `field_order`), call `birth_date()` from
    the form's `clean()`, and include "core/_birth_date.html" in the template.
    """

    BIRTH_FIELDS = ("day", "month", "year")
    EARLIEST_BIRTH_YEAR = 1000

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

    def clean_day(self) -> int | None:
        return number_typed(self.cleaned_data["day"], 1, 31, _("The day is a number from 1 to 31."))

    def clean_month(self) -> int | None:
        return number_typed(
            self.cleaned_data["month"], 1, 12, _("The month is a number from 1 to 12.")
        )

    def clean_year(self) -> int | None:
        return number_typed(
            self.cleaned_data["year"],
            self.EARLIEST_BIRTH_YEAR,
            9999,
            _("The year has 4 digits, e.g. 1990."),
        )

    def birth_date(self, data: dict[str, Any], missing: StrOrPromise) -> dt.date | None:
        """The date the three boxes make, or None with an error on the right box."""
        if any(name in self.errors for name in self.BIRTH_FIELDS):
            return None
        absent = [name for name in self.BIRTH_FIELDS if data.get(name) is None]
        if absent:
            self.add_error(absent[0], missing)
            return None
        try:
            return dt.date(data["year"], data["month"], data["day"])
        except ValueError:
            self.add_error("day", _("This date does not exist. Check the day and the month."))
            return None

    @property
    def birth_errors(self) -> list[str]:
        """The errors of the three date boxes, once each, shown under the group."""
        found: list[str] = []
        for name in self.BIRTH_FIELDS:
            for error in self.errors.get(name, []):
                if str(error) not in found:
                    found.append(str(error))
        return found
