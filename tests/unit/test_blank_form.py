"""The printable blank form, read back with pdftotext: every field with room to answer it on
paper, in the form's language, and nothing a label says is fetched or run."""

from __future__ import annotations

import subprocess

from checkround.config import settings
from checkround.forms.definition import check_definition
from checkround.reports.blank import REPEAT_ROWS, blank_view
from checkround.reports.render import render_blank_html, render_blank_pdf
from tests.support import seed_form, small_form

TEMPLATES = settings().templates_dir


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "blank.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_seed_form_prints_every_field_with_room_to_answer(tmp_path):
    definition = check_definition(seed_form())
    view = blank_view(definition, 1, "vi")
    text = pdf_text(render_blank_pdf(view, TEMPLATES), tmp_path)
    flat = " ".join(text.split())
    assert "Phiếu kiểm tra công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2019" in flat
    assert "Biểu mẫu kiem-tra-6-thang-2019 · phiên bản 1" in flat
    # The unit's part: what the inspection team alone fills is left out, numbers kept.
    team = [s for s in definition["sections"] if s.get("filled_by") == "reviewer"]
    assert team, "the seed form has a section the inspection team fills"
    for number, section in enumerate(definition["sections"], start=1):
        shown = f"{number}. {section['title']['vi']}" in flat
        assert shown == (section not in team), section["key"]
    checklists = sum(
        1 for s in definition["sections"] if s not in team for f in s["fields"] if f["type"] == "checklist"
    )
    assert flat.count("Đạt một phần") == checklists
    assert "Đơn vị tự đánh giá; kết quả và điểm chính thức do Đoàn kiểm tra chấm." in flat
    assert "Điểm: /8" in flat.replace("/ ", "/")
    # A rule that hides fields, in words; a computed total, said to be computed.
    assert "Chỉ trả lời khi mục 3.1 (Đơn vị có quản lý nguồn vốn vay ủy thác) chọn “Có”." in flat
    assert "Tự cộng:" in flat
    # The repeat group: a table with its columns and numbered empty rows.
    group = next(f for s in view["sections"] for f in s["items"] if f["widget"] == "repeat")
    assert group["rows"] == REPEAT_ROWS
    assert "Tên công trình, phần việc" in flat
    assert f"{REPEAT_ROWS}" in text
    # Shared choice sets print their labels.
    assert "Đầy đủ Chưa đầy đủ Không có" in flat
    assert "(ngày/tháng/năm)" in flat


def test_english_and_hostile_labels_print_as_text(tmp_path):
    form = small_form()
    hostile = '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    form["sections"][1]["fields"][0]["label"] = {"vi": hostile, "en": hostile}
    view = blank_view(check_definition(form), 3, "en")
    html = render_blank_html(view, TEMPLATES)
    assert "<img" not in html
    assert "&lt;img" in html
    data = render_blank_pdf(view, TEMPLATES)
    assert b"root:" not in data
    flat = " ".join(pdf_text(data, tmp_path).split())
    assert '<img src="file:///etc/passwd">' in flat
    assert "Form mau-nho · version 3" in flat
    assert "Met Partly met Not met" in flat
    assert "Monthly Quarterly" in flat
    assert "Choose one or more" in flat
    assert "Score: /10" in flat.replace("/ ", "/")
