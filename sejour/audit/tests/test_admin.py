"""The journal in the admin is read-only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from sejour.audit import services as audit
from sejour.audit.admin import AuditEntryAdmin
from sejour.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_admin():
    return admin.site._registry[AuditEntry]


@pytest.fixture
def request_of(make_user):
    def make(**extra):
        request = RequestFactory().get("/admin/audit/auditentry/")
        request.user = make_user("admin", is_staff=True, **extra)
        return request

    return make


def test_journal_is_registered_read_only(model_admin, request_of, user):
    request = request_of(is_superuser=True)
    entry = audit.record(actor=user, action="account.signed_up")

    assert isinstance(model_admin, AuditEntryAdmin)
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_only_the_view_permission_exists():
    codenames = [codename for codename, _name in AuditEntry._meta.permissions] + list(
        AuditEntry._meta.default_permissions
    )

    assert codenames == ["view"]


def test_changelist_filters_by_action_and_date(model_admin, request_of, user):
    audit.record(actor=user, action="account.signed_up")
    audit.record(actor=user, action="account.logged_in")
    request = request_of(is_superuser=True)
    request.GET = request.GET.copy()
    request.GET["action"] = "account.logged_in"

    changelist = model_admin.get_changelist_instance(request)

    assert [entry.action for entry in changelist.get_queryset(request)] == ["account.logged_in"]
    assert model_admin.list_filter == ("action", "created_at")
    assert model_admin.date_hierarchy == "created_at"
