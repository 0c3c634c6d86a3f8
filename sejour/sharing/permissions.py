"""Who may make share codes, and what a person may do with one: dicts read by views and services."""

import datetime as dt
from typing import Any

from sejour.accounts.choices import Role
from sejour.sharing.choices import Status
from sejour.sharing.models import ShareCode


def can_share(user: Any) -> bool:
    """Applicants make share codes, for themselves only."""
    return bool(user.is_authenticated and user.is_active and user.role == Role.APPLICANT)


def is_holder(user: Any, share_code: ShareCode) -> bool:
    return bool(user.is_authenticated and share_code.holder_id == user.pk)


def get_abilities(user: Any, share_code: ShareCode, *, today: dt.date) -> dict[str, bool]:
    """The actions `user` may take on `share_code` on `today`."""
    holder = is_holder(user, share_code)
    return {
        "view": holder,
        "revoke": holder and share_code.status_on(today) == Status.ACTIVE,
    }
