"""Brakes on codes sent and accounts opened: SMS pumping and floods cannot go through."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from sejour.accounts import limits, services
from sejour.accounts.models import User
from sejour.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signup(*, ip: str, email: str | None = None, phone: str | None = None):
    return services.user_signup(
        email=email,
        phone=phone,
        password=PASSWORD,
        given_name="Amina",
        family_name="Diallo",
        language="fr",
        ip=ip,
    )


def test_sign_ups_to_numbers_of_a_country_not_served_send_no_sms(sms_outbox):
    # Issue 21: 23 sign-ups in a row from one address queued 23 SMS to +234 numbers.
    for n in range(23):
        with pytest.raises((limits.CountryRefused, limits.SignupsLimited)):
            _signup(ip="198.51.100.7", phone=f"+2348031234{n:03d}")
    assert not sms_outbox
    assert not User.objects.exists()


@override_settings(SEJOUR_SIGNUPS_PER_ADDRESS=2)
def test_sign_up_is_braked_per_address():
    _signup(ip="198.51.100.7", email="a@example.org")
    _signup(ip="198.51.100.7", email="b@example.org")
    with pytest.raises(limits.SignupsLimited):
        _signup(ip="198.51.100.7", email="c@example.org")
    _signup(ip="203.0.113.9", email="c@example.org")
    assert User.objects.count() == 3


@override_settings(SEJOUR_CODES_PER_ADDRESS=2, SEJOUR_SIGNUPS_PER_ADDRESS=100)
def test_codes_are_limited_per_address(sms_outbox):
    _signup(ip="198.51.100.7", phone="+33612000001")
    _signup(ip="198.51.100.7", phone="+33612000002")
    with pytest.raises(limits.CodesLimited):
        _signup(ip="198.51.100.7", phone="+33612000003")
    assert len(sms_outbox) == 2


@override_settings(SEJOUR_CODES_PER_DESTINATION=2)
def test_codes_are_limited_per_destination_whatever_the_address(sms_outbox):
    user = UserFactory(email=None, phone="+33612000001", phone_verified_at=None)
    services.confirmation_resend(user=user, ip="198.51.100.1")
    services.confirmation_resend(user=user, ip="198.51.100.2")
    with pytest.raises(limits.CodesLimited):
        services.confirmation_resend(user=user, ip="198.51.100.3")
    assert len(sms_outbox) == 2


@override_settings(SEJOUR_SMS_PER_COUNTRY_CODE=2)
def test_sms_are_limited_per_country_calling_code(sms_outbox):
    _signup(ip="198.51.100.1", phone="+33612000001")
    _signup(ip="198.51.100.2", phone="+33612000002")
    with pytest.raises(limits.CodesLimited):
        _signup(ip="198.51.100.3", phone="+33612000003")
    _signup(ip="198.51.100.4", phone="+262692123456")  # La Réunion: another calling code
    # E-mail does not cost an SMS and is not held by the country's limit.
    _signup(ip="198.51.100.5", email="someone@example.org")
    assert len(sms_outbox) == 3
    assert len(mail.outbox) == 1


@override_settings(SEJOUR_SMS_PER_HOUR=2)
def test_sms_are_limited_overall(sms_outbox):
    _signup(ip="198.51.100.1", phone="+33612000001")
    _signup(ip="198.51.100.2", phone="+262692123456")
    with pytest.raises(limits.CodesLimited):
        _signup(ip="198.51.100.3", phone="+590690123456")
    assert len(sms_outbox) == 2


@override_settings(SEJOUR_SMS_REGIONS=["FR"])
def test_the_regions_served_are_a_setting():
    with pytest.raises(limits.CountryRefused):
        _signup(ip="198.51.100.1", phone="+262692123456")
    with override_settings(SEJOUR_SMS_REGIONS=["FR", "RE"]):
        assert _signup(ip="198.51.100.1", phone="+262692123456").user is not None


@override_settings(SEJOUR_CODES_PER_DESTINATION=1)
def test_a_reset_for_an_unknown_address_is_limited_as_a_known_one():
    UserFactory(email="known@example.org")
    services.password_reset_request(identifier="known@example.org", ip="198.51.100.1")
    services.password_reset_request(identifier="unknown@example.org", ip="198.51.100.1")
    for identifier in ("known@example.org", "unknown@example.org"):
        with pytest.raises(limits.CodesLimited):
            services.password_reset_request(identifier=identifier, ip="198.51.100.2")


@override_settings(SEJOUR_SIGNUPS_PER_ADDRESS=1)
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Too many accounts were opened from your connection"),
        ("fr", "Trop de comptes ont été ouverts depuis votre connexion"),
        ("ar", "فُتح عدد كبير جدًا من الحسابات من اتصالك"),
    ],
)
def test_a_limit_is_explained_on_the_page_in_the_persons_language(client, lang, text):
    with translation.override(lang):
        path = f"/{lang}/compte/inscription/"
    data = {
        "given_name": "Amina",
        "family_name": "Diallo",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    client.post(path, {**data, "email": "a@example.org"})
    response = client.post(path, {**data, "email": "b@example.org"})
    assert response.status_code == 200
    assert text in response.content.decode()


def test_a_number_of_a_country_not_served_is_explained_on_the_sign_up_page(client):
    data = {
        "given_name": "Amina",
        "family_name": "Diallo",
        "email": "",
        "phone": "+234 803 123 4567",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/en/compte/inscription/", data)
    assert "cannot send text messages to this number" in response.content.decode()
    assert not User.objects.exists()


def test_a_weak_password_is_refused_alike_for_a_taken_address():
    UserFactory(email="taken@example.org")
    for email in ("taken@example.org", "free@example.org"):
        with pytest.raises(ValidationError):
            services.user_signup(
                email=email,
                phone=None,
                password="password123",
                given_name="Amina",
                family_name="Diallo",
                language="fr",
            )
    assert not mail.outbox
