"""The "authorised to work" mention carried by an extension attestation."""

from enum import StrEnum


class ProcedureKind(StrEnum):
    """What the applicant asks for (démarche)."""

    FIRST = "first"
    RENEWAL = "renewal"
    CHANGE_OF_STATUS = "change_of_status"
    DUPLICATE = "duplicate"
    CHANGE_OF_ADDRESS = "change_of_address"
    CHANGE_OF_FAMILY = "change_of_family"


class WorkRight(StrEnum):
    """Whether an attestation authorises its holder to work."""

    AUTHORISED = "authorised"
    NOT_AUTHORISED = "not_authorised"


def _right(allowed: bool) -> WorkRight:
    return WorkRight.AUTHORISED if allowed else WorkRight.NOT_AUTHORISED


def work_right_on_extension(
    *,
    procedure_kind: str,
    previous_permit_allows_work: bool | None,
    permit_type_allows_work_on_first: bool,
    protection: bool,
) -> WorkRight:
    """Return the work right an attestation carries (R.431-15-2, R.431-15-3, R.431-15-4).

    Refugees and subsidiary-protection holders are always authorised. A first application
    follows the table value of the permit type asked for. Every other procedure is made by
    the holder of a permit, and the attestation keeps that permit's right: for a renewal
    the law says so; for a change of status the new status's right exists only once it is
    granted, so until the decision the holder keeps what the old permit gave; a duplicate
    or a change of address or family leaves the permit itself unchanged.
    """
    kind = ProcedureKind(procedure_kind)  # raises ValueError on an unknown kind
    if protection:
        return WorkRight.AUTHORISED
    if kind is ProcedureKind.FIRST:
        return _right(permit_type_allows_work_on_first)
    if previous_permit_allows_work is None:
        raise ValueError(f"A {kind.value} procedure needs the previous permit's work right.")
    return _right(previous_permit_allows_work)
