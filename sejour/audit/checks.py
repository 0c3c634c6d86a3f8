"""Deployment checks of the journal (`manage.py check --deploy`): its key and its checkpoints."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Shorter than this, a key could be guessed; 32 characters of token_urlsafe carry 192 bits.
MIN_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def journal_key_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Without its own secret key, anyone who can write to the database can rewrite the chain."""
    key: str = settings.SEJOUR_AUDIT_KEY
    if len(key) >= MIN_KEY_LENGTH and key != settings.AUDIT_INSECURE_DEVELOPMENT_KEY:
        return []
    return [
        Error(
            "SEJOUR_AUDIT_KEY is not set, too short, or the public development key.",
            hint=(
                "Set it to at least 32 random characters, kept outside the database "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))"); the '
                "audit journal's hash chain is keyed with it."
            ),
            id="sejour.E101",
        )
    ]


@register(Tags.security, deploy=True)
def journal_checkpoints_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Without signed heads kept elsewhere, deleting the newest entries would go unseen."""
    if settings.SEJOUR_AUDIT_CHECKPOINT_DIR:
        return []
    return [
        Error(
            "SEJOUR_AUDIT_CHECKPOINT_DIR is not set.",
            hint=(
                "Set it to a directory on other storage than the database (write-once if "
                "possible): the daily signed checkpoints of the audit journal go there."
            ),
            id="sejour.E102",
        )
    ]
