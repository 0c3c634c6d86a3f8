"""Writes of notifications: the inbox, and messages put on the queue in the same transaction."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sejour.core import bulk
from sejour.core.languages import language_for, path_in_language
from sejour.notifications import tasks
from sejour.notifications.models import Notification, Reminder

EMAIL = "email"
SMS = "sms"
COPY_TEMPLATE = "notifications/messages/copy"


@dataclass(frozen=True)
class CopyTo:
    """Someone who receives a copy of what a person is told, and why: `user` in their inbox
    (None for an address only), `email` by e-mail, `on_behalf` the organisation they copy for."""

    user: Any | None
    email: str
    language: str
    on_behalf: str


# Who receives copies of a person's notifications is decided by the parts above (helpers under
# a mandate that says so); they register here when the project starts.
_copy_sources: list[Callable[[Any], Sequence[CopyTo]]] = []


def copies_source_add(source: Callable[[Any], Sequence[CopyTo]]) -> None:
    """Have `source(recipient)` name those who receive a copy of `recipient`'s notifications."""
    if source not in _copy_sources:
        _copy_sources.append(source)


def _enqueue(*, channel: str, to: str, body: str, subject: str = "") -> None:
    """Queue one message for delivery, sealed: no address, code or link readable while it waits."""
    sealed = tasks.seal_message(channel=channel, to=to, subject=subject, body=body)
    tasks.message_deliver.enqueue(sealed=sealed)


def message_send(
    *, channel: str, to: str, template: str, context: dict[str, object], language: str
) -> None:
    """Render `template` in the recipient's language and enqueue it for delivery.

    `template` names a pair of files: `<template>.subject.txt` (e-mail only) and
    `<template>.<channel>.txt`. The text carries the content itself, not a mere "log in to read".
    """
    if channel not in (EMAIL, SMS):
        raise ValueError(f"unknown channel: {channel}")
    with translation.override(language):
        body = render_to_string(f"{template}.{channel}.txt", context).strip()
        if channel == EMAIL:
            subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
            _enqueue(channel=EMAIL, to=to, subject=subject, body=body)
        else:
            _enqueue(channel=SMS, to=to, body=body)


@transaction.atomic(savepoint=False)
def notify(
    *,
    recipient: Any,
    template: str,
    context: dict[str, object],
    url: str = "",
    copies: bool = True,
) -> Notification:
    """Tell a person something: in their inbox, by e-mail and by SMS, in their language.

    `template` names `<template>.subject.txt`, `<template>.email.txt` (also the inbox text)
    and `<template>.sms.txt`. `recipient` is a user; `url` a path on this site. Those the
    recipient asked to receive copies get one (inbox and e-mail, in their own language), unless
    `copies` is False (for what concerns the copy's own arrangement).
    """
    language = language_for(recipient)
    url = path_in_language(url, language)
    link = f"{settings.SITE_URL}{url}" if url else ""
    full = {**context, "recipient": recipient, "link": link}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}.subject.txt", full).split())
        body = render_to_string(f"{template}.email.txt", full).strip()
    notification = Notification.objects.create(
        recipient=recipient, subject=subject[:200], body=body, url=url
    )
    if recipient.email:
        _enqueue(channel=EMAIL, to=recipient.email, subject=subject, body=body)
    if recipient.phone:
        message_send(
            channel=SMS, to=str(recipient.phone), template=template, context=full, language=language
        )
    if copies:
        for source in _copy_sources:
            for copy_to in source(recipient):
                _copy(notification, copy_to, template=template, context=full)
    return notification


def _copy(original: Notification, to: CopyTo, *, template: str, context: dict[str, Any]) -> None:
    """One copy of `original`, rendered again in the language of the one who receives it."""
    with translation.override(to.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
        body = render_to_string(f"{template}.email.txt", context).strip()
        wrapper = {
            "holder": original.recipient.display_name,
            "organisation": to.on_behalf,
            "subject": subject,
            "body": body,
        }
        subject = " ".join(render_to_string(f"{COPY_TEMPLATE}.subject.txt", wrapper).split())
        body = render_to_string(f"{COPY_TEMPLATE}.email.txt", wrapper).strip()
    if to.user is not None:
        Notification.objects.create(
            recipient=to.user, subject=subject[:200], body=body, url=original.url, copy_of=original
        )
    if to.email:
        _enqueue(channel=EMAIL, to=to.email, subject=subject, body=body)


@transaction.atomic
def inbox_mark_read(*, user: Any) -> int:
    """Mark every notification of `user` read (they have just been shown)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def reminder_schedule(
    *,
    recipient: Any,
    due_on: dt.date,
    template: str,
    context: dict[str, Any],
    key: str,
    url: str = "",
) -> Reminder:
    """Plan a notification for `due_on`; asking twice for the same key plans it once."""
    reminder, _created = Reminder.objects.update_or_create(
        recipient=recipient,
        key=key,
        defaults={"due_on": due_on, "template": template, "context": context, "url": url},
    )
    return reminder


@transaction.atomic
def reminders_schedule_many(*, reminders: Sequence[dict[str, Any]]) -> None:
    """Plan many notifications in one insert (a batch); a key already planned is left as is.

    Each item has the arguments of `reminder_schedule`: recipient, due_on, template, context,
    key and url.
    """
    if not reminders:
        return
    if bulk.copy_supported():
        # A batch of new keys (the usual case) is streamed with COPY; if one is already
        # planned, COPY is refused whole and the ORM's insert skips the conflicting keys.
        try:
            with transaction.atomic():
                bulk.copy_rows(
                    Reminder,
                    ("recipient_id", "due_on", "template", "context", "key", "url"),
                    [
                        (
                            item["recipient"].pk,
                            item["due_on"],
                            item["template"],
                            item["context"],
                            item["key"],
                            item.get("url", ""),
                        )
                        for item in reminders
                    ],
                )
            return
        except IntegrityError:
            pass
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient=item["recipient"],
                due_on=item["due_on"],
                template=item["template"],
                context=item["context"],
                key=item["key"],
                url=item.get("url", ""),
            )
            for item in reminders
        ],
        ignore_conflicts=True,
    )


@transaction.atomic(savepoint=False)
def reminder_cancel(*, recipient: Any, key: str) -> int:
    """Drop a planned notification not yet sent (the thing it reminds of is done)."""
    return reminders_cancel(recipient=recipient, keys=[key])


@transaction.atomic(savepoint=False)
def reminders_cancel(*, recipient: Any, keys: Sequence[str]) -> int:
    """Drop the planned notifications of these keys not yet sent, in one statement."""
    deleted, _by_model = Reminder.objects.filter(
        recipient=recipient, key__in=list(keys), sent_at__isnull=True
    ).delete()
    return deleted


def reminders_send_due(*, today: dt.date) -> int:
    """Send every reminder due on or before `today` not yet sent; returns how many."""
    sent = 0
    due = Reminder.objects.filter(due_on__lte=today, sent_at__isnull=True).select_related(
        "recipient"
    )
    for reminder in due.iterator():
        with transaction.atomic():
            locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
            if locked.sent_at is not None:
                continue
            notify(
                recipient=reminder.recipient,
                template=locked.template,
                context=locked.context,
                url=locked.url,
            )
            locked.sent_at = timezone.now()
            locked.save(update_fields=["sent_at"])
            sent += 1
    return sent
