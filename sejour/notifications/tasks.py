"""Messages leave here, run by the task worker after the transaction that caused them commits."""

from django.core.mail import send_mail
from django_tasks import task
from sms import send_sms


@task()
def email_deliver(*, to: str, subject: str, body: str) -> int:
    """Send one e-mail through the configured backend (console, SMTP...)."""
    return send_mail(subject, body, None, [to])


@task()
def sms_deliver(*, to: str, body: str) -> int:
    """Send one SMS through the configured operator backend."""
    return send_sms(body, None, [to])
