"""Forms of the support pages: send a report, add to it, and the desk's answers."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.support.choices import Category
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
