"""Helpers acting for applicants on their dossiers: allowed within the mandate, recorded as
done by the helper of their organisation for the applicant; denied otherwise, nothing leaked.

A helper without a mandate, with an expired or revoked one, out of its scope, of another
organisation, removed from theirs, or of an organisation not verified: every page of the
applicant's dossier answers as for a dossier that does not exist, and nothing changes.
"""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.audit.models import AuditEntry
from sejour.catalog.models import Prefecture
from sejour.core import clock
from sejour.core.errors import DomainError, NotAllowed
from sejour.dossiers import instruction, selectors, services
from sejour.dossiers.choices import EventKind, Status
from sejour.dossiers.models import Dossier
from sejour.dossiers.tests.conftest import fill_documents, pdf_bytes
from sejour.helpers import selectors as helper_selectors
from sejour.helpers import services as helper_services
from sejour.helpers.choices import MemberRole, OrganisationKind, OrganisationStatus, Scope
from sejour.helpers.models import Membership, Representation
from sejour.helpers.tests.factories import MembershipFactory, OrganisationFactory, mandate_for
from sejour.notifications.models import Notification

pytestmark = pytest.mark.django_db

ANSWERS = {
    "permit_type": "cst-salarie",
    "permit_expires_on": "2027-02-15",
    "employed": True,
    "married": False,
    "has_children": False,
    "hosted": False,
}


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Cimade Paris")


@pytest.fixture
def manager(organisation):
    return MembershipFactory(organisation=organisation, role=MemberRole.MANAGER).user


@pytest.fixture
def helper(organisation, manager):
    return MembershipFactory(organisation=organisation).user


def _pages(number: str) -> list[str]:
    base = f"/fr/demandes/{number}/"
    return [base, f"{base}questions/", f"{base}pieces/", f"{base}verifier/"]


def _posts(number: str) -> list[tuple[str, dict]]:
    base = f"/fr/demandes/{number}/"
    return [
        (
            f"{base}pieces/passport/ajouter/",
            {"file": SimpleUploadedFile("p.pdf", pdf_bytes()), "revision": "2"},
        ),
        (f"{base}deposer/", {"key": str(uuid.uuid4())}),
        (f"{base}messages/", {"body": "Bonjour"}),
        (f"{base}questions/", {"postcode": "13001", "revision": "1"}),
        (f"{base}pieces-envoyees/", {}),
    ]


def _no_mandate(applicant, organisation, helper):
    return None


def _expired(applicant, organisation, helper):
    mandate_for(applicant, organisation)
    return dt.timedelta(days=40)


def _revoked(applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation)
    helper_services.mandate_revoke(mandate=mandate, actor=applicant)


def _other_organisation(applicant, organisation, helper):
    mandate_for(applicant, OrganisationFactory(name="Autre association"))


def _removed_member(applicant, organisation, helper):
    mandate_for(applicant, organisation)
    Membership.objects.filter(user=helper).update(removed_at=clock.now())


def _organisation_not_verified(applicant, organisation, helper):
    mandate_for(applicant, organisation)
    type(organisation).objects.filter(pk=organisation.pk).update(status=OrganisationStatus.PENDING)


def _view_revoked_other_scopes_kept(applicant, organisation, helper):
    mandate = mandate_for(applicant, organisation)
    helper_services.mandate_revoke(mandate=mandate, actor=applicant, scopes=[Scope.VIEW])


CASES = [
    _no_mandate,
    _expired,
    _revoked,
    _other_organisation,
    _removed_member,
    _organisation_not_verified,
    _view_revoked_other_scopes_kept,
]


# The helper acted under a mandate that is over: they are told it ended, and nothing more.
ENDED = {_expired, _revoked, _view_revoked_other_scopes_kept}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__.strip("_"))
def test_a_helper_without_a_live_mandate_sees_and_changes_nothing(
    client, applicant, organisation, helper, draft, case
):
    later = case(applicant, organisation, helper)
    revision = Dossier.objects.get(pk=draft.pk).revision
    status = 403 if case in ENDED else 404
    with time_machine.travel(clock.now() + (later or dt.timedelta(0))):
        client.force_login(helper)
        for url in _pages(draft.number):
            response = client.get(url)
            assert response.status_code == status, url
            assert applicant.display_name not in response.content.decode()
        for url, data in _posts(draft.number):
            response = client.post(url, data)
            assert response.status_code == status, url
            assert applicant.display_name not in response.content.decode()
        helping = client.get("/fr/demandes/accompagnees/").content.decode()
        assert draft.number not in helping
        assert applicant.display_name not in helping
        assert client.get(f"/fr/demandes/accompagnees/{applicant.pk}/nouvelle/").status_code == 404
    after = Dossier.objects.get(pk=draft.pk)
    assert (after.revision, after.status) == (revision, Status.DRAFT)
    assert not after.documents.exists()


def test_out_of_scope_actions_are_refused_and_change_nothing(
    client, applicant, organisation, helper, draft
):
    mandate_for(applicant, organisation, scopes=[Scope.VIEW])
    client.force_login(helper)
    assert client.get(f"/fr/demandes/{draft.number}/").status_code == 200
    assert client.get(f"/fr/demandes/{draft.number}/questions/").status_code == 302
    client.post(
        f"/fr/demandes/{draft.number}/pieces/passport/ajouter/",
        {"file": SimpleUploadedFile("p.pdf", pdf_bytes()), "revision": draft.revision},
    )
    assert not draft.documents.exists()
    fill_documents(draft, applicant)
    client.post(f"/fr/demandes/{draft.number}/deposer/", {"key": str(uuid.uuid4())})
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT
    assert client.get(f"/fr/demandes/accompagnees/{applicant.pk}/nouvelle/").status_code == 404


def test_a_revoked_mandate_cuts_an_open_session_at_once(
    client, applicant, organisation, helper, draft
):
    mandate = mandate_for(applicant, organisation)
    client.force_login(helper)
    assert client.get(f"/fr/demandes/{draft.number}/").status_code == 200
    helper_services.mandate_revoke(mandate=mandate, actor=applicant)
    assert client.get(f"/fr/demandes/{draft.number}/").status_code == 403
    response = client.post(
        f"/fr/demandes/{draft.number}/pieces/passport/ajouter/",
        {"file": SimpleUploadedFile("p.pdf", pdf_bytes())},
    )
    assert response.status_code == 403
    assert not draft.documents.exists()


def test_a_helper_acts_within_the_mandate_through_the_same_pages(
    client, applicant, organisation, helper, draft
):
    mandate_for(applicant, organisation)
    client.force_login(helper)
    page = client.get(f"/fr/demandes/{draft.number}/").content.decode()
    assert applicant.display_name in page
    client.post(
        f"/fr/demandes/{draft.number}/pieces/passport/ajouter/",
        {"file": SimpleUploadedFile("p.pdf", pdf_bytes()), "revision": draft.revision},
    )
    document = draft.documents.get()
    assert document.uploaded_by == helper
    fill_documents(draft, helper)
    response = client.post(f"/fr/demandes/{draft.number}/deposer/", {"key": str(uuid.uuid4())})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=draft.pk).status == Status.SUBMITTED
    page = client.get(f"/fr/demandes/{draft.number}/").content.decode()
    assert "Cimade Paris" in page
    # The applicant's own timeline names the helper and the organisation.
    client.force_login(applicant)
    page = client.get(f"/fr/demandes/{draft.number}/").content.decode()
    assert helper.display_name in page
    assert "Cimade Paris" in page


def test_a_helper_never_sees_another_persons_data_export(client, applicant, organisation, helper):
    mandate_for(applicant, organisation)
    client.force_login(helper)
    assert client.get("/fr/tableau-de-bord/").status_code == 200
    assert applicant.display_name not in client.get("/fr/tableau-de-bord/").content.decode()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.HELPER])
def test_the_helper_dashboard_is_for_helpers(client, role, organisation):
    user = (
        MembershipFactory(organisation=organisation).user if role == Role.HELPER else UserFactory()
    )
    client.force_login(user)
    expected = 200 if role == Role.HELPER else 403
    assert client.get("/fr/demandes/accompagnees/").status_code == expected


# Acting for an applicant, through the services.


def test_a_helper_prepares_and_files_for_the_applicant_and_it_shows_so(
    applicant, organisation, helper, renewal
):
    mandate_for(applicant, organisation)
    dossier = services.dossier_start(actor=helper, procedure=renewal, applicant=applicant)
    assert dossier.applicant == applicant
    dossier = services.dossier_answer(
        dossier=dossier, actor=helper, answers=ANSWERS, postcode="75011"
    )
    fill_documents(dossier, helper)
    key = uuid.uuid4()
    services.dossier_submit_safely(dossier=dossier, actor=helper, key=key)
    services.dossier_submit_safely(dossier=dossier, actor=helper, key=key)  # sent twice
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    events = dossier.events.exclude(actor=None)
    assert {e.on_behalf_of_id for e in events} == {applicant.pk}
    assert {e.data["organisation_name"] for e in events} == {"Cimade Paris"}
    submitted = dossier.events.get(kind=EventKind.SUBMITTED)
    assert submitted.actor == helper
    assert (
        Notification.objects.filter(recipient=applicant, body__contains=helper.display_name).count()
        == 1
    )
    filed = AuditEntry.objects.get(action="dossier.submitted")
    assert (filed.actor_id, filed.on_behalf_of_id) == (helper.pk, applicant.pk)
    assert filed.data["organisation"] == organisation.pk
    started = AuditEntry.objects.get(action="dossier.started")
    assert (started.actor_id, started.on_behalf_of_id) == (helper.pk, applicant.pk)
    assert started.data["organisation"] == organisation.pk
    # The helper's own page lists it; the applicant's export does not go to the helper.
    assert list(selectors.helped_dossiers(viewer=helper)) == [dossier]
    assert list(selectors.own_dossiers(user=helper)) == []


def test_a_helper_writes_and_answers_a_document_request(applicant, organisation, helper, draft):
    mandate_for(applicant, organisation)
    fill_documents(draft, applicant)
    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())
    message = services.message_post(dossier=draft, actor=helper, body="Bonjour")
    assert message.author == helper
    draft.status = Status.AWAITING_APPLICANT
    draft.save(update_fields=["status"])
    draft.requests.create(
        item_code="passport",
        kind="outdated",
        deadline=dt.date(2026, 12, 22),
        requested_by=UserFactory(role=Role.AGENT),
        requested_at=clock.now() - dt.timedelta(hours=1),
    )
    fill_passport(draft, helper)
    instruction.documents_answered(dossier=draft, actor=helper)
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW
    sent = draft.events.get(kind=EventKind.DOCUMENTS_SENT)
    assert (sent.actor, sent.on_behalf_of) == (helper, applicant)


def fill_passport(dossier, actor) -> None:
    current = selectors.current_documents(dossier=dossier).get(item_code="passport")
    services.document_add(
        dossier=dossier,
        actor=actor,
        item_code="passport",
        data=pdf_bytes("new passport"),
        name="passport.pdf",
        replaces=current,
    )


def test_withdrawal_stays_the_applicants(applicant, organisation, helper, draft):
    mandate_for(applicant, organisation)
    with pytest.raises(NotAllowed):
        services.dossier_withdraw(dossier=draft, actor=helper)


# Lawyers' declarations.


def test_a_lawyer_declares_the_client_is_told_and_ends_it(applicant, draft):
    firm = OrganisationFactory(kind=OrganisationKind.LAW_FIRM, name="Cabinet Durand")
    lawyer = MembershipFactory(organisation=firm, bar="Paris", bar_number="P0123").user
    with pytest.raises(DomainError):
        helper_services.representation_declare(actor=lawyer, dossier=draft, family_name="Wrong")
    representation = helper_services.representation_declare(
        actor=lawyer, dossier=draft, family_name=f" {applicant.family_name.upper()} "
    )
    assert Notification.objects.filter(
        recipient=applicant, body__contains="Cabinet Durand"
    ).exists()
    assert helper_selectors.scopes_for(
        helper=lawyer, applicant_id=applicant.pk, dossier_id=draft.pk
    ) == {
        "view",
        "prepare",
        "submit",
        "message",
    }
    # Only this dossier: nothing else of the client.
    assert helper_selectors.scopes_for(helper=lawyer, applicant_id=applicant.pk) == frozenset()
    helper_services.representation_end(representation=representation, actor=applicant)
    assert (
        helper_selectors.scopes_for(helper=lawyer, applicant_id=applicant.pk, dossier_id=draft.pk)
        == frozenset()
    )


def test_a_helper_who_is_not_a_lawyer_cannot_declare(helper, draft, applicant):
    with pytest.raises(DomainError):
        helper_services.representation_declare(
            actor=helper, dossier=draft, family_name=applicant.family_name
        )


# The helper's pages.


def test_a_lawyer_declares_on_a_clients_application(client, applicant, draft):
    firm = OrganisationFactory(kind="law_firm", name="Cabinet Durand")
    lawyer = MembershipFactory(organisation=firm, bar="Paris", bar_number="P1").user
    client.force_login(lawyer)
    assert "Represent a client" in client.get("/en/demandes/accompagnees/").content.decode()
    client.post(
        "/en/demandes/accompagnees/representer/",
        {"number": draft.number, "family_name": "Nobody"},
    )
    assert not Representation.objects.exists()
    response = client.post(
        "/en/demandes/accompagnees/representer/",
        {"number": draft.number.lower(), "family_name": applicant.family_name},
    )
    assert response["Location"] == f"/en/demandes/{draft.number}/"
    representation = Representation.objects.get()
    client.force_login(applicant)
    assert "Cabinet Durand" in client.get("/en/aidants/mes-mandats/").content.decode()
    client.post(f"/en/aidants/representations/{representation.pk}/fin/")
    client.force_login(lawyer)
    ended = client.get(f"/en/demandes/{draft.number}/")
    assert ended.status_code == 403
    assert "Your mandate has ended" in ended.content.decode()
    assert applicant.display_name not in ended.content.decode()


def test_the_helper_dashboard_counts_and_searches(client, applicant, organisation, helper, draft):
    mandate_for(applicant, organisation)
    other = UserFactory(family_name="Zidane")
    mandate_for(other, organisation)
    client.force_login(helper)
    page = client.get("/en/demandes/accompagnees/").content.decode()
    assert draft.number in page
    assert "Zidane" in page
    page = client.get("/en/demandes/accompagnees/?q=Zid").content.decode()
    assert "Zidane" in page
    assert draft.number not in page


def test_the_prefecture_sees_who_filed_for_whom(client, applicant, organisation, helper, draft):
    mandate_for(applicant, organisation)
    fill_documents(draft, helper)
    services.dossier_submit_safely(dossier=draft, actor=helper, key=uuid.uuid4())
    agent = UserFactory(role=Role.AGENT)
    Prefecture.objects.get(departement_code="75").staff.add(agent)
    client.force_login(agent)
    device = TOTPDevice.objects.create(user=agent, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    page = client.get(f"/fr/instruction/{draft.number}/").content.decode()
    assert f"par {helper.display_name} (Cimade Paris), pour {applicant.display_name}" in page


def test_a_helper_downloads_the_receipt_within_the_mandate_and_not_after(
    client, applicant, organisation, helper, draft
):
    mandate = mandate_for(applicant, organisation)
    fill_documents(draft, helper)
    services.dossier_submit_safely(dossier=draft, actor=helper, key=uuid.uuid4())
    code = draft.attestations.get().code
    client.force_login(helper)
    response = client.get(f"/fr/demandes/{draft.number}/attestations/{code}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    helper_services.mandate_revoke(mandate=mandate, actor=applicant)
    assert client.get(f"/fr/demandes/{draft.number}/attestations/{code}/").status_code == 403


def test_a_filing_reaches_the_organisation_with_its_verification_code(
    applicant, organisation, manager, draft
):
    mandate_for(applicant, organisation, scopes=(Scope.VIEW, Scope.NOTIFICATIONS))
    fill_documents(draft, applicant)

    services.dossier_submit(dossier=draft, actor=applicant, key=uuid.uuid4())

    receipt = draft.attestations.get()
    copy = Notification.objects.get(recipient=manager)
    assert draft.number in copy.subject
    assert receipt.code in copy.body


def test_the_helpers_figures_say_one_in_the_singular(client, applicant, organisation, helper):
    mandate_for(applicant, organisation)
    client.force_login(helper)
    page = client.get("/en/demandes/accompagnees/").content.decode()
    assert "<strong>1</strong> applicant under mandate" in page
    assert "<strong>0</strong> applications" in page
    assert "1</strong> applicants" not in page


def test_the_button_that_ends_a_mandate_says_so(client, applicant, organisation):
    mandate = mandate_for(applicant, organisation)
    client.force_login(applicant)
    for lang, words, wrong in [
        ("en", "End the mandate for what I ticked", ">Withdraw<"),
        ("fr", "Mettre fin au mandat", "Retirer la demande"),
    ]:
        page = client.get(f"/{lang}/aidants/mes-mandats/{mandate.pk}/retirer/").content.decode()
        assert words in page
        assert wrong not in page
