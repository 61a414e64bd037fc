"""Submission exports without Firestore: columns, cells, CSV bytes, repeat groups, versions, XLSX."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.forms.definition import check_definition
from checkround.forms.versions import VersionMapper
from checkround.reports import exports
from checkround.rounds import service as rounds
from checkround.rounds.tokens import authenticate
from checkround.submissions import service as submissions
from tests.support import T0, memory_context, small_form

ROUND = {
    "id": "r1",
    "form_id": "mau-nho",
    "form_version": 1,
    "unit_ids": ["u1", "u2", "u3"],
    "time_zone": "Asia/Ho_Chi_Minh",
    "language": "vi",
}
UNITS = {
    "u1": {"name": "Đơn vị Một", "name_en": "Unit One", "cluster": "c1"},
    "u2": {"name": "Đơn vị Hai", "cluster": "c2"},
}
REPEAT = {
    "key": "cong_trinh",
    "type": "repeat",
    "label": {"vi": "Công trình tiêu biểu", "en": "Outstanding projects"},
    "fields": [
        {"key": "ten", "type": "text", "label": {"vi": "Tên công trình"}},
        {"key": "gia_tri", "type": "decimal", "label": {"vi": "Giá trị"}},
        {"key": "dat", "type": "checklist", "label": {"vi": "Đạt"}, "max_score": 2},
    ],
}


def form_with_repeat():
    form = small_form()
    form["sections"][1]["fields"].insert(1, copy.deepcopy(REPEAT))
    return check_definition(form)


def submission(answers, version=1, revision=1, late=False):
    return {
        "answers": answers,
        "form_version": version,
        "revision": revision,
        "late": late,
        # 02:30 UTC is 09:30 in Hà Nội
        "submitted_at": datetime(2019, 6, 14, 2, 30, tzinfo=UTC),
    }


ANSWERS = {
    "a": {
        "ck1": {"status": "partial", "score": 7.0, "note": "Chưa sơ kết"},
        "so": 12,
        "tien": 8.0,
        "co": True,
        "ngay": "2019-06-14",
        "tan_suat": "quy",
        "hinh_thuc": ["truc_tiep", "truc_tuyen"],
    },
    "b": {
        "ten": "Chi đoàn Hải quan",
        "cong_trinh": [
            {"ten": "Tủ sách thôn", "gia_tri": 62.5, "dat": {"status": "yes", "score": 2.0}},
            {"ten": '=HYPERLINK("http://x")', "gia_tri": 10.0},
        ],
        "uu_diem": "- Làm tốt\n- Họp đều",
    },
}


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def export_csv(definition, subs, round_doc=ROUND):
    layout = exports.build_layout(round_doc, definition)
    return b"".join(exports.csv_chunks(layout, exports.export_rows(layout, round_doc, UNITS, subs)))


# -- columns ------------------------------------------------------------------------------------


def test_columns_are_the_fixed_ones_then_every_field_in_form_order():
    layout = exports.build_layout(ROUND, check_definition(small_form()))
    keys = [key for key, _ in layout.header]
    assert keys == [
        "unit_id",
        "unit_name",
        "cluster",
        "revision",
        "submitted_at",
        "late",
        "form_version",
        "state",
        "a.ck1.status",
        "a.ck1.score",
        "a.ck1.note",
        "a.ck2.status",
        "a.ck2.score",
        "a.ck2.note",
        "a.so",
        "a.tien",
        "a.co",
        "a.ngay",
        "a.tan_suat",
        "a.hinh_thuc",
        "b.ten",
        "b.uu_diem",
        "b.han_che",
    ]
    labels = dict(layout.header)
    assert labels["unit_id"] == "Mã đơn vị"
    assert labels["unit_name"] == "Đơn vị"
    assert labels["a.so"] == "Số lượng"
    assert labels["a.ck1.score"] == "Mục 1 (điểm)"


def test_labels_follow_the_round_language_and_fall_back_to_vietnamese():
    layout = exports.build_layout({**ROUND, "language": "en"}, check_definition(small_form()))
    labels = dict(layout.header)
    assert labels["unit_id"] == "Unit ID"
    assert labels["a.ck1.status"] == "Mục 1 (status)"  # the field has no English label
    rows = list(exports.export_rows(layout, ROUND, UNITS, [("u1", submission({}))]))
    assert rows[0].values[1] == "Unit One"


def test_first_row_keys_second_row_labels_then_values():
    data = export_csv(check_definition(small_form()), [("u1", submission(ANSWERS, late=True))])
    keys, labels, row = csv_rows(data)
    assert keys[0] == "unit_id"
    assert labels[0] == "Mã đơn vị"
    cell = dict(zip(keys, row, strict=True))
    assert cell["unit_id"] == "u1"
    assert cell["unit_name"] == "Đơn vị Một"
    assert cell["cluster"] == "c1"
    assert cell["revision"] == "1"
    assert cell["submitted_at"] == "2019-06-14 09:30"
    assert cell["late"] == "true"
    assert cell["form_version"] == "1"
    # a checklist is three columns; an unanswered one is three empty cells
    assert (cell["a.ck1.status"], cell["a.ck1.score"], cell["a.ck1.note"]) == ("partial", "7", "Chưa sơ kết")
    assert (cell["a.ck2.status"], cell["a.ck2.score"], cell["a.ck2.note"]) == ("", "", "")
    assert cell["a.hinh_thuc"] == "truc_tiep; truc_tuyen"
    assert cell["a.co"] == "true"
    assert cell["a.tien"] == "8"  # Firestore's 8.0
    assert cell["a.so"] == "12"
    assert cell["b.han_che"] == ""


def test_csv_has_a_bom_and_crlf_line_ends():
    data = export_csv(check_definition(small_form()), [("u1", submission(ANSWERS)), ("u2", submission({}))])
    assert data.startswith(b"\xef\xbb\xbfunit_id,")
    body = data[3:]
    # "- Làm tốt\n- Họp đều" keeps its own line break inside quotes; every record ends in CRLF
    records = body.split(b"\r\n")
    assert records[-1] == b""
    assert len(records) == 5
    assert "Đơn vị Hai".encode() in body


def test_cells_that_a_spreadsheet_would_run_are_prefixed_but_numbers_are_not():
    hostile = {
        "a": {"so": -5, "tien": -2.5, "ngay": "@SUM(A1)"},
        "b": {"ten": "=1+1", "uu_diem": "+84 912 345 678", "han_che": "\tcmd"},
    }
    keys, _, row = csv_rows(export_csv(check_definition(small_form()), [("u1", submission(hostile))]))
    cell = dict(zip(keys, row, strict=True))
    assert cell["b.ten"] == "'=1+1"
    assert cell["b.uu_diem"] == "'+84 912 345 678"
    assert cell["b.han_che"] == "'\tcmd"
    assert cell["a.ngay"] == "'@SUM(A1)"
    assert cell["a.so"] == "-5"
    assert cell["a.tien"] == "-2.5"
    assert exports.defuse("-2+3") == "'-2+3"
    assert exports.defuse("-12.5") == "-12.5"
    assert exports.defuse("\rx") == "'\rx"
    assert exports.defuse("a=b") == "a=b"


def test_labels_are_defused_too():
    form = small_form()
    form["sections"][1]["fields"][0]["label"] = {"vi": "=cmd|' /C calc'!A0"}
    _, labels, *_ = csv_rows(export_csv(check_definition(form), []))
    assert "'=cmd|' /C calc'!A0" in labels


# -- repeat groups ------------------------------------------------------------------------------


def test_a_repeat_group_is_a_count_in_the_main_csv_and_a_table_of_its_own():
    definition = form_with_repeat()
    subs = [("u1", submission(ANSWERS)), ("u2", submission({"a": {"so": 1}}))]
    keys, labels, first, second = csv_rows(export_csv(definition, subs))
    assert "b.cong_trinh.count" in keys
    assert keys.index("b.cong_trinh.count") == keys.index("b.ten") + 1
    assert labels[keys.index("b.cong_trinh.count")] == "Công trình tiêu biểu (số mục)"
    assert first[keys.index("b.cong_trinh.count")] == "2"
    assert second[keys.index("b.cong_trinh.count")] == ""  # not answered, not "0"

    layout = exports.build_layout(ROUND, definition)
    group = layout.group("b.cong_trinh")
    data = b"".join(exports.group_csv_chunks(layout, group, exports.export_rows(layout, ROUND, UNITS, subs)))
    keys, labels, *rows = csv_rows(data)
    assert keys == [
        "unit_id",
        "item",
        "b.cong_trinh.ten",
        "b.cong_trinh.gia_tri",
        "b.cong_trinh.dat.status",
        "b.cong_trinh.dat.score",
        "b.cong_trinh.dat.note",
    ]
    assert labels[:3] == ["Mã đơn vị", "STT", "Tên công trình"]
    assert rows == [
        ["u1", "1", "Tủ sách thôn", "62.5", "yes", "2", ""],
        ["u1", "2", '\'=HYPERLINK("http://x")', "10", "", "", ""],
    ]


def test_an_unknown_group_is_not_found():
    layout = exports.build_layout(ROUND, form_with_repeat())
    with pytest.raises(AppError) as caught:
        layout.group("b.khong_co")
    assert caught.value.code == "not_found"


def test_json_keeps_types_and_nests_repeat_groups():
    definition = form_with_repeat()
    layout = exports.build_layout(ROUND, definition)
    subs = [("u1", submission(ANSWERS)), ("u3", submission({}, revision=3))]
    body = json.loads(b"".join(exports.json_chunks(layout, exports.export_rows(layout, ROUND, UNITS, subs))))
    assert (body["round"], body["form_id"], body["form_version"]) == ("r1", "mau-nho", 1)
    columns = {c["key"]: c for c in body["columns"]}
    assert columns["a.so"] == {"key": "a.so", "label": "Số lượng"}
    assert [c["key"] for c in columns["b.cong_trinh"]["columns"]] == [
        "ten",
        "gia_tri",
        "dat.status",
        "dat.score",
        "dat.note",
    ]
    first, second = body["rows"]
    assert list(first) == [c["key"] for c in body["columns"]]
    assert first["a.co"] is True
    assert first["late"] is False
    assert first["a.hinh_thuc"] == ["truc_tiep", "truc_tuyen"]
    assert first["b.cong_trinh"][0] == {
        "ten": "Tủ sách thôn",
        "gia_tri": 62.5,
        "dat.status": "yes",
        "dat.score": 2.0,
        "dat.note": None,
    }
    assert first["b.cong_trinh"][1]["ten"] == '=HYPERLINK("http://x")'  # JSON is data: no prefix
    assert second["unit_name"] == "u3"  # a unit missing from the roster file keeps its id
    assert second["revision"] == 3
    assert second["b.cong_trinh"] is None


def test_units_outside_the_roster_are_left_out():
    layout = exports.build_layout(ROUND, check_definition(small_form()))
    rows = list(exports.export_rows(layout, ROUND, UNITS, [("u9", submission({})), ("u2", submission({}))]))
    assert [row.unit_id for row in rows] == ["u2"]


def test_sheet_names_fit_excel():
    names = exports._sheet_names(["x" * 40, "X" * 40, "submissions", "ok"])
    assert names == ["x" * 31, "X" * 29 + "_2", "submissions_2", "ok"]
    assert all(len(name) <= 31 for name in names)


# -- versions -----------------------------------------------------------------------------------


def version(n):
    """v2 renames ``a.so`` to ``a.so_luong`` and drops ``b.ten``; v3 renames it again to ``a.so_ct``."""
    definition = copy.deepcopy(small_form())
    if n >= 2:
        definition["sections"][0]["fields"][2].update(
            key="so_luong", renamed_from="so", label={"vi": "Số lượng công trình"}
        )
        definition["sections"][1]["fields"].pop(0)
    if n >= 3:
        definition["sections"][0]["fields"][2].update(key="so_ct", renamed_from="so_luong")
    return check_definition(definition)


VERSIONS = {n: version(n) for n in (1, 2, 3)}


def test_renamed_fields_merge_into_one_column_across_versions():
    definition, newest = exports.merged_definition(VERSIONS.__getitem__, {1, 2})
    assert newest == 2
    round_doc = {**ROUND, "form_version": 2}
    layout = exports.build_layout(round_doc, definition)
    keys = [key for key, _ in layout.header]
    assert "a.so" not in keys
    assert keys.index("a.so_luong") == keys.index("a.ck2.note") + 1
    assert keys[-1] == "b.ten"  # removed in v2: kept at the end of its section for v1 answers
    assert dict(layout.header)["a.so_luong"] == "Số lượng công trình"
    mapper = VersionMapper(VERSIONS.__getitem__, newest)
    subs = [
        ("u1", submission({"a": {"so": 7}, "b": {"ten": "Cũ"}}, version=1)),
        ("u2", submission({"a": {"so_luong": 3}}, version=2)),
    ]
    rows = list(exports.export_rows(layout, round_doc, UNITS, subs, mapper.answers))
    at = keys.index("a.so_luong")
    assert [row.values[at] for row in rows] == [7, 3]
    assert [row.values[-1] for row in rows] == ["Cũ", None]
    assert [row.values[6] for row in rows] == [1, 2]  # form_version


def test_a_field_renamed_twice_is_one_column_even_when_the_middle_version_has_no_answers():
    definition, newest = exports.merged_definition(VERSIONS.__getitem__, {3, 1})
    keys = [key for key, _ in exports.build_layout(ROUND, definition).header]
    assert newest == 3
    assert "a.so_ct" in keys
    assert "a.so" not in keys
    assert "a.so_luong" not in keys


# -- XLSX ---------------------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_repeat_group_and_vietnamese_labels():
    definition = form_with_repeat()
    layout = exports.build_layout(ROUND, definition)
    subs = [("u1", submission(ANSWERS)), ("u2", submission({"a": {"so": 1}}))]
    with exports.xlsx_file(layout, exports.export_rows(layout, ROUND, UNITS, subs)) as handle:
        data = handle.read()
    try:
        import openpyxl
    except ImportError:
        openpyxl = None
    if openpyxl is not None:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert book.sheetnames == ["submissions", "cong_trinh"]
        main = [list(r) for r in book["submissions"].iter_rows(values_only=True)]
        assert main[0][:2] == ["unit_id", "unit_name"]
        assert main[1][:2] == ["Mã đơn vị", "Đơn vị"]
        assert main[2][1] == "Đơn vị Một"
        assert main[2][main[0].index("a.so")] == 12
        assert main[2][main[0].index("a.co")] == "true"
        items = [list(r) for r in book["cong_trinh"].iter_rows(values_only=True)]
        assert items[2][:4] == ["u1", 1, "Tủ sách thôn", 62.5]
        assert items[3][2] == '=HYPERLINK("http://x")'  # a string cell, never a formula
        return
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.testzip() is None
        workbook = book.read("xl/workbook.xml").decode()
        assert workbook.count("<sheet ") == 2
        assert 'name="submissions"' in workbook
        assert 'name="cong_trinh"' in workbook
        # constant_memory writes strings inline in the sheets (there is no shared-strings part)
        text = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/"))
        main = book.read("xl/worksheets/sheet1.xml").decode()
    for label in ("Mã đơn vị", "Đơn vị Một", "Số lượng", "Tên công trình", "Tủ sách thôn"):
        assert label in text
    # every key of row 1, in order, before the labels of row 2
    first_row = main.split('<row r="1"', 1)[1].split("</row>", 1)[0]
    assert re.findall(r"<t>([^<]*)</t>", first_row) == [key for key, _ in layout.header]
    assert '<c r="B3" t="inlineStr"><is><t>Đơn vị Một</t>' in main
    assert "<f>" not in text  # no formulas anywhere
    assert "=HYPERLINK(&quot;http://x&quot;)" in text or '=HYPERLINK("http://x")' in text


# -- streaming ----------------------------------------------------------------------------------


def test_csv_reads_submissions_only_as_its_output_is_consumed():
    layout = exports.build_layout(ROUND, check_definition(small_form()))
    read = []

    def stream():
        for n in range(5000):
            read.append(n)
            yield "u1", submission(ANSWERS)

    chunks = exports.csv_chunks(layout, exports.export_rows(layout, ROUND, UNITS, stream()))
    first = next(chunks)
    assert 0 < len(read) < 5000
    assert len(first) < 2 * 64 * 1024
    rest = b"".join(chunks)
    assert len(read) == 5000
    assert (first + rest).count(b"\r\nu1,") == 5000


# -- request, and reading through the ports ------------------------------------------------------


def test_request_checks():
    assert exports.check_request(None, None) == "json"
    assert exports.check_request("xlsx", None) == "xlsx"
    assert exports.check_request("csv", "b.cong_trinh") == "csv"
    for fmt, group in (("pdf", None), ("", None), ("json", "b.cong_trinh")):
        with pytest.raises(AppError) as caught:
            exports.check_request(fmt, group)
        assert caught.value.code == "bad_request"


def test_prepare_exports_latest_submitted_or_returned_revisions_only(tmp_path):
    ctx = memory_context(tmp_path)
    forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    for uid in ("u1", "u2", "u3", "u4"):
        rounds.put_unit(ctx, uid, {"name": f"Đơn vị {uid}", "cluster": "cum-1"})
    rounds.create_round(
        ctx,
        {
            "id": "r1",
            "title": {"vi": "Đợt 1"},
            "form_id": "mau-nho",
            "unit_ids": ["u1", "u2", "u3", "u4"],
            "opens_at": T0.isoformat(),
            "closes_at": (T0 + timedelta(days=7)).isoformat(),
        },
    )
    rounds.open_round(ctx, "r1")
    links = rounds.issue_tokens(ctx, "r1", {})["tokens"]
    token = {uid: authenticate(ctx, link["token"]) for uid, link in links.items()}

    def answers(score):
        return {"answers": {"a": {"ck1": {"status": "yes", "score": score}}}}

    submissions.submit(ctx, token["u1"], "r1", answers(5), None, "vi")
    submissions.submit(ctx, token["u1"], "r1", answers(9), None, "vi")  # revision 2 wins
    submissions.submit(ctx, token["u2"], "r1", answers(4), None, "vi")
    submissions.return_submission(ctx, "r1", "u2", {"comments": {"a.ck1": "Thiếu minh chứng"}}, "admin")
    submissions.save_draft(ctx, token["u3"], "r1", answers(1), "vi")  # a draft is not exported

    layout, rows = exports.prepare(ctx, "r1")
    score = [key for key, _ in layout.header].index("a.ck1.score")
    exported = [(row.unit_id, row.values[3], row.values[score]) for row in rows]
    assert exported == [("u1", 2, 9.0), ("u2", 1, 4.0)]
    assert exports.versions_present(ctx, "r1", 1) == {1}
    with pytest.raises(AppError) as caught:
        exports.prepare(ctx, "nope")
    assert caught.value.code == "not_found"


def test_latest_revisions_are_read_in_batches_in_entry_order(tmp_path):
    ctx = memory_context(tmp_path)
    states = {}
    for n in range(70):
        uid = f"u{n:02d}"
        state = ("submitted", "returned", "draft", "missing", "accepted")[n % 5]
        states[uid] = state
        if state == "missing":
            continue
        revision = 1 + n % 3
        entry = {"unit_id": uid, "state": state, "revision": revision}
        if state != "draft":
            entry["submission_id"] = f"{uid}-{revision:04d}"
        ctx.store.set(f"rounds/r1/entries/{uid}", entry)
        for r in range(1, revision + 1):
            doc = {"submission_id": f"{uid}-{r:04d}", "unit_id": uid, "revision": r, "form_version": 1}
            ctx.store.set(f"rounds/r1/submissions/{uid}-{r:04d}", doc)
    read = list(exports.latest_for_export(ctx, "r1"))
    expected = sorted(uid for uid, state in states.items() if state in ("submitted", "returned", "accepted"))
    assert [uid for uid, _ in read] == expected
    assert len(expected) > 30  # more than one ``in`` query
    assert all(doc["unit_id"] == uid and doc["revision"] == 1 + int(uid[1:]) % 3 for uid, doc in read)
    # Each revision carries its entry's review state, for the export's ``state`` column.
    assert {uid: doc["state"] for uid, doc in read} == {uid: states[uid] for uid in expected}


# -- review finding 8: what else a spreadsheet takes for a formula --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" =1+1", "' =1+1"),  # leading whitespace: some spreadsheets trim before they parse
        ("\n=1+1", "'\n=1+1"),  # a line break first
        ("\u00a0\u3000@SUM(A1)", "'\u00a0\u3000@SUM(A1)"),  # no-break and ideographic spaces
        ("\t5", "'\t5"),  # a tab first, whatever follows
        ("＝1+1", "'＝1+1"),  # full-width equals, plus, minus and at
        ("＋84 912", "'＋84 912"),
        ("－2", "'－2"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("ok;=1+1", "ok;'=1+1"),  # a list separator: Excel with Vietnamese settings splits at ";"
        ("ok, =1+1", "ok,' =1+1"),  # and where "," separates lists
        ("a;b;＝cmd", "a;b;'＝cmd"),
        ("a;\n=1", "a;'\n=1"),  # a line break after the separator
        ("-1,5", "-1,5"),  # a Vietnamese decimal is a number: left alone
        ("3; -2; +4", "3; -2; +4"),  # a list of numbers too
        ("a=b; c", "a=b; c"),  # a formula sign inside a part starts nothing
    ],
)
def test_formula_starts_after_whitespace_full_width_signs_and_list_separators_are_defused(text, expected):
    assert exports.defuse(text) == expected


TRIGGERS = "=+-@＝＋－＠"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*TRIGGERS, " ", "\t", "\r", "\n", "\u3000", ";", ",", "a", "1", ".", "'"])))
def test_no_part_of_a_defused_cell_starts_a_formula(text):
    out = exports.defuse(text)
    assert out.replace("'", "") == text.replace("'", "")  # only apostrophes are added
    for part in re.split("[;,]", out):
        stripped = part.lstrip()
        if stripped[:1] and stripped[0] in TRIGGERS:
            assert re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", stripped), (text, out, part)
