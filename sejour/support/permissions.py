"""Who may do what with a report: dicts read by views, templates and services alike."""

from typing import Any

from sejour.accounts.choices import Role
from sejour.dossiers import permissions as dossier_permissions
from sejour.support.choices import WAITING, Status
from sejour.support.models import Report


def is_support(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.SUPPORT)


def can_report(user: Any) -> bool:
    """Applicants and helpers report what blocks them; staff have their own tools."""
    return bool(
        user.is_authenticated and user.is_active and user.role in (Role.APPLICANT, Role.HELPER)
    )


def has_desk(user: Any) -> bool:
    """The support desk, and the prefectures' staff for the reports passed to them."""
    return is_support(user) or bool(
        dossier_permissions.is_agent(user) or dossier_permissions.is_supervisor(user)
    )


def is_concerned(user: Any, report: Report) -> bool:
    """The person the report is about, or who wrote it."""
    return bool(user.is_authenticated and user.pk in (report.applicant_id, report.author_id))


def in_prefecture(user: Any, report: Report) -> bool:
    """A prefecture agent or supervisor, once the report was passed to their prefecture."""
    if report.escalated_at is None:
        return False
    if not (dossier_permissions.is_agent(user) or dossier_permissions.is_supervisor(user)):
        return False
    scope = dossier_permissions.prefecture_ids(user)
    return scope is None or report.escalated_to_id in scope


def get_report_abilities(user: Any, report: Report) -> dict[str, bool]:
    """The actions `user` may take on `report`."""
    concerned = is_concerned(user, report) and user.is_active
    support = is_support(user)
    prefecture = in_prefecture(user, report)
    waiting = report.status in WAITING
    return {
        "view": concerned or support or prefecture,
        "add": concerned and waiting,
        "answer": waiting and (support or (prefecture and report.status == Status.ESCALATED)),
        "escalate": support and report.status in (Status.OPEN, Status.ANSWERED),
        "resolve": waiting and (support or prefecture),
        "internal": support or prefecture,
        # Repairs: the support desk, and the prefecture's agents once the report is theirs
        # (a supervisor reads, an agent acts).
        "fix": waiting
        and (
            support
            or (
                prefecture
                and dossier_permissions.is_agent(user)
                and report.status == Status.ESCALATED
            )
        ),
        "callback": concerned and waiting,
    }


def has_calls(user: Any) -> bool:
    """The planned call-backs are the support desk's."""
    return is_support(user)


def has_figures(user: Any) -> bool:
    """The support figures are for supervisors (a prefecture's, for the reports passed to it)."""
    return dossier_permissions.is_supervisor(user)


def can_restore_access(user: Any) -> bool:
    """Who checks a person's identity in person and gives their account back: the support
    desk and the prefectures' agents."""
    return is_support(user) or dossier_permissions.is_agent(user)
