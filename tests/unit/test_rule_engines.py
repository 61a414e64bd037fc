"""The server's rule engine (datalogic-py) and the page's (json-logic-js, the file the web form
serves) compute the same value for every ``relevant``/``calculate`` rule the form language
accepts (forms.rule_types), over the data each side builds from the same answers; and the rules
the check refuses are where they differ.

Answers and rules are generated from a fixed seed (the same cases every run). The rules are
random trees of every operator the page runs (list operators over the form's lists and others,
guards, ``missing``), and trees of one type, which the check mostly accepts. The answers hold
what a stored draft or an API client may: "" and text of spaces, null, absent, empty lists and
records, empty repeat rows, text with spaces around it and line breaks, dates, choices in any
order. Each side builds its data its own real way:

* the server: ``checkround.forms.rule_data.rule_data`` (what validation and the page drawn
  without JavaScript use), then ``checkround.forms.rules.evaluate``;
* the page: the web form's widgets draw the answers (``webform/widgets.html.j2``, in the web
  form's own environment); the inputs are read off the drawn HTML as a browser holds them (a
  text input's value loses its line breaks, a textarea its first one; the template rows are not
  in the page); ``form.js``'s ``RuleData`` builds the data from them in node, reading numbers
  with ``numbers.js``, then json-logic-js evaluates.

Both data and every result must be the same.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest

from checkround.forms.definition import check_definition
from checkround.forms.rule_data import row_data, rule_data, scoped
from checkround.forms.rule_types import field_types, portability_problems
from checkround.forms.rules import RuleError, evaluate
from checkround.forms.webform import client_rules
from checkround.http.webform.render import environment
from tests.support import ROOT

STATIC = ROOT / "templates" / "webform" / "static"
ANSWER_SETS = 500
RULES_PER_SET = 8


def _label(text: str) -> dict[str, str]:
    return {"vi": text, "en": text}


def _choices(*values: str) -> list[dict[str, Any]]:
    return [{"value": value, "label": _label(value)} for value in values]


FORM = check_definition(
    {
        "id": "dong-co",
        "title": _label("Hai nơi"),
        "sections": [
            {
                "key": "s",
                "title": _label("Phần"),
                "fields": [
                    {"key": "so", "type": "integer", "label": _label("Số")},
                    {"key": "tien", "type": "decimal", "label": _label("Tiền")},
                    {"key": "co", "type": "boolean", "label": _label("Có")},
                    {"key": "ten", "type": "text", "label": _label("Tên")},
                    {"key": "ghi", "type": "textarea", "label": _label("Ghi chú")},
                    {"key": "ngay", "type": "date", "label": _label("Ngày")},
                    {"key": "gio", "type": "time", "label": _label("Giờ")},
                    {"key": "mot", "type": "select_one", "label": _label("Một"), "choices": _choices("a", "b")},
                    {
                        "key": "nhieu",
                        "type": "select_multiple",
                        "label": _label("Nhiều"),
                        "choices": _choices("x", "y", "z"),
                    },
                    {"key": "muc", "type": "checklist", "label": _label("Mục"), "max_score": 8, "score_rule": "free"},
                    {
                        "key": "tong",
                        "type": "calculated",
                        "label": _label("Tổng"),
                        "calculate": {"+": [{"var": ["s.so", 0]}, {"var": ["s.muc.score", 0]}]},
                    },
                    {
                        "key": "loi",
                        "type": "calculated",
                        "label": _label("Lời"),
                        "calculate": {"cat": [{"var": ["s.ten", ""]}, {"var": ["s.mot", ""]}]},
                    },
                    {
                        "key": "nhom",
                        "type": "repeat",
                        "label": _label("Nhóm"),
                        "fields": [
                            {"key": "ten", "type": "text", "label": _label("Tên")},
                            {"key": "sl", "type": "integer", "label": _label("Số lượng")},
                            {
                                "key": "gap",
                                "type": "calculated",
                                "label": _label("Gấp"),
                                "calculate": {"*": [{"var": ["_item.sl", 0]}, 2]},
                            },
                        ],
                    },
                ],
            },
            {"key": "t", "title": _label("Phần hai"), "fields": [{"key": "x", "type": "text", "label": _label("X")}]},
        ],
    }
)
NUMBERS = ["s.so", "s.tien", "s.muc.score", "s.tong"]
TEXTS = ["s.ten", "s.ghi", "s.muc.status", "s.muc.note", "s.ngay", "s.mot", "s.loi", "t.x"]
EVERY_PATH = [*NUMBERS, *TEXTS, "s.co", "s.nhieu", "s.muc", "s.nhom", "s.gio", "s", "t"]
ROW_PATHS = ["_item.ten", "_item.sl", "_item.gap"]

TEXT_VALUES = ["", "  ", "\t", " a ", "a", "0", "Ba Chẽ", "a\nb", "\u00a0x\u00a0", "\ufeff", "a\r\nb", "\nb"]
ANSWER_VALUES: dict[str, list[Any]] = {
    "so": [None, 0, 7, -3, 1000],
    "tien": [None, 0.0, 1.5, 0.1, 1265.5],
    "co": [None, True, False],
    "ten": [None, *TEXT_VALUES],
    "ghi": [None, *TEXT_VALUES],
    "ngay": [None, "", "2019-06-14", " "],
    "gio": [None, "", "08:30:00"],
    "mot": [None, "", "a", "b"],
    "nhieu": [None, [], ["x"], ["y", "x"], ["z", "y", "x"]],
    "muc": [
        None,
        {},
        {"status": "yes", "score": 8},
        {"status": "partial", "score": None, "note": "  "},
        {"status": "no", "score": 0, "note": " n "},
        {"score": 2.5},
        {"note": ""},
    ],
    "tong": [None, 5, "x"],  # a calculated field's stored value is never read
    "nhom": [
        None,
        [],
        [{}],
        [{"ten": "  "}],
        [{"ten": "a", "sl": 2}, {}, {"sl": None, "ten": ""}],
        [{"sl": 3, "gap": 100}],
        [{"ten": " b ", "sl": 0}, {"ten": "c"}],
    ],
}


def _answers(rng: random.Random) -> dict[str, Any]:
    section = {key: rng.choice(values) for key, values in ANSWER_VALUES.items() if rng.random() < 0.85}
    answers: dict[str, Any] = {"s": section}
    if rng.random() < 0.5:
        answers["t"] = {"x": rng.choice(TEXT_VALUES)} if rng.random() < 0.7 else {}
    return answers


def _default(path: str) -> Any:
    if path in NUMBERS or path.split(".")[-1] in ("sl", "gap", "accumulator"):
        return 0
    if path in TEXTS or path in ("_item.ten", "ten", ""):
        return ""
    return {"s.nhieu": [], "s.co": False, "s.muc": {}, "s.nhom": [], "s.gio": "", "s": {}, "t": {}}[path]


def _leaf(rng: random.Random, paths: list[str]) -> Any:
    pick = rng.random()
    if pick < 0.4:
        path = rng.choice(paths)
        if rng.random() < 0.6:  # with a default of the field's own type, as the check asks
            return {"var": [path, _default(path)]}
        return {"var": path}
    if pick < 0.5:
        return {"missing": rng.sample(paths, rng.randint(1, 2))}
    if pick < 0.65:
        return rng.choice([0, 1, 2, 3.5, -1, 8])
    if pick < 0.8:
        return rng.choice(["", "a", "0", "yes", "x", "2019-06-14", "Ba Chẽ", "a\nb"])
    if pick < 0.93:
        return rng.choice([True, False])
    return None


OPERATORS = ["+", "-", "*", "/", "%", "min", "max", "==", "!=", "===", "!==", "<", "<=", ">", ">=",
             "!", "!!", "and", "or", "if", "cat", "in", "substr", "merge", "missing_some", "some", "all", "none",
             "map", "filter", "reduce", "guard"]  # fmt: skip
LISTS = [{"var": "s.nhom"}, {"var": ["s.nhom", []]}, {"var": "s.nhieu"}, {"var": ["s.nhieu", []]}, {"var": "s.ten"},
         ["x", "y"], [1, 2]]  # fmt: skip
ITEM_PATHS = ["ten", "sl", "gap", "", "current.sl", "accumulator"]


def _list_rule(rng: random.Random, operator: str, depth: int) -> Any:
    """A list operator over a list of the form (or not a list), its inner rule reading items."""
    source = rng.choice(LISTS)
    inner = _rule(rng, ITEM_PATHS, depth + 1)
    if operator == "reduce":
        return {"reduce": [source, inner, rng.choice([0, "", None, 1.5])]}
    return {operator: [source, inner]}


def _typed(rng: random.Random, kind: str, depth: int = 0) -> Any:
    """A rule of one type built from parts of that type (most random trees mix types, which
    the check refuses): the accepted rules reach every operator with values of its own type."""
    if kind == "number":
        if depth >= 2 or (depth > 0 and rng.random() < 0.3):  # a rule itself is an operation
            path = rng.choice(NUMBERS)
            return rng.choice([{"var": [path, rng.choice([0, 1])]}, rng.choice([0, 1, 2.5, -3, 8])])
        operator = rng.choice(["+", "-", "*", "/", "%", "min", "max", "if"])
        if operator in ("/", "%"):
            return {operator: [_typed(rng, "number", depth + 1), rng.choice([1, 2, 3, 0.5, -4])]}
        if operator == "if":
            condition = _typed(rng, "boolean", depth + 1)
            return {"if": [condition, _typed(rng, "number", depth + 1), _typed(rng, "number", depth + 1)]}
        return {operator: [_typed(rng, "number", depth + 1) for _ in range(rng.choice([1, 2, 2]))]}
    if kind == "text":
        if depth >= 2 or (depth > 0 and rng.random() < 0.4):
            path = rng.choice(TEXTS)
            return rng.choice([{"var": [path, ""]}, rng.choice(["", "a", "Ba Chẽ", "2019-06-14", "0"])])
        return {"cat": [_typed(rng, "text", depth + 1) for _ in range(rng.choice([1, 2, 3]))]}
    operator = rng.choice(["==", "!=", "===", "<", ">=", "!", "and", "or", "missing", "in"])
    if operator in ("==", "!=", "==="):
        side = rng.choice(["number", "text"])
        return {operator: [_typed(rng, side, depth + 1), _typed(rng, side, depth + 1)]}
    if operator in ("<", ">="):
        return {operator: [_typed(rng, "number", depth + 1), _typed(rng, "number", depth + 1)]}
    if operator == "missing":
        return {"!": {"missing": rng.sample(EVERY_PATH, 2)}}
    if operator == "in":
        return {"in": [_typed(rng, "text", depth + 1), rng.choice([{"var": ["s.nhieu", []]}, "xa", ["a", "x"]])]}
    if operator == "!":
        return {"!": _typed(rng, "boolean", depth + 1)}
    return {operator: [_typed(rng, "boolean", depth + 1), {"var": rng.choice(EVERY_PATH[:-2])}]}


def _rule(rng: random.Random, paths: list[str], depth: int = 0) -> Any:
    if depth == 0 and paths is EVERY_PATH and rng.random() < 0.4:
        return _typed(rng, rng.choice(["number", "text", "boolean"]))
    if depth >= 3 or (depth > 0 and rng.random() < 0.25):
        return _leaf(rng, paths)  # a rule itself is always an operation
    operator = rng.choice(OPERATORS)
    if operator in ("!", "!!"):
        return {operator: [_rule(rng, paths, depth + 1)]}
    if operator == "in":
        needle = rng.choice(
            ["x", "a", 1, {"var": "s.ten"}, {"var": ["s.mot", ""]}, {"var": ["s.so", 0]}, {"var": "s.co"}]
        )
        return {
            "in": [needle, rng.choice([{"var": "s.nhieu"}, {"var": "s.ten"}, {"var": ["s.ghi", ""]}, "xa", ["a", 1]])]
        }
    if operator == "substr":
        text = rng.choice([{"var": "s.ten"}, {"var": ["s.ghi", ""]}, {"var": ["s.ngay", ""]}, "Ba Chẽ", 12])
        return {"substr": [text, *rng.sample([0, 1, -1, 2, 1.5], rng.randint(1, 2))]}
    if operator == "merge":
        return {"merge": [rng.choice(LISTS), rng.choice([["x"], "a", 1, {"var": ["s.nhieu", []]}])]}
    if operator == "missing_some":
        return {"missing_some": [rng.choice([1, 2]), rng.sample(EVERY_PATH, 3)]}
    if operator in ("some", "all", "none", "map", "filter", "reduce"):
        return _list_rule(rng, operator, depth)
    if operator == "guard":  # a field read alone guards what follows (XLSForm's string-length)
        read = {"var": rng.choice(paths)}
        guarded = rng.choice([{"substr": [read, rng.choice([0, 2])]}, {">": [read, 1]}, {"cat": [read, "x"]}, read])
        if rng.random() < 0.5:
            return {"and": [read, {"!=": [guarded, rng.choice(["", 0])]}]}
        return {"or": [{"!": [read]}, {"==": [guarded, rng.choice(["", 0])]}]}
    if operator == "if":
        return {"if": [_rule(rng, paths, depth + 1), _rule(rng, paths, depth + 1), _rule(rng, paths, depth + 1)]}
    count = rng.choice([1, 2, 2, 3]) if operator not in ("/", "%") else 2
    return {operator: [_rule(rng, paths, depth + 1) for _ in range(count)]}


# -- the page as a browser holds it ---------------------------------------------------------

PAGE = """{% import "webform/widgets.html.j2" as w with context %}
<form id="answers">
{% for section in definition.sections %}
  {% set section_values = values.get(section.key) if values.get(section.key) is mapping else {} %}
  {% for f in section.fields %}
  {{ w.field(f, section.key ~ "." ~ f.key, field_id("f", section.key, f.key), section_values.get(f.key), none) }}
  {% endfor %}
{% endfor %}
</form>"""
_VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr", "area", "base", "embed", "track"}


class _Inputs(HTMLParser):
    """The page's controls as the DOM holds them after parsing: each input's value (a text
    input's without line breaks, as the HTML value sanitisation leaves it), a textarea's text
    (without the first line break after its tag), the checked boxes, and each repeat group's
    rows in order; nothing inside a <template> (its content is not in the document)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, Any]] = []
        self.rows: dict[str, list[str]] = {}
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.textarea: dict[str, Any] | None = None

    def _in_template(self) -> bool:
        return any(tag == "template" for tag, _ in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if not self._in_template():
            if tag == "input" and "name" in found:
                kind = found.get("type", "text")
                value = found.get("value", "")
                if kind in ("text", "tel", "email", "search", "url", "password"):
                    value = re.sub(r"[\r\n]", "", value)
                if kind == "email":
                    value = value.strip(" \t\n\f\r")
                self.controls.append(
                    {
                        "name": found["name"],
                        "type": kind,
                        "value": value,
                        "checked": "checked" in found,
                        "number": found.get("data-number", ""),
                    }
                )
            elif tag == "textarea":
                self.textarea = {"name": found["name"], "type": "textarea", "value": "", "checked": False, "number": ""}
                self.controls.append(self.textarea)
            elif tag == "fieldset" and "row" in found.get("class", "").split():
                group = next(attrs["data-repeat"] for _, attrs in reversed(self.stack) if "data-repeat" in attrs)
                self.rows.setdefault(group, []).append(found["data-index"])
        if tag not in _VOID:
            self.stack.append((tag, found))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            text = self.textarea["value"]
            self.textarea["value"] = text[1:] if text.startswith("\n") else text
            self.textarea = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea["value"] += data


def _page(answers: dict[str, Any], language: str) -> dict[str, Any]:
    env = environment(ROOT / "templates")
    texts = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    html = env.from_string(PAGE).render(
        lang=language,
        T=texts[language],
        root="/",
        definition=FORM,
        values=answers,
        errors={},
        readonly=False,
        returned_comments={},
        not_relevant=set(),
        calculated={},
        blanks={},
    )
    inputs = _Inputs()
    inputs.feed(html)
    return {"controls": inputs.controls, "rows": inputs.rows, "lang": language}


BROWSER = """
const RuleData = require(process.argv[1] + "/form.js");
const logic = require(process.argv[1] + "/logic.js");
const numbers = require(process.argv[1] + "/numbers.js");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
function page(inputs) {
  const named = (name) => inputs.controls.filter((control) => control.name === name);
  return {
    value(name) {
      const found = named(name);
      if (found.length && found[0].type === "radio") {
        const checked = found.filter((control) => control.checked)[0];
        return checked ? checked.value : "";
      }
      return found.length ? found[0].value : "";
    },
    ticked: (name) => named(name).filter((control) => control.checked).map((control) => control.value),
    rows: (name) => inputs.rows[name] || [],
    whole: (name) => named(name).length > 0 && named(name)[0].number === "whole",
  };
}
function outcome(rule, data) {
  try {
    const value = logic.apply(rule, data);
    if (typeof value === "number" && !isFinite(value)) return {nonfinite: String(value)};
    return {value: value === undefined ? null : value};
  } catch (error) {
    return {error: String(error)};
  }
}
process.stdout.write(JSON.stringify(cases.map(({inputs, spec, rules, rowRules}) => {
  const reading = {page: page(inputs), numbers, lang: inputs.lang, logic};
  const data = RuleData.build(reading, spec);
  const group = spec.sections[0].fields.find((field) => field.key === "nhom");
  const rows = (inputs.rows["s.nhom"] || []).map((index) => RuleData.row(reading, spec, "s.nhom", group, index, data));
  return {
    data,
    rows,
    results: rules.map((rule) => outcome(rule, data)),
    rowResults: rows.map((row) => rowRules.map((rule) => outcome(rule, Object.assign({}, data, {_item: row})))),
  };
})));
"""


def _server(rule: Any, data: Any) -> dict[str, Any]:
    try:
        value = evaluate(rule, data)
    except RuleError as exc:
        return {"error": str(exc)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"nonfinite": str(value)}
    return {"value": value}


def _equal(a: Any, b: Any) -> bool:
    """JSON values equal as JavaScript sees them (1 and 1.0 are one number; True is not 1)."""
    numeric = (int, float)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _same(server: dict[str, Any], browser: dict[str, Any]) -> bool:
    if "value" in server and "value" in browser:
        return _equal(server["value"], browser["value"])
    return False  # an error or a non-finite number on either side is a difference


Outcome = tuple[Any, Any, bool, dict[str, Any], dict[str, Any]]  # rule, answers, accepted, server, page


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the browser engine (json-logic-js) runs in it; install nodejs")
    rng = random.Random(20261130)
    spec = client_rules(FORM)
    cases = []
    for number in range(ANSWER_SETS):
        answers = _answers(rng)
        cases.append(
            {
                "answers": answers,
                "inputs": _page(answers, "vi" if number % 2 == 0 else "en"),
                "spec": spec,
                "rules": [_rule(rng, EVERY_PATH) for _ in range(RULES_PER_SET)],
                "rowRules": [_rule(rng, [*EVERY_PATH, *ROW_PATHS]) for _ in range(2)],
            }
        )
    run = subprocess.run(
        [node, "-e", BROWSER, str(STATIC)],
        input=json.dumps([{key: case[key] for key in ("inputs", "spec", "rules", "rowRules")} for case in cases]),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return {"cases": cases, "browser": json.loads(run.stdout)}


def _server_side(answers: dict[str, Any], rows_on_page: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The server's data for ``answers``, and each row's: the stored records' and the empty
    rows the page offers after them."""
    data = rule_data(FORM, answers)
    group = FORM["sections"][0]["fields"][-1]
    records = answers["s"].get("nhom") if isinstance(answers["s"].get("nhom"), list) else []
    records = records + [{}] * (rows_on_page - len(records))
    return data, [row_data(FORM, group, record, data) for record in records]


def test_both_sides_build_the_same_data_from_the_same_answers(runs):
    differ = []
    for case, page in zip(runs["cases"], runs["browser"], strict=True):
        data, rows = _server_side(case["answers"], len(page["rows"]))
        if not (_equal(data, page["data"]) and _equal(rows, page["rows"])):
            differ.append({"answers": case["answers"], "server": [data, rows], "page": [page["data"], page["rows"]]})
    assert differ == [], json.dumps(differ[:3], ensure_ascii=False)


def test_the_data_holds_no_unanswered_value(runs):
    """The one rule: nothing unanswered is in the data (no null, "", blank text, [] or {})."""

    def blanks(value: Any) -> bool:
        if isinstance(value, dict):
            return any(blanks(item) or item in ({}, []) for item in value.values())
        if isinstance(value, list):
            return not value or any(blanks(item) or item == {} for item in value)
        return value is None or (isinstance(value, str) and value.strip() == "")

    found = [
        case["answers"]
        for case in runs["cases"]
        if any(blanks(part) for part in _server_side(case["answers"])[0].values())
    ]
    assert found == []
    # The answers did hold them: the generator is not idle.
    assert (
        sum("" in case["answers"]["s"].values() or None in case["answers"]["s"].values() for case in runs["cases"])
        > 100
    )


def _outcomes(runs: dict[str, Any]) -> list[Outcome]:
    types = field_types(FORM)
    found: list[Outcome] = []
    for case, page in zip(runs["cases"], runs["browser"], strict=True):
        data, rows = _server_side(case["answers"], len(page["rows"]))
        for rule, seen in zip(case["rules"], page["results"], strict=True):
            found.append((rule, case["answers"], not portability_problems(rule, types), _server(rule, data), seen))
        for row, results in zip(rows, page["rowResults"], strict=True):
            for rule, seen in zip(case["rowRules"], results, strict=True):
                accepted = not portability_problems(rule, types, "s.nhom")
                found.append((rule, case["answers"], accepted, _server(rule, scoped(data, row)), seen))
    return found


def test_every_rule_the_form_language_accepts_computes_the_same_in_both_engines(runs):
    outcomes = _outcomes(runs)
    accepted = [case for case in outcomes if case[2]]
    differ = [
        (rule, answers, server, browser) for rule, answers, _, server, browser in accepted if not _same(server, browser)
    ]
    assert len(accepted) > len(outcomes) // 10  # the check leaves many generated rules to test
    assert differ == [], json.dumps(differ[:5], ensure_ascii=False)


def test_the_rules_it_refuses_are_where_the_engines_differ(runs):
    """The check is not idle: among the rules it refuses are those the two engines disagree on
    (without it, the test above would fail)."""
    refused = [case for case in _outcomes(runs) if not case[2]]
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
        {"!!": {"var": "t"}},
        {"!": {"var": ["s.so", None]}},
        {"some": [{"var": ["s.ten", ""]}, True]},
        {"in": ["a", {"var": ["s.ten", ""]}]},
        {"substr": ["abc", 1.5]},
        {"some": [{"var": ["s.nhieu", []]}, {"var": "s.so"}]},
    ]
    calculations = [{"var": ["s.gio", ""]}]  # a time kept by a calculation
    seen = set()
    for rule, name in [*((rule, "relevant") for rule in rules), *((rule, "calculate") for rule in calculations)]:
        (problem,) = portability_problems(rule, types, name=name)
        seen.add(problem[0])
        message = said(problem[0], **problem[1])
        assert message.in_language("vi")
        assert message.in_language("en")
    assert len(seen) == len(rules) + len(calculations)


def test_a_required_answer_of_spaces_is_as_missing_as_the_rules_say():
    """The one rule on the server's own checks too: text of spaces is unanswered to ``missing``
    (rule_data leaves it out) and to ``required``, static or a rule."""
    from checkround.errors import AppError
    from checkround.forms.compiler import compile_schema
    from checkround.forms.validate import check_answers

    definition = check_definition(
        {
            "id": "khoang-trang",
            "title": _label("Khoảng trắng"),
            "sections": [
                {
                    "key": "s",
                    "title": _label("Phần"),
                    "fields": [
                        {"key": "ten", "type": "text", "label": _label("Tên"), "required": True},
                        {"key": "ghi", "type": "text", "label": _label("Ghi"), "required": {"missing": ["s.ten"]}},
                    ],
                }
            ],
        }
    )
    schema = compile_schema(definition, "en")
    with pytest.raises(AppError) as caught:
        check_answers(definition, schema, {"s": {"ten": " \t ", "ghi": "\u00a0"}}, "en")
    assert set(caught.value.fields["s"]) == {"ten", "ghi"}
    assert check_answers(definition, schema, {"s": {"ten": " a "}}, "en").answers == {"s": {"ten": " a "}}
