"""What the form builder asks of admin_api, on the emulator: the forms list, what another admin
saved since a draft (after a 412), the publish preview, and meta-validation errors in the
language the request asks for."""

from __future__ import annotations

import copy

import pytest

from tests.support import small_form

pytestmark = pytest.mark.integration


def test_forms_list_changes_since_a_draft_and_the_publish_preview(admin):
    etag = admin("POST", "/forms", small_form()).json["etag"]
    listed = admin("GET", "/forms").json["forms"]
    assert [(f["id"], f["state"], f["versions"]) for f in listed] == [("mau-nho", "new", [])]
    mine, theirs = copy.deepcopy(small_form()), copy.deepcopy(small_form())
    theirs["sections"][0]["fields"][2]["max"] = 50
    assert admin("PUT", "/forms/mau-nho/draft", theirs, headers={"If-Match": etag}).status_code == 200
    mine["sections"][1]["fields"][0]["max_length"] = 30
    stale = admin("PUT", "/forms/mau-nho/draft", mine, headers={"If-Match": etag})
    assert stale.status_code == 412
    since = admin("GET", f"/forms/mau-nho/draft/changes?since={etag}")
    assert since.status_code == 200
    assert since.json["changes"] == [{"change": "options_changed", "field": "a.so", "options": ["max"]}]
    assert since.json["saved_by"].startswith("admin")
    assert since.json["draft"]["sections"][0]["fields"][2]["max"] == 50
    assert admin("GET", "/forms/mau-nho/draft/changes").status_code == 400
    assert admin("GET", "/forms/mau-nho/draft/changes?since=7-abc").status_code == 404
    preview = admin("GET", "/forms/mau-nho/publish-preview").json
    assert preview["publishable"] is True
    assert preview["next_version"] == 1
    assert admin("POST", "/forms/mau-nho/versions").status_code == 201
    assert admin("GET", "/forms").json["forms"][0]["state"] == "published"


def test_meta_validation_errors_follow_accept_language(admin):
    form = small_form()
    form["sections"][0]["fields"][6]["choices"] = []
    english = admin("POST", "/forms", form, headers={"Accept-Language": "en"}).json["error"]
    vietnamese = admin("POST", "/forms", form, headers={"Accept-Language": "vi"}).json["error"]
    path = ("sections", "0", "fields", "6", "choices")

    def at(body):
        node = body["fields"]
        for step in path:
            node = node[step]
        return node

    assert at(english) == ["A choice field needs at least one choice."]
    assert at(vietnamese) == ["Trường lựa chọn cần ít nhất một lựa chọn."]
