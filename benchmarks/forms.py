"""Benchmarks of the form language (issue 3).

1. Compile time of a 500-field definition (meta-validation + marshmallow schema).
2. Validation throughput of a 40-field form with a repeat group, valid and invalid answers,
   against fastjsonschema on the equivalent JSON Schema, in the same run (ratio reported).
3. On the local stack (real emulator + functions host): a submission's latency against the
   time the cached validation takes for the same answers (the goal: at most 10 %).
4. A repeat group of 500, 1,000 and 2,000 rows with rules on each row (review finding 1):
   validation time per submission, which grows linearly with the rows when each rule is handed
   only what it reads.
5. ``--xlsform`` (issue 17), alone: importing a 500-row XLSForm workbook (read, expressions
   translated, definition built and checked) against loading the same workbook with openpyxl
   alone, and exporting the form again.

    PYTHONPATH=functions .venv/bin/python benchmarks/forms.py [--xlsform] [--write]

``--write`` replaces this benchmark's part of benchmarks/RESULTS.md (each of the two runs has
its own section).
"""

from __future__ import annotations

import argparse
import copy
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.errors import AppError  # noqa: E402
from checkround.forms.compiler import compile_schema  # noqa: E402
from checkround.forms.definition import check_definition  # noqa: E402
from checkround.forms.fillers import unit_part  # noqa: E402
from checkround.forms.validate import check_answers  # noqa: E402

KINDS = ["integer", "decimal", "text", "select_one", "checklist", "boolean", "date", "select_multiple"]
CHOICES = [{"value": v, "label": {"vi": v}} for v in ("mot", "hai", "ba", "bon")]


def field(key: str, kind: str) -> dict[str, Any]:
    f: dict[str, Any] = {"key": key, "type": kind, "label": {"vi": key, "en": key}, "required": True}
    if kind in ("integer", "decimal"):
        f.update(min=0, max=100000)
    elif kind == "text":
        f["max_length"] = 200
    elif kind in ("select_one", "select_multiple"):
        f["choices"] = CHOICES
    elif kind == "checklist":
        f["max_score"] = 10
    return f


def definition_with(n_fields: int, repeat: bool = False) -> dict[str, Any]:
    plain = n_fields - (5 if repeat else 0)
    sections = []
    for s in range(0, plain, 10):
        keys = range(s, min(s + 10, plain))
        sections.append(
            {
                "key": f"s{s // 10}",
                "title": {"vi": f"Phần {s // 10}"},
                "fields": [field(f"f{i}", KINDS[i % 8]) for i in keys],
            }
        )
    if repeat:
        sub = [field("ten", "text"), field("gia_tri", "decimal"), field("nguoi", "integer"), field("xong", "boolean")]
        sections[-1]["fields"].append(
            {"key": "cong_trinh", "type": "repeat", "label": {"vi": "Công trình"}, "min_items": 1, "max_items": 20,
             "fields": sub}
        )  # fmt: skip
    return {"id": "bench", "title": {"vi": "Đo"}, "sections": sections}


def value_for(f: dict[str, Any], i: int) -> Any:
    kind = f["type"]
    return {
        "integer": i * 7,
        "decimal": i * 1.5,
        "text": f"Nội dung số {i} của đơn vị",
        "select_one": "hai",
        "select_multiple": ["mot", "ba"],
        "checklist": {"status": "partial", "score": 6, "note": "Còn thiếu biên bản"},
        "boolean": True,
        "date": "2019-06-14",
    }[kind]


def answers_for(definition: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        values = {}
        for i, f in enumerate(section["fields"]):
            if f["type"] == "repeat":
                values[f["key"]] = [
                    {"ten": f"Công trình {j}", "gia_tri": 10.0 * j, "nguoi": 20 + j, "xong": j % 2 == 0}
                    for j in range(5)
                ]
            else:
                values[f["key"]] = value_for(f, i)
        answers[section["key"]] = values
    return answers


def invalid(answers: dict[str, Any]) -> dict[str, Any]:
    """Three faults: a number out of range, an unknown choice, a bad repeat item."""
    broken = copy.deepcopy(answers)
    first = broken["s0"]
    first["f0"] = -5
    first["f3"] = "nam"
    broken[list(broken)[-1]]["cong_trinh"][2]["nguoi"] = "nhiều"
    return broken


# -- the equivalent JSON Schema ----------------------------------------------------------------


def json_schema_of(f: dict[str, Any]) -> dict[str, Any]:
    kind = f["type"]
    if kind == "integer":
        return {"type": "integer", "minimum": f["min"], "maximum": f["max"]}
    if kind == "decimal":
        return {"type": "number", "minimum": f["min"], "maximum": f["max"]}
    if kind == "text":
        return {"type": "string", "maxLength": f["max_length"]}
    if kind == "select_one":
        return {"enum": [c["value"] for c in f["choices"]]}
    if kind == "select_multiple":
        return {"type": "array", "items": {"enum": [c["value"] for c in f["choices"]]}}
    if kind == "checklist":
        return {
            "type": "object",
            "properties": {
                "status": {"enum": ["yes", "partial", "no"]},
                "score": {"type": "number", "minimum": 0, "maximum": f["max_score"]},
                "note": {"type": "string", "maxLength": 2000},
            },
            "required": ["status", "score"],
            "additionalProperties": False,
        }
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind == "repeat":
        return {
            "type": "array",
            "minItems": f["min_items"],
            "maxItems": f["max_items"],
            "items": object_of(f["fields"]),
        }
    raise ValueError(kind)


def object_of(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f["key"]: json_schema_of(f) for f in fields},
        "required": [f["key"] for f in fields if f.get("required")],
        "additionalProperties": False,
    }


def json_schema(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {s["key"]: object_of(s["fields"]) for s in definition["sections"]},
        "additionalProperties": False,
    }


# -- measuring ----------------------------------------------------------------------------------


def per_second(fn: Callable[[], Any], seconds: float = 1.5) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def expect_error(fn: Callable[[], Any], errors: tuple[type[BaseException], ...]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except errors:
            return
        raise AssertionError("invalid answers were accepted")

    return run


def bench_compile() -> dict[str, float]:
    raw = definition_with(500)
    return {"compile_500_ms": median_ms(lambda: compile_schema(check_definition(raw)), 15)}


def bench_validate() -> dict[str, float]:
    definition = check_definition(definition_with(40, repeat=True))
    schema = compile_schema(definition, "vi")
    good = answers_for(definition)
    bad = invalid(good)
    check_answers(definition, schema, good)
    fast = fastjsonschema.compile(json_schema(definition))
    fast(good)
    ours_valid = per_second(lambda: check_answers(definition, schema, good))
    ours_invalid = per_second(expect_error(lambda: check_answers(definition, schema, bad), (AppError,)))
    fjs_valid = per_second(lambda: fast(good))
    fjs_invalid = per_second(expect_error(lambda: fast(bad), (fastjsonschema.JsonSchemaValueException,)))
    return {
        "ours_valid": ours_valid,
        "ours_invalid": ours_invalid,
        "fjs_valid": fjs_valid,
        "fjs_invalid": fjs_invalid,
    }


ROWS_FORM = {
    "id": "bench-rows",
    "title": {"vi": "Đo dòng"},
    "sections": [
        {
            "key": "s",
            "title": {"vi": "Phần"},
            "fields": [
                {"key": "tran", "type": "integer", "label": {"vi": "Trần"}},
                {
                    "key": "hang",
                    "type": "repeat",
                    "label": {"vi": "Hàng"},
                    "max_items": 2000,
                    "fields": [
                        {"key": "ten", "type": "text", "label": {"vi": "Tên"}, "required": True},
                        {"key": "so", "type": "integer", "label": {"vi": "Số"}, "min": 0,
                         "constraint": {"<=": [{"var": "_item.so"}, {"var": "s.tran"}]}},
                        {"key": "ghi_chu", "type": "text", "label": {"vi": "Ghi chú"},
                         "relevant": {">": [{"var": "_item.so"}, 5]}},
                        {"key": "gap_doi", "type": "calculated", "label": {"vi": "Gấp đôi"},
                         "calculate": {"*": [{"var": "_item.so"}, 2]}},
                    ],
                },
                {"key": "tong", "type": "calculated", "label": {"vi": "Tổng"},
                 "calculate": {"reduce": [{"var": "s.hang"}, {"+": [{"var": "accumulator"}, {"var": "current.so"}]},
                                          0]}},
            ],
        }
    ],
}  # fmt: skip


def bench_rows(counts: tuple[int, ...] = (500, 1000, 2000)) -> dict[str, float]:
    """Validation of a submission whose repeat group has ``count`` rows, three rules each."""
    definition = check_definition(copy.deepcopy(ROWS_FORM))
    schema = compile_schema(definition, "vi")
    results = {}
    for count in counts:
        rows = [{"ten": f"Dòng {i}", "so": i % 10, "ghi_chu": "Ghi chú"} for i in range(count)]
        answers = {"s": {"tran": 100, "hang": rows}}

        def validate(answers: dict[str, Any] = answers) -> None:
            check_answers(definition, schema, answers)

        validate()
        results[f"rows_{count}_ms"] = median_ms(validate, 5)
    return results


def bench_stack(submissions: int = 40) -> dict[str, float]:
    """Submission latency on the local stack against the validation inside it."""
    from checkround import wiring
    from checkround.devstack.client import Client
    from checkround.devstack.emulator import free_port
    from checkround.devstack.seed import seed
    from checkround.devstack.stack import Stack
    from checkround.rounds.tokens import issue_admin_token
    from tests.support import seed_answers

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
    os.environ["CHECKROUND_LOCAL_DIR"] = tempfile.mkdtemp(prefix="bench-")
    stack = Stack(project="bench-forms", port=free_port(), emulator_port=free_port(), scheduler_seconds=None)
    stack.start()
    try:
        admin = Client(stack.base_url, issue_admin_token(wiring.context()))
        seeded = seed(admin, ROOT / "schemas")
        round_id = seeded["round"]["id"]
        token = admin.call("POST", f"/rounds/{round_id}/tokens", {"unit_ids": ["hai-quan"]})["tokens"]["hai-quan"][
            "token"
        ]
        unit = Client(stack.base_url, token, function="unit_api")
        answers = seed_answers("hai-quan")
        latency = []
        for i in range(submissions + 5):
            start = time.perf_counter()
            unit.call(
                "POST", f"/rounds/{round_id}/submission", {"answers": answers}, headers={"Idempotency-Key": f"b{i}"}
            )
            if i >= 5:  # the first calls warm the caches and the emulator
                latency.append((time.perf_counter() - start) * 1000)
        # What a unit sends is checked against its part of the form (forms.fillers).
        definition = unit_part(admin.call("GET", f"/forms/{seeded['form_id']}/versions/{seeded['form_version']}"))
        schema = compile_schema(definition, "vi")
        validation = median_ms(lambda: check_answers(definition, schema, answers), 200)
    finally:
        stack.stop(export=False)
    return {"submit_median_ms": statistics.median(latency), "validate_median_ms": validation}


def report(results: dict[str, float]) -> str:
    r = results
    share = 100 * r["validate_median_ms"] / r["submit_median_ms"]
    machine = machine_line()
    return f"""## Forms (benchmarks/forms.py)

Measured {time.strftime("%Y-%m-%d")} on this machine ({machine}); one run, numbers rounded.
Load average (1 min) when the run began: {r["load_before"]:.1f}; other work on the machine slows
every row of the table alike, so compare rows of one run rather than runs.

| what | result |
| --- | --- |
| compile a 500-field definition (meta-validation + marshmallow schema), median | {r["compile_500_ms"]:.1f} ms |
| validate a 40-field form with a 5-item repeat group, valid answers | {r["ours_valid"]:,.0f} /s |
| the same, invalid answers (3 faults) | {r["ours_invalid"]:,.0f} /s |
| fastjsonschema, equivalent JSON Schema, valid | {r["fjs_valid"]:,.0f} /s |
| fastjsonschema, invalid (stops at the first fault) | {r["fjs_invalid"]:,.0f} /s |
| ratio fastjsonschema / ours, valid | {r["fjs_valid"] / r["ours_valid"]:.1f}× |
| ratio fastjsonschema / ours, invalid | {r["fjs_invalid"] / r["ours_invalid"]:.1f}× |
| seed submission through the local stack (host + emulator), median | {r["submit_median_ms"]:.1f} ms |
| validating the same answers with the cached schema, median | {r["validate_median_ms"]:.2f} ms |
| validation's share of a submission (goal ≤ 10 %) | {share:.1f} % |
| validate a repeat group of 500 rows, three rules per row, median | {r["rows_500_ms"]:.0f} ms |
| the same, 1,000 rows | {r["rows_1000_ms"]:.0f} ms |
| the same, 2,000 rows (the most `max_items` allows) | {r["rows_2000_ms"]:.0f} ms |
| 2,000 rows against 1,000 (2.0× is linear) | {r["rows_2000_ms"] / r["rows_1000_ms"]:.1f}× |

Repeat rows, before and after each rule was handed only what it reads (review finding 1):
measured back to back on 2026-11-30, two runs each of the previous commit (d059905) and of
this change, while the machine was loaded (load average about 8 on 2 cores). Before: 336–399 ms
for 500 rows, 1,271–2,031 ms for 1,000, 5,660–7,521 ms for 2,000 (every rule of every row
converted every row again). After: 39–53 ms, 82–103 ms, 189–199 ms.

fastjsonschema generates Python code per schema and stops at the first error; ours returns
every error in marshmallow's nested shape, in the unit's language, and runs the form's
rules (relevance, constraints, calculations), which JSON Schema cannot express.
"""


def xlsform_rows(sections: int = 10, per_section: int = 48) -> bytes:
    """A Kobo-style workbook of ``sections`` groups of ``per_section`` fields (500 survey rows
    with the defaults): every kind of field the product shares with XLSForm, a relevant on a
    third of them, constraints with ``.``, selects over two lists, a calculation per group."""
    from openpyxl import Workbook

    kinds = ["integer", "decimal", "text", "select_one yn", "select_multiple muc", "date"]
    header = ["type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "hint::English (en)", "required"]
    header += ["relevant", "constraint", "constraint_message::English (en)", "calculation"]
    survey: list[list[Any]] = [header]
    for s in range(sections):
        survey.append(["begin_group", f"phan_{s}", f"Part {s}", f"Phần {s}", None, None, None, None, None, None])
        for i in range(per_section - 1):
            kind = kinds[i % len(kinds)]
            name = f"f_{s}_{i}"
            relevant = constraint = None
            if i % 3 == 1:
                previous = f"f_{s}_{i - 1}"
                relevant = {
                    "integer": f"${{{previous}}} != ''",
                    "decimal": f"${{{previous}}} > 0 and ${{{previous}}} < 1000",
                    "text": f"string-length(${{{previous}}}) > 2",
                    "select_one yn": f"${{{previous}}} = 'yes' or ${{{previous}}} = 'no'",
                    "select_multiple muc": f"selected(${{{previous}}}, 'a')",
                    "date": f"count-selected(${{{previous}}}) >= 2",
                }[kinds[(i - 1) % len(kinds)]]
            if kind in ("integer", "decimal"):
                constraint = ". >= 0 and . <= 100000"
            row = [kind, name, f"Question {s}.{i}", f"Câu hỏi {s}.{i}", "A hint", "yes" if i % 2 else None, relevant]
            survey.append([*row, constraint, "Between 0 and 100000" if constraint else None, None])
        total = " + ".join(f"coalesce(${{f_{s}_{i}}}, 0)" for i in range(0, per_section - 1, len(kinds)))
        survey.append(["calculate", f"tong_{s}", None, None, None, None, None, None, None, total])
        survey.append(["end_group", *[None] * 9])
    choices = [["list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"]]
    choices += [["yn", "yes", "Yes", "Có"], ["yn", "no", "No", "Không"]]
    choices += [["muc", v, v.upper(), v.upper()] for v in "abcdefgh"]
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", [["form_id", "form_title"], ["bang-tinh-500", "500"]])):
        made = book.create_sheet(title)
        for row in rows:
            made.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_xlsform(runs: int = 15) -> dict[str, float]:
    from openpyxl import load_workbook

    from checkround.forms.xlsform.convert import definition_from_workbook, workbook_from_definition

    data = xlsform_rows()

    def openpyxl_alone() -> None:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        book.close()

    imported = definition_from_workbook(data, "en")
    definition = imported.definition
    survey_rows = load_workbook(io.BytesIO(data), read_only=True)["survey"].max_row - 1
    return {
        "xls_rows": float(survey_rows),
        "xls_fields": float(sum(len(s["fields"]) for s in definition["sections"])),
        "xls_bytes": float(len(data)),
        "xls_openpyxl_ms": median_ms(openpyxl_alone, runs),
        "xls_import_ms": median_ms(lambda: definition_from_workbook(data, "en"), runs),
        "xls_check_ms": median_ms(lambda: check_definition(copy.deepcopy(imported.raw)), runs),
        "xls_export_ms": median_ms(lambda: workbook_from_definition(definition), runs),
    }


def report_xlsform(r: dict[str, float]) -> str:
    return f"""## XLSForm import (benchmarks/forms.py --xlsform)

Measured {time.strftime("%Y-%m-%d")} on this machine ({machine_line()}); medians of 15 runs,
in one process. Load average (1 min) when the run began: {r["load_before"]:.1f}.

The workbook: {r["xls_rows"]:.0f} survey rows (10 groups, {r["xls_fields"]:.0f} fields; a third
of them with a `relevant`, numbers with a `constraint` on `.`, selects over two lists, a
`coalesce` sum per group), {r["xls_bytes"] / 1024:.0f} KiB, built with openpyxl as Kobo lays
its exports out.

| what | median |
| --- | --- |
| openpyxl alone: load the workbook (read-only) and read every row of its sheets | {r["xls_openpyxl_ms"]:.0f} ms |
| import: read, translate every expression, build and check the definition | {r["xls_import_ms"]:.0f} ms |
| ratio import / openpyxl alone | {r["xls_import_ms"] / r["xls_openpyxl_ms"]:.1f}× |
| of which the form's meta-validation (`check_definition`) alone | {r["xls_check_ms"]:.0f} ms |
| export of the imported form back to a workbook (XlsxWriter) | {r["xls_export_ms"]:.0f} ms |

The machine is shared: at a load of 8 to 10 on its 2 cores, runs minutes apart gave ratios from
4.2× to 7.3×. Where the import's time goes besides openpyxl's reading (cProfile): the meta-validation above,
and lark parsing the workbook's 330 expressions (the parser transforms as it reduces, building
no tree). No goal was set for this; an import is an admin's one-off request. `POST /forms/import`
checks the definition a second time when it stores it (the form service checks whatever it is
given), so its CPU is the import plus one more `check_definition`. The export reads every rule
it writes back through the parser, to write an expression only where it is exact.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--xlsform", action="store_true", help="only the XLSForm import (no local stack)")
    args = parser.parse_args()
    if args.xlsform:
        section = report_xlsform({"load_before": os.getloadavg()[0], **bench_xlsform()})
        print(section)
        if args.write:
            write_section(section)
        return
    results = {"load_before": os.getloadavg()[0]}
    results |= {**bench_compile(), **bench_validate(), **bench_rows(), **bench_stack()}
    section = report(results)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
