"""The proof of continuity: every person-day since filing without a valid document in hand.

For each dossier still owed cover (a pending renewal covered as of right or by a grant, or an
approval whose card is not handed over yet), each day from filing to today must be covered by
the old permit (up to its expiry) or by a live attestation of the dossier that was already
issued on that day (a document that arrives late does not cover the days before it came).
Days the application was held back by overdue documents are reported with that reason.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Q

from sejour.attestations.choices import Kind
from sejour.attestations.models import Attestation
from sejour.dossiers.choices import PENDING, CoverBasis, Status
from sejour.dossiers.continuity import PERMIT_KINDS
from sejour.dossiers.models import DocumentRequest, Dossier
from sejour.rules.dates import add_days, paris_date

CHUNK = 2000


@dataclass(frozen=True)
class Gap:
    """Consecutive days one person held no valid document, though one was owed."""

    dossier: str
    holder_id: int
    first: dt.date
    last: dt.date
    reason: str  # "" (the service failed) or "documents_overdue" (held back by the applicant)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _owed() -> Q:
    pending_covered = Q(status__in=PENDING) & ~Q(cover_basis="")
    approved = Q(status=Status.APPROVED, procedure__kind__in=PERMIT_KINDS)
    return Q(submitted_at__isnull=False) & (pending_covered | approved)


def _uncovered(
    start: dt.date, end: dt.date, covered: Sequence[tuple[dt.date, dt.date]]
) -> Iterator[tuple[dt.date, dt.date]]:
    """The runs of days of [start, end] that no interval of `covered` contains."""
    day = start
    for first, last in sorted(covered):
        if last < day:
            continue
        if first > end:
            break
        if first > day:
            yield day, min(add_days(first, -1), end)
        day = max(day, add_days(last, 1))
        if day > end:
            return
    if day <= end:
        yield day, end


def _held(
    gaps: Iterator[tuple[dt.date, dt.date]], holds: Sequence[tuple[dt.date, dt.date]]
) -> Iterator[tuple[dt.date, dt.date, str]]:
    for first, last in gaps:
        inside = any(hold_first <= first and last <= hold_last for hold_first, hold_last in holds)
        yield first, last, "documents_overdue" if inside else ""


def find(*, today: dt.date) -> Iterator[Gap]:
    """Every gap of every dossier owed cover, up to and including `today`."""
    rows = (
        Dossier.objects.filter(_owed())
        .order_by("pk")
        .values_list(
            "pk",
            "number",
            "applicant_id",
            "submitted_at",
            "permit_expires_on",
            "cover_basis",
            "decided_at",
        )
    )
    last_pk = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_pk)[:CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        ids = [row[0] for row in chunk]
        covered: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for dossier_id, valid_from, valid_until, ends_on, issued_at in Attestation.objects.filter(
            dossier_id__in=ids,
            kind__in=(Kind.EXTENSION, Kind.FAVOURABLE),
            revoked_at__isnull=True,
        ).values_list("dossier_id", "valid_from", "valid_until", "ends_on", "issued_at"):
            if valid_from is None or valid_until is None:
                continue
            last = min(valid_until, ends_on) if ends_on else valid_until
            covered[dossier_id].append((max(valid_from, paris_date(issued_at)), last))
        holds: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for dossier_id, deadline, answered_at in DocumentRequest.objects.filter(
            dossier_id__in=ids
        ).values_list("dossier_id", "deadline", "answered_at"):
            end = paris_date(answered_at) if answered_at else today
            holds[dossier_id].append((add_days(deadline, 1), end))
        for pk, number, holder_id, submitted_at, expires_on, basis, decided_at in chunk:
            assert submitted_at is not None
            start = paris_date(submitted_at)
            intervals = list(covered[pk])
            if not basis:
                # A late filing is owed nothing until approval, then the favourable cover.
                if decided_at is None:
                    continue
                start = paris_date(decided_at)
            elif basis == CoverBasis.GRANTED:
                # Granted: owed from the first day the grant covers (a grant never backdates).
                firsts = [first for first, _last in intervals]
                if firsts:
                    start = max(start, min(firsts))
                elif expires_on is not None:
                    start = max(start, add_days(expires_on, 1))
            if expires_on is not None:
                intervals.append((start, expires_on))
            for first, last, reason in _held(
                _uncovered(start, today, intervals), holds.get(pk, [])
            ):
                yield Gap(
                    dossier=number, holder_id=holder_id, first=first, last=last, reason=reason
                )
