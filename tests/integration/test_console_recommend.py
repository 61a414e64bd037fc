"""The review page's recommendations on the emulator (issue 19): after the close, each item
the team did not fully meet and each shortcoming becomes a recommendation in one click, audited
under the admin's name; before the close the page says they come after it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.integration.console_helpers import console_app, csrf_of, signed_in  # noqa: F401
from tests.integration.helpers import setup_seed_round
from tests.series_support import first_assessment
from tests.support import seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
UNIT = "mong-cai"
PAGE = f"/admin_console/rounds/{ROUND}/review/{UNIT}"


def html(answer):
    return unescape(answer.get_data(as_text=True))


def test_an_item_not_fully_met_becomes_a_recommendation_in_one_click(admin, unit_client, console_app):  # noqa: F811
    tokens = setup_seed_round(admin)
    unit_client(tokens[UNIT])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(UNIT)})
    scores = first_assessment(UNIT)
    assert admin("PUT", f"/rounds/{ROUND}/assessments/{UNIT}", {"answers": scores}).status_code == 200
    client = signed_in(console_app, "thu-ky")
    assert "Kiến nghị được ghi sau khi đợt kiểm tra kết thúc" in html(client.get(PAGE))
    admin("POST", f"/rounds/{ROUND}/close")

    page = html(client.get(PAGE))
    # The team's result decides: Móng Cái's loans item is partly met, with the team's note.
    note = scores["von_vay"]["quan_ly_von_vay"]["note"]
    assert scores["von_vay"]["quan_ly_von_vay"]["status"] == "partial"
    offered = re.findall(r'name="field" value="([^"]+)"><input type="hidden" name="text" value="([^"]*)"', page)
    fields = [field for field, _ in offered]
    assert "von_vay.quan_ly_von_vay" in fields
    assert "doan_kiem_tra.han_che" in fields  # the shortcomings the team wrote
    assert all(
        scores[f.split(".")[0]][f.split(".")[1]].get("status") != "yes" for f in fields if f != "doan_kiem_tra.han_che"
    )
    text = dict(offered)["von_vay.quan_ly_von_vay"]
    assert text.endswith(note)

    made = client.post(
        f"{PAGE}/recommend", data={"csrf": csrf_of(page), "field": "von_vay.quan_ly_von_vay", "text": text}
    )
    assert made.status_code == 303, html(made)[:2000]
    recs = admin("GET", f"/rounds/{ROUND}/recommendations?unit_id={UNIT}").json["recommendations"]
    assert [(r["field"], r["text"]["vi"], r["created_by"]) for r in recs] == [
        ("von_vay.quan_ly_von_vay", text, "admin:thu-ky")
    ]
    assert made.headers["Location"].endswith(f"rounds/{ROUND}/review/{UNIT}?done=recommended")
    after = html(client.get(f"{PAGE}?done=recommended"))
    assert "Đã ghi kiến nghị." in after
    # Made once: it is listed as made, and no longer offered.
    assert 'name="field" value="von_vay.quan_ly_von_vay"' not in after
    assert text in after.split('id="rec-made"', 1)[1]
    # A refusal (an unknown field) is the page again with the reason, nothing stored.
    refused = client.post(f"{PAGE}/recommend", data={"csrf": csrf_of(after), "field": "khong.co", "text": "x"})
    assert refused.status_code == 422
    assert "Kiến nghị có trường chưa hợp lệ." in html(refused)
    assert len(admin("GET", f"/rounds/{ROUND}/recommendations").json["recommendations"]) == 1
