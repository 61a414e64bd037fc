"""The number grammar of ``checkround.formats.numbers`` and the page's copy of it.

``tests/fixtures/number_cases.json`` is the one table of cases: the server's module and the
page's script (``templates/webform/static/numbers.js``, run here by node) must both give every
answer in it, and random values must come out of both formatters alike, so the two cannot
drift apart. The property tests hold the parser to the formatter.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from checkround.formats.numbers import NumberError, format_for_input, format_number, parse_number
from checkround.forms.compiler import compile_schema
from tests.support import ROOT

CASES = json.loads((ROOT / "tests" / "fixtures" / "number_cases.json").read_text(encoding="utf-8"))
SCRIPT = ROOT / "templates" / "webform" / "static" / "numbers.js"
LANGUAGES = st.sampled_from(["vi", "en"])
# Integers as a form stores them (Firestore's range is checked elsewhere); floats of any size
# a form may hold, the tiniest included.
WHOLE = st.integers(min_value=-(10**15), max_value=10**15)
DECIMAL = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False)


def _id(case: dict[str, Any]) -> str:
    kind = "int" if case["integer"] else "dec"
    return f"{case['language']}-{kind}-{case['text'][:20]!r}"


def _python_reads(case: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"value": parse_number(case["text"], case["language"], case["integer"])}
    except NumberError as exc:
        found: dict[str, Any] = {"problem": exc.problem}
        if exc.readings is not None:
            found["readings"] = list(exc.readings)
        return found


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    return {key: case[key] for key in ("value", "problem", "readings") if key in case}


@pytest.mark.parametrize("case", CASES["parse"], ids=_id)
def test_the_server_reads_every_case_as_the_table_says(case: dict[str, Any]) -> None:
    found = _python_reads(case)
    assert found == _expected(case), case["why"]
    if "value" in case:
        assert isinstance(found["value"], int if case["integer"] else float)


@pytest.mark.parametrize("case", CASES["format"], ids=lambda c: f"{c['language']}-{c['value']}-{c['digits']}")
def test_the_server_writes_every_case_as_the_table_says(case: dict[str, Any]) -> None:
    assert format_number(case["value"], case["language"], case["digits"], case["grouped"]) == case["text"]


def _node(program: str, data: Any) -> Any:
    node = shutil.which("node")
    assert node, "node is missing: the page's number script is tested with it (scripts/setup.sh)"
    script = f"const N = require({json.dumps(str(SCRIPT))});\nconst data = JSON.parse(require('fs').readFileSync(0));\n"
    done = subprocess.run(
        [node, "-e", script + program], input=json.dumps(data), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_page_reads_and_writes_every_case_as_the_table_says() -> None:
    found = _node(
        """
        const parsed = data.parse.map((c) => N.parse(c.text, c.language, c.integer));
        const formatted = data.format.map((c) => N.format(c.value, c.language, c.digits, c.grouped));
        process.stdout.write(JSON.stringify({parsed, formatted}));
        """,
        CASES,
    )
    wrong = [
        (case["text"], case["language"], case["integer"], got)
        for case, got in zip(CASES["parse"], found["parsed"], strict=True)
        if got != _expected(case)
    ]
    assert wrong == []
    assert found["formatted"] == [case["text"] for case in CASES["format"]]


# A few runs of many values each: every run starts node once.
@settings(max_examples=6, deadline=None)
@given(st.lists(st.one_of(WHOLE, DECIMAL), min_size=200, max_size=200), LANGUAGES)
def test_the_page_writes_and_reads_random_numbers_as_the_server_does(values: list[int | float], lang: str) -> None:
    kinds = [isinstance(value, int) for value in values]
    expected = {
        "exact": [format_number(value, lang) for value in values],
        "printed": [format_number(value, lang, 2) for value in values],
        "read": [parse_number(format_for_input(v, lang), lang, kind) for v, kind in zip(values, kinds, strict=True)],
    }
    found = _node(
        """
        const lang = data.lang;
        process.stdout.write(JSON.stringify({
          exact: data.values.map((v) => N.format(v, lang, null)),
          printed: data.values.map((v) => N.format(v, lang, 2)),
          read: data.values.map((v, i) => N.parse(N.formatForInput(v, lang), lang, data.kinds[i]).value),
        }));
        """,
        {"values": values, "kinds": kinds, "lang": lang},
    )
    assert found == expected


@given(WHOLE, LANGUAGES)
def test_a_whole_number_printed_reads_back_as_itself(value: int, lang: str) -> None:
    # Grouped as a report prints it, and ungrouped as an input shows it.
    assert parse_number(format_number(value, lang), lang, integer=True) == value
    assert parse_number(format_for_input(value, lang), lang, integer=True) == value


@given(DECIMAL, LANGUAGES)
def test_a_decimal_shown_in_an_input_reads_back_as_itself(value: float, lang: str) -> None:
    back = parse_number(format_for_input(value, lang), lang)
    assert back == value
    assert math.copysign(1, back) == math.copysign(1, value + 0.0)


@given(DECIMAL.filter(lambda v: not v.is_integer()), LANGUAGES)
def test_a_decimal_printed_with_its_decimals_reads_back_as_itself(value: float, lang: str) -> None:
    # A printed decimal with a fraction carries its decimal mark, so its grouping is never
    # taken for a decimal point.
    assert parse_number(format_number(value, lang), lang) == value


@given(st.integers(min_value=1000, max_value=999_999), LANGUAGES)
def test_a_grouped_whole_number_in_a_decimal_field_is_refused_with_both_readings(value: int, lang: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_number(format_number(value, lang), lang)
    assert refused.value.problem == "ambiguous"
    assert refused.value.readings == (value, value / 1000)


@given(st.text(alphabet="0123456789.,  -+e", max_size=14) | st.text(max_size=30), LANGUAGES, st.booleans())
def test_any_text_is_a_number_or_a_refusal(text: str, lang: str, integer: bool) -> None:
    problem = None
    try:
        value = parse_number(text, lang, integer)
    except NumberError as exc:
        problem = exc.problem
    if problem is None:
        assert isinstance(value, int if integer else float)
        assert math.isfinite(value)
    else:
        assert problem in ("invalid", "ambiguous", "too_large")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_api_reads_a_number_sent_as_a_string_as_json_writes_numbers(language: str) -> None:
    # API clients send JSON numbers; a string is read the one way JSON writes numbers, whatever
    # the request's language, so it cannot be read two ways either.
    fields = [
        {"key": "d", "type": "decimal", "label": {"vi": "D"}},
        {"key": "n", "type": "integer", "label": {"vi": "N"}},
    ]
    definition = {"id": "f", "title": {"vi": "F"}, "sections": [{"key": "s", "title": {"vi": "S"}, "fields": fields}]}
    schema = compile_schema(definition, language)
    assert schema.load({"s": {"d": "1.265", "n": "2340"}}) == {"s": {"d": 1.265, "n": 2340}}
    assert schema.load({"s": {"d": 1265.5, "n": 2340}}) == {"s": {"d": 1265.5, "n": 2340}}
    for wrong in ({"d": "1.265,5"}, {"d": "1,5"}, {"n": "2.340"}, {"n": "2,340"}):
        with pytest.raises(ValidationError):
            schema.load({"s": wrong})


@given(st.text(alphabet="0123456789.,", min_size=1, max_size=12), st.booleans())
def test_no_text_means_two_different_numbers_in_the_two_languages(text: str, integer: bool) -> None:
    # What was typed on a Vietnamese page keeps its value on the English one (the language
    # switch keeps what was typed), or is refused there: it never silently becomes another number.
    values = []
    for lang in ("vi", "en"):
        try:
            values.append(parse_number(text, lang, integer))
        except NumberError:
            continue
    assert len(set(values)) <= 1
