"""Forms stored before the rules' portability check (issue 17) meet it where it matters: a draft
cannot be published, a round cannot be created or opened on such a version, nothing is written;
a round already open keeps working; the forms list names them. The old definitions are written
straight through the storage port, as an earlier release stored them (the API refuses them)."""

from __future__ import annotations

import copy
import re

import pytest

from checkround import wiring
from tests.integration.console_helpers import csrf_of, signed_in
from tests.integration.helpers import setup_seed_round
from tests.support import seed_answers, seed_form

pytestmark = pytest.mark.integration

FORM_ID = "kiem-tra-6-thang-2019"


def _stale(definition):
    """``definition`` with a calculation the page and the server compute differently (an
    unanswered number: 0 on the server, null in the page), at the path returned."""
    stale = copy.deepcopy(definition)
    s_index, section = next(
        (i, s) for i, s in enumerate(stale["sections"]) if any(f["type"] == "integer" for f in s["fields"])
    )
    number = next(f for f in section["fields"] if f["type"] == "integer")
    section["fields"].append(
        {
            "key": "gap_doi",
            "type": "calculated",
            "label": {"vi": "Gấp đôi"},
            "calculate": {"*": [{"var": f"{section['key']}.{number['key']}"}, 2]},
        }
    )
    return stale, (str(s_index), str(len(section["fields"]) - 1))


def _store_old_version(version):
    """Version ``version`` of the seed form, stale, as an old release published it."""
    store = wiring.context().store
    form = store.get(f"forms/{FORM_ID}")
    definition, at = _stale(store.get(f"forms/{FORM_ID}/versions/1")["definition"])
    store.set(
        f"forms/{FORM_ID}/versions/{version}",
        {"form_id": FORM_ID, "version": version, "definition": definition, "published_at": form["updated_at"]},
    )
    store.update(f"forms/{FORM_ID}", {"versions": [*form["versions"], version], "latest_version": version})
    return at


def _message_at(response, at):
    s_index, f_index = at
    (message,) = response.json["error"]["fields"]["sections"][s_index]["fields"][f_index]["calculate"]
    return message


def _round_body(round_id, version):
    return {
        "id": round_id,
        "title": {"vi": "Đợt cũ"},
        "form_id": FORM_ID,
        "form_version": version,
        "unit_ids": ["hai-quan"],
        "opens_at": "2026-01-01T00:00:00+07:00",
        "closes_at": "2027-01-01T00:00:00+07:00",
    }


def test_no_round_is_created_on_a_version_whose_rules_fail_the_check(admin):
    setup_seed_round(admin)
    at = _store_old_version(2)
    for language, words in (("vi", "giá trị mặc định"), ("en", "give it a default")):
        refused = admin("POST", "/rounds", _round_body("dot-cu", 2), headers={"Accept-Language": language})
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["code"] == "rules_differ"
        assert ("Phiên bản 2" if language == "vi" else "Version 2") in refused.json["error"]["message"]
        assert words in _message_at(refused, at)
    assert admin("GET", "/rounds/dot-cu").status_code == 404
    assert admin("POST", "/rounds", _round_body("dot-moi", 1)).status_code == 201


def test_a_draft_round_on_such_a_version_is_not_opened_and_an_open_one_keeps_working(admin, unit_client):
    tokens = setup_seed_round(admin)  # kt-6-thang-2019: open, on version 1
    assert admin("POST", "/rounds", _round_body("dot-nhap", 1)).status_code == 201
    at = _store_old_version(2)
    store = wiring.context().store
    # Both rounds were made on version 2 by an old release: one still a draft, one open.
    store.update("rounds/dot-nhap", {"form_version": 2})
    store.update("rounds/kt-6-thang-2019", {"form_version": 2})
    before = store.get("rounds/dot-nhap")
    refused = admin("POST", "/rounds/dot-nhap/open", headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "rules_differ"
    assert "give it a default" in _message_at(refused, at)
    assert store.get("rounds/dot-nhap") == before  # still a draft, nothing written
    assert not list(store.list("rounds/dot-nhap/audit"))
    # The open round: opening it again is a no-op, and its units still submit.
    assert admin("POST", "/rounds/kt-6-thang-2019/open").json == {"status": "open"}
    unit = unit_client(tokens["hai-quan"])
    sent = unit(
        "POST",
        "/rounds/kt-6-thang-2019/submission",
        {"answers": seed_answers("hai-quan")},
        headers={"Idempotency-Key": "k-cu"},
    )
    assert sent.status_code == 201, sent.json


def test_a_draft_whose_rules_fail_the_check_is_not_published(admin):
    form = seed_form()
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", f"/forms/{FORM_ID}/versions").status_code == 201
    store = wiring.context().store
    stale, at = _stale(store.get(f"forms/{FORM_ID}")["draft"])
    store.update(f"forms/{FORM_ID}", {"draft": stale, "draft_revision": 2})
    for language, words in (("vi", "giá trị mặc định"), ("en", "give it a default")):
        refused = admin("POST", f"/forms/{FORM_ID}/versions", headers={"Accept-Language": language})
        assert refused.status_code == 422
        assert refused.json["error"]["code"] == "invalid_definition"
        assert words in _message_at(refused, at)
    assert store.get(f"forms/{FORM_ID}")["versions"] == [1]
    assert store.get(f"forms/{FORM_ID}/versions/2") is None
    # The preview the builder shows before publishing says so too.
    assert admin("GET", f"/forms/{FORM_ID}/publish-preview").json["publishable"] is False


def test_the_forms_list_names_the_drafts_and_versions_whose_rules_fail_the_check(admin):
    setup_seed_round(admin)
    listed = {f["id"]: f for f in admin("GET", "/forms").json["forms"]}
    assert listed[FORM_ID]["rules_differ"] == {"draft": False, "versions": []}
    _store_old_version(2)
    store = wiring.context().store
    stale, _ = _stale(store.get(f"forms/{FORM_ID}")["draft"])
    store.update(f"forms/{FORM_ID}", {"draft": stale})
    listed = {f["id"]: f for f in admin("GET", "/forms").json["forms"]}
    assert listed[FORM_ID]["rules_differ"] == {"draft": True, "versions": [2]}


def test_the_console_marks_them_and_refuses_to_open_such_a_round(admin, console_app):
    setup_seed_round(admin)
    assert admin("POST", "/rounds", _round_body("dot-nhap", 1)).status_code == 201
    _store_old_version(2)
    store = wiring.context().store
    store.update("rounds/dot-nhap", {"form_version": 2})
    client = signed_in(console_app)
    listed = client.get("/admin_console/forms?lang=en").get_data(as_text=True)
    assert 'data-rules-differ="2"' in listed
    assert 'data-rules-differ="1"' not in listed
    assert "no round can be created or opened on them" in listed
    page = client.get("/admin_console/rounds/dot-nhap/open?lang=en")
    assert page.status_code == 200
    refused = client.post(
        "/admin_console/rounds/dot-nhap/open?lang=en",
        data={"csrf": csrf_of(page.get_data(as_text=True)), "stamp": _stamp(page.get_data(as_text=True))},
    )
    assert refused.status_code == 422
    assert "Version 2 of form kiem-tra-6-thang-2019" in refused.get_data(as_text=True)
    assert store.get("rounds/dot-nhap")["status"] == "draft"


def _stamp(html):
    found = re.search(r'name="stamp" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)
