"""Messages leave here, run by the task worker after the transaction that caused them commits.

A queued message is sealed (`sejour.core.sealing`): the task table, its admin and backups hold
neither its address nor its text, which may carry a one-time code or a link to an account.
"""

import logging

from django.core.mail import send_mail
from django_tasks import task
from sms import send_sms

from sejour.core import sealing

logger = logging.getLogger(__name__)

PURPOSE = "sejour.notifications.message"
EMAIL = "email"
SMS = "sms"


def seal_message(*, channel: str, to: str, body: str, subject: str = "") -> str:
    """The sealed form of one message, as the delivery task takes it."""
    return sealing.seal(
        {"channel": channel, "to": to, "subject": subject, "body": body}, purpose=PURPOSE
    )


@task()
def message_deliver(*, sealed: str) -> int:
    """Open a sealed message and send it through the configured e-mail or SMS backend."""
    try:
        message = sealing.unseal(sealed, purpose=PURPOSE)
    except sealing.Unsealable:
        logger.error(
            "A queued message cannot be opened: it was sealed with a key this server no "
            "longer has (keep the old key in DJANGO_SECRET_KEY_FALLBACKS while messages wait)."
        )
        raise
    channel = message["channel"]
    try:
        if channel == EMAIL:
            return send_mail(message["subject"], message["body"], None, [message["to"]])
        return send_sms(message["body"], None, [message["to"]])
    except Exception:
        # The worker records the failure and may run it again; say what was being done.
        logger.exception("Delivering a queued %s failed", channel)
        raise
