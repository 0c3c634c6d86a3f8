"""Verification and share codes: their shape, their tolerance of copying, their check symbol."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sejour.attestations.codes import (
    ALPHABET,
    CHECK_ALPHABET,
    luhn32_check,
    mod37_check,
    new_share_code,
    new_verification_code,
    normalize_code,
    normalize_share_code,
)

VERIFICATION_BODIES = st.text(alphabet=ALPHABET, min_size=11, max_size=11)
SHARE_BODIES = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def _grouped(code: str, size: int) -> str:
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def _verification_code(body: str) -> str:
    return _grouped(body + mod37_check(body), 4)


def _share_code(body: str) -> str:
    return _grouped(body + luhn32_check(body), 3)


def test_a_new_verification_code_has_three_groups_of_four_and_passes_its_check():
    code = new_verification_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert normalize_code(code) == code


def test_new_verification_codes_are_only_letters_and_digits_people_can_read_out():
    # One code in 37 drew a symbol check (`3XKH-AN4J-MEK~`): among 1,000, some would.
    for code in (new_verification_code() for _ in range(1000)):
        assert set(code.replace("-", "")) <= set(ALPHABET), code


@pytest.mark.parametrize("check", ["*", "~", "$", "=", "U"])
def test_a_code_issued_with_a_symbol_check_is_still_accepted(check):
    body = next(
        body
        for body in (f"3XKHAN4JM{a}{b}" for a in ALPHABET for b in ALPHABET)
        if mod37_check(body) == check
    )
    issued = _verification_code(body)
    assert issued.endswith(check)
    assert normalize_code(issued) == issued
    assert normalize_code(f" {issued.lower().replace('-', ' ')} ") == issued


def test_a_new_share_code_has_three_groups_of_three_letters_or_digits():
    code = new_share_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}", code)
    assert normalize_share_code(code) == code


def test_new_codes_differ():
    assert len({new_verification_code() for _ in range(200)}) == 200
    assert len({new_share_code() for _ in range(200)}) == 200


def test_crockford_check_of_a_known_value():
    # 32 * 1 + 5 = 37, which is 0 modulo 37; 36 is the last check symbol, "U".
    assert mod37_check("15") == "0"
    assert mod37_check("14") == "U"


@given(VERIFICATION_BODIES)
def test_a_verification_code_round_trips(body):
    code = _verification_code(body)
    assert normalize_code(code) == code


@given(VERIFICATION_BODIES, st.data())
def test_a_verification_code_survives_how_people_copy_it(body, data):
    code = _verification_code(body)
    copied = code.replace("-", data.draw(st.sampled_from(["", " ", "-", "  "])))
    copied = copied.replace("0", data.draw(st.sampled_from(["0", "O", "o"])))
    copied = copied.replace("1", data.draw(st.sampled_from(["1", "I", "i", "L", "l"])))
    if data.draw(st.booleans()):
        copied = copied.lower()
    assert normalize_code(f" {copied} ") == code


@given(VERIFICATION_BODIES, st.data())
def test_any_single_wrong_character_in_a_verification_code_is_caught(body, data):
    code = (body + mod37_check(body)).upper()
    position = data.draw(st.integers(min_value=0, max_value=11))
    symbols = CHECK_ALPHABET if position == 11 else ALPHABET
    wrong = data.draw(st.sampled_from(symbols).filter(lambda s: s != code[position]))
    mistyped = code[:position] + wrong + code[position + 1 :]
    assert normalize_code(mistyped) is None


@given(VERIFICATION_BODIES, st.integers(min_value=0, max_value=9))
def test_two_neighbours_swapped_in_a_verification_code_are_caught(body, position):
    code = body + mod37_check(body)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert normalize_code(swapped) is None


@given(SHARE_BODIES)
def test_a_share_code_round_trips(body):
    code = _share_code(body)
    assert normalize_share_code(code) == code
    assert normalize_share_code(code.replace("-", " ").lower()) == code


@given(SHARE_BODIES, st.data())
def test_any_single_wrong_character_in_a_share_code_is_caught(body, data):
    code = body + luhn32_check(body)
    position = data.draw(st.integers(min_value=0, max_value=8))
    wrong = data.draw(st.sampled_from(ALPHABET).filter(lambda s: s != code[position]))
    assert normalize_share_code(code[:position] + wrong + code[position + 1 :]) is None


@pytest.mark.parametrize(
    "text",
    ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JK#N", "ABCU-EFGH-JKMN", "ABCD*EFGH-JKMN"],
)
def test_what_is_not_a_verification_code_is_refused(text):
    assert normalize_code(text) is None


@pytest.mark.parametrize("text", ["", "ABC-DEF-GH", "ABC-DEF-GHJK", "ABC-DEF-GH*", "ABU-DEF-GHJ"])
def test_what_is_not_a_share_code_is_refused(text):
    assert normalize_share_code(text) is None
