"""XLSForm workbooks through admin_api on the real emulator: export a draft and a version,
import a workbook back (a new form, or a draft under If-Match), refusals that store nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from checkround.forms.definition import check_definition
from checkround.forms.xlsform.write import XLSX_TYPE
from tests.support import seed_form
from tests.unit.test_xlsform import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY, same, workbook

pytestmark = pytest.mark.integration


def post_workbook(admin, data, query="", headers=None, language="en"):
    headers = {"Content-Type": XLSX_TYPE, "Accept-Language": language, **(headers or {})}
    return admin("POST", f"/forms/import{query}", data=data, headers=headers)


def test_a_published_version_and_a_draft_come_back_as_workbooks_that_import_as_the_same_form(admin):
    form = seed_form()
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", f"/forms/{form['id']}/versions").status_code == 201

    version = admin("GET", f"/forms/{form['id']}/versions/1.xlsx")
    assert version.status_code == 200
    assert version.content_type == XLSX_TYPE
    assert 'filename="kiem-tra-6-thang-2019-v1.xlsx"' in version.headers["Content-Disposition"]
    settings = load_workbook(io.BytesIO(version.data))["settings"]
    assert [settings["A2"].value, settings["B2"].value] == [form["id"], "1"]

    # The workbook imported under another id is the same form.
    created = post_workbook(admin, version.data, "?id=ban-sao")
    assert created.status_code == 201, created.json
    assert created.json["id"] == "ban-sao"
    assert created.json["ignored"] == []
    copy = admin("GET", "/forms/ban-sao").json["draft"]
    assert same({**copy, "id": form["id"]}, check_definition(form))

    # The draft's workbook replaces the draft under If-Match; without it the form exists (409).
    draft = admin("GET", f"/forms/{form['id']}/draft.xlsx")
    assert draft.status_code == 200
    assert post_workbook(admin, draft.data).json["error"]["code"] == "already_exists"
    etag = admin("GET", f"/forms/{form['id']}").json["etag"]
    replaced = post_workbook(admin, draft.data, headers={"If-Match": etag})
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["etag"] != etag
    stale = post_workbook(admin, draft.data, headers={"If-Match": etag})
    assert stale.status_code == 412


def test_a_kobo_workbook_becomes_a_draft_and_its_appearances_left_out_are_listed(admin):
    response = post_workbook(admin, workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    assert response.status_code == 201, response.json
    assert response.json["id"] == "ho-gia-dinh"
    assert {(i["row"], i["value"]) for i in response.json["ignored"]} == {(2, "field-list"), (7, "horizontal")}
    draft = admin("GET", "/forms/ho-gia-dinh").json["draft"]
    assert [s["key"] for s in draft["sections"]] == ["household", "water", "main"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_refused_workbook_says_where_in_the_readers_language_and_stores_nothing(admin, language):
    survey = [["type", "name", "label", "relevant"], ["note", "intro", "Hi", None], ["integer", "n", "N", "today()"]]
    response = post_workbook(admin, workbook(survey, settings_rows=[["form_id"], ["bi-tu-choi"]]), language=language)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_xlsform"
    assert ("chưa có gì được lưu" if language == "vi" else "nothing was stored") in error["message"]
    assert set(error["fields"]["survey"]) == {"2", "3"}
    assert ("không được hỗ trợ" if language == "vi" else "not supported") in error["fields"]["survey"]["3"]["relevant"][
        0
    ]
    assert admin("GET", "/forms/bi-tu-choi").status_code == 404


def test_bytes_that_are_no_workbook_and_a_workbook_over_the_body_limit_are_refused(admin, monkeypatch):
    response = post_workbook(admin, b"PK\x03\x04 not really")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "workbook": {"0": {"workbook": ["The file is not an XLSX workbook that can be read."]}}
    }
    big = post_workbook(admin, b"x" * (1024 * 1024 + 1))
    assert big.status_code == 413


def test_exports_of_what_does_not_exist_are_404(admin):
    assert admin("GET", "/forms/khong-co/draft.xlsx").status_code == 404
    form = seed_form()
    admin("POST", "/forms", form)
    assert admin("GET", f"/forms/{form['id']}/versions/3.xlsx").status_code == 404
