"""Share-code pages: wiring, permissions, and bad input explained without losing what was typed."""

import datetime as dt
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.sharing import services
from sejour.sharing.choices import Outcome, Purpose
from sejour.sharing.models import ShareCheck, ShareCode
from sejour.sharing.tests.conftest import BORN
from sejour.sharing.tests.factories import ShareCodeFactory

pytestmark = pytest.mark.django_db

CHECK = "/en/partage/verifier/"
NO_MATCH = "No share code matches this code and this date of birth"


@pytest.fixture
def logged(client, holder):
    client.force_login(holder)
    return client


def _form(share_code, **changes):
    data = {"code": share_code.spaced, "day": "17", "month": "5", "year": "1990"}
    return {**data, "organisation": "Boulangerie Martin", **changes}


def test_share_code_pages_need_a_login(client):
    for url in ("/fr/partage/", "/fr/partage/nouveau/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/compte/connexion/" in response["Location"]


@pytest.mark.parametrize("role", [Role.HELPER, Role.AGENT, Role.SUPERVISOR])
def test_only_applicants_have_share_code_pages(client, role):
    user = UserFactory(role=role, date_of_birth=BORN)
    client.force_login(user)
    if user.is_staff_role:  # the second factor passed
        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    assert client.get("/en/partage/").status_code == 403
    assert client.post("/en/partage/nouveau/", {"purpose": "work"}).status_code == 403
    assert not ShareCode.objects.exists()


def test_the_dashboard_links_to_share_codes_for_applicants(logged):
    assert 'href="/en/partage/"' in logged.get("/en/tableau-de-bord/").content.decode()


def test_make_a_code_and_see_it_big_with_instructions(logged, holder):
    assert logged.get("/en/partage/nouveau/").status_code == 200
    response = logged.post("/en/partage/nouveau/", {"purpose": "housing", "days": "30"})
    share_code = ShareCode.objects.get(holder=holder)
    assert response.status_code == 302
    assert response["Location"] == f"/en/partage/{share_code.pk}/"
    assert share_code.purpose == Purpose.HOUSING
    assert share_code.expires_on == dt.date(2026, 12, 22)
    page = logged.get(response["Location"]).content.decode()
    assert share_code.spaced in page
    assert "http://testserver/en/partage/verifier/" in page
    assert "22/12/2026" in page
    assert "Nobody has checked this code yet" in page


def test_an_empty_validity_means_90_days(logged, holder):
    logged.post("/en/partage/nouveau/", {"purpose": "work", "days": ""})
    assert ShareCode.objects.get().expires_on == dt.date(2027, 2, 20)


@pytest.mark.parametrize("days", ["abc", "0", "120", "-5", "9" * 40])
def test_a_bad_validity_is_explained_keeping_the_choice(logged, days):
    response = logged.post("/en/partage/nouveau/", {"purpose": "benefits", "days": days})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a number of days from 1 to 90" in body
    assert re.search(r'value="benefits"[^>]* checked', body)
    assert not ShareCode.objects.exists()


def test_no_purpose_is_explained(logged):
    response = logged.post("/en/partage/nouveau/", {"days": "10"})
    assert "Choose who the code is for" in response.content.decode()
    assert not ShareCode.objects.exists()


def test_without_a_date_of_birth_the_page_explains_and_links_to_the_account(client):
    user = UserFactory(date_of_birth=None)
    client.force_login(user)
    body = client.get("/en/partage/nouveau/").content.decode()
    assert "Your date of birth is missing" in body
    assert 'href="/en/compte/"' in body
    response = client.post("/en/partage/nouveau/", {"purpose": "work", "days": "90"})
    assert "Your date of birth is missing" in response.content.decode()
    assert not ShareCode.objects.exists()


def test_the_list_shows_status_purpose_expiry_and_checks(logged, holder):
    active = ShareCodeFactory(holder=holder, purpose=Purpose.WORK)
    cancelled = ShareCodeFactory(holder=holder, purpose=Purpose.HOUSING)
    services.share_code_revoke(share_code=cancelled, actor=holder)
    ShareCodeFactory(holder=holder, expires_on=dt.date(2026, 11, 1), purpose=Purpose.OTHER)
    services.share_code_check(
        code=active.code, date_of_birth=BORN, organisation="Boulangerie Martin"
    )
    body = logged.get("/en/partage/").content.decode()
    for text in ("Active", "Cancelled", "Expired", "Work (an employer)", "20/02/2027"):
        assert text in body
    assert "Boulangerie Martin" in body
    assert "Status shown" in body
    assert "22/11/2026 10:00" in body


def test_another_persons_code_is_not_found(logged):
    other = ShareCodeFactory()
    assert logged.get(f"/en/partage/{other.pk}/").status_code == 404
    assert logged.post(f"/en/partage/{other.pk}/annuler/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_cancel_after_a_confirmation(logged, holder):
    share_code = ShareCodeFactory(holder=holder)
    page = logged.get(f"/en/partage/{share_code.pk}/annuler/")
    assert "Yes, cancel it" in page.content.decode()
    share_code.refresh_from_db()
    assert share_code.revoked_at is None
    response = logged.post(f"/en/partage/{share_code.pk}/annuler/", follow=True)
    assert "nobody can use it any more" in response.content.decode()
    share_code.refresh_from_db()
    assert share_code.revoked_at is not None
    again = logged.post(f"/en/partage/{share_code.pk}/annuler/", follow=True)
    assert "already cancelled or expired" in again.content.decode()


def test_an_expired_code_has_no_cancel_page(logged, holder):
    share_code = ShareCodeFactory(holder=holder, expires_on=dt.date(2026, 11, 1))
    response = logged.get(f"/en/partage/{share_code.pk}/annuler/")
    assert response["Location"] == f"/en/partage/{share_code.pk}/"
    assert "Cancel this code" not in logged.get(response["Location"]).content.decode()


def test_the_check_page_is_public(client):
    response = client.get(CHECK)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_a_check_shows_the_live_status_only(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    response = client.post(CHECK, _form(share_code, code=share_code.code.lower()))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amina Diallo" in body
    assert "Extension attestation" in body
    assert document.code in body
    assert "Yes, until 19/02/2027" in body
    assert "22/11/2026" in body
    assert "10:00" in body
    assert document.dossier.number not in body
    assert "1990" not in body
    assert "no-cache" in response["Cache-Control"]
    check = ShareCheck.objects.get()
    assert (check.organisation, check.ip) == ("Boulangerie Martin", "127.0.0.1")


def test_a_check_without_a_document_tells_to_ask_for_the_card(client, holder):
    share_code = ShareCodeFactory(holder=holder)
    body = client.post(CHECK, _form(share_code)).content.decode()
    assert "No document issued by this service proves a right to stay today" in body
    assert "residence card" in body


def test_arabic_indic_digits_are_read(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    # 17 / 5 / 1990 in Arabic-Indic digits, as typed on an Arabic keyboard
    data = _form(share_code, day="\u0661\u0667", month="\u0665", year="\u0661\u0669\u0669\u0660")
    assert "Amina Diallo" in client.post(CHECK, data).content.decode()


@pytest.mark.parametrize("code", ["ABC", "ABC-123-XYZ", "!!!!!!!!!", "x" * 41])
def test_a_malformed_code_is_explained_keeping_what_was_typed(client, holder, code):
    response = client.post(CHECK, {"code": code, "day": "17", "month": "5", "year": "1990"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This is not a share code" in body
    assert 'value="17"' in body
    assert 'value="1990"' in body
    assert not ShareCheck.objects.exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "1990", "This date does not exist"),
        ("aa", "5", "1990", "The day is a number from 1 to 31"),
        ("17", "13", "1990", "The month is a number from 1 to 12"),
        ("17", "5", "90", "The year has 4 digits"),
        ("17", "5", "19x0", "The year has 4 digits"),
        ("17", "", "1990", "Enter the holder&#x27;s date of birth"),
        ("", "", "", "Enter the holder&#x27;s date of birth"),
        ("1", "1", "2027", "cannot be in the future"),
        ("23", "11", "2026", "cannot be in the future"),
        ("17", "5", "1" * 20, "The year has 4 digits"),
    ],
)
def test_a_bad_date_of_birth_is_explained_keeping_what_was_typed(
    client, holder, day, month, year, message
):
    share_code = ShareCodeFactory(holder=holder)
    response = client.post(CHECK, _form(share_code, day=day, month=month, year=year))
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert share_code.spaced in body
    assert "Boulangerie Martin" in body
    assert "fr-fieldset--error" in body
    assert not ShareCheck.objects.exists()


def test_a_wrong_date_and_an_unknown_code_give_the_same_answer(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    wrong = client.post(CHECK, _form(share_code, day="18")).content.decode()
    unknown_code = ShareCodeFactory.build().code
    unknown = client.post(CHECK, _form(share_code, code=unknown_code)).content.decode()
    assert NO_MATCH in wrong
    assert NO_MATCH in unknown
    assert 'value="18"' in wrong
    assert "Amina" not in wrong + unknown
    outcomes = set(ShareCheck.objects.values_list("outcome", flat=True))
    assert outcomes == {Outcome.WRONG_DATE_OF_BIRTH, Outcome.UNKNOWN_CODE}


def test_a_cancelled_code_is_explained(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    services.share_code_revoke(share_code=share_code, actor=holder)
    body = client.post(CHECK, _form(share_code)).content.decode()
    assert "The holder has cancelled this share code" in body
    assert "Amina" not in body


def test_an_expired_code_is_explained(client, holder, document):
    share_code = ShareCodeFactory(holder=holder, expires_on=dt.date(2026, 11, 21))
    body = client.post(CHECK, _form(share_code)).content.decode()
    assert "This share code was valid until 21/11/2026" in body
    assert "Amina" not in body


def test_guessing_is_throttled_with_429_and_a_time_to_try_again(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    for day in range(1, services.FAILURES_PER_CODE_AND_IP + 1):
        client.post(CHECK, _form(share_code, day=str(day)))
    response = client.post(CHECK, _form(share_code))
    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "try again after 10:15" in body
    assert 'value="17"' in body
    assert "Amina" not in body
    assert ShareCheck.objects.filter(outcome=Outcome.THROTTLED).count() == 1


def test_the_holder_sees_who_checked(client, logged, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    client.logout()
    client.post(CHECK, _form(share_code, organisation="Agence Dupont"))
    client.post(CHECK, _form(share_code, organisation="", day="1"))
    client.force_login(holder)
    body = client.get(f"/en/partage/{share_code.pk}/").content.decode()
    assert "Agence Dupont" in body
    assert "Status shown" in body
    assert "not given" in body
    assert "Refused: wrong date of birth" in body


def test_the_check_page_in_french(client, holder, document):
    share_code = ShareCodeFactory(holder=holder)
    response = client.post("/fr/partage/verifier/", _form(share_code))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    assert "Amina Diallo" in response.content.decode()
