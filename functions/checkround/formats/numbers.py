"""Numbers as people write them in Vietnamese and English: one grammar for reading, one
formatter for showing.

Vietnamese groups thousands with ``.`` and marks decimals with ``,`` (``1.265,5``); English
does the reverse (``1,265.5``). The web form reads what a unit types with the form's language
(:func:`parse_number`); the page's script (``templates/webform/static/numbers.js``) follows the
same grammar, and ``tests/fixtures/number_cases.json`` holds both to the same cases.

Grammar (``L`` is the form's language, ``O`` the other one; ``G``/``D`` the group and decimal
marks of a language):

- Spaces around the text are ignored. A sign may lead: ``-``, ``+`` or ``−`` (U+2212).
- A *numeral of a language* is an integer part, then optionally ``D`` and one or more digits.
  The integer part is either plain digits (``1265``, leading zeros allowed) or digits grouped
  by threes: a first group of 1 to 3 digits not starting with ``0``, then groups of exactly 3
  digits, every one after the same separator, which is ``G`` or a space (a space, a no-break
  space U+00A0, a narrow no-break space U+202F or a thin space U+2009 count as one kind).
  Digits are ASCII ``0``–``9`` only; nothing else (no exponent, no ``NaN``, no ``∞``).
- The text is read as a numeral of ``L`` and as a numeral of ``O``. In a whole-number field
  (``integer``) only readings without a decimal part count.
- One reading, or two that agree: that is the value. So a Vietnamese form takes ``12.5`` as
  12,5 (a phone whose keypad has only ``.``) and ``1,265,000`` as 1.265.000, because neither
  text is a Vietnamese numeral.
- Two readings that differ: if the text holds ``L``'s decimal mark, ``L``'s reading is the
  value (a Vietnamese form takes ``1,265`` as 1,265). Otherwise the text is *ambiguous* and
  refused, with both readings: that is ``L``'s group mark used once, with exactly three digits
  after it and one to three before (``1.265`` in a Vietnamese decimal field: 1265 or 1,265?).
  In a whole-number field the same text is not ambiguous: ``2.340`` is 2340.
- No reading: not a number. A text longer than :data:`MAX_LENGTH` characters is not read.

:func:`format_number` writes ``L``'s way. Grouped (the default), it is how reports print a
number; :func:`format_for_input` leaves out the grouping, which is how an input shows a stored
value and how an ambiguity message shows the two readings: ungrouped, every number it writes
reads back as itself (the property test in ``tests/unit/test_number_format.py``).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .text import in_language

# Longer than any number a form takes (integers stop at 10**15), short enough to read cheaply.
MAX_LENGTH = 400

_MARKS = {"vi": (".", ","), "en": (",", ".")}  # (group, decimal)
_OTHER = {"vi": "en", "en": "vi"}
_SPACES = "\u00a0\u202f\u2009"
_TRIM = " \t\n\r" + _SPACES
_SIGNS = {"-": -1, "\u2212": -1, "+": 1}


def _numeral(group: str, decimal: str) -> re.Pattern[str]:
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(rf"(?:[0-9]+|[1-9][0-9]{{0,2}}([{g} ])[0-9]{{3}}(?:\1[0-9]{{3}})*)(?:{d}[0-9]+)?")


_NUMERALS = {language: _numeral(*marks) for language, marks in _MARKS.items()}

Problem = Literal["invalid", "ambiguous", "too_large"]


class NumberError(ValueError):
    """Why a text is not a number. ``readings`` holds the two values of an ambiguous text
    (the larger, grouped reading first, then the decimal one)."""

    def __init__(self, problem: Problem, readings: tuple[int | float, int | float] | None = None) -> None:
        super().__init__(problem)
        self.problem: Problem = problem
        self.readings = readings


def _marks(language: str) -> tuple[str, str]:
    return in_language(_MARKS, language)


def _read(body: str, language: str, integer: bool) -> Decimal | None:
    group, decimal = _marks(language)
    if integer and decimal in body:
        return None
    if not _NUMERALS[language if language in _MARKS else "vi"].fullmatch(body):
        return None
    return Decimal(body.replace(group, "").replace(" ", "").replace(decimal, "."))


def _value(number: Decimal, integer: bool) -> int | float:
    value = float(number)
    # Past a float's range for both kinds, as the page's script (whose numbers are floats) says.
    if not math.isfinite(value):
        raise NumberError("too_large")
    return int(number) if integer else value + 0.0  # -0.0 is 0


def parse_number(text: str, language: str, integer: bool = False) -> int | float:
    """The number ``text`` means in a form written in ``language`` (``"vi"`` or ``"en"``):
    an ``int`` for a whole-number field, else a ``float``. Raises :class:`NumberError`."""
    body = text.strip(_TRIM)
    if not body or len(body) > MAX_LENGTH:
        raise NumberError("invalid")
    sign = _SIGNS.get(body[0])
    if sign is not None:
        body = body[1:]
    body = re.sub(f"[{_SPACES}]", " ", body)
    language = language if language in _MARKS else "vi"
    own = _read(body, language, integer)
    other = _read(body, _OTHER[language], integer)
    if own is not None and other is not None and own != other and _marks(language)[1] not in body:
        first, second = (own, other) if own > other else (other, own)
        readings = (_value(first * (sign or 1), integer), _value(second * (sign or 1), integer))
        raise NumberError("ambiguous", readings)
    found = own if own is not None else other
    if found is None:
        raise NumberError("invalid")
    return _value(found * (sign or 1), integer)


def _digits(value: int | float, digits: int | None) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    if digits is None or abs(value) >= 1e21:
        # The shortest text that reads back as the same float (past 1e21 the script's
        # toFixed gives that too).
        return Decimal(repr(value))
    # Rounded half away from zero on the exact value, as the page's script rounds (toFixed).
    return Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_number(value: int | float, language: str, digits: int | None = None, grouped: bool = True) -> str:
    """``value`` written ``language``'s way: at most ``digits`` decimals (all it has when
    ``None``), no trailing zeros, thousands grouped unless ``grouped`` is false."""
    group, decimal = _marks(language)
    text = format(_digits(value, digits), "f")
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0")
    if grouped:
        whole = f"{int(whole):,}".replace(",", group)
    text = whole + (decimal + fraction if fraction else "")
    return "-" + text if negative and any(digit in text for digit in "123456789") else text


def format_for_input(value: int | float, language: str) -> str:
    """How an input shows a stored number: every digit it has, no grouping, so that it reads
    back as the same number."""
    return format_number(value, language, grouped=False)
