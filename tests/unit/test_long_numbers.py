"""Numbers a client writes into a post (a row to remove, a grace period) can be thousands of
digits long, past what ``int()`` reads (Python's 4,300-digit limit raises ValueError): each
such post is read as asking for nothing, or refused at its input, never a 500."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from checkround.forms.definition import check_definition
from checkround.forms.webform import read_post
from checkround.http.console.round_form import read_deadline

LONG = "9" * 5000


def test_a_remove_button_naming_a_row_of_thousands_of_digits_removes_nothing():
    definition = check_definition(
        {
            "id": "mau-dong",
            "title": {"vi": "Mẫu"},
            "sections": [
                {
                    "key": "s",
                    "title": {"vi": "P"},
                    "fields": [{"key": "g", "type": "repeat", "label": {"vi": "G"},
                                "fields": [{"key": "t", "type": "text", "label": {"vi": "T"}}]}],
                }
            ],
        }
    )  # fmt: skip
    post = read_post(definition, MultiDict([("s.g.0.t", "một"), ("action", f"remove:s.g.{LONG}")]))
    assert post.action == "redraw"
    assert post.answers["s"]["g"] == [{"t": "một"}]


def test_a_grace_period_of_thousands_of_digits_is_refused_at_its_input():
    values = {"closes_date": "14/06/2019", "closes_time": "17:00", "grace_minutes": LONG}
    body, errors = read_deadline(values, "Asia/Ho_Chi_Minh", {"err_when": "when", "err_grace": "grace"})
    assert errors == {"grace_minutes": "grace"}
    assert "grace_minutes" not in body
