"""Services of helpers: organisations, members, mandates, declarations, accounts for others."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import PASSWORD, UserFactory
from sejour.audit.models import AuditEntry
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.helpers import selectors, services
from sejour.helpers.choices import (
    Channel,
    Duration,
    EndReason,
    MandateStatus,
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
    Scope,
)
from sejour.helpers.models import Membership
from sejour.helpers.tests.factories import mandate_for
from sejour.notifications.models import Notification, Reminder


def _code(message: str) -> str:
    return re.search(r"\b(\d{6})\b", message).group(1)


def _grant(applicant, organisation, scopes, duration=Duration.MONTH):
    text = services.consent_text(
        applicant=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        language="fr",
    )
    return services.mandate_grant(
        actor=applicant,
        organisation=organisation,
        scopes=scopes,
        duration=duration,
        text_sha256=services.text_digest(text),
    )


# Organisations and members.


def test_a_law_firm_applies_with_its_bar_number_and_an_admin_verifies_it(applicant, admin):
    firm = services.organisation_apply(
        actor=applicant,
        name="  Cabinet   Durand ",
        kind=OrganisationKind.LAW_FIRM,
        address="1 quai des Orfèvres, Paris",
        email="Contact@Durand.example.org",
        bar="Paris",
        bar_number="P0123",
    )
    applicant.refresh_from_db()
    assert firm.name == "Cabinet Durand"
    assert firm.status == OrganisationStatus.PENDING
    assert applicant.role == Role.HELPER
    member = Membership.objects.get(organisation=firm)
    assert (member.role, member.bar, member.bar_number) == (MemberRole.MANAGER, "Paris", "P0123")
    assert list(selectors.organisations_to_decide(viewer=admin)) == [firm]
    with pytest.raises(NotAllowed):
        services.organisation_verify(organisation=firm, actor=applicant)
    services.organisation_verify(organisation=firm, actor=admin)
    firm.refresh_from_db()
    assert firm.is_verified
    assert firm.decided_by == admin
    assert Notification.objects.filter(recipient=applicant, subject__contains="Cabinet").exists()
    assert AuditEntry.objects.filter(action="organisation.verified").count() == 1


def test_a_law_firm_without_bar_number_is_refused_with_a_message(applicant):
    with pytest.raises(DomainError, match=r"barreau|bar"):
        services.organisation_apply(
            actor=applicant,
            name="Cabinet",
            kind=OrganisationKind.LAW_FIRM,
            address="Paris",
            email="a@example.org",
        )


def test_an_admin_refuses_with_a_reason(applicant, admin):
    organisation = services.organisation_apply(
        actor=applicant,
        name="Aide",
        kind=OrganisationKind.ASSOCIATION,
        address="Paris",
        email="a@example.org",
    )
    with pytest.raises(DomainError):
        services.organisation_refuse(organisation=organisation, actor=admin, reason=" ")
    services.organisation_refuse(organisation=organisation, actor=admin, reason="No statutes.")
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.REFUSED
    with pytest.raises(NotAllowed):  # decided once
        services.organisation_verify(organisation=organisation, actor=admin)


def test_a_manager_invites_and_the_person_joins_with_the_address_invited(organisation, manager):
    invitation = services.invitation_send(
        organisation=organisation, actor=manager, email="New@Example.org"
    )
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    other = UserFactory(email="other@example.org")
    with pytest.raises(DomainError):
        services.invitation_accept(token=token, actor=other)
    person = UserFactory(email="new@example.org")
    member = services.invitation_accept(token=token, actor=person)
    person.refresh_from_db()
    assert member.organisation == organisation
    assert person.role == Role.HELPER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(DomainError):  # a link works once
        services.invitation_accept(token=token, actor=person)


def test_only_a_manager_invites_and_removes(organisation, manager, helper):
    with pytest.raises(NotAllowed):
        services.invitation_send(organisation=organisation, actor=helper, email="x@example.org")
    member = Membership.objects.get(user=helper)
    with pytest.raises(NotAllowed):
        services.member_remove(member=Membership.objects.get(user=manager), actor=helper)
    services.member_remove(member=member, actor=manager)
    assert selectors.members_of(organisation=organisation).filter(user=helper).count() == 0


def test_the_last_manager_cannot_be_removed(organisation, manager):
    with pytest.raises(DomainError):
        services.member_remove(member=Membership.objects.get(user=manager), actor=manager)


# Mandates.


def test_an_applicant_grants_online_and_the_exact_text_is_kept_with_its_hash(
    applicant, organisation, manager
):
    mandate = _grant(applicant, organisation, [Scope.PREPARE], Duration.SIX_MONTHS)
    assert mandate.channel == Channel.ONLINE
    assert organisation.name in mandate.consent_text
    assert services.text_digest(mandate.consent_text) == mandate.consent_sha256
    assert sorted(mandate.scopes.values_list("scope", flat=True)) == ["prepare", "view"]
    assert mandate.expires_at.date() == dt.date(2027, 5, 22)
    assert mandate.status_at(clock.now()) == MandateStatus.ACTIVE
    # Both sides are reminded a week before it ends.
    reminders = Reminder.objects.filter(key=f"mandate-{mandate.pk}-expiry")
    assert {r.recipient for r in reminders} == {applicant, manager}
    assert {r.due_on for r in reminders} == {dt.date(2027, 5, 15)}


def test_a_text_other_than_the_one_shown_is_refused(applicant, organisation):
    with pytest.raises(services.ConsentTextChanged):
        services.mandate_grant(
            actor=applicant,
            organisation=organisation,
            scopes=[Scope.VIEW],
            duration=Duration.DAY,
            text_sha256="0" * 64,
        )


def test_durations_are_a_day_and_calendar_months():
    start = dt.datetime(2027, 1, 31, 9, 0, tzinfo=clock.PARIS)
    assert services.expiry_of(duration=Duration.DAY, start=start) == start + dt.timedelta(days=1)
    assert services.expiry_of(duration=Duration.MONTH, start=start).date() == dt.date(2027, 2, 28)
    assert services.expiry_of(duration=Duration.YEAR, start=start).date() == dt.date(2028, 1, 31)


def test_no_scope_is_refused(applicant, organisation):
    with pytest.raises(services.NoScope):
        services.consent_text(
            applicant=applicant,
            organisation=organisation,
            scopes=[],
            duration=Duration.DAY,
            language="fr",
        )


def test_consent_in_person_starts_with_the_code_the_applicant_reads_out(
    applicant, organisation, helper
):
    mandate = services.mandate_request_in_person(
        actor=helper,
        organisation=organisation,
        identifier=applicant.email.upper(),
        scopes=[Scope.PREPARE, Scope.SUBMIT],
        duration=Duration.YEAR,
    )
    assert mandate.status_at(clock.now()) == MandateStatus.AWAITING
    message = mail.outbox[-1]
    assert message.to == [applicant.email]
    assert organisation.name in message.body
    assert mandate.consent_text in message.body
    assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == frozenset()
    with pytest.raises(DomainError):
        services.mandate_confirm(mandate=mandate, actor=helper, code="000000")
    services.mandate_confirm(mandate=mandate, actor=helper, code=_code(message.body))
    mandate.refresh_from_db()
    assert mandate.status_at(clock.now()) == MandateStatus.ACTIVE
    assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == {
        "view",
        "prepare",
        "submit",
    }
    entry = AuditEntry.objects.get(action="mandate.granted")
    assert (entry.actor_id, entry.on_behalf_of_id) == (helper.pk, applicant.pk)
    assert entry.data["sha256"] == mandate.consent_sha256
    assert Notification.objects.filter(recipient=applicant, subject__contains="Cimade").exists()


def test_consent_in_person_for_an_unknown_address_says_so(organisation, helper):
    with pytest.raises(services.UnknownApplicant):
        services.mandate_request_in_person(
            actor=helper,
            organisation=organisation,
            identifier="nobody@example.org",
            scopes=[Scope.VIEW],
            duration=Duration.DAY,
        )


def test_revoking_a_part_keeps_the_rest_and_revoking_view_ends_it(applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation)
    services.mandate_revoke(mandate=mandate, actor=applicant, scopes=[Scope.SUBMIT])
    assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == {
        "view",
        "prepare",
        "message",
    }
    services.mandate_revoke(mandate=mandate, actor=applicant, scopes=[Scope.VIEW])
    mandate.refresh_from_db()
    assert mandate.end_reason == EndReason.REVOKED
    assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == frozenset()


def test_only_the_applicant_revokes(applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation)
    with pytest.raises(NotAllowed):
        services.mandate_revoke(mandate=mandate, actor=helper)


def test_revoking_cancels_the_expiry_reminders(applicant, organisation, manager):
    mandate = _grant(applicant, organisation, [Scope.VIEW])
    assert Reminder.objects.filter(key=f"mandate-{mandate.pk}-expiry").count() == 2
    services.mandate_revoke(mandate=mandate, actor=applicant)
    assert Reminder.objects.filter(key=f"mandate-{mandate.pk}-expiry").count() == 0


def test_renewal_is_one_step_with_the_parts_still_covered(applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation, duration=Duration.MONTH)
    services.mandate_revoke(mandate=mandate, actor=applicant, scopes=[Scope.MESSAGE])
    with time_machine.travel(clock.now() + dt.timedelta(days=40)):
        assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == frozenset()
        text = services.renewal_text(mandate=mandate, language="fr")
        renewal = services.mandate_renew(
            mandate=mandate, actor=applicant, text_sha256=services.text_digest(text)
        )
        assert renewal.renews == mandate
        assert selectors.scopes_for(helper=helper, applicant_id=applicant.pk) == {
            "view",
            "prepare",
            "submit",
        }
        with pytest.raises(NotAllowed):  # renewed once
            services.mandate_renew(
                mandate=mandate, actor=applicant, text_sha256=services.text_digest(text)
            )


def test_a_new_mandate_to_the_same_organisation_replaces_the_old(applicant, organisation):
    first = mandate_for(applicant, organisation)
    _grant(applicant, organisation, [Scope.VIEW])
    first.refresh_from_db()
    assert first.end_reason == EndReason.REPLACED


# Accounts opened for people without e-mail or phone.


def test_an_account_opened_by_a_helper_is_taken_over_with_the_paper_code(organisation, helper):
    person, mandate, code = services.account_open(
        actor=helper,
        organisation=organisation,
        given_name="Amina",
        family_name="Diallo",
        date_of_birth=dt.date(1990, 5, 4),
        language="fr",
        scopes=[Scope.PREPARE, Scope.SUBMIT],
        duration=Duration.SIX_MONTHS,
    )
    assert person.email is None
    assert person.phone is None
    assert person.no_contact
    assert not person.has_usable_password()
    assert mandate.status_at(clock.now()) == MandateStatus.ACTIVE
    assert Scope.SUBMIT in selectors.scopes_for(helper=helper, applicant_id=person.pk)
    with pytest.raises(DomainError):
        services.account_take_over(
            code=code,
            date_of_birth=dt.date(1990, 5, 5),
            email="amina@example.org",
            phone=None,
            password=PASSWORD,
        )
    spaced = services.spaced_code(code).lower()
    user, _challenge = services.account_take_over(
        code=spaced,
        date_of_birth=dt.date(1990, 5, 4),
        email="amina@example.org",
        phone=None,
        password=PASSWORD,
    )
    user.refresh_from_db()
    assert user.email == "amina@example.org"
    assert not user.no_contact
    assert user.check_password(PASSWORD)
    assert mail.outbox[-1].to == ["amina@example.org"]
    with pytest.raises(DomainError):  # the paper code works once
        services.account_take_over(
            code=code,
            date_of_birth=dt.date(1990, 5, 4),
            email="other@example.org",
            phone=None,
            password=PASSWORD,
        )


def test_an_unknown_duration_is_refused_with_a_message(applicant, organisation):
    with translation.override("en"), pytest.raises(DomainError, match="how long"):
        services.consent_text(
            applicant=applicant,
            organisation=organisation,
            scopes=[Scope.VIEW],
            duration="forever",
            language="en",
        )
