"""Writes of the support desk: reports and their files, the fixes made from them, call-backs
(one module each, all reached from here).

Each function checks the actor's right, changes state in one transaction, writes the audit
journal in that same transaction, and queues messages there too.
"""

from sejour.support.choices import window_label
from sejour.support.escalation import prefecture_for, reports_escalate_overdue
from sejour.support.services.callbacks import call_days, callback_close, callback_request
from sejour.support.services.fixes import (
    IdentityNotChecked,
    access_restore,
    report_fix_access,
    report_fix_contact,
    report_fix_impossibility,
    report_fix_reissue,
)
from sejour.support.services.reports import (
    ATTACHMENTS_MAX,
    DESCRIPTION_MAX_LENGTH,
    EmptyText,
    TooLong,
    attachment_viewed,
    deadline_hours,
    report_add,
    report_answer,
    report_escalate,
    report_open,
    report_resolve,
)

__all__ = [
    "ATTACHMENTS_MAX",
    "DESCRIPTION_MAX_LENGTH",
    "EmptyText",
    "IdentityNotChecked",
    "TooLong",
    "access_restore",
    "attachment_viewed",
    "call_days",
    "callback_close",
    "callback_request",
    "deadline_hours",
    "prefecture_for",
    "report_add",
    "report_answer",
    "report_escalate",
    "report_fix_access",
    "report_fix_contact",
    "report_fix_impossibility",
    "report_fix_reissue",
    "report_open",
    "report_resolve",
    "reports_escalate_overdue",
    "window_label",
]
