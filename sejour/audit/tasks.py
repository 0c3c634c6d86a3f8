"""Background tasks of the journal."""

import logging

from django_tasks import task

from sejour.audit import checkpoints

logger = logging.getLogger(__name__)


@task()
def journal_checkpoint() -> str:
    """Run daily: sign the journal's head and keep it outside the database."""
    if checkpoints.directory() is None:
        logger.warning("No audit checkpoint written: SEJOUR_AUDIT_CHECKPOINT_DIR is not set.")
        return ""
    try:
        written = checkpoints.checkpoint_write()
    except OSError:
        logger.exception("Could not write the audit journal's daily checkpoint.")
        raise
    return written.name
