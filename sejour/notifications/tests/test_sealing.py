"""Queued messages hold no readable secret: the task table, its admin and backups show noise;
the worker opens and sends them, also after the secret key was rotated."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_tasks_db.models import DBTaskResult

from sejour.core import sealing
from sejour.notifications import services, tasks

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CONTEXT = {"user": {"display_name": "Amina"}, "code": "402913", "minutes": 30}


def _queue_a_code() -> DBTaskResult:
    services.message_send(
        channel=services.EMAIL,
        to="amina@example.org",
        template="accounts/messages/reset",
        context={
            **CONTEXT,
            "link": "https://sejour.example.org/fr/compte/verifier/abc/SECRETTOKEN/",
        },
        language="fr",
    )
    return DBTaskResult.objects.get()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_queued_code_is_not_readable_in_the_task_table_then_is_sent():
    row = _queue_a_code()
    stored = str(row.args_kwargs)
    for secret in ("402913", "SECRETTOKEN", "amina@example.org", "Amina"):
        assert secret not in stored
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "402913" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_the_task_admin_shows_no_message(staff_factory, client):
    admin, device = staff_factory("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    row = _queue_a_code()
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk]))
    assert page.status_code == 200
    assert "402913" not in page.content.decode()
    assert "SECRETTOKEN" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_message_sealed_before_a_key_rotation_is_still_sent(settings):
    settings.TASKS = DB_TASKS
    settings.SECRET_KEY = "old-key-" + "x" * 50
    _queue_a_code()
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert "402913" in mail.outbox[0].body


def test_an_altered_or_foreign_message_is_refused_and_logged(caplog, settings):
    sealed = tasks.seal_message(channel="sms", to="+33612345678", body="code 1")
    settings.SECRET_KEY = "another-deployment-" + "z" * 40
    with caplog.at_level(logging.ERROR), pytest.raises(sealing.Unsealable):
        tasks.message_deliver.call(sealed=sealed)
    assert "cannot be opened" in caplog.text
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(sealed[:-4] + "AAAA", purpose=tasks.PURPOSE)
    with pytest.raises(sealing.Unsealable):
        sealing.unseal("plain text", purpose=tasks.PURPOSE)


def test_a_failed_delivery_is_logged_before_the_worker_retries(caplog, monkeypatch):
    def operator_down(*args, **kwargs):
        raise ConnectionError("operator unreachable")

    monkeypatch.setattr(tasks, "send_sms", operator_down)
    sealed = tasks.seal_message(channel="sms", to="+33612345678", body="hello")
    with caplog.at_level(logging.ERROR), pytest.raises(ConnectionError):
        tasks.message_deliver.call(sealed=sealed)
    assert "Delivering a queued sms failed" in caplog.text
