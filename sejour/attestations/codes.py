"""Codes printed on documents and typed by people: Crockford base32 with a check symbol.

A verification code (`XXXX-XXXX-XXXX`) identifies one issued document; a share code
(`XXX-XXX-XXX`, as the UK eVisa share code) lets one checker see the holder's current rights.
Both tolerate what people do when they copy a code by hand (lower case, spaces, missing
dashes, O for 0, I or L for 1), and both end with a check symbol, so that a mistyped code is
refused before any lookup: any single wrong character is caught, and so is any swap of two
neighbouring characters in a verification code.

Codes are read out on the phone and typed from paper, so a new code holds only the 32 letters
and digits: a verification code is drawn again until its check is one of them. Codes issued
before may end with one of Crockford's five extra check symbols (`*~$=U`); they stay valid.
"""

import secrets

# Crockford's base32: no I, L, O (read as 1, 1, 0) and no U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's check symbols: the value of the whole code modulo 37, a prime, so that a single
# changed character or two swapped ones always change it.
CHECK_ALPHABET = ALPHABET + "*~$=U"
_CHECK_MODULUS = len(CHECK_ALPHABET)
_VALUES = {symbol: value for value, symbol in enumerate(CHECK_ALPHABET)}
# What people type for what they read, as Crockford decodes it.
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -\t\n\u00a0\u2010\u2011\u2012\u2013\u2014")

VERIFICATION_CODE_LENGTH = 12
VERIFICATION_CODE_GROUP = 4
SHARE_CODE_LENGTH = 9
SHARE_CODE_GROUP = 3


def _random_symbols(count: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(count))


def _clean(text: str) -> str:
    """Upper case, no separators, confusable letters read as Crockford reads them."""
    return text.translate(_SEPARATORS).upper().translate(_CONFUSIONS)


def _group(code: str, size: int) -> str:
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def mod37_check(symbols: str) -> str:
    """Crockford's check symbol for `symbols` (base32 digits, most significant first)."""
    value = 0
    for symbol in symbols:
        value = (value * 32 + _VALUES[symbol]) % _CHECK_MODULUS
    return CHECK_ALPHABET[value]


def luhn32_check(symbols: str) -> str:
    """The Luhn mod 32 check symbol: it stays in the 32 plain symbols, unlike mod 37.

    Doubling every other value and folding it back is a permutation of 0..31, so a single
    changed character always changes the sum.
    """
    total = 0
    for position, symbol in enumerate(reversed(symbols)):
        value = _VALUES[symbol]
        if position % 2 == 0:
            value *= 2
            value = value // 32 + value % 32
        total += value
    return ALPHABET[-total % 32]


def new_verification_code() -> str:
    """A fresh verification code, three groups of four (`3XKH-AN4J-MEK7`), letters and digits
    only, the last symbol a mod 37 check."""
    while True:  # 32 draws in 37 give a plain check symbol
        body = _random_symbols(VERIFICATION_CODE_LENGTH - 1)
        check = mod37_check(body)
        if check in ALPHABET:
            return _group(body + check, VERIFICATION_CODE_GROUP)


def normalize_code(text: str) -> str | None:
    """The verification code `text` stands for, grouped; None if it is not a valid code."""
    code = _clean(text)
    if len(code) != VERIFICATION_CODE_LENGTH:
        return None
    body, check = code[:-1], code[-1]
    if any(symbol not in ALPHABET for symbol in body) or check not in _VALUES:
        return None
    if mod37_check(body) != check:
        return None
    return _group(code, VERIFICATION_CODE_GROUP)


def new_share_code() -> str:
    """A fresh share code, `XXX-XXX-XXX`, letters and digits only, the last a check."""
    body = _random_symbols(SHARE_CODE_LENGTH - 1)
    return _group(body + luhn32_check(body), SHARE_CODE_GROUP)


def normalize_share_code(text: str) -> str | None:
    """The share code `text` stands for, grouped; None if it is not a valid share code."""
    code = _clean(text)
    if len(code) != SHARE_CODE_LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    if luhn32_check(code[:-1]) != code[-1]:
        return None
    return _group(code, SHARE_CODE_GROUP)
