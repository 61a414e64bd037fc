"""The committee's report as a Word document (python-docx), for offices that finish their
papers in Word.

The same document as the PDF, from the same summary object and the same document view
(:func:`checkround.reports.document.view`): the header block, the number, the place and date,
the title block, the body (participation, results, scores and ranking, the narrative), the
signature block beside ``Nơi nhận``, and the annexes. Text goes in as runs: python-docx escapes
it, so what a unit typed is text in Word too. Times New Roman, as Vietnamese administrative
documents are set; Word substitutes a font it lacks.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from checkround.formats.text import in_language

from .display import format_number
from .document import view as document_view
from .labels import LABELS

_FONT = "Times New Roman"
# What XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): a unit may type
# them and the PDF prints a placeholder glyph, but a .docx is XML, so they become U+FFFD there.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _para(
    where: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: Any = None,
) -> Paragraph:
    paragraph: Paragraph = where.add_paragraph()
    if text:
        run = paragraph.add_run(_xml(text))
        run.bold = bold
        run.italic = italic
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(2)
    return paragraph


def _cell_para(cell: Any, text: str, **kwargs: Any) -> Paragraph:
    """A paragraph in a table cell; the cell's own first (empty) paragraph is used first."""
    first: Paragraph = cell.paragraphs[0]
    if not first.text and not first.runs:
        run = first.add_run(_xml(text))
        run.bold = kwargs.get("bold", False)
        run.italic = kwargs.get("italic", False)
        if kwargs.get("size") is not None:
            run.font.size = Pt(kwargs["size"])
        if kwargs.get("align") is not None:
            first.alignment = kwargs["align"]
        return first
    return _para(cell, text, **kwargs)


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table: Table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_para(cell, text, bold=True, size=10)
    grid: Any = table  # python-docx leaves add_row untyped
    for row in rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell_para(cell, text, size=10)
    return table


def _plain_table(document: Any, columns: int) -> Table:
    """A borderless layout table (the header and signature blocks)."""
    table: Table = document.add_table(rows=1, cols=columns)
    table.autofit = True
    return table


def render_docx(summary: Mapping[str, Any]) -> bytes:
    """The report of ``summary`` (with ``summary["document"]``, else a draft of the defaults)."""
    lang = summary["language"]
    t = in_language(LABELS, lang)
    d = summary.get("document") or document_view(summary)

    def num(value: Any, digits: int = 2) -> str:
        return format_number(value, digits, lang)

    document: Any = Document()  # some of python-docx's methods carry no type hints
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(13)
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)

    if not d["final"]:
        _para(document, t["draft_mark"], bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    head = _plain_table(document, 2)
    left, right = head.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    _cell_para(left, d["parent_body"], size=12, align=center)
    _cell_para(left, d["issuing_body"], bold=True, size=12, align=center)
    _cell_para(left, "———", align=center)
    _cell_para(left, d["number"], size=12, align=center)
    _cell_para(right, d["place_date"], italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)

    _para(document, d["kind"], bold=True, size=14, align=center)
    _para(document, d["subject"], bold=True, align=center)
    _para(document, "———", align=center)

    names = {u["id"]: u["name"] for u in summary["units"]}
    rnd = summary["round"]
    _para(document, f"{t['period']}: {t['from_to'].format(a=rnd['opens_on'], b=rnd['closes_on'])}")
    if rnd.get("theme"):
        _para(document, f"{t['theme']}: “{rnd['theme']}”")
    if rnd.get("inspection_team"):
        _para(document, f"{t['team']}:", bold=True)
        for member in rnd["inspection_team"]:
            _para(document, f"– {member}")

    part = summary["participation"]
    document.add_heading(t["participation"], level=2)
    _para(document, t["participation_line"].format(**part))
    status = {True: t["reported"], False: t["not_reported"]}
    _table(
        document,
        ["#", t["unit"], t["cluster"], t["status"], t["submitted_at"]],
        [
            [
                str(n),
                u["name"],
                u["cluster_name"],
                t["late"] if u["late"] else status[bool(u["reported"])],
                u["submitted_at"] or "—",
            ]
            for n, u in enumerate(summary["units"], start=1)
        ],
    )

    document.add_heading(t["results"], level=2)
    for section in summary["sections"]:
        document.add_heading(_xml(f"{section['number']}. {section['title']}"), level=3)
        checklist = [f for f in section["fields"] if f["kind"] == "checklist"]
        if checklist:
            _table(
                document,
                [t["item"], t["yes"], t["partial"], t["no"], t["mean_score"]],
                [
                    [
                        f["label"],
                        str(f["result"]["counts"]["yes"]),
                        str(f["result"]["counts"]["partial"]),
                        str(f["result"]["counts"]["no"]),
                        f"{num(f['result']['mean_score'])} / {num(f['result']['max_score'])}",
                    ]
                    for f in checklist
                ],
            )
        numbers = [f for f in section["fields"] if f["kind"] == "number" and not f.get("score_total")]
        if numbers:

            def extreme(f: Mapping[str, Any], which: str) -> str:
                who = ", ".join(names.get(u, u) for u in f["result"].get(f"{which}_units") or [])
                return num(f["result"][which]) + (f" ({who})" if who else "")

            _table(
                document,
                [t["item"], t["answered"], t["sum"], t["mean"], t["min"], t["max"]],
                [
                    [
                        f["label"] + (f" ({f['unit']})" if f["unit"] else ""),
                        str(f["result"]["count"]),
                        num(f["result"]["sum"]) if f.get("summed") else "—",
                        num(f["result"]["mean"], 0 if f.get("whole") else 2),
                        extreme(f, "min"),
                        extreme(f, "max"),
                    ]
                    for f in numbers
                ],
            )

    document.add_heading(t["scores"], level=2)
    source = t["source_unit"]
    if summary.get("score_source") == "reviewer":
        source = t["source_reviewer_self"] if summary.get("self_scored") else t["source_reviewer"]
    _para(document, source, italic=True)
    for cluster in summary["clusters"]:
        _para(document, f"{t['cluster']}: {cluster['name']}", bold=True)
        header = [t["rank"], t["unit"], f"{t['total']} / {num(summary['form']['max_score'])}"]
        if summary.get("self_scored"):
            header.append(t["self_score"])
        rows = []
        for row in cluster["ranking"]:
            missing = t["not_reported"] if not row["reported"] else t["not_assessed"]
            cells = [
                str(row["rank"] or "—"),
                row["name"],
                num(row["total_score"]) if row["total_score"] is not None else missing,
            ]
            if summary.get("self_scored"):
                cells.append(num(row["self_score"]) if row["self_score"] is not None else "—")
            rows.append(cells)
        _table(document, header, rows)

    document.add_heading(t["assessment"], level=2)
    document.add_heading(t["overall"], level=3)
    for paragraph in d["narrative"]["overall"]:
        _para(document, paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    document.add_heading(t["however"], level=3)
    for paragraph in d["narrative"]["however"]:
        _para(document, paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    document.add_heading(t["direction"], level=2)
    for paragraph in [*d["narrative"]["direction"], *d["narrative"]["closing"]]:
        _para(document, paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    sign = _plain_table(document, 2)
    to, signer = sign.rows[0].cells
    if d["recipients"]:
        _cell_para(to, t["recipients"], bold=True, italic=True, size=12)
        for line in d["recipients"]:
            _cell_para(to, line, size=11)
    _cell_para(signer, d["on_behalf"], bold=True, align=center)
    _cell_para(signer, d["signer_title"], bold=True, align=center)
    for _ in range(3):
        _cell_para(signer, "", align=center)
    _cell_para(signer, d["signer_name"], bold=True, align=center)

    remarks: dict[str, dict[str, list[str]]] = {}
    for role in ("strengths", "shortcomings", "proposals"):
        for item in summary.get(role) or []:
            remarks.setdefault(item["unit"], {}).setdefault(role, []).append(item["text"])
    if remarks:
        document.add_page_break()
        title = t["annex_remarks_reviewer" if summary.get("score_source") == "reviewer" else "annex_remarks_unit"]
        document.add_heading(title, level=2)
        for n, (unit, said) in enumerate(remarks.items(), start=1):
            document.add_heading(_xml(f"{n}. {unit}"), level=3)
            for role, texts in said.items():
                paragraph = _para(document)
                paragraph.add_run(f"{t['role_' + role]}: ").bold = True
                paragraph.add_run(_xml(" ".join(texts)))
    if summary.get("appendix"):
        document.add_page_break()
        document.add_heading(t["appendix"], level=2)
        for n, unit in enumerate(summary["appendix"], start=1):
            document.add_heading(_xml(f"{n}. {unit['unit']}"), level=3)
            for section in unit["sections"]:
                _para(document, section["title"], bold=True)
                for row in section["rows"]:
                    _para(document, f"– {row['label']}: {row['value']}", size=11)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
