"""Print the current second-factor code of the demo staff accounts."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.second_factor import totp_code_now


class Command(BaseCommand):
    help = "Print the code the demo staff and helper authenticator shows now."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        device = TOTPDevice.objects.filter(name="demo").first()
        if device is None:
            raise CommandError("No demo staff account: run `manage.py load_demo` first.")
        self.stdout.write(totp_code_now(device))
