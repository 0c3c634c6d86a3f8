"""The admin shows organisations, members and mandates, and lets nobody change them there."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.helpers.tests.factories import mandate_for

pytestmark = pytest.mark.django_db

PAGES = [
    "helpers/organisation/",
    "helpers/mandate/",
    "helpers/representation/",
    "helpers/invitation/",
    "helpers/accountopening/",
]


def test_admin_pages_list_and_show_without_changing(client, admin, applicant, organisation):
    mandate = mandate_for(applicant, organisation)
    client.force_login(admin)
    device = TOTPDevice.objects.create(user=admin, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    for path in PAGES:
        assert client.get(f"/fr/admin/{path}").status_code == 200, path
    page = client.get(f"/fr/admin/helpers/mandate/{mandate.pk}/change/").content.decode()
    assert mandate.consent_sha256 in page
    assert client.get("/fr/admin/helpers/organisation/add/").status_code == 403
