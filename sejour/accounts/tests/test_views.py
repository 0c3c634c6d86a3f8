"""Account pages: wiring, error messages in the person's language, what was typed kept."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.accounts.second_factor import totp_code_now
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "fr", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


SIGNUP = {
    "given_name": "Amina",
    "family_name": "Diallo",
    "email": "amina@example.org",
    "phone": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_signup_confirm_and_land_on_the_dashboard(client):
    response = client.post(url("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == url("accounts:code")
    page = client.get(url("accounts:code"))
    assert "a•••@example.org" in page.content.decode()
    response = client.post(url("accounts:code"), {"code": _code(mail.outbox[0].body)})
    assert response["Location"] == url("web:dashboard")
    dashboard = client.get(url("web:dashboard"))
    assert dashboard.status_code == 200
    assert "Mes demandes" in dashboard.content.decode()


@pytest.mark.parametrize(
    ("lang", "phone", "message"),
    [
        ("fr", "12", "Saisissez un numéro de mobile valide"),
        ("en", "12", "Enter a valid mobile number"),
        ("en", "+33 1 44 55 66 77", "This number cannot receive text messages"),
    ],
)
def test_a_malformed_phone_number_is_explained_and_the_form_kept(client, lang, phone, message):
    data = {**SIGNUP, "email": "", "phone": phone}
    response = client.post(url("accounts:signup", lang), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'value="Amina"' in body
    assert not User.objects.exists()


def test_a_taken_email_looks_like_a_free_one_and_its_holder_is_told(client):
    UserFactory(email="amina@example.org", language="en")
    taken = client.post(url("accounts:signup", "en"), SIGNUP)
    free = client.post(url("accounts:signup", "en"), {**SIGNUP, "email": "avril@example.org"})
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"] == url("accounts:code", "en")
    assert User.objects.filter(email="amina@example.org").count() == 1
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "already has an account" in mail.outbox[0].body


def test_a_weak_password_is_explained(client):
    data = {**SIGNUP, "password1": "motdepasse", "password2": "motdepasse"}
    response = client.post(url("accounts:signup", "en"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "too common" in body or "too short" in body


def test_neither_email_nor_phone_is_explained(client):
    response = client.post(url("accounts:signup", "en"), {**SIGNUP, "email": ""})
    assert "Give an e-mail address or a mobile number" in response.content.decode()


def test_a_wrong_code_is_explained_in_arabic(client):
    client.post(url("accounts:signup", "ar"), SIGNUP)
    right = _code(mail.outbox[0].body)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = client.post(url("accounts:code", "ar"), {"code": wrong})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in body
    assert 'lang="ar"' in body
    with translation.override("ar"):
        expected = translation.gettext("This code is not right. Check it and try again.")
    assert expected in body
    assert expected != "This code is not right. Check it and try again."


def test_a_code_with_letters_is_explained(client):
    client.post(url("accounts:signup", "en"), SIGNUP)
    response = client.post(url("accounts:code", "en"), {"code": "12ab56"})
    assert "The code has 6 digits" in response.content.decode()


def test_code_page_without_pending_code_sends_back_to_login(client):
    response = client.get(url("accounts:code"))
    assert response["Location"] == url("accounts:login")


def test_login_with_email_or_phone_then_logout(client):
    user = UserFactory(phone="+33612121212", phone_verified_at="2026-01-01T00:00Z")
    response = client.post(
        url("accounts:login"), {"username": "06 12 12 12 12", "password": PASSWORD}
    )
    assert response["Location"] == url("web:dashboard")
    assert AuditEntry.objects.filter(actor=user, action="account.logged_in").exists()
    client.post(url("accounts:logout"))
    assert client.get(url("web:dashboard")).status_code == 302
    response = client.post(
        url("accounts:login"), {"username": user.email.upper(), "password": PASSWORD}
    )
    assert response["Location"] == url("web:dashboard")


def test_a_wrong_password_is_explained_and_the_identifier_kept(client):
    UserFactory(email="someone@example.org")
    response = client.post(
        url("accounts:login", "en"), {"username": "someone@example.org", "password": "wrong"}
    )
    body = response.content.decode()
    assert "is not right" in body
    assert 'value="someone@example.org"' in body
    assert AuditEntry.objects.filter(action="account.login_failed").exists()


def test_login_redirects_only_to_this_site(client):
    UserFactory(email="someone@example.org")
    response = client.post(
        url("accounts:login") + "?next=https://evil.example.com/",
        {
            "username": "someone@example.org",
            "password": PASSWORD,
            "next": "https://evil.example.com/",
        },
    )
    assert response["Location"] == url("web:dashboard")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_too_many_failures_pause_logins_for_a_while(client):
    UserFactory(email="someone@example.org")
    for _ in range(3):
        client.post(
            url("accounts:login", "en"), {"username": "someone@example.org", "password": "x"}
        )
    response = client.post(
        url("accounts:login", "en"), {"username": "someone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "paused for 15 minutes" in response.content.decode()
    assert AuditEntry.objects.filter(action="account.login_locked").exists()


def test_an_unconfirmed_account_gets_a_new_code_at_login(client):
    UserFactory(email="new@example.org", email_verified_at=None)
    response = client.post(
        url("accounts:login"), {"username": "new@example.org", "password": PASSWORD}
    )
    assert response["Location"] == url("accounts:code")
    assert mail.outbox[-1].to == ["new@example.org"]


def test_password_reset_journey(client):
    user = UserFactory(email="someone@example.org")
    response = client.post(url("accounts:reset"), {"identifier": "someone@example.org"})
    assert response["Location"] == url("accounts:code")
    response = client.post(url("accounts:code"), {"code": _code(mail.outbox[-1].body)})
    assert response["Location"] == url("accounts:reset_set")
    weak = client.post(url("accounts:reset_set", "en"), {"password1": "abc", "password2": "abc"})
    assert "too short" in weak.content.decode()
    new = "another-long-passphrase-8"
    response = client.post(url("accounts:reset_set"), {"password1": new, "password2": new})
    assert response["Location"] == url("accounts:login")
    user.refresh_from_db()
    assert user.check_password(new)


def test_reset_for_unknown_address_looks_the_same(client):
    response = client.post(url("accounts:reset"), {"identifier": "nobody@example.org"})
    assert response["Location"] == url("accounts:code")
    assert not mail.outbox


def test_the_email_link_confirms_after_a_button_press(client):
    client.post(url("accounts:signup"), SIGNUP)
    link = re.search(r"https?://\S+/verifier/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert not User.objects.get().email_verified_at
    client.post("/" + path)
    assert User.objects.get().email_verified_at


@pytest.mark.parametrize(
    "path",
    [
        "/fr/compte/verifier/not-a-uuid/abc/",
        "/fr/compte/verifier/6f1c1d34-8f4e-4a53-9a53-1b9d2c1a0e77/abc/",
    ],
)
def test_a_tampered_link_gets_a_clear_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "Ce lien ne fonctionne plus" in response.content.decode()


def test_contact_change_page_keeps_the_value_on_wrong_password(client, applicant):
    client.force_login(applicant)
    response = client.post(
        url("accounts:contact_change", "en", kind="email"),
        {"value": "new@example.org", "password": "wrong"},
    )
    body = response.content.decode()
    assert "Your current password is not right" in body
    assert 'value="new@example.org"' in body


def test_an_unknown_contact_kind_is_not_found(client, applicant):
    client.force_login(applicant)
    assert client.get("/fr/compte/coordonnees/fax/").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPPORT, Role.SUPERVISOR, Role.ADMIN])
def test_staff_must_pass_the_second_factor(client, staff_factory, role):
    user, device = staff_factory(role)
    response = client.post(url("accounts:login"), {"username": user.email, "password": PASSWORD})
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(url("accounts:otp_verify"))
    right = totp_code_now(device)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = client.post(url("accounts:otp_verify", "en"), {"token": wrong})
    assert "This code is not right" in response.content.decode()
    response = client.post(url("accounts:otp_verify", "en"), {"token": right})
    assert "Wait a minute" in response.content.decode()
    with time_machine.travel(dt.timedelta(seconds=31)):
        client.post(url("accounts:otp_verify"), {"token": totp_code_now(device)})
        assert client.get(url("web:dashboard")).status_code == 200


def test_staff_without_authenticator_is_sent_to_enrol(client):
    agent = UserFactory(role=Role.AGENT)
    client.force_login(agent)
    response = client.get(url("web:dashboard"))
    assert response["Location"].startswith(url("accounts:otp_setup"))
    page = client.get(url("accounts:otp_setup"))
    assert b"<svg" in page.content


def test_applicants_do_not_get_the_second_factor_pages(client, applicant):
    client.force_login(applicant)
    assert client.get(url("accounts:otp_setup")).status_code == 404
    assert client.get(url("web:dashboard")).status_code == 200


def test_admin_site_needs_the_second_factor(client, staff_factory):
    admin, _device = staff_factory(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get(url("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("accounts:otp_verify"))


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_pause_ends_after_fifteen_minutes_it_is_never_permanent(client):
    UserFactory(email="someone@example.org")
    for _ in range(3):
        client.post(url("accounts:login"), {"username": "someone@example.org", "password": "x"})
    locked = client.post(
        url("accounts:login"), {"username": "someone@example.org", "password": PASSWORD}
    )
    assert locked.status_code == 429
    with time_machine.travel(dt.timedelta(minutes=16)):
        response = client.post(
            url("accounts:login"), {"username": "someone@example.org", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == url("web:dashboard")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_one_address_cannot_lock_another_persons_login(client):
    target = UserFactory(email="target@example.org")
    for _ in range(5):
        client.post(
            url("accounts:login"),
            {"username": target.email, "password": "x"},
            REMOTE_ADDR="198.51.100.66",
        )
    response = client.post(
        url("accounts:login"),
        {"username": target.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.10",
    )
    assert response.status_code == 302
    assert response["Location"] == url("web:dashboard")


@override_settings(
    AXES_FAILURE_LIMIT=100, SEJOUR_LOGIN_ADDRESS_FAILURES=3, SEJOUR_LOGIN_ADDRESS_PACE_SECONDS=10
)
def test_one_address_trying_many_accounts_is_slowed_not_locked(client):
    target = UserFactory(email="target@example.org")
    start = dt.datetime(2026, 12, 1, 9, 0, 1, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for n in range(3):
            client.post(
                url("accounts:login"), {"username": f"guess{n}@example.org", "password": "x"}
            )
        first = client.post(
            url("accounts:login"), {"username": "guess9@example.org", "password": "x"}
        )
        slowed = client.post(
            url("accounts:login", "en"), {"username": target.email, "password": PASSWORD}
        )
    assert first.status_code == 200  # one try in the pace's interval still goes through
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "10"
    assert "wait 10 seconds" in slowed.content.decode()
    with time_machine.travel(start + dt.timedelta(seconds=11), tick=False):
        response = client.post(
            url("accounts:login"), {"username": target.email, "password": PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == url("web:dashboard")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_same_account_typed_differently_counts_as_one(client):
    UserFactory(email=None, phone="+33612121212", phone_verified_at="2026-01-01T00:00Z")
    for typed in ["06 12 12 12 12", "+33612121212", "0612121212"]:
        client.post(
            url("accounts:login"), {"username": typed, "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        url("accounts:login"),
        {"username": "+33 6 12 12 12 12", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429


def test_an_expired_link_gets_a_clear_page(client):
    client.post(url("accounts:signup", "en"), SIGNUP)
    link = re.search(r"https?://\S+/verifier/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(dt.timedelta(hours=1)):
        response = client.get(path)
    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()
    assert not User.objects.get().email_verified_at


def test_every_account_event_is_in_the_journal(client):
    client.post(url("accounts:signup"), SIGNUP)
    client.post(url("accounts:code"), {"code": _code(mail.outbox[0].body)})
    client.post(url("accounts:logout"))
    client.post(url("accounts:login"), {"username": "amina@example.org", "password": "nope"})
    client.post(url("accounts:login"), {"username": "amina@example.org", "password": PASSWORD})
    client.post(url("accounts:logout"))
    client.post(url("accounts:reset"), {"identifier": "amina@example.org"})
    client.post(url("accounts:code"), {"code": _code(mail.outbox[-1].body)})
    new = "yet-another-long-passphrase"
    client.post(url("accounts:reset_set"), {"password1": new, "password2": new})
    client.post(url("accounts:login"), {"username": "amina@example.org", "password": new})
    client.post(
        url("accounts:contact_change", kind="email"),
        {"value": "amina.new@example.org", "password": new},
    )
    client.post(url("accounts:code"), {"code": _code(mail.outbox[-1].body)})
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "account.signed_up",
        "account.code_sent",
        "account.contact_confirmed",
        "account.logged_in",
        "account.logged_out",
        "account.login_failed",
        "account.reset_requested",
        "account.password_reset",
        "account.contact_change_requested",
        "account.contact_changed",
    } <= actions
    assert User.objects.get().email == "amina.new@example.org"


IDENTITY = {
    "given_name": "Amina",
    "family_name": "Diallo",
    "day": "17",
    "month": "5",
    "year": "1990",
    "nationality": "Sénégalaise",
    "foreigner_number": "7501234567",
}


def test_the_identity_page_needs_a_login(client):
    response = client.get(url("accounts:identity"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("accounts:login"))


def test_the_identity_page_shows_the_current_values(client):
    user = UserFactory(
        given_name="Amina",
        family_name="Diallo",
        date_of_birth=dt.date(1990, 5, 17),
        nationality="Sénégalaise",
        foreigner_number="7501234567",
    )
    client.force_login(user)
    response = client.get(url("accounts:identity", "en"))
    body = response.content.decode()
    assert response.status_code == 200
    for typed in ['value="Amina"', 'value="Diallo"', 'value="17"', 'value="5"', 'value="1990"']:
        assert typed in body
    assert 'value="Sénégalaise"' in body
    assert 'value="7501234567"' in body
    assert 'autocomplete="bday-day"' in body


def test_saving_the_identity_returns_to_the_account_with_a_message(client):
    user = UserFactory(date_of_birth=None)
    client.force_login(user)
    response = client.post(url("accounts:identity", "en"), IDENTITY)
    assert response.status_code == 302
    assert response["Location"] == url("accounts:account", "en")
    user.refresh_from_db()
    assert user.date_of_birth == dt.date(1990, 5, 17)
    assert (user.given_name, user.foreigner_number) == ("Amina", "7501234567")
    page = client.get(response["Location"]).content.decode()
    assert "Your identity details are saved." in page
    assert "17 May 1990" in page
    assert AuditEntry.objects.filter(action="account.identity_updated", actor=user).exists()


def test_digits_of_any_script_and_spaces_are_read(client):
    user = UserFactory(date_of_birth=None)
    client.force_login(user)
    typed = {
        **IDENTITY,
        "day": " \u0661\u0667 ",
        "month": "\u0660\u0665",
        "year": "\u0661\u0669\u0669\u0660",
        "foreigner_number": "75 01-23 4567",
    }
    response = client.post(url("accounts:identity", "ar"), typed)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.date_of_birth == dt.date(1990, 5, 17)
    assert user.foreigner_number == "7501234567"


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("abc", "5", "1990", "The day is a number from 1 to 31."),
        ("17", "13", "1990", "The month is a number from 1 to 12."),
        ("17", "5", "90", "The year has 4 digits, e.g. 1990."),
        ("17", "5", "9" * 10, "The year has 4 digits, e.g. 1990."),
        ("17", "5", "1" * 40, "The year has 4 digits, e.g. 1990."),
        ("31", "2", "1990", "This date does not exist."),
        ("", "", "", "Enter your date of birth: day, month and year."),
        ("17", "", "1990", "Enter your date of birth: day, month and year."),
        ("1", "1", "1850", "a date of birth before 1900 is not accepted"),
        ("1", "1", "2999", "A date of birth cannot be in the future."),
    ],
)
def test_a_bad_date_of_birth_is_explained_keeping_what_was_typed(client, day, month, year, message):
    user = UserFactory(date_of_birth=None)
    client.force_login(user)
    typed = {**IDENTITY, "day": day, "month": month, "year": year}
    response = client.post(url("accounts:identity", "en"), typed)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "fr-fieldset--error" in body
    assert f'value="{day}"' in body
    assert f'value="{year}"' in body
    assert 'value="Sénégalaise"' in body
    user.refresh_from_db()
    assert user.date_of_birth is None


def test_a_wrong_foreigner_number_is_shown_on_its_field(client):
    user = UserFactory()
    client.force_login(user)
    typed = {**IDENTITY, "foreigner_number": "12345"}
    response = client.post(url("accounts:identity", "en"), typed)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The foreigner number has 10 digits" in body
    assert 'value="12345"' in body
    assert 'value="17"' in body


def test_a_bad_date_and_a_bad_foreigner_number_are_shown_together(client):
    client.force_login(UserFactory(date_of_birth=None))
    typed = {**IDENTITY, "day": "31", "month": "2", "foreigner_number": "75O1234567"}
    body = client.post(url("accounts:identity", "en"), typed).content.decode()
    assert "This date does not exist." in body
    assert "The foreigner number has 10 digits" in body
    assert 'value="75O1234567"' in body


def test_empty_names_are_refused(client):
    user = UserFactory(given_name="Amina")
    client.force_login(user)
    response = client.post(url("accounts:identity", "en"), {**IDENTITY, "given_name": "  "})
    assert "Enter your given name(s)." in response.content.decode()
    user.refresh_from_db()
    assert user.given_name == "Amina"


def test_the_account_page_asks_for_a_missing_date_of_birth(client):
    client.force_login(UserFactory(date_of_birth=None))
    body = client.get(url("accounts:account", "en")).content.decode()
    assert "not given" in body
    assert f'href="{url("accounts:identity", "en")}"' in body
    assert "Update my identity" in body


def test_a_session_in_use_stays_open_and_is_written_at_most_once_a_minute(client):
    from django.contrib.sessions.models import Session

    user = UserFactory()
    with time_machine.travel("2026-11-02 09:00 +0000", tick=False) as traveller:
        client.post(url("accounts:login"), {"username": user.email, "password": PASSWORD})
        session = Session.objects.get()
        first_expiry = session.expire_date
        traveller.shift(dt.timedelta(seconds=20))
        assert client.get(url("web:dashboard")).status_code == 200
        assert Session.objects.get().expire_date == first_expiry  # not written again
        # Used every 20 minutes, it never reaches the 30 minutes without a request.
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=20))
            assert client.get(url("web:dashboard")).status_code == 200
        assert Session.objects.get().expire_date > first_expiry + dt.timedelta(minutes=60)
        # Left alone longer than the limit, it ends.
        traveller.shift(dt.timedelta(minutes=31))
        assert client.get(url("web:dashboard")).status_code == 302
