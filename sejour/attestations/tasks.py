"""Background tasks of attestations."""

from django_tasks import task

from sejour.attestations import rendering


@task()
def attestation_render(*, attestation_id: int) -> str:
    """Lay out and store the PDF of a document issued in a committed transaction."""
    return rendering.pdf_store(attestation_id=attestation_id)
