"""The server's rule engine (datalogic-py) and the page's (json-logic-js, the file the web form
serves) compute the same value for every ``relevant``/``calculate`` rule the form language
accepts (forms.rule_types), over answers of the form's field types; and the rules the check
refuses are where they differ.

Rules and answers are generated from a fixed seed (the same cases every run): random trees of
the operators the web form runs, reading fields of every readable type, answered or not. All of
them go to one ``node`` process (json-logic-js is a CommonJS module) and through
``checkround.forms.rules.evaluate``.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from typing import Any

import pytest

from checkround.forms.rule_types import field_types, portability_problems
from checkround.forms.rules import RuleError, evaluate
from tests.support import ROOT

LOGIC = ROOT / "templates" / "webform" / "static" / "logic.js"
CASES = 4000

FORM = {
    "id": "dong-co",
    "title": {"vi": "Hai nơi"},
    "sections": [
        {
            "key": "s",
            "title": {"vi": "Phần"},
            "fields": [
                {"key": "so", "type": "integer", "label": {"vi": "Số"}},
                {"key": "tien", "type": "decimal", "label": {"vi": "Tiền"}},
                {"key": "co", "type": "boolean", "label": {"vi": "Có"}},
                {"key": "ten", "type": "text", "label": {"vi": "Tên"}},
                {"key": "nhieu", "type": "select_multiple", "label": {"vi": "Nhiều"}, "choices": []},
                {"key": "muc", "type": "checklist", "label": {"vi": "Mục"}, "max_score": 8},
            ],
        }
    ],
}
NUMBERS = ["s.so", "s.tien", "s.muc.score"]
TEXTS = ["s.ten", "s.muc.status"]
RUN = """
const logic = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(([rule, data]) => {
  try {
    const value = logic.apply(rule, data);
    if (typeof value === "number" && !isFinite(value)) return {nonfinite: String(value)};
    return {value: value === undefined ? null : value};
  } catch (error) {
    return {error: String(error)};
  }
})));
"""


def _answers(rng: random.Random) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if rng.random() < 0.7:
        section["so"] = rng.choice([0, 1, 2, 7, 12, -3, 1000])
    if rng.random() < 0.7:
        section["tien"] = rng.choice([0.0, 1.5, 2.0, 0.1, 1265.5, -2.25])
    if rng.random() < 0.7:
        section["co"] = rng.random() < 0.5
    if rng.random() < 0.7:
        section["ten"] = rng.choice(["", "0", "a", "Ba Chẽ", "1"])
    if rng.random() < 0.7:
        section["nhieu"] = rng.sample(["x", "y", "z"], rng.randint(0, 3))
    if rng.random() < 0.7:
        status = rng.choice(["yes", "partial", "no"])
        section["muc"] = {"status": status, "score": rng.choice([0, 4, 8, 2.5])}
    return {"s": section}


def _leaf(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.35:
        path = rng.choice([*NUMBERS, *TEXTS, "s.co", "s.nhieu"])
        if rng.random() < 0.6:  # with a default of the field's own type, as the check asks
            default = (
                rng.choice([0, 1]) if path in NUMBERS else "" if path in TEXTS else [] if path == "s.nhieu" else False
            )
            return {"var": [path, default]}
        return {"var": path}
    if pick < 0.6:
        return rng.choice([0, 1, 2, 3.5, -1, 8])
    if pick < 0.75:
        return rng.choice(["", "a", "0", "yes", "x"])
    if pick < 0.9:
        return rng.choice([True, False])
    return None


OPERATORS = ["+", "-", "*", "/", "%", "min", "max", "==", "!=", "===", "!==", "<", "<=", ">", ">=",
             "!", "!!", "and", "or", "if", "cat", "in"]  # fmt: skip


def _rule(rng: random.Random, depth: int = 0) -> Any:
    if depth >= 3 or (depth > 0 and rng.random() < 0.25):
        return _leaf(rng)  # a rule itself is always an operation
    operator = rng.choice(OPERATORS)
    if operator in ("!", "!!"):
        return {operator: [_rule(rng, depth + 1)]}
    if operator == "in":
        return {"in": [rng.choice(["x", "a"]), rng.choice([{"var": "s.nhieu"}, {"var": "s.ten"}, "xa"])]}
    if operator == "if":
        return {"if": [_rule(rng, depth + 1), _rule(rng, depth + 1), _rule(rng, depth + 1)]}
    count = rng.choice([1, 2, 2, 3]) if operator not in ("/", "%") else 2
    return {operator: [_rule(rng, depth + 1) for _ in range(count)]}


def _server(rule: Any, data: Any) -> dict[str, Any]:
    try:
        value = evaluate(rule, data)
    except RuleError as exc:
        return {"error": str(exc)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"nonfinite": str(value)}
    return {"value": value}


def _same(server: dict[str, Any], browser: dict[str, Any]) -> bool:
    if "value" in server and "value" in browser:
        a, b = server["value"], browser["value"]
        if (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and not isinstance(a, bool)
            and not isinstance(b, bool)
        ):
            return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
        return bool(a == b and type(a) is type(b)) or (a == b and {type(a), type(b)} <= {int, float})
    return False  # an error or a non-finite number on either side is a difference


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[Any, Any, bool, dict[str, Any], dict[str, Any]]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the browser engine (json-logic-js) runs in it; install nodejs")
    rng = random.Random(20261130)
    types = field_types(FORM)
    cases = [(_rule(rng), _answers(rng)) for _ in range(CASES)]
    run = subprocess.run(
        [node, "-e", RUN, str(LOGIC)], input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=True
    )
    browser = json.loads(run.stdout)
    return [
        (rule, data, not portability_problems(rule, types), _server(rule, data), seen)
        for (rule, data), seen in zip(cases, browser, strict=True)
    ]


def test_every_rule_the_form_language_accepts_computes_the_same_in_both_engines(outcomes):
    accepted = [case for case in outcomes if case[2]]
    differ = [
        (rule, data, server, browser) for rule, data, _, server, browser in accepted if not _same(server, browser)
    ]
    assert len(accepted) > CASES // 10  # the check leaves many generated rules to test
    assert differ == [], json.dumps(differ[:5], ensure_ascii=False)


def test_the_rules_it_refuses_are_where_the_engines_differ(outcomes):
    """The check is not idle: among the rules it refuses are those the two engines disagree on
    (without it, the first test would fail)."""
    refused = [case for case in outcomes if not case[2]]
    assert any(not _same(server, browser) for _, _, _, server, browser in refused)


def test_every_refusal_is_said_in_both_languages():
    """Each problem the check reports is a message of the definition catalogue (vi and en)."""
    from checkround.forms.definition_messages import said

    types = field_types(FORM)
    rules = [
        {"+": [{"var": "s.so"}, 1]},
        {"+": ["a", 1]},
        {"cat": ["a", 1]},
        {"/": [1, {"var": ["s.so", 0]}]},
        {"==": [1, "1"]},
        {"==": [{"var": ["s.so", 0]}, None]},
        {"==": [1]},
        {"max": []},
    ]
    seen = set()
    for rule in rules:
        (problem,) = portability_problems(rule, types)
        seen.add(problem[0])
        message = said(problem[0], **problem[1])
        assert message.in_language("vi")
        assert message.in_language("en")
    assert len(seen) == len(rules)
