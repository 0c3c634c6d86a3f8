"""Background tasks of dossiers."""

from django_tasks import task

from sejour.core import clock
from sejour.dossiers import continuity, gaps, scanning


@task()
def document_scan(*, document_id: int) -> str:
    """Scan one uploaded file with the antivirus before anyone may open it."""
    return scanning.document_scan_run(document_id=document_id)


@task()
def cover_sweep() -> int:
    """Issue the extension and favourable-decision attestations that are due."""
    return continuity.sweep()


@task()
def continuity_check() -> int:
    """The daily proof: find every person-day without a document, alert the supervisors."""
    today = clock.today()
    found = list(gaps.find(today=today))
    continuity.supervisors_alert(gaps=found, today=today)
    return sum(gap.days for gap in found)
