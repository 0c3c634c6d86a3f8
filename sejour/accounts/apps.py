"""Accounts: users, roles, sign-up, confirmation, password reset, contact details, second factor."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sejour.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
