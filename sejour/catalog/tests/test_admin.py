"""The catalogue in the admin site: every model listed, searched and edited."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.catalog.models import Procedure
from sejour.catalog.services import catalog_load

pytestmark = pytest.mark.django_db

MODELS = ["permittype", "procedure", "checklistitem", "prefecture", "catalogversion"]


@pytest.fixture
def admin_client(client):
    """A client logged in as an administrator who passed the second factor."""
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.mark.parametrize("model", MODELS)
def test_each_model_has_a_searchable_list(admin_client, model):
    catalog_load()

    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200


def test_procedure_page_shows_its_checklist_inline(admin_client):
    catalog_load()
    renewal = Procedure.objects.get(code="renewal")

    response = admin_client.get(reverse("admin:catalog_procedure_change", args=[renewal.pk]))

    assert response.status_code == 200
    assert "checklist_items-TOTAL_FORMS" in response.content.decode()
    assert "payslips" in response.content.decode()


def test_catalogue_versions_cannot_be_edited_in_the_admin(admin_client):
    catalog_load()

    response = admin_client.get(reverse("admin:catalog_catalogversion_add"))

    assert response.status_code == 403


def test_prefecture_list_filters_overseas(admin_client):
    catalog_load()

    response = admin_client.get(
        reverse("admin:catalog_prefecture_changelist"), {"overseas__exact": "1"}
    )

    assert response.context["cl"].result_count == 8
