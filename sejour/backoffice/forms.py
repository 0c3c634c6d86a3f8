"""Forms of the back-office."""

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.models import User
from sejour.catalog.models import ChecklistItem, PermitType, Procedure
from sejour.core.forms import BirthDateBoxes
from sejour.dossiers.choices import RefusalReason, RequestKind, Status
from sejour.dossiers.instruction import REQUEST_MAX_DAYS, REQUEST_MIN_DAYS


class QueueFilterForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All waiting")),
            (Status.SUBMITTED, Status.SUBMITTED.label),
            (Status.IN_REVIEW, Status.IN_REVIEW.label),
            (Status.AWAITING_APPLICANT, Status.AWAITING_APPLICANT.label),
            (Status.APPROVED, Status.APPROVED.label),
            (Status.REFUSED, Status.REFUSED.label),
        ],
    )
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    permit_type = forms.ChoiceField(label=_("Permit type"), required=False)
    assigned = forms.ChoiceField(label=_("Held by"), required=False)
    older_than = forms.TypedChoiceField(
        label=_("Waiting for"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any time")),
            (30, _("over 30 days")),
            (60, _("over 60 days")),
            (90, _("over 90 days")),
        ],
    )
    changed = forms.BooleanField(label=_("Changed since last look"), required=False)

    def __init__(self, *args: Any, agents: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("All"))] + [
            (p.code, p.translated_name) for p in Procedure.objects.active()
        ]
        self.fields["permit_type"].choices = [("", _("All"))] + [
            (p.code, p.translated_name) for p in PermitType.objects.active()
        ]
        self.fields["assigned"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody yet")),
            *((str(a.pk), a.display_name) for a in agents),
        ]


class RequestForm(DsfrBaseForm):
    """Ask for documents: per checklist item, a kind and a comment; one deadline."""

    deadline = forms.DateField(
        label=_("To send by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Enter a real date, e.g. 31/12/2026.")},
    )

    def __init__(
        self, *args: Any, items: list[ChecklistItem], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["deadline"].help_text = _("Between %(min)s and %(max)s days from today.") % {
            "min": REQUEST_MIN_DAYS,
            "max": REQUEST_MAX_DAYS,
        }
        self.fields["deadline"].initial = today + dt.timedelta(days=30)
        for item in items:
            self.fields[f"kind_{item.code}"] = forms.ChoiceField(
                label=item.translated_label,
                required=False,
                choices=[("", _("Not asked")), *RequestKind.choices],
            )
            self.fields[f"comment_{item.code}"] = forms.CharField(
                label=_("What exactly to send (%(item)s)") % {"item": item.translated_label},
                required=False,
                max_length=1000,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"kind_{item.code}") for item in self.items):
            raise ValidationError(_("Choose at least one document to ask for."))
        data["_requested"] = [
            (item.code, data[f"kind_{item.code}"], data.get(f"comment_{item.code}") or "")
            for item in self.items
            if data.get(f"kind_{item.code}")
        ]
        return data


class RefuseForm(DsfrBaseForm):
    reasons = forms.MultipleChoiceField(
        label=_("Grounds"),
        choices=RefusalReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one ground for the refusal.")},
    )
    explanation = forms.CharField(
        label=_("Explanation for the applicant"),
        help_text=_("Plain words, at least a few sentences: it is printed in the decision letter."),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=20,
        max_length=4000,
    )


class WithdrawDecisionForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Why is the decision withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
    )


class NoteForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Private note (never shown to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AgentMessageForm(DsfrBaseForm):
    body = forms.CharField(
        label=_("Message to the applicant"),
        help_text=_("Plain words: the applicant may read French as a second language."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    attachment = forms.FileField(label=_("Attach a file (optional)"), required=False)


class AssignForm(forms.Form):
    agent: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Give to")
    )

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Dossier number, name, foreigner number or date of birth"),
        max_length=100,
        required=False,
    )


class GrantExtensionForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Why is the extension attestation granted?"),
        help_text=_(
            "This renewal was filed late: no attestation is due as of right. "
            "Your reason is recorded in the journal."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class HandOverForm(DsfrBaseForm):
    card_expires_on = forms.DateField(
        label=_("Card valid until (optional)"),
        help_text=_(
            "As printed on the card, e.g. 31/12/2027: the holder is then reminded when its "
            "renewal window opens and before it closes."
        ),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Enter a real date, e.g. 31/12/2026.")},
    )


class CounterPersonForm(DsfrBaseForm, BirthDateBoxes):
    """Who the application at the counter is for: an account found by the foreigner number
    and date of birth, or one opened now, with no contact, for the person present."""

    has_account = forms.ChoiceField(
        label=_("Does the person have an account on this website?"),
        choices=[("yes", _("Yes, find it")), ("no", _("No, open one for them"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the person has an account.")},
    )
    foreigner_number = forms.CharField(
        label=_("Foreigner number"),
        help_text=_("10 digits; needed to find an account, optional to open one."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}),
    )
    given_name = forms.CharField(label=_("Given name(s)"), required=False, max_length=150)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=150)
    language = forms.ChoiceField(label=_("Language of the person"), choices=settings.LANGUAGES)
    field_order = [
        "has_account",
        "foreigner_number",
        "given_name",
        "family_name",
        "day",
        "month",
        "year",
        "language",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Type the date of birth: day, month and year."))
        if born is not None:
            data["date_of_birth"] = born
        if data.get("has_account") == "yes" and not data.get("foreigner_number"):
            self.add_error("foreigner_number", _("Type the foreigner number to find the account."))
        if data.get("has_account") == "no":
            for name in ("given_name", "family_name"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Type the person's names as on their papers."))
        return data


class CounterTakeForm(DsfrBaseForm):
    dossier = forms.ChoiceField(
        label=_("Application"),
        required=False,
        help_text=_("An application the person started online keeps its date of first attempt."),
    )
    procedure = forms.ChoiceField(label=_("Or a new application for"), required=False)
    channel = forms.ChoiceField(
        label=_("How the application comes"),
        choices=[("counter", _("At the counter")), ("paper", _("On paper"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the application came: at the counter or on paper.")
        },
    )

    def __init__(
        self,
        *args: Any,
        drafts: list[tuple[str, str]],
        procedures: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = [("", _("A new application")), *drafts]
        self.fields["procedure"].choices = [("", _("Choose the procedure")), *procedures]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("dossier") and not data.get("procedure"):
            self.add_error("procedure", _("Choose the procedure."))
        return data


class CounterUploadForm(DsfrBaseForm):
    item = forms.ChoiceField(
        label=_("Document"),
        error_messages={"required": _("Choose which document this is.")},
    )
    file = forms.FileField(
        label=_("The scanned file"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        error_messages={"required": _("Choose a file first."), "empty": _("This file is empty.")},
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items
