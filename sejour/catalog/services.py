"""Writes of the catalogue: loading the data files into the database."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from sejour.accounts.models import User
from sejour.audit import services as audit
from sejour.catalog.loader import DATA_DIR, CatalogData, read_catalog
from sejour.catalog.models import (
    CatalogVersion,
    ChecklistItem,
    PermitType,
    Prefecture,
    Procedure,
)
from sejour.core import clock

Row = TypeVar("Row", bound=models.Model)

CREATED, UPDATED, UNCHANGED, DEACTIVATED = "created", "updated", "unchanged", "deactivated"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, DEACTIVATED)
KINDS = ("permit_types", "procedures", "checklist_items", "prefectures")


@dataclass
class LoadReport:
    """What one load did to each kind of row: created, updated, unchanged, deactivated."""

    version: str
    prefectures_version: str
    sha256: str
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(OUTCOMES, 0) for kind in KINDS}
    )
    warnings: list[str] = field(default_factory=list)
    version_recorded: bool = False

    def add(self, kind: str, outcome: str, number: int = 1) -> None:
        self.counts[kind][outcome] += number

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(outcome) for outcome in (CREATED, UPDATED, DEACTIVATED))


@dataclass
class _Synced(Generic[Row]):
    objects: dict[str, tuple[Row, str]]
    deactivated: int


@transaction.atomic
def catalog_load(*, actor: User | None = None, data_dir: Path = DATA_DIR) -> LoadReport:
    """Bring the catalogue in line with the data files; a second identical load writes nothing.

    Rows are matched by code. Rows missing from the files are deactivated, never deleted, so
    that dossiers filed under them keep their meaning. A malformed file raises
    CatalogDataError, listing every problem found, before anything is written.
    """
    data = read_catalog(data_dir)
    report = LoadReport(
        version=data.version, prefectures_version=data.prefectures_version, sha256=data.sha256
    )
    permit_types = _sync(PermitType, PermitType.objects.all(), data.permit_types)
    _count(report, "permit_types", permit_types)
    _load_procedures(data, permit_types, report)
    _count(report, "prefectures", _sync(Prefecture, Prefecture.objects.all(), data.prefectures))
    _record_version(data, report, actor)
    return report


def _sync(
    model: type[Row],
    existing: Iterable[Row],
    rows: Iterable[Mapping[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> _Synced[Row]:
    """Create, update or deactivate rows of `model` so that they match `rows`, by code.

    Only the fields whose value differs are written: an unchanged row costs no write.
    """
    by_code: dict[str, Row] = {getattr(obj, "code"): obj for obj in existing}  # noqa: B009
    result: dict[str, tuple[Row, str]] = {}
    for row in rows:
        values = {**row, **(extra or {})}
        obj = by_code.get(values["code"])
        if obj is None:
            obj = model(**values)
            obj.save(force_insert=True)
            result[values["code"]] = (obj, CREATED)
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
        result[values["code"]] = (obj, UPDATED if changed else UNCHANGED)
    stale = [
        obj.pk
        for code, obj in by_code.items()
        if code not in result and getattr(obj, "active")  # noqa: B009
    ]
    if stale:
        model._default_manager.filter(pk__in=stale).update(active=False, updated_at=clock.now())
    return _Synced(objects=result, deactivated=len(stale))


def _count(report: LoadReport, kind: str, synced: _Synced[Any]) -> None:
    for _obj, outcome in synced.objects.values():
        report.add(kind, outcome)
    report.add(kind, DEACTIVATED, synced.deactivated)


def _load_procedures(
    data: CatalogData, permit_types: _Synced[PermitType], report: LoadReport
) -> None:
    """Procedures, with their permit types (part of the procedure) and checklist items."""
    procedures = _sync(
        Procedure,
        Procedure.objects.prefetch_related("permit_types"),
        [procedure.fields for procedure in data.procedures],
    )
    items_by_procedure: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.all():
        items_by_procedure.setdefault(item.procedure_id, []).append(item)
    for row in data.procedures:
        procedure, outcome = procedures.objects[row.fields["code"]]
        wanted = {permit_types.objects[code][0].pk for code in row.permit_type_codes}
        current = {permit_type.pk for permit_type in procedure.permit_types.all()}
        if wanted != current:
            procedure.permit_types.set(wanted)
            if outcome == UNCHANGED:
                procedures.objects[row.fields["code"]] = (procedure, UPDATED)
        items = _sync(
            ChecklistItem,
            items_by_procedure.get(procedure.pk, []),
            row.checklist,
            extra={"procedure": procedure},
        )
        _count(report, "checklist_items", items)
    _count(report, "procedures", procedures)


def _record_version(data: CatalogData, report: LoadReport, actor: User | None) -> None:
    """Record the files' version when they differ from the last load or changed the rows."""
    latest = CatalogVersion.objects.order_by("-loaded_at", "-pk").first()
    same_files = latest is not None and latest.sha256 == data.sha256
    if (
        latest is not None
        and not same_files
        and latest.version == data.version
        and latest.prefectures_version == data.prefectures_version
    ):
        report.warnings.append(
            f"The data files changed but their versions ({data.version}, "
            f"{data.prefectures_version}) did not: raise 'version' in the file you edited."
        )
    if same_files and not report.changed:
        return
    summary = {kind: dict(counts) for kind, counts in report.counts.items()}
    CatalogVersion.objects.create(
        version=data.version,
        prefectures_version=data.prefectures_version,
        sha256=data.sha256,
        summary=summary,
        loaded_at=clock.now(),
    )
    report.version_recorded = True
    if report.changed:
        audit.record(
            actor=actor,
            action="catalog.loaded",
            target=None,
            data={
                "version": data.version,
                "prefectures_version": data.prefectures_version,
                "sha256": data.sha256,
                "counts": summary,
            },
        )
