"""Text ordered with ``<``: the server's engine (datalogic-py) and the page's (json-logic-js) order
a field's text against plain (ASCII) text written in the rule alike, so a date (ISO text on both
sides) is ordered against a date ("shown when Ngày < 14/06/2019"); two fields' text they can
order differently, and the portability check refuses that.

Values are generated from a fixed seed: ISO dates, the empty default of an unanswered field, and
text with the characters where the engines' orders part (past U+FFFF against U+E000 to U+FFFF).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
from typing import Any

import pytest

from checkround.forms.definition import check_definition
from checkround.forms.editing import field_paths, rule_of_conditions
from checkround.forms.rule_types import field_types, portability_problems
from checkround.forms.rule_words import describe, field_infos
from checkround.forms.rules import RuleError, evaluate
from tests.support import ROOT, small_form

LOGIC = ROOT / "templates" / "webform" / "static" / "logic.js"
RUN = """
const logic = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(([rule, data]) => {
  try { return {value: logic.apply(rule, data)}; } catch (error) { return {error: String(error)}; }
})));
"""
FORM = {
    "sections": [
        {
            "key": "s",
            "fields": [
                {"key": "ngay", "type": "date", "label": {"vi": "Ngày"}},
                {"key": "ten", "type": "text", "label": {"vi": "Tên"}},
            ],
        }
    ]
}
ORDER = ["<", "<=", ">", ">="]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1990, 2030):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _text(rng: random.Random) -> str:
    pieces = ["", "a", "Ba Chẽ", "2019", "\U0001f600", "\ue000", "\uffff", "Z", "đ", "2019-06-14"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))


def _both(cases: list[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the browser engine (json-logic-js) runs in it; install nodejs")
    run = subprocess.run(
        [node, "-e", RUN, str(LOGIC)], input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=True
    )
    browser = [seen.get("value", "error") for seen in json.loads(run.stdout)]
    server = []
    for rule, data in cases:
        try:
            server.append(evaluate(rule, data))
        except RuleError:
            server.append("error")
    return list(zip(server, browser, strict=True))


def test_a_fields_text_against_text_written_in_the_rule_orders_alike_and_is_accepted():
    rng = random.Random(20261130)
    types = field_types(FORM)
    cases = []
    for _ in range(1500):
        path = rng.choice(["s.ngay", "s.ten"])
        read = {"var": [path, ""]}
        written = _date(rng) if rng.random() < 0.7 else rng.choice(["", "a", "2019", "Z", "~"])
        op = rng.choice(ORDER)
        rule = {op: [read, written] if rng.random() < 0.5 else [written, read]}
        if op in ("<", "<=") and rng.random() < 0.3:
            rule = {op: [_date(rng), read, _date(rng)]}  # between
        assert portability_problems(rule, types) == [], rule
        answer = _date(rng) if path == "s.ngay" else _text(rng)
        cases.append((rule, {"s": {path.split(".")[1]: answer}} if rng.random() < 0.85 else {"s": {}}))
    outcomes = _both(cases)
    differ = [(case, seen) for case, seen in zip(cases, outcomes, strict=True) if seen[0] != seen[1]]
    assert differ == [], json.dumps(differ[:5], ensure_ascii=False)
    assert {server for server, _ in outcomes} == {True, False}  # the rules do order something


def test_two_fields_text_is_not_ordered_because_the_engines_part_there():
    rule = {"<": [{"var": ["s.ten", ""]}, {"var": ["s.ngay", ""]}]}
    assert [key for key, _ in portability_problems(rule, field_types(FORM))] == ["rule_not_number"]
    # Written in the rule, text that is not ASCII is refused too: this is where the orders part.
    assert portability_problems({"<": [{"var": ["s.ten", ""]}, "\ue000"]}, field_types(FORM))
    server, browser = _both([(rule, {"s": {"ten": "\U0001f600", "ngay": "\ue000"}})])[0]
    assert server != browser


def test_the_builders_date_condition_passes_the_check():
    form = small_form()
    fields = field_paths(form)
    rule = rule_of_conditions("and", [{"field": "a.ngay", "op": "<", "value": "14/06/2019"}], fields, "vi")
    assert rule == {"<": [{"var": ["a.ngay", ""]}, "2019-06-14"]}
    definition = copy.deepcopy(form)
    definition["sections"][1]["fields"][2]["relevant"] = rule
    check_definition(definition)
    # Said the way dates are typed and shown (a rule holds its ISO text).
    assert describe(rule, "relevant", field_infos(form, "vi"), "vi") == "hiện khi Ngày < 14/06/2019"
    assert describe(rule, "relevant", field_infos(form, "en"), "en") == "shown when Ngày < 14/06/2019"
