"""The sweep works by batches: what a batch asks the database does not grow with its size.

`continuity._due` reads only the columns the sweep uses, and the catalogue once per batch: a
field read by `_facts` or `_next` but left out there would cost one query per dossier, which
this test catches. It also checks the batch's rows, on SQLite and on PostgreSQL (where they
are written with COPY).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sejour.accounts.tests.factories import UserFactory
from sejour.attestations import signing
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import verify_chain
from sejour.catalog.models import PermitType, Prefecture
from sejour.dossiers import continuity
from sejour.dossiers.choices import CoverBasis, EventKind, Status
from sejour.dossiers.models import Dossier, Event
from sejour.notifications.models import Reminder
from sejour.rules.dates import add_days

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
PERMITS = ("cst-salarie", "carte-resident-refugie", "cst-etudiant")
DEPARTEMENTS = ("75", "93", "69", "13")


def _due(renewal, count: int, first: int) -> list[Dossier]:
    """`count` filed renewals due today: odd ones for their first attestation."""
    made = []
    for i in range(first, first + count):
        renewing = i % 2 == 0
        made.append(
            Dossier.objects.create(
                number=f"2026-TEST-{i:04d}",
                applicant=UserFactory(date_of_birth=dt.date(1990, 5, 17)),
                procedure=renewal,
                permit_type=PermitType.objects.get(code=PERMITS[i % len(PERMITS)]),
                prefecture=Prefecture.objects.get(
                    departement_code=DEPARTEMENTS[i % len(DEPARTEMENTS)]
                ),
                status=Status.IN_REVIEW if i % 3 else Status.SUBMITTED,
                submitted_at=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC),
                permit_expires_on=add_days(TODAY, -80 if renewing else 10),
                cover_basis=CoverBasis.RIGHT,
                covered_until=add_days(TODAY, 10) if renewing else None,
                cover_next_on=add_days(TODAY, -(i % 3)),
            )
        )
    return made


def _swept() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        issued = continuity.sweep(today=TODAY, batch_size=100)
    return issued, len(captured.captured_queries)


def test_a_batch_asks_as_much_for_many_dossiers_as_for_one(renewal):
    _due(renewal, 1, first=0)
    issued, queries_for_one = _swept()
    assert issued == 1
    dossiers = _due(renewal, 12, first=1)
    starts = {d.pk: add_days(d.covered_until or d.permit_expires_on, 1) for d in dossiers}
    issued, queries_for_twelve = _swept()
    assert issued == 12
    assert queries_for_twelve == queries_for_one

    for dossier in dossiers:
        dossier.refresh_from_db()
        (issued_one,) = Attestation.objects.filter(dossier=dossier)
        assert issued_one.valid_from == starts[dossier.pk]
        assert dossier.covered_until == issued_one.valid_until
        assert dossier.cover_next_on > TODAY
        assert issued_one.holder_id == dossier.applicant_id
        assert issued_one.facts["dossier"] == dossier.number
        assert issued_one.facts["holder"] == dossier.applicant.display_name
        assert issued_one.pdf.name == ""
        assert issued_one.revoked_at is None
        payload = signing.verify(issued_one.token)
        assert (payload["code"], payload["from"]) == (
            issued_one.code,
            issued_one.valid_from.isoformat(),
        )
        assert AuditEntry.objects.filter(
            action="attestation.issued", target_id=str(issued_one.pk)
        ).exists()
        (event,) = Event.objects.filter(dossier=dossier, kind=EventKind.ATTESTATION_ISSUED)
        assert event.data["code"] == issued_one.code
        assert event.at is not None
        reminder = Reminder.objects.get(key=f"attestation:{issued_one.code}")
        assert reminder.recipient_id == dossier.applicant_id
        assert reminder.sent_at is None
    assert verify_chain() == []
    assert _swept()[0] == 0  # nothing left due


def test_a_dossier_due_behind_the_batches_already_taken_is_issued_in_the_same_run(
    renewal, monkeypatch
):
    """Each batch starts where the previous one ended; when none is left there, the sweep
    looks once more from the start (a dossier skipped while locked, or due meanwhile)."""
    first, second, third, later = _due(renewal, 4, first=100)
    for dossier, days in ((first, -3), (second, -2), (third, -1), (later, 5)):
        Dossier.objects.filter(pk=dossier.pk).update(cover_next_on=add_days(TODAY, days))
    apply = continuity._apply

    def apply_and_make_one_due_behind(dossiers, today):
        if dossiers[0].pk == second.pk:  # the documents of `later` arrive meanwhile
            Dossier.objects.filter(pk=later.pk).update(cover_next_on=add_days(TODAY, -4))
        return apply(dossiers, today)

    monkeypatch.setattr(continuity, "_apply", apply_and_make_one_due_behind)
    assert continuity.sweep(today=TODAY, batch_size=1) == 4
    assert Attestation.objects.filter(dossier=later).count() == 1
    assert not Dossier.objects.filter(cover_next_on__lte=TODAY).exists()
