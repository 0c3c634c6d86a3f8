"""Forms of the account pages: they parse and check input; services do the rest."""

from typing import Any

import phonenumbers
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from dsfr.forms import DsfrBaseForm
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from sejour.accounts.models import User
from sejour.accounts.services import FOREIGNER_NUMBER
from sejour.core.forms import BirthDateBoxes

PHONE_HELP = _("A mobile number, e.g. 06 12 34 56 78 or +33 6 12 34 56 78.")


class MobilePhoneField(PhoneNumberField):
    """A phone number that can receive text messages."""

    default_error_messages = {
        "invalid": _("Enter a valid mobile number, e.g. 06 12 34 56 78 or +33 6 12 34 56 78."),
    }

    def to_python(self, value: object) -> PhoneNumber | str | None:
        number = super().to_python(value)
        if isinstance(number, PhoneNumber) and number.is_valid():
            kind = phonenumbers.number_type(number)
            if kind not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            ):
                raise ValidationError(
                    _("This number cannot receive text messages: give a mobile number."),
                    code="not_mobile",
                )
        return number


def _password_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignupForm(DsfrBaseForm):
    given_name = forms.CharField(
        label=_("Given name(s)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address (optional if you give a mobile number)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Format: name@example.com"),
    )
    phone = MobilePhoneField(
        label=_("Mobile phone number (optional if you give an e-mail address)"),
        required=False,
        region="FR",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=PHONE_HELP,
    )
    password1 = _password_field(_("Password"))
    password2 = _password_field(_("Password again"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _(
            "At least 10 characters. Avoid common passwords and your name."
        )

    # Whether an address already has an account is never said here (the service tells its
    # holder instead), so that the form cannot be used to learn who has an account.
    def clean_email(self) -> str | None:
        return (self.cleaned_data.get("email") or "").strip().lower() or None

    def clean_phone(self) -> PhoneNumber | None:
        return self.cleaned_data.get("phone") or None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and (not self.has_error("phone"))
        ):
            raise ValidationError(
                _("Give an e-mail address or a mobile number: we send you a code to confirm it.")
            )
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are different."))
        elif password1:
            probe = User(
                email=data.get("email"),
                given_name=data.get("given_name", ""),
                family_name=data.get("family_name", ""),
            )
            try:
                validate_password(str(password1), probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class LoginForm(DsfrBaseForm):
    username = forms.CharField(
        label=_("E-mail address or mobile phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code received"),
        max_length=12,
        help_text=_("6 digits"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise ValidationError(_("The code has 6 digits, e.g. 123456."))
        return code


class ResetRequestForm(DsfrBaseForm):
    identifier = forms.CharField(
        label=_("E-mail address or mobile phone number of your account"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class SetPasswordForm(DsfrBaseForm):
    password1 = _password_field(_("New password"))
    password2 = _password_field(_("New password again"))

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _(
            "At least 10 characters. Avoid common passwords and your name."
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are different."))
        elif password1:
            try:
                validate_password(str(password1), self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class EmailChangeForm(DsfrBaseForm):
    value = forms.EmailField(
        label=_("New e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Format: name@example.com"),
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PhoneChangeForm(DsfrBaseForm):
    value = MobilePhoneField(
        label=_("New mobile phone number"),
        region="FR",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=PHONE_HELP,
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(DsfrBaseForm):
    token = forms.CharField(
        label=_("Code shown by your authenticator app"),
        max_length=12,
        help_text=_("6 digits, renewed every 30 seconds"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class IdentityForm(DsfrBaseForm, BirthDateBoxes):
    """Names, the date of birth in three boxes (day, month, year), nationality, foreigner number.

    It parses what was typed and checks its shape; the service decides which values are
    acceptable. The template lays out the three date boxes as one group.
    """

    given_name = forms.CharField(
        label=_("Given name(s)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your given name(s).")},
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your family name.")},
    )
    nationality = forms.CharField(
        label=_("Nationality (optional)"),
        help_text=_("e.g. Moroccan, Senegalese, Ukrainian"),
        max_length=80,
        required=False,
    )
    foreigner_number = forms.CharField(
        label=_("Foreigner number (optional)"),
        help_text=_(
            "10 digits, printed on your residence permit or your receipt. "
            "Leave it empty if you have none yet."
        ),
        # Room for the spaces and dashes people type between groups of digits.
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
        error_messages={"max_length": _("The foreigner number has 10 digits, e.g. 7501234567.")},
    )

    field_order = [
        "given_name",
        "family_name",
        "day",
        "month",
        "year",
        "nationality",
        "foreigner_number",
    ]
    # Where a refusal of the service about one of its arguments is shown.
    FIELD_OF = {"date_of_birth": "year"}

    @staticmethod
    def initial_for(user: User) -> dict[str, object]:
        """The form filled with what the account holds."""
        born = user.date_of_birth
        return {
            "given_name": user.given_name,
            "family_name": user.family_name,
            "day": born.day if born else "",
            "month": born.month if born else "",
            "year": born.year if born else "",
            "nationality": user.nationality,
            "foreigner_number": user.foreigner_number,
        }

    def field_of(self, argument: str) -> str | None:
        """The box that shows a refusal about a service argument; None for the whole form."""
        name = self.FIELD_OF.get(argument, argument)
        return name if name in self.fields else None

    def clean_foreigner_number(self) -> str:
        # Digits of any script (Arabic-Indic too) become 0-9; separators people type go.
        typed = self.cleaned_data["foreigner_number"]
        number = "".join(
            str(int(char)) if char.isdecimal() else char
            for char in typed
            if not char.isspace() and char not in ".-/"
        )
        if number and not FOREIGNER_NUMBER.fullmatch(number):
            raise ValidationError(_("The foreigner number has 10 digits, e.g. 7501234567."))
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = self.birth_date(data, _("Enter your date of birth: day, month and year."))
        if born is not None:
            data["date_of_birth"] = born
        return data
