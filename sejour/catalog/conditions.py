"""When a checklist item is asked: a condition on the answers of the guided form, as plain data.

A condition is `None` (always asked) or a mapping of one of these shapes:

    {"question": "married", "equals": true}
    {"question": "permit_type", "in": ["cst-salarie", "cst-travailleur-temporaire"]}
    {"question": "permit_type", "not_equals": "carte-resident-refugie"}
    {"question": "permit_type", "not_in": ["carte-resident-refugie", "csp-protection-subsidiaire"]}
    {"all": [<condition>, ...]}   every one matches
    {"any": [<condition>, ...]}   at least one matches

A question left unanswered matches no test, not even `not_equals`: an item is asked only
once the answer it depends on is known.
"""

from collections.abc import Mapping
from typing import Any

TESTS = ("equals", "not_equals", "in", "not_in")
GROUPS = ("all", "any")
SCALARS = (str, int, float)  # bool is an int


def condition_matches(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether `answers` (question code -> answer) satisfy `condition`."""
    if condition is None:
        return True
    if "all" in condition:
        return all(condition_matches(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(condition_matches(part, answers) for part in condition["any"])
    question = condition["question"]
    if question not in answers or answers[question] in (None, ""):
        return False
    answer = answers[question]
    if "equals" in condition:
        return bool(answer == condition["equals"])
    if "not_equals" in condition:
        return bool(answer != condition["not_equals"])
    if "in" in condition:
        return answer in condition["in"]
    if "not_in" in condition:
        return answer not in condition["not_in"]
    raise ValueError(f"Condition without a test: {condition!r}")


def condition_errors(condition: object) -> list[str]:
    """What is wrong with the shape of `condition` (an empty list when it is well formed)."""
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        return [f"a condition must be a mapping, not {type(condition).__name__}"]
    groups = [key for key in GROUPS if key in condition]
    if groups:
        if len(condition) != 1:
            return [f"'{groups[0]}' must be the only key of its condition"]
        parts = condition[groups[0]]
        if not isinstance(parts, list) or not parts:
            return [f"'{groups[0]}' needs a non-empty list of conditions"]
        return [error for part in parts for error in condition_errors(part)]
    errors = []
    if not isinstance(condition.get("question"), str) or not condition["question"]:
        errors.append("a condition needs a 'question' (the code of a question)")
    tests = [key for key in TESTS if key in condition]
    if len(tests) != 1:
        errors.append(f"a condition needs exactly one of {', '.join(TESTS)}")
    unknown = set(condition) - {"question", *TESTS}
    if unknown:
        errors.append(f"unknown keys in a condition: {', '.join(sorted(map(str, unknown)))}")
    for key in ("equals", "not_equals"):
        if key in condition and not isinstance(condition[key], SCALARS):
            errors.append(f"'{key}' needs a text, number, true or false")
    for key in ("in", "not_in"):
        if key in condition and not (
            isinstance(condition[key], list)
            and all(isinstance(value, SCALARS) for value in condition[key])
        ):
            errors.append(f"'{key}' needs a list of texts, numbers, true or false")
    return errors


def condition_tests(condition: Mapping[str, Any] | None) -> list[tuple[str, list[Any]]]:
    """Every (question, values compared) pair in a well-formed condition, groups flattened."""
    if condition is None:
        return []
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any") or []
        return [pair for part in parts for pair in condition_tests(part)]
    for key in TESTS:
        if key in condition:
            values = condition[key] if key in ("in", "not_in") else [condition[key]]
            return [(condition["question"], list(values))]
    return []
