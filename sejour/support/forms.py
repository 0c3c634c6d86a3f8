"""Forms of the support pages: send a report, add to it, and the desk's answers."""

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import PHONE_HELP, MobilePhoneField
from sejour.core.forms import BirthDateBoxes
from sejour.support.choices import CallStatus, Category, language_name, window_label
from sejour.support.services import DESCRIPTION_MAX_LENGTH

_TOO_LONG = _("Keep it under 5,000 characters.")


def _text_field(label: Any, help_text: Any = "", required_message: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": required_message or _("Write what happened, in a few words."),
            "max_length": _TOO_LONG,
        },
    )


class ReportForm(DsfrBaseForm):
    category = forms.ChoiceField(
        label=_("What blocks you?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what blocks you.")},
    )
    dossier = forms.ChoiceField(
        label=_("Which application is it about?"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your applications, or none.")},
    )
    description = _text_field(
        _("What happened?"),
        _("What you were doing, what the page said, and since when. No password, please."),
    )

    attachment = forms.FileField(
        label=_("A file or a screenshot (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB: a photo of the screen is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif"}),
        error_messages={"empty": _("This file is empty.")},
    )

    def __init__(self, *args: Any, dossiers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = [("", _("None, or I do not know")), *dossiers]


class AddForm(DsfrBaseForm):
    body = _text_field(_("Add to your report"), _("What you tried since, or what changed."))


class AnswerForm(DsfrBaseForm):
    body = _text_field(_("Answer"), required_message=_("Write the answer."))
    internal = forms.BooleanField(
        label=_("Internal note: not shown to the person, not sent"), required=False
    )


class EscalateForm(DsfrBaseForm):
    body = _text_field(
        _("What the prefecture must do"),
        _("The prefecture reads this first: say what you checked and what is needed."),
        _("Say what the prefecture must do."),
    )


class ResolveForm(DsfrBaseForm):
    body = _text_field(
        _("How it was settled"),
        _("The person receives this text."),
        _("Say how it was settled."),
    )


class AccessForm(DsfrBaseForm, BirthDateBoxes):
    """The identity check made in person before an account is given back."""

    foreigner_number = forms.CharField(
        label=_("Foreigner number"),
        help_text=_("10 digits, as printed on the residence permit."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}),
        error_messages={"required": _("Type the foreigner number.")},
    )
    permit_number = forms.CharField(
        label=_("Number of the residence permit"),
        help_text=_("As printed on the card the person shows you."),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        error_messages={"required": _("Type the number of the residence permit.")},
    )
    in_person = forms.BooleanField(
        label=_("I saw the person and their residence permit, and the photo is theirs"),
        error_messages={"required": _("The identity is checked in person only.")},
    )
    field_order = ["foreigner_number", "day", "month", "year", "permit_number", "in_person"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Type the date of birth: day, month and year."))
        if born is not None:
            data["date_of_birth"] = born
        return data


class ContactForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        error_messages={"invalid": _("Enter an e-mail address like name@example.org.")},
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    phone = MobilePhoneField(
        label=_("Mobile number"),
        required=False,
        region="FR",
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(_("Give an e-mail address or a mobile number."))
        return data


class ImpossibilityForm(DsfrBaseForm):
    dossier = forms.ChoiceField(
        label=_("The application that could not be filed"),
        error_messages={
            "required": _("Choose the person's application that could not be filed."),
            "invalid_choice": _("Choose the person's application that could not be filed."),
        },
    )

    def __init__(self, *args: Any, drafts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = drafts


class CallBackForm(DsfrBaseForm):
    phone = MobilePhoneField(
        label=_("The number we should call"),
        region="FR",
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Give the number we should call.")},
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        coerce=dt.date.fromisoformat,
        error_messages={
            "required": _("Choose a weekday among those offered."),
            "invalid_choice": _("Choose a weekday among those offered."),
        },
    )
    window = forms.ChoiceField(
        label=_("Time (Paris time)"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the time windows offered."),
            "invalid_choice": _("Choose one of the time windows offered."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the call"),
        error_messages={
            "required": _("Choose one of the languages offered."),
            "invalid_choice": _("Choose one of the languages offered."),
        },
    )
    subject = forms.CharField(
        label=_("What it is about (optional)"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Keep it under 300 characters.")},
    )

    def __init__(self, *args: Any, days: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [
            (day.isoformat(), formats.date_format(day, "l j F")) for day in days
        ]
        self.fields["window"].choices = [
            (window, window_label(window)) for window in settings.SEJOUR_SUPPORT_CALL_WINDOWS
        ]
        self.fields["language"].choices = [
            (code, language_name(code, local=True))
            for code in settings.SEJOUR_SUPPORT_CALL_LANGUAGES
        ]


class CallCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in (CallStatus.DONE, CallStatus.MISSED, CallStatus.CANCELLED)]
    )


class FiguresForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-11-01.")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-11-30.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first date comes after the second."))
        return data
