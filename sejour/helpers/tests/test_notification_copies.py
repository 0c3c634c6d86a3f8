"""A mandate that covers copies of notifications: the organisation receives each one."""

import pytest
from django.core import mail

from sejour.accounts.tests.factories import UserFactory
from sejour.helpers import services
from sejour.helpers.choices import Scope
from sejour.helpers.tests.factories import MembershipFactory, mandate_for
from sejour.notifications import services as notifications
from sejour.notifications.models import Notification

WITH_COPIES = (Scope.VIEW, Scope.NOTIFICATIONS)
TEMPLATE = "dossiers/messages/submitted"
CONTEXT = {"number": "2026-AAAA-BBBB", "procedure": "Renouvellement", "code": "ABCD-EFGH-JKM0"}


def _tell(applicant, **kwargs):
    return notifications.notify(
        recipient=applicant, template=TEMPLATE, context=CONTEXT, url="/fr/demandes/", **kwargs
    )


def test_a_mandate_with_copies_sends_each_notification_to_the_organisation(
    applicant, organisation, manager
):
    mandate_for(applicant, organisation, scopes=WITH_COPIES)
    manager.language = "en"
    manager.save()

    original = _tell(applicant)

    copy = Notification.objects.get(recipient=manager)
    assert copy.copy_of == original
    assert copy.subject == f"Copy for Cimade Paris: Application {CONTEXT['number']} is filed"
    assert applicant.display_name in copy.body
    assert "ABCD-EFGH-JKM0" in copy.body  # the content itself, in the reader's language
    assert "Your application 2026-AAAA-BBBB" in copy.body
    sent_to_organisation = [m for m in mail.outbox if m.to == [organisation.email]]
    assert len(sent_to_organisation) == 1
    assert "Copie pour Cimade Paris" in sent_to_organisation[0].subject
    assert Notification.objects.get(recipient=applicant) == original


def test_no_copy_without_that_part_of_the_mandate(applicant, organisation, manager):
    mandate_for(applicant, organisation, scopes=(Scope.VIEW, Scope.PREPARE))
    _tell(applicant)
    assert not Notification.objects.filter(recipient=manager).exists()
    assert not [m for m in mail.outbox if m.to == [organisation.email]]


@pytest.mark.parametrize("how", ["part withdrawn", "mandate ended"])
def test_copies_stop_at_once_when_the_applicant_withdraws_them(
    applicant, organisation, manager, how
):
    mandate = mandate_for(applicant, organisation, scopes=(*WITH_COPIES, Scope.PREPARE))
    scopes = [Scope.NOTIFICATIONS] if how == "part withdrawn" else None
    services.mandate_revoke(mandate=mandate, actor=applicant, scopes=scopes)
    Notification.objects.all().delete()
    mail.outbox.clear()

    _tell(applicant)

    assert not Notification.objects.filter(recipient=manager).exists()
    assert not [m for m in mail.outbox if m.to == [organisation.email]]


def test_the_helper_who_recorded_the_mandate_in_person_reads_the_copies(
    applicant, organisation, manager, helper
):
    mandate = mandate_for(applicant, organisation, scopes=WITH_COPIES)
    mandate.created_by = helper
    mandate.save()

    _tell(applicant)

    assert Notification.objects.filter(recipient=helper, copy_of__isnull=False).count() == 1
    assert not Notification.objects.filter(recipient=manager).exists()


def test_once_that_helper_has_left_the_managers_read_them(applicant, organisation, manager):
    former = MembershipFactory(organisation=organisation)
    services.member_remove(member=former, actor=manager)
    mandate = mandate_for(applicant, organisation, scopes=WITH_COPIES)
    mandate.created_by = former.user
    mandate.save()

    _tell(applicant)

    assert not Notification.objects.filter(recipient=former.user).exists()
    assert Notification.objects.filter(recipient=manager, copy_of__isnull=False).count() == 1


def test_notices_about_the_mandate_itself_are_not_copied(applicant, organisation, manager):
    mandate_for(applicant, organisation, scopes=WITH_COPIES)
    _tell(applicant, copies=False)
    assert not Notification.objects.filter(copy_of__isnull=False).exists()


def test_another_applicants_notifications_are_not_copied(applicant, organisation, manager):
    mandate_for(applicant, organisation, scopes=WITH_COPIES)
    _tell(UserFactory())
    assert not Notification.objects.filter(recipient=manager).exists()
