"""Reads and checks the catalogue data files; returns plain rows ready for the models.

Nothing here touches the database: `services.catalog_load` writes what this module returns.
Every problem found in a file is reported at once, with the file and the place, so that the
person editing the data can fix them all in one pass.
"""

import hashlib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sejour.catalog.choices import PermitCategory, ProcedureKind, QuestionType
from sejour.catalog.conditions import condition_errors, condition_tests
from sejour.catalog.models import questions_errors
from sejour.core.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOG_FILE = "catalog.yaml"
PREFECTURES_FILE = "prefectures.yaml"

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# INSEE codes: two digits for metropolitan départements, 2A/2B for Corsica, 97x overseas.
DEPARTEMENT_CODE = re.compile(r"^(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-8])$")
VERSION = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")
ALL = "all"
CHOICES_FROM = {"permit_types", "all_permit_types"}


class CatalogDataError(DomainError):
    """A data file is missing, unreadable or does not follow the expected shape."""


@dataclass(frozen=True)
class ProcedureRow:
    fields: dict[str, Any]
    permit_type_codes: list[str]
    checklist: list[dict[str, Any]]


@dataclass(frozen=True)
class CatalogData:
    version: str
    prefectures_version: str
    sha256: str
    permit_types: list[dict[str, Any]]
    procedures: list[ProcedureRow]
    prefectures: list[dict[str, Any]]
    strings: list[str] = field(default_factory=list)


# Each spec maps a key of the data file to (model field, expected type, required, default);
# a key without a default (NO_DEFAULT) is left out of the row when the file leaves it out.
NO_DEFAULT = object()
_Spec = dict[str, tuple[str, type, bool, Any]]

PERMIT_TYPE_SPEC: _Spec = {
    "code": ("code", str, True, None),
    "name": ("name", str, True, None),
    "official_name_fr": ("official_name_fr", str, False, ""),
    "category": ("category", str, True, None),
    "max_validity_months": ("max_validity_months", int, True, None),
    "is_anef": ("is_anef", bool, False, NO_DEFAULT),
    "implicit_decision_months": ("implicit_decision_months", int, False, NO_DEFAULT),
    "extension_months": ("extension_months", int, False, NO_DEFAULT),
    "protection": ("protection", bool, False, NO_DEFAULT),
    "work_on_first_application": ("work_on_first_application", bool, False, NO_DEFAULT),
    "allows_work": ("allows_work", bool, False, NO_DEFAULT),
    "fee_tax_cents": ("fee_tax_cents", int, False, NO_DEFAULT),
    "fee_stamp_cents": ("fee_stamp_cents", int, False, NO_DEFAULT),
    "active": ("active", bool, False, True),
}
PERMIT_TYPE_DEFAULTS = {
    "is_anef",
    "implicit_decision_months",
    "extension_months",
    "protection",
    "work_on_first_application",
    "allows_work",
    "fee_tax_cents",
    "fee_stamp_cents",
}
PROCEDURE_SPEC: _Spec = {
    "code": ("code", str, True, None),
    "kind": ("kind", str, True, None),
    "name": ("name", str, True, None),
    "official_name_fr": ("official_name_fr", str, False, ""),
    "description": ("description", str, False, ""),
    "fee_applies": ("fee_applies", bool, False, False),
    "active": ("active", bool, False, True),
}
PROCEDURE_EXTRA_KEYS = {"permit_types", "questions", "checklist"}
QUESTION_KEYS = {"code", "label", "type", "choices", "choices_from", "help"}
ITEM_SPEC: _Spec = {
    "code": ("code", str, True, None),
    "label": ("label", str, True, None),
    "help": ("help_text", str, False, ""),
    "required": ("required", bool, False, True),
    "several_files": ("accepts_several_files", bool, False, False),
    "condition": ("condition", dict, False, None),
    "active": ("active", bool, False, True),
}
PREFECTURE_SPEC: _Spec = {
    "code": ("code", str, True, None),
    "name": ("name", str, True, None),
    "departement_code": ("departement_code", str, True, None),
    "departement_name": ("departement_name", str, True, None),
    "seat": ("seat", str, True, None),
    "region": ("region", str, False, ""),
    "overseas": ("overseas", bool, False, False),
    "address": ("address", str, False, ""),
    "email": ("email", str, False, ""),
    "phone": ("phone", str, False, ""),
    "active": ("active", bool, False, True),
}
# Lengths of the model fields, checked here so that a long value is an error, not a crash.
MAX_LENGTHS = {
    "code": 60,
    "name": 200,
    "official_name_fr": 250,
    "label": 250,
    "departement_name": 100,
    "seat": 100,
    "region": 100,
    "phone": 30,
    "email": 254,
}


# The largest values the database columns hold (small integers, and integers for amounts).
MAX_SMALL = 32767
MAX_CENTS = 2**31 - 1


class _Problems:
    """Collects the problems of one file, each with the place it was found."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(
            f"{self.filename}: {where}: {message}" if where else f"{self.filename}: {message}"
        )


def _read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogDataError(f"Cannot read the data file {path}: {error.strerror}.") from error
    try:
        return yaml.safe_load(raw.decode("utf-8")), raw
    except UnicodeDecodeError as error:
        raise CatalogDataError(f"{path.name}: the file is not UTF-8 text.") from error
    except yaml.YAMLError as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogDataError(f"{path.name}: invalid YAML{where}: {problem}.") from error


def _fields(
    entry: dict[str, Any],
    spec: _Spec,
    where: str,
    problems: _Problems,
    extra: Collection[str] = (),
) -> dict[str, Any]:
    """Check an entry against its spec and return its model field values."""
    values: dict[str, Any] = {}
    unknown = set(entry) - set(spec) - set(extra)
    if unknown:
        problems.add(where, f"unknown keys {', '.join(sorted(map(str, unknown)))}")
    for key, (field_name, expected, required, default) in spec.items():
        if key not in entry or entry[key] is None:
            if required:
                problems.add(where, f"'{key}' is required")
            elif default is not NO_DEFAULT:
                values[field_name] = default
            continue
        value = entry[key]
        # bool is an int in Python: a count given as `true` is a mistake.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            problems.add(where, f"'{key}' must be {_type_name(expected)}, not {shown}")
            continue
        if isinstance(value, str):
            value = value.strip()
            if required and not value:
                problems.add(where, f"'{key}' must not be empty")
            limit = MAX_LENGTHS.get(key)
            if limit and len(value) > limit:
                problems.add(where, f"'{key}' is longer than {limit} characters")
        if isinstance(value, int) and not isinstance(value, bool):
            limit = MAX_CENTS if key.endswith("_cents") else MAX_SMALL
            if not 0 <= value <= limit:
                problems.add(where, f"'{key}' must be between 0 and {limit}")
        values[field_name] = value
    code = values.get("code")
    if isinstance(code, str) and code and not SLUG.match(code):
        problems.add(where, f"code {code!r} must be lowercase letters, digits, '-' or '_'")
    return values


def _type_name(expected: type) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", dict: "a mapping"}
    return names.get(expected, expected.__name__)


def _entries(
    document: dict[str, Any], key: str, problems: _Problems
) -> Iterator[tuple[int, dict[str, Any]]]:
    entries = document.get(key)
    if not isinstance(entries, list) or not entries:
        problems.add("", f"'{key}' must be a non-empty list")
        return
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.add(f"{key}[{position}]", "each entry must be a mapping")
            continue
        yield position, entry


def _version(document: dict[str, Any], problems: _Problems) -> str:
    version = document.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        problems.add("version", f'must be a quoted string like "2026.11.1", not {version!r}')
        return ""
    return version


def _no_duplicates(codes: list[str], what: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            problems.add(what, f"code {code!r} appears twice")
        seen.add(code)


def _document(raw: Any, problems: _Problems, keys: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.add("", "the file must be a mapping with a 'version' at the top")
        return {}
    unknown = set(raw) - keys
    if unknown:
        problems.add("", f"unknown top-level keys {', '.join(sorted(map(str, unknown)))}")
    return raw


def _permit_types(document: dict[str, Any], problems: _Problems) -> list[dict[str, Any]]:
    defaults = document.get("permit_type_defaults") or {}
    if not isinstance(defaults, dict) or set(defaults) - PERMIT_TYPE_DEFAULTS:
        problems.add(
            "permit_type_defaults",
            f"must be a mapping with only {', '.join(sorted(PERMIT_TYPE_DEFAULTS))}",
        )
        defaults = {}
    rows = []
    for position, entry in _entries(document, "permit_types", problems):
        where = f"permit_types[{entry.get('code', position)}]"
        row = _fields({**defaults, **entry}, PERMIT_TYPE_SPEC, where, problems)
        for key in sorted(PERMIT_TYPE_DEFAULTS - set(row)):
            problems.add(where, f"'{key}' is required (here or in permit_type_defaults)")
        if row.get("category") and row["category"] not in PermitCategory.values:
            problems.add(
                where,
                f"category {row['category']!r} is not one of {', '.join(PermitCategory.values)}",
            )
        row["order"] = position
        rows.append(row)
    _no_duplicates([row["code"] for row in rows if "code" in row], "permit_types", problems)
    return rows


def _questions(
    entries: Any,
    where: str,
    problems: _Problems,
    procedure_types: list[dict[str, Any]],
    all_types: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The questions as stored: `choices_from` expanded into the permit types' codes and names."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.add(where, "'questions' must be a list")
        return []
    questions = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.add(f"{where}.questions[{position}]", "each question must be a mapping")
            continue
        question_where = f"{where}.questions[{entry.get('code', position)}]"
        unknown = set(entry) - QUESTION_KEYS
        if unknown:
            problems.add(question_where, f"unknown keys {', '.join(sorted(map(str, unknown)))}")
        question = {
            "code": entry.get("code"),
            "label": entry.get("label"),
            "type": entry.get("type"),
            "choices": entry.get("choices") or [],
            "help": entry.get("help") or "",
        }
        source = entry.get("choices_from")
        if source is not None:
            if not isinstance(source, str) or source not in CHOICES_FROM:
                problems.add(
                    question_where, f"choices_from must be one of {', '.join(sorted(CHOICES_FROM))}"
                )
            elif entry.get("choices"):
                problems.add(question_where, "give either choices or choices_from, not both")
            else:
                types = procedure_types if source == "permit_types" else all_types
                question["choices"] = [
                    {"value": row["code"], "label": row["name"]}
                    for row in types
                    if row.get("active", True) and "code" in row and "name" in row
                ]
        questions.append(question)
    for message in questions_errors(questions):
        problems.add(where, message)
    return questions


def _check_condition(
    condition: Any, questions: list[dict[str, Any]], where: str, problems: _Problems
) -> None:
    errors = condition_errors(condition)
    for message in errors:
        problems.add(where, message)
    if errors:
        return
    by_code = {
        question["code"]: question for question in questions if isinstance(question["code"], str)
    }
    for code, values in condition_tests(condition):
        question = by_code.get(code)
        if question is None:
            problems.add(where, f"the condition refers to an unknown question {code!r}")
            continue
        if question["type"] == QuestionType.YES_NO:
            wrong = [value for value in values if not isinstance(value, bool)]
        elif question["type"] == QuestionType.CHOICE and isinstance(question["choices"], list):
            allowed = [
                choice.get("value") for choice in question["choices"] if isinstance(choice, dict)
            ]
            wrong = [value for value in values if value not in allowed]
        else:
            wrong = []
        if wrong:
            problems.add(where, f"the condition on {code!r} tests values it cannot take: {wrong!r}")


def _procedures(
    document: dict[str, Any], permit_types: list[dict[str, Any]], problems: _Problems
) -> list[ProcedureRow]:
    known_types = {row["code"]: row for row in permit_types if "code" in row}
    rows = []
    for position, entry in _entries(document, "procedures", problems):
        where = f"procedures[{entry.get('code', position)}]"
        fields = _fields(entry, PROCEDURE_SPEC, where, problems, PROCEDURE_EXTRA_KEYS)
        if fields.get("kind") and fields["kind"] not in ProcedureKind.values:
            problems.add(
                where, f"kind {fields['kind']!r} is not one of {', '.join(ProcedureKind.values)}"
            )
        type_codes = entry.get("permit_types") or []
        if type_codes == ALL:
            type_codes = [code for code, row in known_types.items() if row.get("active", True)]
        elif not isinstance(type_codes, list):
            problems.add(where, "'permit_types' must be a list of codes or 'all'")
            type_codes = []
        if not all(isinstance(code, str) for code in type_codes):
            problems.add(where, "'permit_types' must be a list of codes or 'all'")
            type_codes = []
        for code in type_codes:
            if code not in known_types:
                problems.add(where, f"unknown permit type {code!r}")
        procedure_types = [known_types[code] for code in type_codes if code in known_types]
        fields["questions"] = _questions(
            entry.get("questions"), where, problems, procedure_types, list(known_types.values())
        )
        fields["order"] = position
        checklist = []
        items = entry.get("checklist")
        if not isinstance(items, list):
            problems.add(where, "'checklist' must be a list")
            items = []
        for item_position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                problems.add(f"{where}.checklist[{item_position}]", "each item must be a mapping")
                continue
            item_where = f"{where}.checklist[{item.get('code', item_position)}]"
            row = _fields(item, ITEM_SPEC, item_where, problems)
            _check_condition(row.get("condition"), fields["questions"], item_where, problems)
            row["order"] = item_position
            checklist.append(row)
        _no_duplicates(
            [row["code"] for row in checklist if "code" in row], f"{where}.checklist", problems
        )
        rows.append(ProcedureRow(fields=fields, permit_type_codes=type_codes, checklist=checklist))
    _no_duplicates(
        [row.fields["code"] for row in rows if "code" in row.fields], "procedures", problems
    )
    return rows


def _prefectures(document: dict[str, Any], problems: _Problems) -> list[dict[str, Any]]:
    rows = []
    for position, entry in _entries(document, "prefectures", problems):
        where = f"prefectures[{entry.get('departement_code', position)}]"
        row = _fields(entry, PREFECTURE_SPEC, where, problems)
        code = row.get("departement_code")
        if isinstance(code, str) and not DEPARTEMENT_CODE.match(code):
            problems.add(where, f'{code!r} is not a département code (quote codes like "01")')
        row["order"] = position
        rows.append(row)
    _no_duplicates([row["code"] for row in rows if "code" in row], "prefectures", problems)
    _no_duplicates(
        [row["departement_code"] for row in rows if "departement_code" in row],
        "prefectures (département codes)",
        problems,
    )
    return rows


def _strings(permit_types: list[dict[str, Any]], procedures: list[ProcedureRow]) -> list[str]:
    """Every English string shown to people, in file order, without repeats."""
    found: list[str] = [row["name"] for row in permit_types if row.get("name")]
    for procedure in procedures:
        found += [procedure.fields.get("name", ""), procedure.fields.get("description", "")]
        for question in procedure.fields.get("questions", []):
            found += [question.get("label") or "", question.get("help") or ""]
            found += [
                choice.get("label", "")
                for choice in question.get("choices", [])
                if isinstance(choice, dict)
            ]
        for item in procedure.checklist:
            found += [item.get("label", ""), item.get("help_text", "")]
    return list(dict.fromkeys(text for text in found if isinstance(text, str) and text))


def read_catalog(data_dir: Path = DATA_DIR) -> CatalogData:
    """Read and check both data files; raise CatalogDataError listing every problem found."""
    catalog_raw, catalog_bytes = _read_yaml(data_dir / CATALOG_FILE)
    prefectures_raw, prefectures_bytes = _read_yaml(data_dir / PREFECTURES_FILE)
    digest = hashlib.sha256()
    for name, raw in ((CATALOG_FILE, catalog_bytes), (PREFECTURES_FILE, prefectures_bytes)):
        digest.update(name.encode() + b"\0" + raw + b"\0")
    return build_catalog(catalog_raw, prefectures_raw, sha256=digest.hexdigest())


def build_catalog(catalog_raw: Any, prefectures_raw: Any, *, sha256: str) -> CatalogData:
    """Check the parsed documents; raise CatalogDataError listing every problem found."""
    catalog_problems = _Problems(CATALOG_FILE)
    document = _document(
        catalog_raw,
        catalog_problems,
        {"version", "permit_type_defaults", "permit_types", "procedures"},
    )
    version = _version(document, catalog_problems) if document else ""
    permit_types = _permit_types(document, catalog_problems) if document else []
    procedures = _procedures(document, permit_types, catalog_problems) if document else []

    prefecture_problems = _Problems(PREFECTURES_FILE)
    prefecture_document = _document(
        prefectures_raw, prefecture_problems, {"version", "prefectures"}
    )
    prefectures_version = (
        _version(prefecture_document, prefecture_problems) if prefecture_document else ""
    )
    prefectures = (
        _prefectures(prefecture_document, prefecture_problems) if prefecture_document else []
    )

    messages = catalog_problems.messages + prefecture_problems.messages
    if messages:
        shown = messages[:50]
        more = f"\n… and {len(messages) - len(shown)} more." if len(messages) > len(shown) else ""
        raise CatalogDataError("The catalogue data files have errors:\n" + "\n".join(shown) + more)
    return CatalogData(
        version=version,
        prefectures_version=prefectures_version,
        sha256=sha256,
        permit_types=permit_types,
        procedures=procedures,
        prefectures=prefectures,
        strings=_strings(permit_types, procedures),
    )
