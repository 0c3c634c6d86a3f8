"""Forms of helpers: apply, invite, consent (online and in person), open an account, take it over."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import PHONE_HELP, MobilePhoneField
from sejour.core import clock
from sejour.core.forms import BirthDateBoxes
from sejour.helpers.choices import Duration, MemberRole, OrganisationKind, Scope
from sejour.helpers.models import Organisation

EARLIEST_BIRTH_YEAR = 1900


class OrganisationForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={"required": _("Enter the organisation's name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of organisation.")},
    )
    siret = forms.CharField(
        label=_("SIRET number (optional)"),
        help_text=_("14 digits, e.g. 12345678900012."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=250,
        error_messages={"required": _("Enter the organisation's address.")},
    )
    email = forms.EmailField(
        label=_("Contact e-mail address"),
        error_messages={
            "required": _("Enter a contact e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )
    bar = forms.CharField(
        label=_("Your bar (lawyers only)"),
        help_text=_("E.g. Paris, Lyon, Seine-Saint-Denis."),
        required=False,
        max_length=120,
    )
    bar_number = forms.CharField(
        label=_("Your bar registration number (lawyers only)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    def clean_siret(self) -> str:
        siret = "".join(self.cleaned_data["siret"].split())
        if siret and (len(siret) != 14 or not siret.isdigit()):
            raise ValidationError(_("A SIRET number has 14 digits."))
        return siret

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == OrganisationKind.LAW_FIRM:
            if not (data.get("bar") or "").strip():
                self.add_error("bar", _("A lawyer gives their bar."))
            if not (data.get("bar_number") or "").strip():
                self.add_error("bar_number", _("A lawyer gives their bar registration number."))
        return data


class RefuseForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Why is it refused?"),
        help_text=_("The applicant reads it: say what is missing."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why the organisation is refused.")},
    )


class InviteForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        error_messages={
            "required": _("Enter the e-mail address of the person to invite."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        initial=MemberRole.MEMBER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role of the new member.")},
    )


class BarForm(DsfrBaseForm):
    """A lawyer joining a law firm gives their bar registration."""

    bar = forms.CharField(
        label=_("Your bar"),
        max_length=120,
        error_messages={"required": _("A lawyer gives their bar.")},
    )
    bar_number = forms.CharField(
        label=_("Your bar registration number"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        error_messages={"required": _("A lawyer gives their bar registration number.")},
    )


class ScopesForm(DsfrBaseForm):
    """What the mandate covers and for how long."""

    scopes = forms.MultipleChoiceField(
        label=_("What may the organisation do for you?"),
        help_text=_("Seeing your applications is always included."),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the mandate covers.")},
    )
    duration = forms.ChoiceField(
        label=_("For how long?"),
        choices=Duration.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long the mandate lasts.")},
    )


class GrantForm(ScopesForm):
    """An applicant chooses the organisation, then reads the text and agrees to it."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Choose the organisation."),
            "invalid_choice": _("Choose one of the organisations of the list."),
        },
    )
    text_sha256 = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["organisation", "scopes", "duration"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class InPersonForm(ScopesForm):
    identifier = forms.CharField(
        label=_("The applicant's e-mail address or mobile number"),
        help_text=_("The one of their Séjour account: the code is sent there."),
        max_length=254,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        error_messages={"required": _("Enter the applicant's e-mail address or mobile number.")},
    )

    field_order = ["identifier", "scopes", "duration"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].label = _("What does the applicant allow?")


class ConsentCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code received by the applicant"),
        help_text=_("6 digits, read out by the applicant from their e-mail or SMS."),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}),
        error_messages={"required": _("Enter the code the applicant received.")},
    )


class RevokeForm(DsfrBaseForm):
    scopes = forms.MultipleChoiceField(
        label=_("What do you withdraw?"),
        help_text=_("Withdrawing the first line ends the whole mandate."),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    everything = forms.BooleanField(label=_("End the whole mandate"), required=False)

    def __init__(self, *args: Any, current: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        field.choices = [(value, label) for value, label in Scope.choices if value in current]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("everything") and not data.get("scopes"):
            raise ValidationError(_("Tick what you withdraw, or end the whole mandate."))
        return data


class OpenAccountForm(ScopesForm, BirthDateBoxes):
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=150,
        error_messages={"required": _("Enter the person's given name.")},
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        error_messages={"required": _("Enter the person's family name.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the person"), choices=settings.LANGUAGES, initial="fr"
    )

    EARLIEST_BIRTH_YEAR = EARLIEST_BIRTH_YEAR
    field_order = ["given_name", "family_name", "day", "month", "year", "language"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Enter the person's date of birth: day, month and year."))
        if born is not None and born > clock.today():
            self.add_error("year", _("A date of birth cannot be in the future."))
        elif born is not None:
            data["date_of_birth"] = born
        return data


class TakeOverForm(DsfrBaseForm, BirthDateBoxes):
    code = forms.CharField(
        label=_("The code on your paper"),
        help_text=_("12 letters and digits, e.g. AB12 CD34 EF56."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "dir": "ltr"}
        ),
        error_messages={"required": _("Enter the code on your paper.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Give an e-mail address, a mobile number, or both."),
        required=False,
        error_messages={"invalid": _("Enter an e-mail address like name@example.org.")},
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )
    phone = MobilePhoneField(
        label=_("Your mobile number"),
        required=False,
        region="FR",
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )

    EARLIEST_BIRTH_YEAR = EARLIEST_BIRTH_YEAR
    field_order = ["code", "day", "month", "year", "email", "phone", "password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Enter your date of birth: day, month and year."))
        if born is not None:
            data["date_of_birth"] = born
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or a mobile number."))
        return data
