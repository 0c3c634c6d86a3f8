"""bench/continuity.py: no person-day without a document for timely filers under Séjour."""

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "bench" / "continuity.py"


@pytest.fixture(scope="module")
def continuity():
    # bench/ is not a package: load the script from its path, registered before it runs so
    # that its dataclasses find their module.
    spec = importlib.util.spec_from_file_location("bench_continuity", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.fixture(scope="module")
def small(continuity):
    return dataclasses.replace(continuity.Config(), renewals=2_000, seed=7)


def test_timely_filers_are_always_covered_under_sejour_outages_included(continuity, small):
    assert max(length for _, length in small.outages) == 8
    figures = continuity.simulate(small)

    assert figures["sejour"]["person_days_timely"] == 0
    assert figures["sejour"]["people_affected_timely"] == 0
    assert figures["target_met"] is True
    # The scenario is a hard one: many decisions after expiry, so attestations were needed.
    assert figures["queue"]["decided_after_expiry_share"] > 0.3
    assert figures["sejour"]["attestations_issued"] > figures["approved"]


def test_the_current_portal_leaves_people_without_a_document(continuity, small):
    figures = continuity.simulate(small)

    assert figures["current"]["person_days_timely"] > 0
    assert figures["current"]["person_days"] > figures["sejour"]["person_days"]
    assert figures["ratio_current_to_sejour"] > 1


def test_a_lead_shorter_than_an_outage_leaves_gaps(continuity, small):
    # The test can fail: issued 2 days ahead, an 8-day outage of the worker makes attestations late.
    config = dataclasses.replace(small, lead_days=2, outages=((270, 8),))
    figures = continuity.simulate(config)

    assert figures["sejour"]["person_days_timely"] > 0
    assert figures["target_met"] is False
    # Without the outage the same short lead is enough.
    assert continuity.simulate(dataclasses.replace(config, outages=()))["target_met"] is True


def test_same_seed_same_figures(continuity, small):
    assert continuity.simulate(small) == continuity.simulate(small)


def test_gaps_counts_the_days_no_document_in_hand_covers(continuity):
    # Filed on day 0, permit to day 9; an attestation for days 10-19 in hand only from day 12;
    # a second for days 20-29 in hand from day 18; counted until day 35 (excluded).
    documents = [(12, 10, 19), (18, 20, 29)]
    assert continuity._gaps(0, 35, 9, documents) == [2, 5]
    assert continuity._gaps(0, 30, 9, documents) == [2]
    assert continuity._gaps(0, 5, 9, []) == []


def test_parse_outages(continuity):
    assert continuity.parse_outages("60:3, 150:5") == ((60, 3), (150, 5))
    assert continuity.parse_outages("") == ()
    with pytest.raises(ValueError, match="Bad outage"):
        continuity.parse_outages("10:0")
