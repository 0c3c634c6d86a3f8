"""The second step of a login cannot be skipped with the password alone: no device is added,
replaced or removed by a session that has not passed it; helpers pass it too."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts import second_factor
from sejour.accounts.choices import Role
from sejour.accounts.models import ContactCodeDevice, User
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.audit.models import AuditEntry
from sejour.core.errors import DomainError
from sejour.notifications.models import Notification

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _password_only(user: User) -> Client:
    """A browser that typed the right password, and nothing more."""
    browser = Client()
    response = browser.post(url("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _code_of_key(bin_key: bytes) -> str:
    return f"{TOTP(bin_key).token():06d}"


def _mail_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.SUPPORT, Role.SUPERVISOR])
def test_a_password_alone_gets_no_new_key_on_an_enrolled_account(staff_factory, role):
    user, device = staff_factory(role)
    browser = _password_only(user)
    page = browser.get(url("accounts:otp_setup"))
    assert page.status_code == 302
    assert page["Location"].startswith(url("accounts:otp_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    # Nor does a code of an attacker's own key, posted straight to the page, add a device.
    attacker_key = bytes(range(20))
    browser.post(url("accounts:otp_setup"), {"token": _code_of_key(attacker_key)})
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert browser.get(url("web:dashboard"))["Location"].startswith(url("accounts:otp_verify"))


def test_an_attacker_key_started_before_the_account_enrolled_cannot_be_confirmed(staff_factory):
    agent, _device = staff_factory(Role.AGENT)
    stale = TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=False)
    with pytest.raises(second_factor.EnrolmentClosed):
        second_factor.authenticator_confirm(
            user=agent,
            device=stale,
            token=second_factor.totp_code_now(stale),
            verified_by=None,
        )
    stale.refresh_from_db()
    assert not stale.confirmed


def test_the_first_authenticator_is_enrolled_within_the_period_then_it_closes():
    agent = UserFactory(role=Role.AGENT, language="en")
    browser = _password_only(agent)
    assert browser.get(url("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    response = browser.post(
        url("accounts:otp_setup"), {"token": second_factor.totp_code_now(device)}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.second_factor_enrol_until is None
    assert browser.get(url("web:dashboard")).status_code == 200
    # The holder is told by every contact, and the inbox keeps it.
    assert "authenticator" in mail.outbox[-1].subject.lower()
    assert Notification.objects.filter(recipient=agent, subject__icontains="authenticator")
    # A later password-only session cannot add a second one.
    other = _password_only(agent)
    assert other.get(url("accounts:otp_setup"))["Location"].startswith(url("accounts:otp_verify"))


def test_after_the_period_a_new_account_must_ask_an_administrator():
    agent = UserFactory(role=Role.AGENT, second_factor_enrol_until=timezone.now())
    browser = _password_only(agent)
    page = browser.get(url("accounts:otp_setup"))
    assert page.status_code == 403
    assert "Ask an administrator" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert "<svg" not in page.content.decode()


def test_a_verified_session_adds_and_removes_authenticators_and_the_holder_is_told(
    staff_factory, sms_outbox
):
    agent, first = staff_factory(Role.AGENT)
    agent.phone = "+33612340000"
    agent.language = "en"
    agent.save()
    verified = second_factor.authenticator_verify(
        user=agent, token=second_factor.totp_code_now(first)
    )
    added = second_factor.authenticator_start(user=agent, verified_by=verified)
    second_factor.authenticator_confirm(
        user=agent, device=added, token=second_factor.totp_code_now(added), verified_by=verified
    )
    assert mail.outbox[-1].to == [agent.email]
    assert "authenticator" in sms_outbox[-1].body
    second_factor.authenticator_remove(user=agent, device_id=added.pk, verified_by=verified)
    assert list(TOTPDevice.objects.filter(user=agent)) == [first]
    assert "removed" in mail.outbox[-1].subject
    actions = set(
        AuditEntry.objects.filter(target_id=str(agent.pk)).values_list("action", flat=True)
    )
    assert {"account.otp_enrolled", "account.otp_removed"} <= actions
    # Staff keep one at least.
    with pytest.raises(second_factor.LastAuthenticator):
        second_factor.authenticator_remove(user=agent, device_id=first.pk, verified_by=verified)


def test_removing_a_device_needs_a_session_verified_by_that_account(staff_factory):
    agent, device = staff_factory(Role.AGENT)
    _other, foreign = staff_factory(Role.AGENT)
    for verified_by in (None, foreign):
        with pytest.raises(DomainError):
            second_factor.authenticator_remove(
                user=agent, device_id=device.pk, verified_by=verified_by
            )
    browser = _password_only(agent)
    browser.post(url("accounts:otp_devices"), {"device": device.pk})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_administrator_resets_after_checking_identity_journalled_and_told(staff_factory):
    admin, _admin_device = staff_factory(Role.ADMIN)
    agent, _device = staff_factory(Role.AGENT)
    agent.language = "en"
    agent.save()
    with pytest.raises(DomainError):
        second_factor.second_factor_reset(actor=admin, user=agent, identity_check=" ")
    with pytest.raises(DomainError):
        second_factor.second_factor_reset(actor=admin, user=admin, identity_check="card seen")
    with pytest.raises(DomainError):
        second_factor.second_factor_reset(actor=agent, user=admin, identity_check="card seen")
    second_factor.second_factor_reset(
        actor=admin, user=agent, identity_check="Professional card seen in person"
    )
    assert not TOTPDevice.objects.filter(user=agent).exists()
    entry = AuditEntry.objects.get(action="account.second_factor_reset")
    assert entry.data["identity_check"] == "Professional card seen in person"
    assert "reset" in mail.outbox[-1].subject
    # The holder enrols again with the password.
    browser = _password_only(agent)
    assert browser.get(url("accounts:otp_setup")).status_code == 200


def test_the_enrolment_period_ends_by_itself():
    agent = UserFactory(role=Role.AGENT)
    with time_machine.travel(dt.timedelta(hours=73)):
        browser = _password_only(agent)
        assert browser.get(url("accounts:otp_setup")).status_code == 403


def _helper(**extra) -> User:
    return UserFactory(role=Role.HELPER, **extra)


def test_a_helper_is_asked_for_the_second_step_after_the_password():
    helper = _helper()
    browser = _password_only(helper)
    response = browser.get(url("web:dashboard"))
    assert response["Location"].startswith(url("accounts:otp_verify"))
    page = browser.get(response["Location"]).content.decode()
    assert "By e-mail to" in page
    assert "p•••@example.org" in page


def test_a_helper_passes_with_a_code_sent_to_a_confirmed_contact():
    helper = _helper()
    browser = _password_only(helper)
    browser.post(url("accounts:otp_code_send"), {"channel": "email"})
    assert mail.outbox[-1].to == [helper.email]
    wrong = f"{(int(_mail_code()) + 1) % 10**6:06d}"
    refused = browser.post(url("accounts:otp_verify"), {"code": wrong})
    assert "This code is not right" in refused.content.decode()
    browser.post(url("accounts:otp_verify"), {"code": _mail_code()})
    assert browser.get(url("web:dashboard")).status_code == 200
    assert ContactCodeDevice.objects.filter(user=helper, channel="email").exists()
    assert AuditEntry.objects.filter(action="account.second_factor_passed").exists()


def test_a_code_goes_only_to_a_confirmed_contact_of_a_helper():
    helper = _helper(phone="+33611112222")  # never confirmed
    browser = _password_only(helper)
    browser.post(url("accounts:otp_code_send"), {"channel": "sms"})
    assert not mail.outbox
    with pytest.raises(DomainError):
        second_factor.contact_code_send(user=helper, channel="sms")


def test_staff_cannot_replace_the_authenticator_by_a_code_by_email(staff_factory):
    agent, _device = staff_factory(Role.AGENT)
    with pytest.raises(DomainError):
        second_factor.contact_code_send(user=agent, channel="email")
    browser = _password_only(agent)
    browser.post(url("accounts:otp_code_send"), {"channel": "email"})
    assert not mail.outbox
    assert browser.get(url("web:dashboard")).status_code == 302


def test_a_helper_adds_an_authenticator_only_after_the_second_step():
    helper = _helper()
    browser = _password_only(helper)
    response = browser.get(url("accounts:otp_setup"))
    assert response["Location"].startswith(url("accounts:otp_verify"))
    assert not TOTPDevice.objects.filter(user=helper).exists()
    browser.post(url("accounts:otp_code_send"), {"channel": "email"})
    browser.post(url("accounts:otp_verify"), {"code": _mail_code()})
    assert browser.get(url("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=helper)
    browser.post(url("accounts:otp_setup"), {"token": second_factor.totp_code_now(device)})
    device.refresh_from_db()
    assert device.confirmed
    page = browser.get(url("accounts:otp_devices")).content.decode()
    assert "Authenticator 1" in page


def test_a_code_of_another_purpose_does_not_pass_the_second_step():
    helper = _helper()
    browser = _password_only(helper)
    browser.post(url("accounts:otp_code_send"), {"channel": "email"})
    pending = browser.session["sejour_second_step_challenge"]
    other = _helper()
    with pytest.raises(DomainError):
        second_factor.contact_code_verify(user=other, public_id=pending["id"], code=_mail_code())


@pytest.fixture
def admin_browser(staff_factory):
    admin, device = staff_factory(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return browser


def test_the_admin_resets_a_second_factor_only_with_the_identity_check_said(
    admin_browser, staff_factory
):
    agent, _device = staff_factory(Role.AGENT)
    changelist = url("admin:accounts_user_changelist")
    asked = admin_browser.post(
        changelist, {"action": "reset_second_factor", "_selected_action": [agent.pk]}
    )
    assert asked.status_code == 200
    assert "How you checked the person" in asked.content.decode()
    assert TOTPDevice.objects.filter(user=agent).exists()
    admin_browser.post(
        changelist,
        {
            "action": "reset_second_factor",
            "_selected_action": [agent.pk],
            "identity_check": "Card seen at the prefecture's front desk",
        },
    )
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert AuditEntry.objects.filter(action="account.second_factor_reset").count() == 1


def test_a_key_shown_to_one_session_is_never_the_one_another_session_enrols():
    agent = UserFactory(role=Role.AGENT)
    first = _password_only(agent)
    first.get(url("accounts:otp_setup"))
    shown_to_first = TOTPDevice.objects.get(user=agent)
    second = _password_only(agent)
    second.get(url("accounts:otp_setup"))
    shown_to_second = TOTPDevice.objects.exclude(pk=shown_to_first.pk).get(user=agent)
    assert shown_to_second.key != shown_to_first.key
    # The second session cannot confirm the key the first one was shown, nor reuse it.
    second.post(url("accounts:otp_setup"), {"token": second_factor.totp_code_now(shown_to_first)})
    assert not TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
    with time_machine.travel(dt.timedelta(seconds=5)):  # past the wrong code's brake
        code = second_factor.totp_code_now(shown_to_second)
        second.post(url("accounts:otp_setup"), {"token": code})
    assert list(TOTPDevice.objects.filter(user=agent)) == [shown_to_second]
    assert TOTPDevice.objects.get(user=agent).confirmed
