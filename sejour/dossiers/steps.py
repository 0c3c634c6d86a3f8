"""Steps of a dossier that the parts above it follow (appointments), told in the transaction.

The dossiers sit below those parts and never import them: they register here when the
project starts, and each step reached is passed to them inside the transaction that reaches
it, so that what they do commits with it or not at all.
"""

from collections.abc import Callable
from typing import Any

SUBMITTED = "submitted"
APPROVED = "approved"
REFUSED = "refused"
DECISION_WITHDRAWN = "decision_withdrawn"
WITHDRAWN = "withdrawn"
CLOSED = "closed"

_followers: list[Callable[[Any, str], None]] = []


def follower_add(follower: Callable[[Any, str], None]) -> None:
    """Have `follower(dossier, step)` called at each step a dossier reaches."""
    if follower not in _followers:
        _followers.append(follower)


def reached(dossier: Any, step: str) -> None:
    """Tell every follower that `dossier` reached `step`."""
    for follower in _followers:
        follower(dossier, step)
