"""Tests of the work right carried by an extension attestation."""

import pytest

from sejour.rules.work import ProcedureKind, WorkRight, work_right_on_extension

HOLDER_KINDS = [kind for kind in ProcedureKind if kind is not ProcedureKind.FIRST]


def test_procedure_kind_values_are_the_stored_strings():
    assert [kind.value for kind in ProcedureKind] == [
        "first",
        "renewal",
        "change_of_status",
        "duplicate",
        "change_of_address",
        "change_of_family",
    ]


@pytest.mark.parametrize("kind", list(ProcedureKind))
@pytest.mark.parametrize("previous", [True, False, None])
def test_protection_holders_are_always_authorised_to_work(kind, previous):
    right = work_right_on_extension(
        procedure_kind=kind,
        previous_permit_allows_work=previous,
        permit_type_allows_work_on_first=False,
        protection=True,
    )
    assert right is WorkRight.AUTHORISED


@pytest.mark.parametrize(
    ("type_allows", "expected"),
    [(True, WorkRight.AUTHORISED), (False, WorkRight.NOT_AUTHORISED)],
)
def test_first_application_follows_the_permit_type_table(type_allows, expected):
    right = work_right_on_extension(
        procedure_kind="first",
        previous_permit_allows_work=None,
        permit_type_allows_work_on_first=type_allows,
        protection=False,
    )
    assert right is expected


@pytest.mark.parametrize("kind", HOLDER_KINDS)
@pytest.mark.parametrize(
    ("previous", "expected"),
    [(True, WorkRight.AUTHORISED), (False, WorkRight.NOT_AUTHORISED)],
)
def test_holder_procedures_keep_the_previous_permit_right(kind, previous, expected):
    # The permit type's first-application value must not leak into a renewal.
    right = work_right_on_extension(
        procedure_kind=kind.value,
        previous_permit_allows_work=previous,
        permit_type_allows_work_on_first=not previous,
        protection=False,
    )
    assert right is expected


@pytest.mark.parametrize("kind", HOLDER_KINDS)
def test_holder_procedure_without_previous_right_is_an_error(kind):
    with pytest.raises(ValueError, match="previous permit"):
        work_right_on_extension(
            procedure_kind=kind,
            previous_permit_allows_work=None,
            permit_type_allows_work_on_first=True,
            protection=False,
        )


def test_unknown_procedure_kind_is_an_error():
    with pytest.raises(ValueError, match="naturalisation"):
        work_right_on_extension(
            procedure_kind="naturalisation",
            previous_permit_allows_work=True,
            permit_type_allows_work_on_first=True,
            protection=True,
        )
