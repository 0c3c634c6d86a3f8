"""Loading the catalogue data files: complete, idempotent, driven by data alone."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sejour.audit.models import AuditEntry
from sejour.catalog import data_strings
from sejour.catalog.choices import ProcedureKind
from sejour.catalog.loader import DATA_DIR, CatalogDataError, read_catalog
from sejour.catalog.models import (
    CatalogVersion,
    ChecklistItem,
    PermitType,
    Prefecture,
    Procedure,
)
from sejour.catalog.services import catalog_load

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped data files, free to edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(data_dir: Path, filename: str, change) -> None:
    path = data_dir / filename
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def procedure_entry(document: dict, code: str) -> dict:
    return next(entry for entry in document["procedures"] if entry["code"] == code)


def test_load_fills_the_catalogue():
    report = catalog_load()

    assert PermitType.objects.active().count() >= 11
    assert set(Procedure.objects.values_list("kind", flat=True)) == set(ProcedureKind.values)
    assert report.counts["permit_types"]["created"] == PermitType.objects.count()
    assert report.counts["checklist_items"]["created"] == ChecklistItem.objects.count()
    assert report.total("updated") == 0


def test_load_has_every_prefecture_once():
    catalog_load()

    codes = list(Prefecture.objects.values_list("departement_code", flat=True))
    assert len(codes) == 104
    assert len(set(codes)) == 104
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert len(metropolitan) == 96
    overseas = {"971", "972", "973", "974", "976"}
    collectivities = {"975", "977", "978"}
    assert set(codes) == metropolitan | overseas | collectivities
    assert (
        set(Prefecture.objects.filter(overseas=True).values_list("departement_code", flat=True))
        == overseas | collectivities
    )


@pytest.mark.parametrize(
    ("departement", "seat", "name_part"),
    [
        ("75", "Paris", "Préfecture de police"),
        ("92", "Nanterre", "Hauts-de-Seine"),
        ("93", "Bobigny", "Seine-Saint-Denis"),
        ("94", "Créteil", "Val-de-Marne"),
        ("2A", "Ajaccio", "Corse-du-Sud"),
        ("2B", "Bastia", "Haute-Corse"),
        ("976", "Mamoudzou", "Mayotte"),
        ("978", "Marigot", "Saint-Martin"),
    ],
)
def test_prefectures_have_their_seat(departement, seat, name_part):
    catalog_load()

    prefecture = Prefecture.objects.get(departement_code=departement)
    assert prefecture.seat == seat
    assert name_part in prefecture.name


def test_protection_permits_carry_their_legal_figures():
    catalog_load()

    for code in ("carte-resident-refugie", "csp-protection-subsidiaire"):
        permit_type = PermitType.objects.get(code=code)
        assert permit_type.protection is True
        assert permit_type.extension_months == 6
        assert permit_type.fee_total_cents == 0
    salarie = PermitType.objects.get(code="cst-salarie")
    assert (salarie.extension_months, salarie.fee_total_cents) == (3, 22500)
    assert salarie.implicit_decision_months == 4
    assert PermitType.objects.get(code="carte-resident").max_validity_months == 120


def test_second_load_writes_no_row():
    catalog_load()

    with CaptureQueriesContext(connection) as queries:
        report = catalog_load()

    writes = [query["sql"] for query in queries.captured_queries if WRITE.match(query["sql"])]
    assert writes == []
    assert (report.total("created"), report.total("updated"), report.total("deactivated")) == (
        0,
        0,
        0,
    )
    assert report.total("unchanged") > 0
    assert CatalogVersion.objects.count() == 1


def test_second_run_of_the_command_reports_nothing_changed():
    call_command("load_catalog", stdout=StringIO())
    out = StringIO()

    call_command("load_catalog", stdout=out)

    assert "Total: 0 created, 0 updated," in out.getvalue()
    assert "prefectures: 0 created, 0 updated, 104 unchanged, 0 deactivated" in out.getvalue()


def test_only_a_load_that_changes_something_is_audited(data_dir):
    catalog_load(data_dir=data_dir)
    catalog_load(data_dir=data_dir)
    assert AuditEntry.objects.filter(action="catalog.loaded").count() == 1

    edit(data_dir, "catalog.yaml", lambda doc: doc.update(version="2099.1.1"))
    edit(data_dir, "catalog.yaml", lambda doc: doc["permit_types"][0].update(name="Renamed"))
    catalog_load(data_dir=data_dir)

    entries = AuditEntry.objects.filter(action="catalog.loaded").order_by("seq")
    assert entries.count() == 2
    assert entries.last().data["version"] == "2099.1.1"
    assert entries.last().data["counts"]["permit_types"]["updated"] == 1


def test_new_procedure_in_the_file_appears_without_code(data_dir):
    new_procedure = {
        "code": "travel-document",
        "kind": "duplicate",
        "name": "Ask for a travel document",
        "permit_types": ["carte-resident-refugie"],
        "questions": [{"code": "urgent", "label": "Is it urgent?", "type": "yes_no"}],
        "checklist": [
            {"code": "photo-code", "label": "Photo code"},
            {
                "code": "proof-of-urgency",
                "label": "Proof of urgency",
                "condition": {"question": "urgent", "equals": True},
            },
        ],
    }

    def add(document):
        document["version"] = "2099.1.1"
        document["procedures"].append(new_procedure)

    catalog_load(data_dir=data_dir)
    edit(data_dir, "catalog.yaml", add)
    report = catalog_load(data_dir=data_dir)

    procedure = Procedure.objects.get(code="travel-document")
    assert report.counts["procedures"]["created"] == 1
    assert report.counts["checklist_items"]["created"] == 2
    assert [p.code for p in procedure.permit_types.all()] == ["carte-resident-refugie"]
    assert procedure.questions[0]["code"] == "urgent"
    assert CatalogVersion.objects.count() == 2


def test_item_removed_from_the_file_is_deactivated_not_deleted(data_dir):
    catalog_load(data_dir=data_dir)
    payslips = ChecklistItem.objects.get(procedure__code="renewal", code="payslips")

    def remove(document):
        entry = procedure_entry(document, "renewal")
        entry["checklist"] = [item for item in entry["checklist"] if item["code"] != "payslips"]

    edit(data_dir, "catalog.yaml", remove)
    report = catalog_load(data_dir=data_dir)

    payslips.refresh_from_db()
    assert payslips.active is False
    assert report.counts["checklist_items"]["deactivated"] == 1
    assert report.total("created") == 0


def test_item_back_in_the_file_is_active_again(data_dir):
    catalog_load(data_dir=data_dir)
    ChecklistItem.objects.filter(code="payslips").update(active=False)

    report = catalog_load(data_dir=data_dir)

    assert ChecklistItem.objects.get(procedure__code="renewal", code="payslips").active is True
    assert report.counts["checklist_items"]["updated"] == 1


def test_changed_permit_types_of_a_procedure_count_as_an_update(data_dir):
    catalog_load(data_dir=data_dir)

    def narrow(document):
        procedure_entry(document, "change-of-address")["permit_types"] = ["cst-salarie"]
        procedure_entry(document, "duplicate")["permit_types"] = [
            "cst-salarie",
            "carte-resident-refugie",
            "csp-protection-subsidiaire",
        ]

    edit(data_dir, "catalog.yaml", narrow)
    report = catalog_load(data_dir=data_dir)

    moved = Procedure.objects.get(code="change-of-address")
    assert [p.code for p in moved.permit_types.all()] == ["cst-salarie"]
    assert report.counts["procedures"]["updated"] == 2
    # The question offering the permit types follows the procedure's permit types.
    duplicate = Procedure.objects.get(code="duplicate")
    asked = next(q for q in duplicate.questions if q["code"] == "permit_type")
    assert [choice["value"] for choice in asked["choices"]] == [
        "cst-salarie",
        "carte-resident-refugie",
        "csp-protection-subsidiaire",
    ]


def test_narrowing_permit_types_under_a_condition_that_needs_them_is_refused(data_dir):
    def narrow(document):
        procedure_entry(document, "change-of-status")["permit_types"] = ["cst-salarie"]

    edit(data_dir, "catalog.yaml", narrow)

    with pytest.raises(CatalogDataError, match=r"checklist\[family-ties\].*cannot take"):
        catalog_load(data_dir=data_dir)


def test_changed_files_under_the_same_version_give_a_warning(data_dir):
    catalog_load(data_dir=data_dir)
    edit(data_dir, "catalog.yaml", lambda doc: doc["permit_types"][0].update(name="Renamed"))

    report = catalog_load(data_dir=data_dir)

    assert any("did not" in warning for warning in report.warnings)


def test_malformed_yaml_is_a_command_error_with_its_line(data_dir):
    (data_dir / "catalog.yaml").write_text("version: '1'\npermit_types: [\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"catalog.yaml: invalid YAML at line \d+"):
        call_command("load_catalog", data_dir=data_dir, stdout=StringIO())


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the data file"):
        call_command("load_catalog", data_dir=tmp_path, stdout=StringIO())


@pytest.mark.parametrize(
    ("filename", "change", "message"),
    [
        (
            "catalog.yaml",
            lambda doc: doc["permit_types"][0].update(category="card"),
            "category 'card' is not one of",
        ),
        (
            "catalog.yaml",
            lambda doc: doc["permit_types"][0].update(max_validity_months="twelve"),
            "'max_validity_months' must be a whole number",
        ),
        (
            "catalog.yaml",
            lambda doc: doc["permit_types"][1].update(code="cst-salarie"),
            "code 'cst-salarie' appears twice",
        ),
        (
            "catalog.yaml",
            lambda doc: procedure_entry(doc, "renewal")["checklist"][0].update(
                condition={"question": "maried", "equals": True}
            ),
            "unknown question 'maried'",
        ),
        (
            "catalog.yaml",
            lambda doc: procedure_entry(doc, "renewal")["checklist"][0].update(
                condition={"question": "permit_type", "equals": "cst-salaried"}
            ),
            "tests values it cannot take",
        ),
        (
            "catalog.yaml",
            lambda doc: procedure_entry(doc, "renewal").update(permit_types=["cst-nothing"]),
            "unknown permit type 'cst-nothing'",
        ),
        (
            "catalog.yaml",
            lambda doc: procedure_entry(doc, "renewal")["checklist"][0].update(lable="Typo"),
            "unknown keys lable",
        ),
        ("catalog.yaml", lambda doc: doc.pop("version"), "version: must be a quoted string"),
        (
            "prefectures.yaml",
            lambda doc: doc["prefectures"][0].update(departement_code=1),
            "'departement_code' must be text",
        ),
        (
            "prefectures.yaml",
            lambda doc: doc["prefectures"][1].update(departement_code="01"),
            "code '01' appears twice",
        ),
    ],
)
def test_malformed_data_is_a_command_error_naming_the_place(data_dir, filename, change, message):
    edit(data_dir, filename, change)

    with pytest.raises(CommandError) as raised:
        call_command("load_catalog", data_dir=data_dir, stdout=StringIO())

    assert message in str(raised.value)
    assert filename in str(raised.value)


def test_malformed_data_writes_nothing(data_dir):
    edit(data_dir, "prefectures.yaml", lambda doc: doc["prefectures"][0].update(seat=None))

    with pytest.raises(CatalogDataError, match="'seat' is required"):
        catalog_load(data_dir=data_dir)

    assert PermitType.objects.count() == 0
    assert CatalogVersion.objects.count() == 0


def test_data_strings_module_is_up_to_date():
    out = StringIO()

    call_command("catalog_strings", check=True, stdout=out)

    assert "up to date" in out.getvalue()


def test_every_label_of_the_data_is_marked_for_translation():
    data = read_catalog()
    labels = [item["label"] for procedure in data.procedures for item in procedure.checklist]
    names = [row["name"] for row in data.permit_types]

    assert set(labels + names) <= set(data_strings.STRINGS)


def test_catalog_strings_check_fails_when_out_of_date(tmp_path):
    stale = tmp_path / "data_strings.py"
    stale.write_text("STRINGS = []\n", encoding="utf-8")

    with pytest.raises(CommandError, match="out of date"):
        call_command("catalog_strings", check=True, output=stale, stdout=StringIO())
