"""The admin CLI reads a roster workbook under the server's guards: a zip bomb is not opened, a
broken workbook is an error message (exit code 2), never a traceback, and reading stops past
the row limit. Each case here crashed the CLI (or unpacked the bomb) before."""

from __future__ import annotations

import pytest

from checkround.cli.failures import BadInput
from checkround.cli.files import load_units
from checkround.workbooks import MAX_ROSTER_ROWS
from tests.unit.test_roster import _MAIN, _SHEET, _workbook_with


def _read(tmp_path, data: bytes, lang: str = "en") -> str:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    with pytest.raises(BadInput) as caught:
        load_units(path, lang)
    return str(caught.value)


def test_a_workbook_that_unpacks_past_the_limit_is_not_opened(tmp_path, monkeypatch):
    rows = b'<row r="2"/>' * 5_000_000  # 60 MB of blank rows (compressed: a few hundred kB)
    sheet = _MAIN + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>' + rows
    data = _workbook_with({_SHEET: sheet + b"</sheetData></worksheet>"})

    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    assert "unpacks to more than 52428800 bytes" in _read(tmp_path, data)
    assert "giải nén ra hơn 52428800 byte" in _read(tmp_path, data, "vi")


@pytest.mark.parametrize(
    "replaced",
    [
        {_SHEET: b"<<<not xml"},  # read while iterating: ElementTree's ParseError
        {_SHEET: _MAIN + b'<row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>'},
        {_SHEET: _MAIN + b'<row r="1"><c r="ZZZZZZ1"><v>1</v></c></row></sheetData></worksheet>'},
        {_SHEET: None},  # no sheet at all
        {"[Content_Types].xml": b"<<<"},
    ],
)
def test_a_broken_workbook_is_an_error_message(tmp_path, replaced):
    assert "cannot read" in _read(tmp_path, _workbook_with(replaced))


def test_reading_stops_past_the_servers_row_limit(tmp_path):
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>u%d</t></is></c></row>' % (n, n, n)
        for n in range(2, MAX_ROSTER_ROWS + 3)
    )
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
    data = _workbook_with({_SHEET: _MAIN + header + rows + b"</sheetData></worksheet>"})
    assert f"more than {MAX_ROSTER_ROWS} unit rows" in _read(tmp_path, data)
