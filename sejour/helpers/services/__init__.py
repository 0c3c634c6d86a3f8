"""Writes of helpers: organisations, members, mandates, lawyers' declarations, accounts opened
for people without e-mail or phone (one module each, all reached from here).

Each function checks the actor's right, changes state in one transaction, writes the audit
journal in that same transaction, and queues messages there too.
"""

from sejour.helpers.services.mandates import (
    ConsentTextChanged,
    NoScope,
    UnknownApplicant,
    consent_text,
    expiry_of,
    mandate_code_resend,
    mandate_confirm,
    mandate_grant,
    mandate_renew,
    mandate_request_in_person,
    mandate_revoke,
    renewal_text,
    text_digest,
)
from sejour.helpers.services.openings import (
    access_code_issue,
    account_open,
    account_open_at_counter,
    account_take_over,
    normalize_takeover_code,
    opening_for,
    spaced_code,
)
from sejour.helpers.services.organisations import (
    invitation_accept,
    invitation_for,
    invitation_send,
    member_remove,
    organisation_apply,
    organisation_refuse,
    organisation_verify,
)
from sejour.helpers.services.representations import representation_declare, representation_end

__all__ = [
    "ConsentTextChanged",
    "NoScope",
    "UnknownApplicant",
    "access_code_issue",
    "account_open",
    "account_open_at_counter",
    "account_take_over",
    "consent_text",
    "expiry_of",
    "invitation_accept",
    "invitation_for",
    "invitation_send",
    "mandate_code_resend",
    "mandate_confirm",
    "mandate_grant",
    "mandate_renew",
    "mandate_request_in_person",
    "mandate_revoke",
    "member_remove",
    "normalize_takeover_code",
    "opening_for",
    "organisation_apply",
    "organisation_refuse",
    "organisation_verify",
    "renewal_text",
    "representation_declare",
    "representation_end",
    "spaced_code",
    "text_digest",
]
