"""The administration pages administrators use, after their second factor, checked by axe-core."""

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.second_factor import totp_code_now
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PAGES = [
    "",
    "accounts/user/",
    "catalog/procedure/",
    "catalog/permittype/",
    "catalog/prefecture/",
    "catalog/checklistitem/",
    "audit/auditentry/",
]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_admin_pages_are_accessible(page, lang):
    call_command("load_catalog", verbosity=0)
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    page.goto(f"/{lang}/compte/connexion/")
    page.locator("input[name=username]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/double-authentification/**")
    page.locator("input[name=token]").fill(totp_code_now(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/tableau-de-bord/")
    for path in ADMIN_PAGES:
        response = page.goto(f"/{lang}/admin/{path}")
        assert response.status == 200, path
        assert_accessible(page)
    # A change page of each kind with a many-to-many field (tick boxes; staff by number).
    for listing in ("catalog/procedure/", "catalog/prefecture/"):
        assert page.goto(f"/{lang}/admin/{listing}").status == 200
        page.locator("#result_list tbody a").first.click()
        page.wait_for_load_state("load")
        assert_accessible(page)
    # The second-factor reset asks how identity was checked before it removes anything.
    agent = UserFactory(role=Role.AGENT, email=f"reset-{lang}@example.org")
    TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    page.goto(f"/{lang}/admin/accounts/user/?q=reset-{lang}")
    page.locator(f"#result_list input[name=_selected_action][value='{agent.pk}']").check()
    page.locator("select[name=action]").select_option("reset_second_factor")
    page.locator("#changelist-form button[name=index]").click()
    page.wait_for_load_state("load")
    assert page.locator("textarea[name=identity_check]").count() == 1
    assert_accessible(page)
    page.locator("textarea[name=identity_check]").fill("Professional card seen in person")
    page.locator("#content form input[type=submit]").click()
    page.wait_for_load_state("load")
    assert not TOTPDevice.objects.filter(user=agent).exists()
