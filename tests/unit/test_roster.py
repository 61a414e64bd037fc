"""A roster upload: read, previewed as added/changed/removed, applied once, refused when stale."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from checkround.errors import AppError
from checkround.rounds import roster
from checkround.rounds.service import put_unit
from tests.support import memory_context

CSV = (
    "id,name_vi,name_en,cluster,kind,contact_name,contact_email\n"
    "tien-yen,BTV Huyện Đoàn Tiên Yên,Tien Yen,cum-mien-dong,district,Chị Lan,lan@example.org\n"
    "ba-che,BTV Huyện Đoàn Ba Chẽ (mới),,cum-mien-dong,district,,\n"
    "hai-quan,Đoàn TN Cục Hải quan,,cum-khoi,agency,,\n"
)


def seeded(tmp_path):
    ctx = memory_context(tmp_path)
    put_unit(ctx, "ba-che", {"name": "BTV Huyện Đoàn Ba Chẽ", "cluster": "cum-mien-dong", "kind": "district"})
    put_unit(ctx, "mong-cai", {"name": "BTV Huyện Đoàn Móng Cái", "cluster": "cum-mien-dong"})
    put_unit(ctx, "cu", {"name": "Đơn vị cũ"})
    ctx.store.set("rounds/r1", {"id": "r1", "unit_ids": ["mong-cai"]})
    return ctx


def test_preview_then_apply_with_removal_keeps_units_a_round_lists(tmp_path):
    ctx = seeded(tmp_path)
    staged = roster.stage_roster(ctx, "roster.csv", CSV.encode("utf-8-sig"), "admin:lan", "vi")
    assert [u["id"] for u in staged["added"]] == ["tien-yen", "hai-quan"]
    assert staged["added"][0]["contacts"] == [{"name": "Chị Lan", "email": "lan@example.org"}]
    (changed,) = staged["changed"]
    assert changed["id"] == "ba-che"
    assert changed["changes"] == {"name": {"before": "BTV Huyện Đoàn Ba Chẽ", "after": "BTV Huyện Đoàn Ba Chẽ (mới)"}}
    assert {r["id"]: r["rounds"] for r in staged["removed"]} == {"mong-cai": ["r1"], "cu": []}
    assert staged["refused"] == []
    assert ctx.store.get("units/tien-yen") is None  # a preview writes no unit

    done = roster.apply_roster(ctx, staged["upload_id"], True, "admin:lan", "vi")
    assert (done["added"], done["changed"], done["removed"], done["kept"]) == (2, 1, ["cu"], ["mong-cai"])
    assert ctx.store.get("units/tien-yen")["cluster"] == "cum-mien-dong"
    assert ctx.store.get("units/cu") is None
    assert ctx.store.get("units/mong-cai") is not None
    (event,) = [doc for _, doc in ctx.store.list("audit") if doc["action"] == "roster_applied"]
    assert (event["actor"], event["added"], event["removed"]) == ("admin:lan", 2, ["cu"])
    with pytest.raises(AppError) as again:  # used once
        roster.apply_roster(ctx, staged["upload_id"], True, "admin:lan", "vi")
    assert again.value.code == "not_found"


def test_removals_are_written_in_the_transaction_with_the_other_units_and_the_snapshot(tmp_path, monkeypatch):
    from checkround.rounds import roster_snapshot

    ctx = seeded(tmp_path)
    assert "cu" in roster_snapshot.current(ctx)
    staged = roster.stage_roster(ctx, "roster.csv", CSV.encode(), "admin:lan", "vi")

    def outside(path):
        raise AssertionError(f"{path} removed outside the transaction")

    monkeypatch.setattr(ctx.store, "delete", outside)
    failing = {"on": True}
    transaction = ctx.store.transaction

    def commit_fails_once(fn):
        def run(tx):
            result = fn(tx)
            if failing.pop("on", False):
                raise RuntimeError("the commit failed")
            return result

        return transaction(run)

    monkeypatch.setattr(ctx.store, "transaction", commit_fails_once)
    with pytest.raises(RuntimeError):
        roster.apply_roster(ctx, staged["upload_id"], True, "admin:lan", "vi")
    assert ctx.store.get("units/cu") is not None  # nothing of it written: neither the removal
    assert ctx.store.get("units/tien-yen") is None  # nor the units added
    assert "cu" in roster_snapshot.current(ctx)
    roster.apply_roster(ctx, staged["upload_id"], True, "admin:lan", "vi")
    assert ctx.store.get("units/cu") is None
    assert ctx.store.get("units/tien-yen") is not None
    assert "cu" not in roster_snapshot.current(ctx)
    assert "tien-yen" in roster_snapshot.current(ctx)


def test_a_roster_changed_since_the_preview_is_not_overwritten(tmp_path):
    ctx = seeded(tmp_path)
    staged = roster.stage_roster(ctx, "roster.csv", CSV.encode(), "admin:a", "en")
    put_unit(ctx, "ba-che", {"name": "Renamed by someone else"})
    with pytest.raises(AppError) as stale:
        roster.apply_roster(ctx, staged["upload_id"], False, "admin:a", "en")
    assert stale.value.code == "invalid_state"
    assert "changed after the preview" in stale.value.message("en")
    assert ctx.store.get("units/tien-yen") is None
    assert (
        roster.preview(ctx, staged["upload_id"])["changed"][0]["changes"]["name"]["before"] == "Renamed by someone else"
    )


def test_refused_rows_are_listed_by_line_and_block_the_apply(tmp_path):
    ctx = seeded(tmp_path)
    bad = "id,name,contact_email\nHa Noi,Hà Nội,\nok-1,,\nok-2,Được,not-an-email\nok-3,Tốt,\nok-3,Lặp,\n"
    staged = roster.stage_roster(ctx, "r.csv", bad.encode(), "admin:a", "vi")
    assert [(r["line"], sorted(r["fields"])) for r in staged["refused"]] == [
        (2, ["id"]),
        (3, ["name"]),
        (4, ["contacts"]),
        (6, ["id"]),
    ]
    assert "dòng 5" in staged["refused"][3]["fields"]["id"][0]
    assert list(staged["refused"][2]["fields"]["contacts"]) == ["0"]  # a Firestore field name: a string
    with pytest.raises(AppError) as refused:
        roster.apply_roster(ctx, staged["upload_id"], False, "admin:a", "vi")
    assert refused.value.code == "invalid_state"


def test_an_xlsx_roster_reads_like_the_csv(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "name", "cluster", "contact_name", "contact_phone"])
    sheet.append(["tien-yen", "Tiên Yên", "cum-mien-dong", "Anh Nam", 912345678])
    buffer = io.BytesIO()
    book.save(buffer)
    units, refused = roster.read_roster("DS.XLSX", buffer.getvalue(), "vi")
    assert refused == []
    contacts = [{"name": "Anh Nam", "phone": "912345678"}]  # the number Excel stored, without ".0"
    assert units == {"tien-yen": {"name": "Tiên Yên", "cluster": "cum-mien-dong", "contacts": contacts}}


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("r.txt", b"id,name\n", "csv"),
        ("r.csv", "id,name\nx,Hà Nội\n".encode("cp1258", errors="ignore") + b"\xff\n", "UTF-8"),
        ("r.csv", b"id,ten\nx,y\n", "ten"),
        ("r.csv", b"name\nx\n", "id"),
        ("r.csv", b"id,name\n", "no units"),
        ("r.xlsx", b"not a workbook", "Excel"),
    ],
)
def test_a_file_that_cannot_be_used_says_why(name, data, says):
    with pytest.raises(AppError) as caught:
        roster.read_roster(name, data, "en")
    assert caught.value.code == "validation_failed"
    assert says in caught.value.fields["file"][0]


def _workbook_with(replaced: dict[str, bytes | None]) -> bytes:
    """A valid roster workbook with some of its parts replaced (None: left out)."""
    book = Workbook()
    book.active.append(["id", "name"])
    book.active.append(["tien-yen", "Tiên Yên"])
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = replaced.get(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


_SHEET = "xl/worksheets/sheet1.xml"
_MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


@pytest.mark.parametrize(
    "replaced",
    [
        {"[Content_Types].xml": b"<<<"},  # openpyxl's loader: lxml's XMLSyntaxError
        {"xl/workbook.xml": b"<<<"},
        {_SHEET: b"<<<not xml"},  # read while iterating: ElementTree's ParseError
        {_SHEET: _MAIN + b'<row r="1"><c r="A1" t="n"><v>abc</v></c></row></sheetData></worksheet>'},
        {_SHEET: _MAIN + b'<row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>'},
        {_SHEET: _MAIN + b'<row r="1"><c r="ZZZZZZ1"><v>1</v></c></row></sheetData></worksheet>'},
        {_SHEET: None},  # no sheet at all
    ],
)
def test_a_broken_workbook_is_refused_not_a_crash(replaced):
    # A zip that looks like a workbook but whose parts are not: the client's 422, never a 500.
    with pytest.raises(AppError) as caught:
        roster.read_roster("r.xlsx", _workbook_with(replaced), "en")
    assert caught.value.code == "validation_failed"
    assert "Excel" in caught.value.fields["file"][0]


def test_a_workbook_unpacking_past_the_limit_is_refused_before_it_is_read():
    # 60 MB of one repeated blank row pack into a few hundred kB: a zip bomb for the reader.
    rows = b'<row r="2"/>' * 5_000_000
    sheet = (
        _MAIN + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>' + rows + b"</sheetData></worksheet>"
    )
    with pytest.raises(AppError) as caught:
        roster.read_roster("r.xlsx", _workbook_with({_SHEET: sheet}), "en")
    assert "Excel" in caught.value.fields["file"][0]


def test_an_upload_too_large_for_one_document_is_refused_whole(tmp_path, monkeypatch):
    ctx = seeded(tmp_path)
    monkeypatch.setattr(roster, "STAGED_BYTES", 300)
    with pytest.raises(AppError) as caught:
        roster.stage_roster(ctx, "roster.csv", CSV.encode(), "admin:a", "en")
    assert "split it" in caught.value.fields["file"][0]
    assert list(ctx.store.list(roster.UPLOADS)) == []
