"""Messages wait in the task queue, in the transaction that caused them, until the worker runs."""

import pytest
import sms
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from sejour.notifications import services

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_message_waits_in_the_queue_until_the_worker_runs():
    services.message_send(
        channel=services.EMAIL,
        to="a@example.org",
        template="accounts/messages/confirm",
        context={"user": {"display_name": "Amina"}, "code": "123456", "link": "x", "minutes": 30},
        language="en",
    )
    assert not mail.outbox
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "123456" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_message_of_a_rolled_back_change_never_leaves():
    def change_that_fails() -> None:
        with transaction.atomic():
            services.message_send(
                channel=services.SMS,
                to="+33612345678",
                template="accounts/messages/confirm",
                context={"user": {}, "code": "123456", "link": "x", "minutes": 30},
                language="fr",
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_that_fails()
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert sms.outbox == []  # type: ignore[attr-defined]


def test_messages_are_written_in_the_recipients_language(sms_outbox):
    for language, expected in [("fr", "Séjour : votre code"), ("ar", "رمز التأكيد")]:
        services.message_send(
            channel=services.SMS,
            to="+33612345678",
            template="accounts/messages/confirm",
            context={"user": {}, "code": "123456", "link": "x", "minutes": 30},
            language=language,
        )
        assert expected in sms_outbox[-1].body
        assert "123456" in sms_outbox[-1].body


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="fax"):
        services.message_send(
            channel="fax", to="x", template="accounts/messages/confirm", context={}, language="fr"
        )
