"""What a person may do with a dossier: dicts read by views, templates and services alike."""

from typing import Any

from sejour.accounts.choices import Role
from sejour.dossiers.choices import EDITABLE, PENDING, Channel, Status
from sejour.dossiers.models import Dossier
from sejour.helpers import selectors as helpers
from sejour.helpers.choices import Scope
from sejour.rules.work import ProcedureKind


def is_owner(user: Any, dossier: Dossier) -> bool:
    return bool(user.is_authenticated and dossier.applicant_id == user.pk)


def is_helper(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.HELPER)


def helper_scopes(user: Any, dossier: Dossier) -> frozenset[str]:
    """What a helper may do on `dossier` now, through a mandate or a lawyer's declaration.

    Read from the database on every call: an ended mandate stops access at once.
    """
    if not is_helper(user) or is_owner(user, dossier):
        return frozenset()
    return helpers.scopes_for(helper=user, applicant_id=dossier.applicant_id, dossier_id=dossier.pk)


def may(user: Any, dossier: Dossier, scope: str) -> bool:
    """Whether `user` may do `scope` on `dossier`: as its applicant, or as a helper for them."""
    return is_owner(user, dossier) or scope in helper_scopes(user, dossier)


def can_prepare_for(user: Any, applicant: Any) -> bool:
    """Whether `user` may start an application for `applicant` (themself, or under mandate)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if applicant.pk == user.pk:
        return True
    return Scope.PREPARE in helpers.scopes_for(helper=user, applicant_id=applicant.pk)


def at_counter(user: Any, dossier: Dossier) -> bool:
    """A prefecture agent preparing and filing a draft at the counter or from paper (the
    substitute channel): the agent who took it on, or one of the prefecture it goes to."""
    if not is_agent(user) or dossier.channel == Channel.ONLINE or dossier.status != Status.DRAFT:
        return False
    return dossier.filed_by_id == user.pk or dossier.prefecture_id in (prefecture_ids(user) or ())


def get_abilities(user: Any, dossier: Dossier) -> dict[str, bool]:
    """The actions `user` may take on `dossier` as its applicant, or as a helper within the
    applicant's mandate (the same actions, but withdrawing, which stays the applicant's), or
    as the agent filing it at the counter (preparing and filing only)."""
    owner = is_owner(user, dossier)
    scopes: frozenset[str]
    if at_counter(user, dossier):
        scopes = frozenset((Scope.VIEW, Scope.PREPARE, Scope.SUBMIT))
    else:
        scopes = frozenset(Scope.values) if owner else helper_scopes(user, dossier)
    view = Scope.VIEW in scopes
    prepare = view and Scope.PREPARE in scopes
    return {
        "view": view,
        "edit": prepare and dossier.status in EDITABLE,
        "submit": view and Scope.SUBMIT in scopes and dossier.status == Status.DRAFT,
        "withdraw": owner and (dossier.status == Status.DRAFT or dossier.status in PENDING),
        "message": view and Scope.MESSAGE in scopes and dossier.status != Status.DRAFT,
        "download": view,
        "answer_request": prepare and dossier.status == Status.AWAITING_APPLICANT,
        "for_someone": view and not owner,
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
