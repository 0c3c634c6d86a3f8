"""The dossier's states and the actions that move it: a table, and one entry point."""

from sejour.core.errors import InvalidTransition
from sejour.dossiers.choices import PENDING, Status

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "take": (frozenset({Status.SUBMITTED}), Status.IN_REVIEW),
    "request_documents": (frozenset({Status.IN_REVIEW}), Status.AWAITING_APPLICANT),
    "complete": (frozenset({Status.AWAITING_APPLICANT}), Status.IN_REVIEW),
    "approve": (frozenset({Status.IN_REVIEW}), Status.APPROVED),
    "refuse": (frozenset({Status.IN_REVIEW}), Status.REFUSED),
    "hand_over": (frozenset({Status.APPROVED}), Status.CLOSED),
    "withdraw": (frozenset({Status.DRAFT, *PENDING}), Status.WITHDRAWN),
    # A supervisor takes back a decision (with a recorded reason): the review starts again.
    "withdraw_decision": (frozenset({Status.APPROVED, Status.REFUSED}), Status.IN_REVIEW),
}


def allowed(action: str, status: str) -> bool:
    """Whether `action` may be taken from `status`."""
    sources, _target = TRANSITIONS[action]
    return status in sources


def target(action: str, status: str) -> str:
    """The state `action` leads to from `status`; raises InvalidTransition if it may not."""
    if action not in TRANSITIONS or not allowed(action, status):
        raise InvalidTransition()
    return TRANSITIONS[action][1]
