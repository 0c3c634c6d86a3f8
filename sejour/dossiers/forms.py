"""Forms of the applicant's pages, built from the catalogue's questions where they vary."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.catalog.models import Procedure

YES, NO = "yes", "no"


class AnswersForm(DsfrBaseForm):
    """The guided questions of a procedure; every answer may be left for later in a draft."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    postcode = forms.CharField(
        label=_("Postcode of your home"),
        help_text=_("It decides which prefecture handles your application. 5 digits, e.g. 75011."),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = procedure.translated_questions()
        for question in self.questions:
            self.fields[f"q_{question['code']}"] = _field_for(question)

    def clean_postcode(self) -> str:
        value = "".join(self.cleaned_data.get("postcode", "").split())
        if value and not re.fullmatch(r"\d{5}", value):
            raise ValidationError(_("A postcode has 5 digits, e.g. 75011 or 97110."))
        return value

    def answers(self) -> dict[str, Any]:
        """The answers as stored: yes/no as booleans, dates as ISO strings."""
        result: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question['code']}")
            if question["type"] == "yes_no":
                value = {YES: True, NO: False}.get(value or "")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            result[question["code"]] = value if value not in ("", None) else None
        return result

    @staticmethod
    def initial_for(answers: dict[str, Any], procedure: Procedure) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for question in procedure.questions:
            value = answers.get(question["code"])
            if question["type"] == "yes_no" and value is not None:
                value = YES if value else NO
            initial[f"q_{question['code']}"] = value
        return initial


def _field_for(question: dict[str, Any]) -> forms.Field:
    label, help_text = question["label"], question.get("help") or ""
    kind = question["type"]
    if kind == "yes_no":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[(YES, _("Yes")), (NO, _("No"))],
            widget=forms.RadioSelect,
        )
    if kind == "choice":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[
                ("", _("Choose an answer")),
                *((c["value"], c["label"]) for c in question["choices"]),
            ],
        )
    if kind == "date":
        return forms.DateField(
            label=label,
            help_text=help_text or _("Format: day/month/year, e.g. 31/12/2026"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
            error_messages={"invalid": _("Enter a real date, e.g. 31/12/2026.")},
        )
    return forms.CharField(label=label, help_text=help_text, required=False, max_length=500)


class UploadForm(DsfrBaseForm):
    """One file for one checklist item; sent as soon as chosen."""

    file = forms.FileField(
        label=_("Add a file"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB. A photo taken with your phone is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif"}),
        error_messages={"required": _("Choose a file first."), "empty": _("This file is empty.")},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class SubmitForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)


class MessageForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        error_messages={"empty": _("This file is empty.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("attachment"):
            raise ValidationError(_("Write a message or attach a file."))
        return data


class RepresentForm(DsfrBaseForm):
    """A lawyer's declaration: the client's application number and family name."""

    number = forms.CharField(
        label=_("Application number"),
        help_text=_("As your client has it, e.g. 2026-AB12-CD34."),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        error_messages={"required": _("Enter the application number.")},
    )
    family_name = forms.CharField(
        label=_("Your client's family name"),
        max_length=150,
        error_messages={"required": _("Enter your client's family name.")},
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()
