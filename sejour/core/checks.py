"""Deployment checks (`manage.py check --deploy`): choices production must make explicitly."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def client_address_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Without the number of proxies, every brake could count one shared address for all."""
    if settings.SEJOUR_TRUSTED_PROXY_HOPS is not None:
        return []
    return [
        Error(
            "SEJOUR_TRUSTED_PROXY_HOPS is not set.",
            hint=(
                "Set it to the number of reverse proxies in front of the web processes (0 if "
                "none): login, code and share-code brakes count by the client's address."
            ),
            id="sejour.E001",
        )
    ]


@register(Tags.security, deploy=True)
def antivirus_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Uploads are served to agents: without ClamAV they are not scanned."""
    if settings.SEJOUR_CLAMAV_SOCKET:
        return []
    return [
        Warning(
            "No antivirus is configured: uploaded files are not scanned.",
            hint="Set SEJOUR_CLAMAV_SOCKET to the ClamAV daemon's socket.",
            id="sejour.W001",
        )
    ]
