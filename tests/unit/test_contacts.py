"""A unit's contacts: validated by PUT /units/{id}'s schema, and read from and written to the
roster files (CSV and XLSX) of the CLI."""

from __future__ import annotations

import csv

import pytest
import xlsxwriter

from checkround.cli.failures import BadInput
from checkround.cli.files import load_units, unit_table
from checkround.errors import AppError
from checkround.rounds import service as rounds
from checkround.rounds.inputs import DEFAULT_REMINDERS, RoundInput
from tests.support import memory_context


def test_contacts_are_stored_with_a_normalised_address(tmp_path):
    ctx = memory_context(tmp_path)
    body = {
        "name": "Đoàn TN Công an tỉnh",
        "contacts": [
            {"name": "Nguyễn Văn An", "email": "An.Nguyen@Example.VN", "phone": "+84 912 345 678"},
            {"name": "Trần Thị Bình", "phone": "0203 3825 111"},
        ],
    }
    doc = rounds.put_unit(ctx, "cong-an", body)
    assert doc["contacts"][0]["email"] == "An.Nguyen@example.vn"
    assert ctx.store.get("units/cong-an")["contacts"][1] == {"name": "Trần Thị Bình", "phone": "0203 3825 111"}


@pytest.mark.parametrize(
    ("contact", "path", "fragment"),
    [
        ({"name": "A", "email": "an@@example.vn"}, "email", "Not a valid e-mail address"),
        ({"name": "A", "email": "an@localhost"}, "email", "Not a valid e-mail address"),
        ({"name": "A", "email": "an nguyen@example.vn"}, "email", "Not a valid e-mail address"),
        # A mailbox only an SMTPUTF8 relay would take.
        ({"name": "A", "email": "tên@example.vn"}, "email", "Not a valid e-mail address"),
        ({"name": "A", "phone": "call me"}, "phone", "Not a valid phone number."),
        ({"name": "A"}, "_schema", "A contact needs a phone number or an e-mail address."),
    ],
)
def test_a_bad_contact_is_a_422_naming_the_field_and_nothing_is_stored(tmp_path, contact, path, fragment):
    ctx = memory_context(tmp_path)
    with pytest.raises(AppError) as caught:
        rounds.put_unit(ctx, "cong-an", {"name": "Công an", "contacts": [contact]})
    assert caught.value.status == 422
    assert caught.value.message("vi") == "Thông tin đơn vị có trường chưa hợp lệ."
    assert caught.value.message("en") == "Some of the unit's fields are not valid."
    messages = caught.value.fields["contacts"][0][path]
    assert any(fragment in message for message in messages), messages
    assert ctx.store.get("units/cong-an") is None


def test_at_most_five_contacts(tmp_path):
    ctx = memory_context(tmp_path)
    many = [{"name": f"N{i}", "phone": f"09000000{i:02d}"} for i in range(6)]
    with pytest.raises(AppError) as caught:
        rounds.put_unit(ctx, "cong-an", {"name": "Công an", "contacts": many})
    assert "contacts" in caught.value.fields


def test_a_round_reminds_three_days_and_one_day_before_unless_told_otherwise():
    base = {
        "title": {"vi": "Đợt"},
        "form_id": "f",
        "unit_ids": ["u1"],
        "opens_at": "2019-06-01T00:00:00+07:00",
        "closes_at": "2019-06-20T00:00:00+07:00",
    }
    assert RoundInput().load(base)["reminders_before_minutes"] == list(DEFAULT_REMINDERS) == [4320, 1440]
    assert RoundInput().load({**base, "reminders_before_minutes": [60]})["reminders_before_minutes"] == [60]


ROSTER = [
    ["id", "name_vi", "contact_name", "contact_email", "contact_phone", "contact2_name", "contact2_phone"],
    ["cong-an", "Đoàn TN Công an tỉnh", "Nguyễn Văn An", "an@example.vn", "", "Trần Bình", "0912345678"],
    ["ba-che", "BTV Huyện Đoàn Ba Chẽ", "", "", "", "", ""],
]


def _bodies(rows):
    return {row.unit_id: row.body for row in rows}


EXPECTED = {
    "cong-an": {
        "name": "Đoàn TN Công an tỉnh",
        "contacts": [{"name": "Nguyễn Văn An", "email": "an@example.vn"}, {"name": "Trần Bình", "phone": "0912345678"}],
    },
    "ba-che": {"name": "BTV Huyện Đoàn Ba Chẽ"},
}


def test_the_csv_roster_folds_the_contact_columns_into_contacts(tmp_path):
    path = tmp_path / "units.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(ROSTER)
    assert _bodies(load_units(path, "en")) == EXPECTED


def test_the_xlsx_roster_reads_like_the_csv_one_and_keeps_a_phone_typed_as_a_number(tmp_path):
    path = tmp_path / "units.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        for number, row in enumerate(ROSTER):
            for column, value in enumerate(row):
                if value == "0912345678":
                    sheet.write_number(number, column, 84912345678)  # Excel drops the 0; +84 form kept
                elif value:
                    sheet.write_string(number, column, value)
    bodies = _bodies(load_units(path, "en"))
    assert bodies["cong-an"]["contacts"][1] == {"name": "Trần Bình", "phone": "84912345678"}
    assert bodies["ba-che"] == EXPECTED["ba-che"]


def test_an_unknown_contact_column_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("id,name,contact6_name\nu1,U,X\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_units(path, "en")
    assert "contact6_name" in str(caught.value.lines)


def test_the_exported_table_imports_back_to_the_same_units(tmp_path):
    units = [{"id": key, **body} for key, body in EXPECTED.items()]
    table = unit_table(units)
    assert table[0][-3:] == ["contact2_name", "contact2_email", "contact2_phone"]
    path = tmp_path / "again.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    assert _bodies(load_units(path, "en")) == EXPECTED
