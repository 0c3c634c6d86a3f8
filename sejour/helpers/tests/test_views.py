"""Helpers' pages: wiring, permissions, and bad input explained without losing what was typed."""

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.models import User
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.helpers import services, views
from sejour.helpers.choices import MandateStatus, OrganisationStatus
from sejour.helpers.models import Mandate, Organisation
from sejour.helpers.tests.factories import MembershipFactory, OrganisationFactory, mandate_for

pytestmark = pytest.mark.django_db


def _staff_login(client, user):
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def test_apply_then_an_admin_verifies(client, applicant, admin):
    client.force_login(applicant)
    response = client.post(
        "/en/aidants/organisation/demande/",
        {"name": "Cabinet Durand", "kind": "law_firm", "address": "Paris", "email": "bad"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cabinet Durand" in page  # nothing typed is lost
    assert "Enter an e-mail address like name@example.org." in page
    assert "A lawyer gives their bar registration number." in page
    response = client.post(
        "/en/aidants/organisation/demande/",
        {
            "name": "Cabinet Durand",
            "kind": "law_firm",
            "address": "Paris",
            "email": "c@example.org",
            "bar": "Paris",
            "bar_number": "P1",
        },
    )
    organisation = Organisation.objects.get()
    assert response["Location"] == f"/en/aidants/organisation/{organisation.pk}/"
    # Now a helper, the account is asked for the second step before anything else.
    assert client.get(response["Location"])["Location"].startswith("/en/compte/double-")
    applicant.refresh_from_db()
    client.force_login(applicant)  # passed (see sejour/accounts/tests/test_second_factor.py)
    assert "Awaiting verification" in client.get(response["Location"]).content.decode()
    _staff_login(client, admin)
    assert "Cabinet Durand" in client.get("/en/aidants/verification/").content.decode()
    response = client.post(f"/en/aidants/verification/{organisation.pk}/", {"decision": "refuse"})
    assert "Say why the organisation is refused." in response.content.decode()
    client.post(f"/en/aidants/verification/{organisation.pk}/", {"decision": "verify"})
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.VERIFIED


def test_verification_pages_are_for_admins_only(client, helper, organisation):
    client.force_login(helper)
    assert client.get("/en/aidants/verification/").status_code == 403
    assert client.post(f"/en/aidants/verification/{organisation.pk}/").status_code == 403
    other = OrganisationFactory(status=OrganisationStatus.PENDING)
    assert client.post(f"/en/aidants/verification/{other.pk}/").status_code == 404


def test_invite_and_remove_a_member(client, organisation, manager, helper):
    client.force_login(manager)
    response = client.post(f"/en/aidants/organisation/{organisation.pk}/inviter/", {"email": "x"})
    assert "Enter an e-mail address like name@example.org." in response.content.decode()
    client.post(
        f"/en/aidants/organisation/{organisation.pk}/inviter/",
        {"email": "new@example.org", "role": "member"},
    )
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    member = organisation.memberships.get(user=helper)
    url = f"/en/aidants/organisation/{organisation.pk}/membres/{member.pk}/retirer/"
    assert client.get(url).status_code == 200
    client.post(url)
    member.refresh_from_db()
    assert member.removed_at is not None
    newcomer = UserFactory(email="new@example.org")
    client.force_login(newcomer)
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1" in link else link
    client.post(path)
    assert organisation.memberships.filter(user=newcomer).exists()


def test_a_member_cannot_manage_members(client, organisation, helper, manager):
    client.force_login(helper)
    member = organisation.memberships.get(user=manager)
    url = f"/en/aidants/organisation/{organisation.pk}/membres/{member.pk}/retirer/"
    assert client.post(url).status_code == 403
    other = OrganisationFactory()
    assert client.get(f"/en/aidants/organisation/{other.pk}/").status_code == 404


def test_an_applicant_reads_the_text_then_grants(client, applicant, organisation):
    client.force_login(applicant)
    form = {"organisation": organisation.pk, "scopes": ["prepare", "submit"], "duration": "month"}
    response = client.post("/en/aidants/mes-mandats/nouveau/", {"duration": "month"})
    assert "Choose at least one thing the mandate covers." in response.content.decode()
    response = client.post("/en/aidants/mes-mandats/nouveau/", form)
    page = response.content.decode()
    assert "I agree and give this mandate" in page
    sha = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page).group(1)
    client.post("/en/aidants/mes-mandats/nouveau/", {**form, "agree": "1", "text_sha256": sha})
    mandate = Mandate.objects.get()
    assert mandate.consent_sha256 == sha
    assert mandate.consent_language == "en"
    page = client.get("/en/aidants/mes-mandats/").content.decode()
    assert organisation.name in page
    assert sha in page


def test_an_applicant_revokes_part_then_renews(client, applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation)
    client.force_login(applicant)
    response = client.post(f"/en/aidants/mes-mandats/{mandate.pk}/retirer/", {})
    assert "Tick what you withdraw, or end the whole mandate." in response.content.decode()
    client.post(f"/en/aidants/mes-mandats/{mandate.pk}/retirer/", {"scopes": ["submit"]})
    assert mandate.scopes.get(scope="submit").revoked_at is not None
    page = client.get(f"/en/aidants/mes-mandats/{mandate.pk}/renouveler/").content.decode()
    sha = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page).group(1)
    client.post(f"/en/aidants/mes-mandats/{mandate.pk}/renouveler/", {"text_sha256": sha})
    assert Mandate.objects.get(renews=mandate).consent_sha256 == sha
    # A helper cannot reach another person's mandates.
    client.force_login(helper)
    assert client.get(f"/en/aidants/mes-mandats/{mandate.pk}/retirer/").status_code == 404


def test_consent_in_person_with_the_code(client, applicant, organisation, helper):
    client.force_login(helper)
    url = f"/en/aidants/organisation/{organisation.pk}/consentement/"
    response = client.post(
        url, {"identifier": "nobody@example.org", "scopes": ["prepare"], "duration": "day"}
    )
    page = html.unescape(response.content.decode())
    assert "No applicant's account uses this e-mail address" in page
    assert "nobody@example.org" in page
    response = client.post(
        url, {"identifier": applicant.email, "scopes": ["prepare"], "duration": "day"}
    )
    mandate = Mandate.objects.get()
    assert response["Location"] == f"/en/aidants/consentement/{mandate.pk}/code/"
    response = client.post(response["Location"], {"code": "12"})
    assert "This code is not right." in response.content.decode()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    client.post(f"/en/aidants/consentement/{mandate.pk}/code/", {"code": code})
    mandate.refresh_from_db()
    assert mandate.status_at(mandate.consented_at) == MandateStatus.ACTIVE
    page = client.get("/en/demandes/accompagnees/").content.decode()
    assert applicant.display_name in page


def test_open_an_account_then_the_person_takes_it_over(client, organisation, helper):
    client.force_login(helper)
    url = f"/en/aidants/organisation/{organisation.pk}/ouvrir-un-compte/"
    data = {
        "given_name": "Amina",
        "family_name": "Diallo",
        "day": "4",
        "month": "13",
        "year": "1990",
        "language": "fr",
        "scopes": ["prepare", "submit"],
        "duration": "year",
    }
    response = client.post(url, data)
    assert "The month is a number from 1 to 12." in response.content.decode()
    response = client.post(url, {**data, "month": "5"})
    page = response.content.decode()
    code = re.search(r'class="sejour-code"[^>]*>([0-9A-Z ]+)<', page).group(1)
    person = User.objects.get(family_name="Diallo")
    assert person.no_contact
    client.logout()
    takeover = {"code": code, "day": "4", "month": "5", "year": "1990", "password": PASSWORD}
    response = client.post("/en/aidants/reprendre-mon-compte/", takeover)
    assert "Give an e-mail address or a mobile number." in response.content.decode()
    response = client.post(
        "/en/aidants/reprendre-mon-compte/", {**takeover, "email": "amina@example.org"}
    )
    assert response["Location"] == "/en/compte/code/"
    person.refresh_from_db()
    assert person.email == "amina@example.org"


def test_wrong_take_over_codes_are_braked_per_address(client, organisation, helper):
    cache.clear()
    opening = services.account_open(
        actor=helper,
        organisation=organisation,
        given_name="Amina",
        family_name="Diallo",
        date_of_birth=dt.date(1990, 5, 4),
        language="fr",
        scopes=["prepare"],
        duration="year",
    )
    code = opening[2]
    takeover = {"day": "4", "month": "5", "year": "1990", "password": PASSWORD}
    other = "0" if code[-1] != "0" else "1"
    wrong = {**takeover, "code": code[:-1] + other, "email": "amina@example.org"}
    for _attempt in range(views.TAKE_OVER_FAILURES_PER_ADDRESS):
        response = client.post("/en/aidants/reprendre-mon-compte/", wrong)
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
    # The right code, from the same address, waits too; what was typed stays in the form.
    response = client.post(
        "/en/aidants/reprendre-mon-compte/",
        {**takeover, "code": code, "email": "amina@example.org"},
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "wait 15 minutes" in page
    assert "amina@example.org" in page
    assert not User.objects.get(family_name="Diallo").email
    # Another address is not held back.
    response = client.post(
        "/en/aidants/reprendre-mon-compte/",
        {**takeover, "code": code, "email": "amina@example.org"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response["Location"] == "/en/compte/code/"
    cache.clear()


def test_a_new_code_can_be_sent_and_the_old_one_stops(client, applicant, organisation, helper):
    client.force_login(helper)
    client.post(
        f"/en/aidants/organisation/{organisation.pk}/consentement/",
        {"identifier": applicant.email, "scopes": ["prepare"], "duration": "month"},
    )
    mandate = Mandate.objects.get()
    first = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    response = client.post(f"/en/aidants/consentement/{mandate.pk}/code/", {"resend": "1"})
    assert response.status_code == 302
    second = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    if first != second:
        response = client.post(f"/en/aidants/consentement/{mandate.pk}/code/", {"code": first})
        assert "This code is not right." in response.content.decode()
    client.post(f"/en/aidants/consentement/{mandate.pk}/code/", {"code": second})
    mandate.refresh_from_db()
    assert mandate.consented_at is not None


def test_a_consent_page_of_another_organisation_is_refused(client, applicant, organisation):
    outsider = MembershipFactory(organisation=OrganisationFactory()).user
    mandate = mandate_for(applicant, organisation)
    client.force_login(outsider)
    assert client.get(f"/en/aidants/consentement/{mandate.pk}/code/").status_code == 403
    url = f"/en/aidants/organisation/{organisation.pk}/consentement/"
    assert client.get(url).status_code == 404
