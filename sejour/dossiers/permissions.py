"""What a person may do with a dossier: dicts read by views, templates and services alike."""

from typing import Any

from sejour.accounts.choices import Role
from sejour.dossiers.choices import EDITABLE, PENDING, Status
from sejour.dossiers.models import Dossier
from sejour.rules.work import ProcedureKind


def is_owner(user: Any, dossier: Dossier) -> bool:
    return bool(user.is_authenticated and dossier.applicant_id == user.pk)


def get_abilities(user: Any, dossier: Dossier) -> dict[str, bool]:
    """The actions `user` may take on `dossier` as its applicant."""
    owner = is_owner(user, dossier)
    return {
        "view": owner,
        "edit": owner and dossier.status in EDITABLE,
        "submit": owner and dossier.status == Status.DRAFT,
        "withdraw": owner and (dossier.status == Status.DRAFT or dossier.status in PENDING),
        "message": owner and dossier.status != Status.DRAFT,
        "download": owner,
        "answer_request": owner and dossier.status == Status.AWAITING_APPLICANT,
    }


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.AGENT)


def is_supervisor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR)


def prefecture_ids(user: Any) -> set[int] | None:
    """The prefectures whose dossiers `user` may see as staff; None means all (national)."""
    if is_agent(user):
        return set(user.prefectures.values_list("pk", flat=True))
    if is_supervisor(user):
        scope = set(user.prefectures.values_list("pk", flat=True))
        return scope or None
    return set()


def in_scope(user: Any, dossier: Dossier) -> bool:
    if dossier.status == Status.DRAFT or not (is_agent(user) or is_supervisor(user)):
        return False
    scope = prefecture_ids(user)
    return scope is None or dossier.prefecture_id in scope


def can_instruct(user: Any, dossier: Dossier) -> bool:
    """An agent instructs the dossiers of the prefectures they belong to, and no other."""
    return is_agent(user) and in_scope(user, dossier)


def get_staff_abilities(user: Any, dossier: Dossier) -> dict[str, bool]:
    """The actions `user` may take on `dossier` from the back-office."""
    agent = can_instruct(user, dossier)
    supervisor = is_supervisor(user) and in_scope(user, dossier)
    pending = dossier.status in PENDING
    return {
        "view": agent or supervisor,
        "take": agent and dossier.status == Status.SUBMITTED,
        "assign": (agent or supervisor) and pending,
        "request_documents": agent and dossier.status == Status.IN_REVIEW,
        "decide": agent and dossier.status == Status.IN_REVIEW,
        "note": agent or supervisor,
        "message": agent and dossier.status != Status.DRAFT,
        "remind": agent and dossier.status == Status.AWAITING_APPLICANT,
        "withdraw_decision": supervisor and dossier.status in (Status.APPROVED, Status.REFUSED),
        # A late renewal gets no extension attestation as of right; the prefecture may grant it.
        "grant_extension": (agent or supervisor)
        and pending
        and dossier.procedure.kind == ProcedureKind.RENEWAL
        and dossier.permit_expires_on is not None
        and dossier.cover_basis == "",
        "hand_over": agent and dossier.status == Status.APPROVED,
    }
