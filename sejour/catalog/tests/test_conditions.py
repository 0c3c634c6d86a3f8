"""When a checklist item is asked: the pure condition function."""

import pytest

from sejour.catalog.conditions import condition_errors, condition_matches

MARRIED = {"question": "married", "equals": True}
WORKER = {"question": "permit_type", "in": ["cst-salarie", "cst-travailleur-temporaire"]}
NOT_REFUGEE = {"question": "permit_type", "not_equals": "carte-resident-refugie"}
NOT_PROTECTED = {
    "question": "permit_type",
    "not_in": ["carte-resident-refugie", "csp-protection-subsidiaire"],
}


def test_no_condition_always_matches():
    assert condition_matches(None, {}) is True


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (MARRIED, {"married": True}, True),
        (MARRIED, {"married": False}, False),
        (WORKER, {"permit_type": "cst-salarie"}, True),
        (WORKER, {"permit_type": "cst-etudiant"}, False),
        (NOT_REFUGEE, {"permit_type": "cst-salarie"}, True),
        (NOT_REFUGEE, {"permit_type": "carte-resident-refugie"}, False),
        (NOT_PROTECTED, {"permit_type": "csp-protection-subsidiaire"}, False),
        (NOT_PROTECTED, {"permit_type": "cst-visiteur"}, True),
    ],
)
def test_each_test_compares_the_answer(condition, answers, expected):
    assert condition_matches(condition, answers) is expected


@pytest.mark.parametrize("condition", [MARRIED, WORKER, NOT_REFUGEE, NOT_PROTECTED])
@pytest.mark.parametrize(
    "answers", [{}, {"married": None, "permit_type": None}, {"permit_type": ""}]
)
def test_unanswered_question_matches_no_test(condition, answers):
    assert condition_matches(condition, answers) is False


def test_all_needs_every_part_and_any_needs_one():
    both = {"all": [MARRIED, WORKER]}
    either = {"any": [MARRIED, WORKER]}
    single_worker = {"married": False, "permit_type": "cst-salarie"}

    assert condition_matches(both, single_worker) is False
    assert condition_matches(either, single_worker) is True
    assert condition_matches(both, {"married": True, "permit_type": "cst-salarie"}) is True
    assert condition_matches(either, {"married": False, "permit_type": "cst-etudiant"}) is False


def test_yes_no_answer_is_not_confused_with_text():
    assert condition_matches(MARRIED, {"married": "yes"}) is False


@pytest.mark.parametrize(
    "condition",
    [None, MARRIED, WORKER, NOT_REFUGEE, NOT_PROTECTED, {"all": [MARRIED, {"any": [WORKER]}]}],
)
def test_well_formed_conditions_have_no_errors(condition):
    assert condition_errors(condition) == []


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("married", "must be a mapping"),
        ({"equals": True}, "needs a 'question'"),
        ({"question": "married"}, "exactly one of"),
        ({"question": "married", "equals": True, "in": [True]}, "exactly one of"),
        ({"question": "married", "equal": True}, "unknown keys"),
        ({"question": "permit_type", "in": "cst-salarie"}, "needs a list"),
        ({"all": []}, "non-empty list"),
        ({"any": [MARRIED], "question": "x"}, "only key"),
        ({"all": [{"question": "married"}]}, "exactly one of"),
    ],
)
def test_malformed_conditions_are_explained(condition, fragment):
    errors = condition_errors(condition)

    assert any(fragment in error for error in errors), errors
