"""The PDF summary read back with pdftotext and checked against a hand-computed fixture.

Four units in two clusters; u4 does not report. Hand-computed: ck1 max 10, ck2 max 5, so
totals are u1 9+3=12, u2 7+5=12, u3 2+0=2 out of 15; cluster c1 ranks u1 and u2 both 1st
(tie), c2 has u3 alone; so = 10+4+7 = 21, mean 7.
"""

from __future__ import annotations

import gc
import re
import subprocess
from urllib.parse import unquote

import pytest

from checkround.config import settings
from checkround.forms.definition import check_definition
from checkround.reports.aggregate import aggregate
from checkround.reports.render import bar_svg, render_pdf, render_unit_pdf
from checkround.reports.service import unit_view
from checkround.rounds import service as rounds
from checkround.submissions import service as submissions
from tests.support import memory_context, small_form
from tests.unit.test_aggregate import ROUND, SUBMISSIONS, UNITS
from tests.unit.test_services import VALID, make_round


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def rows(text: str) -> list[str]:
    # pdftotext's spacing around "/" depends on column widths; the numbers are what matter.
    return [re.sub(r"\s*/\s*", "/", " ".join(line.split())) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_summary_numbers_match_the_hand_computed_fixture(tmp_path, language):
    summary = aggregate({**ROUND, "language": language}, check_definition(small_form()), UNITS, iter(SUBMISSIONS))
    summary["generated_at"] = "20/06/2019 17:00"
    text = pdf_text(render_pdf(summary, settings().templates_dir), tmp_path)
    lines = rows(text)
    if language == "vi":
        assert "3/4 đơn vị đã nộp báo cáo (2 đúng hạn, 1 nộp muộn); 1 đơn vị chưa nộp." in " ".join(lines)
        # The unit that did not report says so in the participation table and in its cluster's ranking.
        assert sum(1 for line in lines if "Đơn vị Bốn" in line and "Chưa nộp" in line) == 2
        assert not any("Đơn vị Một" in line and "Chưa nộp" in line for line in lines)
        # ... and the prose written from the data names it.
        assert "Đơn vị Bốn chưa gửi báo cáo" in " ".join(lines)
        # Checklist rows: met / partly / not met, then mean score / max.
        assert "Mục 1 1 1 1 6/10" in lines
        assert "Mục 2 1 1 0 4/5" in lines
        # Numbers: answered, sum, mean, lowest, highest.
        assert "Số lượng 3 21 7 4 10" in lines
    else:
        assert "3 of 4 units reported (2 on time, 1 late); 1 did not report." in " ".join(lines)
        assert any("Đơn vị Bốn" in line and "Not reported" in line for line in lines)  # its cluster's ranking
        assert "Mục 1 1 1 1 6/10" in lines
    # Ranking per cluster: rank, name, section score, total / 15, share.
    ranking = [line for line in lines if re.match(r"^\d Đơn vị (Một|Hai|Ba) ", line)]
    assert "1 Đơn vị Hai 12 12 80" in " ".join(ranking).replace("%", "").replace(",0", "")
    assert any(line.startswith("1 Đơn vị Một 12 12") for line in ranking)
    assert any(line.startswith("1 Đơn vị Ba 2 2") for line in ranking)


def test_hostile_answers_print_as_text_and_fetch_nothing(tmp_path):
    hostile = [
        '<img src="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">tệp</a>',
        "<style>body { background: url(file:///etc/passwd) }</style>",
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    ]
    subs = [("u1", {"answers": {"b": {"uu_diem": " ".join(hostile)}}, "late": False, "revision": 1})]
    summary = aggregate(ROUND, check_definition(small_form()), UNITS, iter(subs))
    summary["generated_at"] = "now"
    data = render_pdf(summary, settings().templates_dir)
    assert b"/EmbeddedFile" not in data  # no attachment was fetched and embedded
    assert b"root:" not in data
    flat = " ".join(pdf_text(data, tmp_path).split())
    for piece in (
        '<img src="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">tệp</a>',
        "url(file:///etc/passwd)",
    ):
        assert piece in flat


def test_one_units_pdf_shows_its_latest_answers(tmp_path):
    ctx = memory_context(tmp_path)
    units = make_round(ctx)
    submissions.submit(ctx, units["u2"], "r1", {"answers": VALID}, None, "vi")
    better = {"a": {"ck1": {"status": "partial", "score": 6, "note": "Thiếu biên bản họp"}, "so": 12}}
    submissions.submit(ctx, units["u2"], "r1", {"answers": better}, None, "vi")
    view = unit_view(ctx, "r1", "u2")
    assert view["revision"] == 2
    text = " ".join(pdf_text(render_unit_pdf(view, ctx.settings.templates_dir), tmp_path).split())
    assert "Đơn vị u2" in text
    assert "Đạt một phần · 6/10 · Thiếu biên bản họp" in text
    assert "Số lượng 12" in text
    with pytest.raises(Exception, match="not_found"):
        unit_view(ctx, "r1", "u3")  # has not submitted
    rounds.close_round(ctx, "r1")


def test_bars_hold_numbers_and_colours_only():
    svg = unquote(bar_svg([(2, "#2b6cb0"), (0, "#d69e2e"), (1, "#c53030")], 3, 90).removeprefix("data:image/svg+xml,"))
    # Two segments (the empty one is left out) and the frame.
    assert svg.count("<rect") == 3
    assert '<rect x="0" width="60" height="8" fill="#2b6cb0"/>' in svg
    assert '<rect x="60" width="30" height="8" fill="#c53030"/>' in svg
    assert bar_svg([(1, "#2b6cb0")], 0, 10).count("%3Crect") == 1  # nothing answered: the frame only
    with pytest.raises(ValueError, match="not a colour"):
        bar_svg([(1, "red\"/><image href='file:///etc/passwd'/>")], 1, 10)


def test_rendering_leaves_the_garbage_collector_as_it_found_it():
    summary = aggregate(ROUND, check_definition(small_form()), UNITS, iter(SUBMISSIONS))
    summary["generated_at"] = "now"
    render_pdf(summary, settings().templates_dir)
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf(summary, settings().templates_dir)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_docx_holds_what_xml_cannot_as_a_replacement_character():
    import io

    import docx

    from checkround.reports.docx_export import render_docx

    hostile = "Làm tốt\x00\x07\x1b\ud800 xong"
    subs = [("u1", {"answers": {"b": {"uu_diem": hostile, "ten": "A\x0bB"}}, "late": False, "revision": 1})]
    units = {**UNITS, "u1": {"name": "Đơn vị\x01 Một", "cluster": "c1"}}
    summary = aggregate(ROUND, check_definition(small_form()), units, iter(subs))
    document = docx.Document(io.BytesIO(render_docx(summary)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Làm tốt\ufffd\ufffd\ufffd\ufffd xong" in text
    assert "Đơn vị\ufffd Một" in text
