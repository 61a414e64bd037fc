"""The committee's official document (issue 18): the issued render and the DOCX export against
the draft's render, on the seed round with the inspection team's scores.

The draft, the issued PDF and the DOCX are drawn from the same summary object (aggregated once):
the draft and the issued document differ only in the number, the date and the draft mark, and
the DOCX is the same document built with python-docx. Timed interleaved (a busy moment of a
shared machine lands on all three), several sets, medians; the ratios are against the draft.

    PYTHONPATH=functions .venv/bin/python benchmarks/report.py --document [--write]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import statistics
import time
from typing import Any

from benchmarks.results import machine


def seed_summary() -> dict[str, Any]:
    import yaml

    from checkround.forms.compiler import compile_schema
    from checkround.forms.definition import check_definition
    from checkround.forms.fillers import unit_part
    from checkround.forms.validate import check_answers
    from checkround.reports.aggregate import aggregate
    from tests.support import SCHEMAS, seed_answers, seed_round_template

    with (SCHEMAS / "kiem-tra-6-thang-2019.yaml").open(encoding="utf-8") as handle:
        definition = check_definition(yaml.safe_load(handle))
    own = unit_part(definition)
    schema = compile_schema(own)
    with (SCHEMAS / "seed" / "units.csv").open(encoding="utf-8") as handle:
        units = {r["id"]: {"name": r["name_vi"], "cluster": r["cluster"]} for r in csv.DictReader(handle)}
    round_doc = {**seed_round_template(), "unit_ids": list(units)}
    now = dt.datetime(2019, 6, 14, 3, tzinfo=dt.UTC)
    reporting = [u for u in units if u != "ba-che"]
    subs = [
        (u, {"answers": check_answers(own, schema, seed_answers(u)).answers, "late": False, "revision": 1,
             "submitted_at": now})
        for u in reporting
    ]  # fmt: skip
    scores = {
        u: yaml.safe_load((SCHEMAS / "seed" / "assessments" / f"{u}.yaml").read_text(encoding="utf-8"))
        for u in reporting
    }
    summary = aggregate(round_doc, definition, units, iter(subs), None, scores)
    summary["generated_at"] = "20/06/2019 17:00"
    return summary


def bench(runs: int = 5, sets: int = 3) -> dict[str, Any]:
    import yaml
    from pypdf import PdfReader

    from checkround.config import settings
    from checkround.reports.document import view
    from checkround.reports.docx_export import render_docx
    from checkround.reports.render import render_pdf
    from tests.support import SCHEMAS

    summary = seed_summary()
    parts = yaml.safe_load((SCHEMAS / "seed" / "document.yaml").read_text(encoding="utf-8"))["parts"]
    templates = settings().templates_dir
    draft = {**summary, "document": view(summary, parts)}
    issued = {**summary, "document": view(summary, parts, None, 27, dt.date(2019, 6, 25))}
    work = {
        "draft": lambda: render_pdf(draft, templates),
        "issued": lambda: render_pdf(issued, templates),
        "docx": lambda: render_docx(issued),
    }
    sizes = {name: len(job()) for name, job in work.items()}  # warm: fonts, templates, python-docx
    pages = len(PdfReader(io.BytesIO(work["issued"]())).pages)
    times: dict[str, list[float]] = {name: [] for name in work}
    set_ratios = []
    for _ in range(sets):
        in_set: dict[str, list[float]] = {name: [] for name in work}
        for _ in range(runs):
            for name, job in work.items():
                start = time.perf_counter()
                job()
                in_set[name].append(time.perf_counter() - start)
        draft_median = statistics.median(in_set["draft"])
        set_ratios.append(
            (statistics.median(in_set["issued"]) / draft_median, statistics.median(in_set["docx"]) / draft_median)
        )
        for name in work:
            times[name] += in_set[name]
    return {
        "load": os.getloadavg()[0],
        "medians": {name: statistics.median(values) for name, values in times.items()},
        "sizes": sizes,
        "pages": pages,
        "set_ratios": set_ratios,
        "runs": runs * sets,
    }


def report(found: dict[str, Any], machine_line: str | None = None) -> str:
    m = found["medians"]
    issued, docx = m["issued"] / m["draft"], m["docx"] / m["draft"]
    ms = {name: f"{value * 1000:.0f} ms" for name, value in m.items()}
    kb = {name: f"{size / 1024:.0f} KB" for name, size in found["sizes"].items()}
    spread = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in found["set_ratios"])
    return f"""## The committee's document (benchmarks/report.py --document)

Measured {dt.date.today().isoformat()} on {machine_line or machine()}; the seed round with the
inspection team's scores (6 units reporting, {found["pages"]} pages), one summary object drawn
three ways, {found["runs"]} interleaved runs each, medians:

| output | median | against the draft's render | size |
| --- | --- | --- | --- |
| draft PDF (DỰ THẢO, no number or date) | {ms["draft"]} | 1.00× | {kb["draft"]} |
| issued PDF (numbered, dated) | {ms["issued"]} | {issued:.2f}× | {kb["issued"]} |
| DOCX of the issued document (python-docx) | {ms["docx"]} | {docx:.2f}× | {kb["docx"]} |

Ratios per set (issued/draft, DOCX/draft): {spread}. The machine's load average was
{found["load"]:.0f} on its 2 cores (other sessions' test suites), so the absolute times are
several times what an idle machine gives (the summary section above: about 0.6 s); the ratios,
timed interleaved, are what this measures. The issued render is the draft's render
with three strings changed, so its ratio is noise around 1; the DOCX skips layout altogether
(Word lays it out when it opens), so it costs a fraction of a PDF. Issuing renders both once
and stores them (two blob writes and one transaction besides); the draft is rendered on every
close and every preview.
"""
