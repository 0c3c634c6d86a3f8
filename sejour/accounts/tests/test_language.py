"""The language a person reads: asked once on the site, kept on the account, followed by every
message; and the code page speaking of the channel the code went by."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from sejour.accounts import services
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.audit.models import AuditEntry
from sejour.core.languages import language_for, path_in_language
from sejour.notifications import services as notifications
from sejour.notifications.models import Notification

pytestmark = pytest.mark.django_db

SIGNUP = {
    "given_name": "Amina",
    "family_name": "Diallo",
    "email": "",
    "phone": "06 11 22 33 44",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def url(name: str, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name)


def test_the_code_page_after_a_phone_signup_speaks_of_sms_not_of_spam(client):
    client.post(url("accounts:signup"), SIGNUP)
    page = client.get(url("accounts:code")).content.decode()
    assert "by SMS" in page
    assert "spam" not in page
    assert "click the link" not in page


def test_the_code_page_after_an_email_signup_still_mentions_the_spam_folder(client):
    client.post(url("accounts:signup"), {**SIGNUP, "email": "amina@example.org", "phone": ""})
    page = client.get(url("accounts:code")).content.decode()
    assert "spam folder" in page
    assert "click the link" in page


def test_switching_language_signed_in_keeps_it_on_the_account_with_a_record(client, applicant):
    client.force_login(applicant)
    client.post(url("web:language_set", "fr"), {"language": "ar", "next": "/ar/"})
    applicant.refresh_from_db()
    assert applicant.language == "ar"
    assert AuditEntry.objects.filter(action="account.language_set", target_id=str(applicant.pk))


def test_a_language_chosen_before_logging_in_becomes_the_accounts(client):
    person = UserFactory(language="fr")
    client.post(url("web:language_set", "fr"), {"language": "ar", "next": "/ar/"})
    response = client.post(
        url("accounts:login", "ar"), {"username": person.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "ar"
    assert AuditEntry.objects.filter(action="account.language_set", target_id=str(person.pk))


def test_logging_in_without_choosing_keeps_the_accounts_language(client):
    person = UserFactory(language="en")
    client.post(url("accounts:login", "fr"), {"username": person.email, "password": PASSWORD})
    person.refresh_from_db()
    assert person.language == "en"


def test_a_message_planned_before_a_switch_comes_in_the_new_language_and_links(db):
    person = UserFactory(language="fr")
    notifications.reminder_schedule(
        recipient=person,
        due_on=dt.date(2027, 1, 10),
        template="dossiers/messages/renewal_window_open",
        context={"opens": "2027-01-10", "closes": "2027-03-11"},
        key="window-open:test",
        url="/fr/demandes/",
    )
    services.user_language_set(user=person, actor=person, language="ar")
    mail.outbox = []

    assert notifications.reminders_send_due(today=dt.date(2027, 1, 10)) == 1

    notification = Notification.objects.get(recipient=person)
    english = "You can now renew your residence permit"
    with translation.override("ar"):
        subject = translation.gettext(english)
    assert notification.subject == subject
    assert notification.url == "/ar/demandes/"
    (message,) = mail.outbox
    assert f"{settings.SITE_URL}/ar/demandes/" in message.body
    assert "/fr/" not in message.body
    assert re.search(r"\d{4}-\d{2}-\d{2}", message.body) is None


def test_the_language_of_an_account_is_one_of_the_sites():
    assert language_for(UserFactory.build(language="ar")) == "ar"
    assert language_for(UserFactory.build(language="xx")) == settings.LANGUAGE_CODE
    assert language_for(None) == settings.LANGUAGE_CODE


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/fr/demandes/2026-AB/", "ar", "/ar/demandes/2026-AB/"),
        ("/en/", "fr", "/fr/"),
        ("/fr/demandes/#messages", "en", "/en/demandes/#messages"),
        ("/healthz", "ar", "/healthz"),
        ("", "ar", ""),
        ("/frites/", "ar", "/frites/"),
    ],
)
def test_a_path_is_moved_to_the_readers_language(path, language, expected):
    assert path_in_language(path, language) == expected
