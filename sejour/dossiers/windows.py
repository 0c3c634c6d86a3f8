"""The dossier's legal dates: the renewal window (R.431-5) and the silence deadline (R.432-2)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sejour.dossiers.models import Dossier
from sejour.rules.dates import paris_date
from sejour.rules.decisions import Pause, implicit_decision_date
from sejour.rules.filing import Timeliness, filing_timeliness, renewal_window
from sejour.rules.work import ProcedureKind


@dataclass(frozen=True)
class FilingCheck:
    """The window of a renewal and where a given day falls in it."""

    window_opens: dt.date
    window_closes: dt.date
    expiry: dt.date
    timeliness: Timeliness

    @property
    def too_early(self) -> bool:
        return self.timeliness == Timeliness.EARLY

    @property
    def late(self) -> bool:
        return self.timeliness in (Timeliness.LATE, Timeliness.AFTER_EXPIRY)

    @property
    def after_expiry(self) -> bool:
        return self.timeliness == Timeliness.AFTER_EXPIRY


def filing_check(*, dossier: Dossier, on: dt.date) -> FilingCheck | None:
    """The window check of a renewal whose expiry date is known; None for other procedures."""
    if dossier.procedure.kind != ProcedureKind.RENEWAL or dossier.permit_expires_on is None:
        return None
    anef = dossier.permit_type.is_anef if dossier.permit_type else True
    expiry = dossier.permit_expires_on
    window = renewal_window(expiry=expiry, anef=anef)
    return FilingCheck(
        window_opens=window.opens,
        window_closes=window.closes,
        expiry=expiry,
        timeliness=filing_timeliness(filed_on=on, expiry=expiry, anef=anef),
    )


def decision_due(*, dossier: Dossier, pauses: Sequence[Pause] = ()) -> dt.date | None:
    """When the administration's silence becomes an implicit decision (R.432-2).

    Counted from the filing date (that of the first attempt), pushed back by the days the
    applicant was being asked for documents.
    """
    if dossier.submitted_at is None:
        return None
    filed_on = paris_date(dossier.submitted_at)
    months = dossier.permit_type.implicit_decision_months if dossier.permit_type else None
    if months:
        return implicit_decision_date(complete_on=filed_on, delay_months=months, pauses=pauses)
    return implicit_decision_date(complete_on=filed_on, pauses=pauses)
