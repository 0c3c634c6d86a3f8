"""Appending to the journal with services.record()."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from sejour.audit import services as audit
from sejour.audit.chain import GENESIS_HASH, entry_hash
from sejour.audit.keying import chain_key
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db


def test_first_entry_opens_the_chain_from_zeros(user):
    entry = audit.record(actor=user, action="account.signed_up", target=user)

    assert entry.seq == 1
    assert entry.prev_hash == GENESIS_HASH
    assert len(entry.hash) == 64
    assert entry.hash == entry.compute_hash()


def test_each_entry_links_to_the_hash_of_the_one_before(user):
    entries = [audit.record(actor=user, action="account.logged_in") for _ in range(5)]

    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    assert len({entry.hash for entry in entries}) == 5
    assert verify_chain() == []


def test_entry_keeps_who_did_what_for_whom_on_which_object(make_user):
    helper, applicant = make_user("helper"), make_user()

    entry = audit.record(
        actor=helper,
        action="dossier.submitted",
        target=applicant,
        on_behalf_of=applicant,
        data={"step": 2},
        ip="192.0.2.7",
    )
    entry = AuditEntry.objects.get(pk=entry.pk)

    assert entry.actor == helper
    assert entry.on_behalf_of == applicant
    assert entry.action == "dossier.submitted"
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(applicant.pk))
    assert entry.data == {"step": 2}
    assert entry.ip == "192.0.2.7"
    assert entry.hash == entry.compute_hash()


def test_system_entry_has_no_actor_and_no_target():
    entry = audit.record(actor=None, action="attestation.sweep_ran")

    assert entry.actor_id is None
    assert entry.on_behalf_of_id is None
    assert (entry.target_type, entry.target_id) == ("", "")
    assert entry.data == {}


def test_hash_seals_the_ids_of_the_people(make_user):
    actor, other = make_user(), make_user()
    entry = audit.record(actor=actor, action="account.logged_in", on_behalf_of=actor)
    fields = {
        "seq": entry.seq,
        "created_at": entry.created_at,
        "actor_id": entry.actor_id,
        "on_behalf_of_id": entry.on_behalf_of_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "data": entry.data,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
        "key": chain_key(),
    }

    assert entry_hash(**fields) == entry.hash
    assert entry_hash(**{**fields, "actor_id": other.pk}) != entry.hash
    assert entry_hash(**{**fields, "on_behalf_of_id": None}) != entry.hash


def test_recorded_at_is_the_aware_current_instant(user):
    moment = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        entry = audit.record(actor=user, action="account.logged_in")

    entry.refresh_from_db()
    assert entry.created_at == moment


def test_dates_uuids_and_decimals_are_stored_in_a_canonical_form(user):
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    entry = audit.record(
        actor=user,
        action="dossier.fee_paid",
        data={
            "on": dt.date(2025, 1, 31),
            "at": dt.datetime(2025, 1, 31, 8, 0, tzinfo=dt.UTC),
            "id": ident,
            "fee": Decimal("225.00"),
            "codes": ("A", "B"),
            "wait": dt.timedelta(days=2),
        },
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.data == {
        "on": "2025-01-31",
        "at": "2025-01-31T08:00:00+00:00",
        "id": "12345678-1234-5678-1234-567812345678",
        "fee": "225.00",
        "codes": ["A", "B"],
        "wait": "P2DT00H00M00S",
    }
    assert entry.hash == entry.compute_hash()


def test_numbers_keep_their_hash_through_the_database(user):
    data = {"whole": 2.0, "huge": 1e100, "tiny": 1.5e-10, "third": 1 / 3, "big": 2**70}
    audit.record(actor=user, action="stats.computed", data=data)

    assert verify_chain() == []
    assert AuditEntry.objects.get().data["whole"] == 2


@pytest.mark.parametrize(
    "data",
    [
        ["not", "a", "dict"],
        {"tags": {"a", "b"}},
        {1: "integer key"},
        {"blob": b"bytes"},
        {"thing": object()},
    ],
)
def test_data_that_is_not_json_is_refused(user, data):
    with pytest.raises(TypeError):
        audit.record(actor=user, action="account.logged_in", data=data)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"ratio": float("nan")},
        {"at": dt.datetime(2025, 1, 1, 12, 0)},  # noqa: DTZ001 (the naive datetime under test)
        {"text": "nul\x00byte"},
    ],
)
def test_data_that_cannot_be_stored_faithfully_is_refused(user, data):
    with pytest.raises(ValueError, match="audit data"):
        audit.record(actor=user, action="account.logged_in", data=data)


@pytest.mark.parametrize("action", ["", "login", "Account.Login", "account login", "account."])
def test_action_must_be_a_dotted_slug(user, action):
    with pytest.raises(ValueError, match="dotted slug"):
        audit.record(actor=user, action=action)


def test_actor_must_be_a_saved_user(user):
    with pytest.raises(TypeError, match="actor"):
        audit.record(actor="someone", action="account.logged_in")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_behalf_of"):
        audit.record(actor=user, action="account.logged_in", on_behalf_of=user.pk)  # type: ignore[arg-type]


def test_target_must_be_a_saved_model_instance(user):
    with pytest.raises(TypeError, match="target"):
        audit.record(actor=user, action="account.logged_in", target="dossier 12")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("", None),
    ],
)
def test_ip_is_stored_in_its_canonical_form(user, given, stored):
    entry = audit.record(actor=user, action="account.login_failed", ip=given)

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.ip == stored
    assert entry.hash == entry.compute_hash()


def test_ip_that_is_not_an_address_is_refused(user):
    with pytest.raises(ValueError, match="does not appear to be"):
        audit.record(actor=user, action="account.login_failed", ip="somewhere")


def test_entry_rolls_back_with_the_callers_transaction(user):
    audit.record(actor=user, action="account.signed_up")

    def change_that_fails():
        with transaction.atomic():
            audit.record(actor=user, action="account.email_changed")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["account.signed_up"]
    assert audit.record(actor=user, action="account.logged_in").seq == 2
    assert verify_chain() == []
