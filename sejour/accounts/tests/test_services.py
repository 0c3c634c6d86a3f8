"""Account services: codes, confirmation, reset, contact change, second factor."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts import limits, second_factor, services
from sejour.accounts.choices import Channel, Purpose, Role
from sejour.accounts.models import Challenge, User
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _signup(**overrides):
    values = {
        "email": "Amina.Diallo@Example.org",
        "phone": None,
        "password": PASSWORD,
        "given_name": "Amina",
        "family_name": "Diallo",
        "language": "fr",
    }
    values.update(overrides)
    sent = services.user_signup(**values)
    return sent.user, Challenge.objects.get(public_id=sent.public_id)


def test_signup_by_email_sends_a_code_in_the_persons_language():
    user, challenge = _signup(language="en")
    assert user.email == "amina.diallo@example.org"
    assert not user.has_confirmed_contact
    assert challenge.channel == Channel.EMAIL
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina.diallo@example.org"]
    assert "Your code to confirm your account is" in message.body
    assert f"/en/compte/verifier/{challenge.public_id}/" in message.body


def test_signup_by_phone_only_sends_an_sms(sms_outbox):
    user, challenge = _signup(email=None, phone="+33612345678")
    assert user.email is None
    assert challenge.channel == Channel.SMS
    assert not mail.outbox
    assert len(sms_outbox) == 1
    assert sms_outbox[0].recipients == ["+33612345678"]
    assert re.search(r"\d{6}", sms_outbox[0].body)


def test_signup_is_recorded_in_the_audit_journal():
    user, _challenge = _signup()
    actions = list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert "account.signed_up" in actions
    assert "account.code_sent" in actions


def test_signup_refuses_a_weak_password():
    with pytest.raises(ValidationError):
        _signup(password="password123")
    assert not User.objects.exists()


def test_signup_with_a_taken_email_answers_alike_and_tells_the_holder_instead():
    holder = UserFactory(email="amina.diallo@example.org", language="en")
    sent = services.user_signup(
        email="Amina.Diallo@Example.org",
        phone=None,
        password=PASSWORD,
        given_name="Someone",
        family_name="Else",
        language="fr",
    )
    assert sent.user is None
    assert sent.destination == "amina.diallo@example.org"
    assert User.objects.count() == 1
    assert not Challenge.objects.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [holder.email]
    assert "already has an account" in mail.outbox[0].body
    assert "/en/" in mail.outbox[0].body


def test_signup_with_a_taken_phone_tells_that_phone_not_the_email_given(sms_outbox):
    UserFactory(email=None, phone="+33612345678", phone_verified_at="2026-01-01T00:00Z")
    sent = services.user_signup(
        email="stranger@example.org",
        phone="+33612345678",
        password=PASSWORD,
        given_name="Someone",
        family_name="Else",
        language="fr",
    )
    assert sent.user is None
    assert not mail.outbox
    assert [m.recipients for m in sms_outbox] == [["+33612345678"]]


def test_the_code_confirms_the_address():
    user, challenge = _signup()
    code = _code_in(mail.outbox[0].body)
    checked = services.challenge_check_code(public_id=challenge.public_id, code=code)
    services.contact_confirm(challenge=checked)
    user.refresh_from_db()
    assert user.email_verified_at is not None
    with pytest.raises(services.CodeExpired):
        services.challenge_check_code(public_id=challenge.public_id, code=code)


def test_a_wrong_code_is_counted_and_five_wrong_codes_close_the_challenge():
    _user, challenge = _signup()
    right = _code_in(mail.outbox[0].body)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _attempt in range(5):
        with pytest.raises(services.CodeError):
            services.challenge_check_code(public_id=challenge.public_id, code=wrong)
    with pytest.raises(services.TooManyAttempts):
        services.challenge_check_code(public_id=challenge.public_id, code=right)
    assert AuditEntry.objects.filter(action="account.code_failed").count() == 5


def test_a_code_expires_after_its_time():
    _user, challenge = _signup()
    code = _code_in(mail.outbox[0].body)
    with time_machine.travel(dt.timedelta(minutes=31)), pytest.raises(services.CodeExpired):
        services.challenge_check_code(public_id=challenge.public_id, code=code)


def test_the_link_token_proves_the_address_and_a_tampered_one_does_not():
    _user, challenge = _signup()
    token = re.search(r"/verifier/[^/]+/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert services.challenge_check_token(public_id=challenge.public_id, token=token) == challenge
    with pytest.raises(services.CodeExpired):
        services.challenge_check_token(public_id=challenge.public_id, token=token[:-1] + "x")


def test_no_more_than_five_codes_an_hour():
    user, _challenge = _signup()
    for _ in range(4):
        services.confirmation_resend(user=user)
    with pytest.raises(limits.CodesLimited):
        services.confirmation_resend(user=user)


def test_reset_for_an_unknown_address_sends_nothing_but_answers_the_same(sms_outbox):
    public_id = services.password_reset_request(identifier="nobody@example.org")
    assert public_id is not None
    assert not mail.outbox
    assert not sms_outbox


def test_reset_by_sms_then_new_password(sms_outbox):
    user = UserFactory(email=None, phone="+33611223344", phone_verified_at="2026-01-01T00:00Z")
    public_id = services.password_reset_request(identifier="06 11 22 33 44")
    code = _code_in(sms_outbox[0].body)
    challenge = services.challenge_check_code(public_id=public_id, code=code)
    services.password_reset_complete(challenge=challenge, password="a-new-long-passphrase-7")
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase-7")
    assert AuditEntry.objects.filter(action="account.password_reset", actor=user).exists()


def test_reset_by_email_with_weak_password_keeps_the_old_one():
    user = UserFactory()
    public_id = services.password_reset_request(identifier=user.email.upper())
    challenge = services.challenge_check_code(
        public_id=public_id, code=_code_in(mail.outbox[0].body)
    )
    with pytest.raises(ValidationError):
        services.password_reset_complete(challenge=challenge, password="123456789012")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_contact_change_needs_the_current_password():
    user = UserFactory()
    with pytest.raises(services.WrongPassword):
        services.contact_change_request(
            user=user, actor=user, kind=Channel.EMAIL, value="new@example.org", password="nope"
        )
    assert AuditEntry.objects.filter(action="account.contact_change_refused").exists()


def test_contact_change_confirms_the_new_address_and_warns_the_old_one():
    user = UserFactory(email="old@example.org", language="ar")
    challenge = services.contact_change_request(
        user=user, actor=user, kind=Channel.EMAIL, value="New@Example.org", password=PASSWORD
    )
    assert mail.outbox[-1].to == ["new@example.org"]
    checked = services.challenge_check_code(
        public_id=challenge.public_id, code=_code_in(mail.outbox[-1].body)
    )
    services.contact_change_confirm(challenge=checked)
    user.refresh_from_db()
    assert user.email == "new@example.org"
    notice = mail.outbox[-1]
    assert notice.to == ["old@example.org"]
    assert "new@example.org" in notice.body


def test_adding_a_phone_warns_the_email_address(sms_outbox):
    user = UserFactory(email="only@example.org")
    challenge = services.contact_change_request(
        user=user, actor=user, kind=Channel.SMS, value="+33698765432", password=PASSWORD
    )
    checked = services.challenge_check_code(
        public_id=challenge.public_id, code=_code_in(sms_outbox[-1].body)
    )
    services.contact_change_confirm(challenge=checked)
    user.refresh_from_db()
    assert str(user.phone) == "+33698765432"
    assert mail.outbox[-1].to == ["only@example.org"]


def test_contact_change_to_a_taken_address_is_refused():
    UserFactory(email="taken@example.org")
    user = UserFactory()
    with pytest.raises(services.ContactTaken):
        services.contact_change_request(
            user=user, actor=user, kind=Channel.EMAIL, value="taken@example.org", password=PASSWORD
        )


def test_nobody_changes_someone_elses_contact_details():
    user, other = UserFactory(), UserFactory()
    with pytest.raises(services.NotAllowed):
        services.contact_change_request(
            user=user, actor=other, kind=Channel.EMAIL, value="x@example.org", password=PASSWORD
        )


def test_totp_enrolment_and_verification():
    agent = UserFactory(role=Role.AGENT)
    device = second_factor.authenticator_start(user=agent, verified_by=None)
    with pytest.raises(services.CodeError):
        second_factor.authenticator_confirm(
            user=agent, device=device, token="000000x", verified_by=None
        )
    second_factor.authenticator_confirm(
        user=agent, device=device, token=second_factor.totp_code_now(device), verified_by=None
    )
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    with time_machine.travel(dt.timedelta(seconds=60)):
        assert (
            second_factor.authenticator_verify(
                user=agent, token=second_factor.totp_code_now(device)
            )
            == device
        )
    assert AuditEntry.objects.filter(action="account.otp_enrolled", actor=agent).exists()


def test_applicants_have_no_authenticator():
    with pytest.raises(second_factor.EnrolmentClosed):
        second_factor.authenticator_start(user=UserFactory(), verified_by=None)


@override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"],
)
def test_passwords_are_hashed_with_argon2():
    user, _challenge = _signup()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_user_create_by_a_non_admin_is_refused():
    with pytest.raises(services.NotAllowed):
        services.user_create(
            actor=UserFactory(), role=Role.AGENT, password=PASSWORD, email="a@example.org"
        )


def test_purposes_do_not_mix():
    _user, challenge = _signup()
    checked = services.challenge_check_code(
        public_id=challenge.public_id, code=_code_in(mail.outbox[0].body)
    )
    assert checked.purpose == Purpose.CONFIRM
    with pytest.raises(services.CodeExpired):
        services.password_reset_complete(challenge=checked, password="another-long-pass-99")


def _identity(user, actor=None, **overrides):
    values = {
        "given_name": "Amina",
        "family_name": "Diallo",
        "date_of_birth": dt.date(1990, 5, 17),
        "nationality": "Sénégalaise",
        "foreigner_number": "7501234567",
    }
    values.update(overrides)
    return services.identity_update(user=user, actor=actor or user, **values)


def test_identity_update_saves_and_journals_the_changed_fields_not_their_values():
    user = UserFactory(given_name="Amina", family_name="Diallo", date_of_birth=None)
    changes = _identity(user, given_name="  Amina  ", foreigner_number="75 0123 4567")
    user.refresh_from_db()
    assert user.date_of_birth == dt.date(1990, 5, 17)
    assert user.nationality == "Sénégalaise"
    assert user.foreigner_number == "7501234567"
    assert changes == {
        "date_of_birth": {"before": None, "after": dt.date(1990, 5, 17)},
        "nationality": {"before": "", "after": "Sénégalaise"},
        "foreigner_number": {"before": "", "after": "7501234567"},
    }
    entry = AuditEntry.objects.get(action="account.identity_updated")
    assert entry.actor_id == user.pk
    assert entry.data == {"fields": ["date_of_birth", "foreigner_number", "nationality"]}
    assert "1990" not in str(entry.data)


def test_identity_unchanged_writes_nothing_to_the_journal():
    user = UserFactory()
    _identity(user)
    assert _identity(user) == {}
    assert AuditEntry.objects.filter(action="account.identity_updated").count() == 1


def test_nobody_changes_someone_elses_identity():
    user, other = UserFactory(date_of_birth=None), UserFactory()
    with pytest.raises(services.NotAllowed):
        _identity(user, actor=other)
    user.refresh_from_db()
    assert user.date_of_birth is None
    assert not AuditEntry.objects.filter(action="account.identity_updated").exists()


def test_an_admin_may_correct_someones_identity():
    user, admin = UserFactory(date_of_birth=None), UserFactory(role=Role.ADMIN)
    _identity(user, actor=admin)
    user.refresh_from_db()
    assert user.date_of_birth == dt.date(1990, 5, 17)
    assert AuditEntry.objects.get(action="account.identity_updated").actor_id == admin.pk


@time_machine.travel(dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC))
def test_a_date_of_birth_in_the_future_is_refused():
    # 23:30 UTC is already 23 November in Paris: that day is today, the next is the future.
    user = UserFactory(date_of_birth=None)
    assert _identity(user, date_of_birth=dt.date(2026, 11, 23))
    with pytest.raises(services.IdentityInvalid) as refused:
        _identity(user, date_of_birth=dt.date(2026, 11, 24))
    assert refused.value.field == "date_of_birth"
    user.refresh_from_db()
    assert user.date_of_birth == dt.date(2026, 11, 23)


def test_a_date_of_birth_before_1900_is_refused():
    user = UserFactory(date_of_birth=None)
    with pytest.raises(services.IdentityInvalid, match="1900"):
        _identity(user, date_of_birth=dt.date(1899, 12, 31))
    _identity(user, date_of_birth=dt.date(1900, 1, 1))


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_names_cannot_be_empty(field):
    user = UserFactory(given_name="Amina", family_name="Diallo")
    with pytest.raises(services.IdentityInvalid) as refused:
        _identity(user, **{field: "   "})
    assert refused.value.field == field
    user.refresh_from_db()
    assert (user.given_name, user.family_name) == ("Amina", "Diallo")


@pytest.mark.parametrize(
    "number",
    [
        "750123456",
        "75012345678",
        "75012345AB",
        "\u0667\u0665\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
    ],
)
def test_the_foreigner_number_has_ten_digits(number):
    user = UserFactory()
    with pytest.raises(services.IdentityInvalid) as refused:
        _identity(user, foreigner_number=number)
    assert refused.value.field == "foreigner_number"


def test_the_foreigner_number_may_be_left_empty():
    user = UserFactory(foreigner_number="")
    _identity(user, foreigner_number="")
    user.refresh_from_db()
    assert user.foreigner_number == ""
