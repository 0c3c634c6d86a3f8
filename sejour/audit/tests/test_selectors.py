"""Who may read which entries of the journal."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sejour.audit import services as audit
from sejour.audit.selectors import entries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    helper, applicant, bystander = make_user("helper"), make_user(), make_user()
    entries = {
        "own": audit.record(actor=applicant, action="account.logged_in"),
        "for_applicant": audit.record(
            actor=helper, action="dossier.submitted", target=applicant, on_behalf_of=applicant
        ),
        "helper_alone": audit.record(actor=helper, action="account.logged_in"),
        "system": audit.record(actor=None, action="attestation.sweep_ran"),
        "bystander": audit.record(actor=bystander, action="account.logged_in"),
    }
    return {"helper": helper, "applicant": applicant, "bystander": bystander, **entries}


def _names(entries, people):
    by_pk = {people[name].pk: name for name in people if hasattr(people[name], "seq")}
    return [by_pk[entry.pk] for entry in entries]


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_admins_and_supervisors_read_the_whole_journal_newest_first(make_user, people, role):
    viewer = make_user(role)

    names = _names(entries_for(viewer=viewer), people)

    assert names == ["bystander", "system", "helper_alone", "for_applicant", "own"]


def test_superuser_reads_the_whole_journal(make_user, people):
    viewer = make_user("applicant", is_superuser=True)

    assert len(entries_for(viewer=viewer)) == 5


def test_applicant_reads_what_they_did_and_what_was_done_for_them(people):
    names = _names(entries_for(viewer=people["applicant"]), people)

    assert names == ["for_applicant", "own"]


def test_helper_reads_only_what_they_did(people):
    names = _names(entries_for(viewer=people["helper"]), people)

    assert names == ["helper_alone", "for_applicant"]


@pytest.mark.parametrize("role", ["agent", "support", "helper", "applicant"])
def test_other_roles_read_nothing_of_other_people(make_user, people, role):
    viewer = make_user(role)

    assert list(entries_for(viewer=viewer)) == []


def test_inactive_supervisor_reads_only_their_own(make_user, people):
    viewer = make_user("supervisor", is_active=False)
    own = audit.record(actor=viewer, action="account.deactivated")

    assert list(entries_for(viewer=viewer)) == [own]


@pytest.mark.parametrize("viewer", [None, AnonymousUser()])
def test_anonymous_reads_nothing(people, viewer):
    assert list(entries_for(viewer=viewer)) == []


def test_entries_about_one_object(make_user, people):
    viewer = make_user("admin")

    names = _names(entries_for(viewer=viewer, target=people["applicant"]), people)

    assert names == ["for_applicant"]


def test_entries_of_one_actor_stay_within_what_the_viewer_may_read(make_user, people):
    admin = make_user("admin")

    assert _names(entries_for(viewer=admin, actor=people["helper"]), people) == [
        "helper_alone",
        "for_applicant",
    ]
    assert _names(entries_for(viewer=people["applicant"], actor=people["helper"]), people) == [
        "for_applicant"
    ]
