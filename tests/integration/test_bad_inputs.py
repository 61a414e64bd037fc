"""Bad input a client can send, on every route of every HTTP function, as the clients send it
(functions-framework's test client, the real emulator): odd JSON (invalid UTF-8, a lone
surrogate, huge numbers, NaN, a bare array, repeated keys, a BOM, UTF-16), odd forms and
multipart bodies, a console post without its CSRF token, repeated and undecodable query
parameters. No answer is a 5xx, and a JSON function's refusal has the error catalogue's shape.
The schemathesis test (tests/e2e) fuzzes the two documented APIs; this sweep also covers the
console's and the web form's pages and posts, which have no OpenAPI document, and their posts
once more with a valid CSRF token and odd values in each of the page's fields."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from checkround.errors import CATALOG
from checkround.http.admin_routes import router as admin_router
from checkround.http.console import console
from checkround.http.core import Router
from checkround.http.unit_routes import router as unit_router
from checkround.http.webform import router as web_router
from tests.integration.console_helpers import console_app, csrf_of, signed_in  # noqa: F401 (a fixture)
from tests.integration.helpers import setup_seed_round
from tests.integration.test_web_form import open_link
from tests.support import seed_form

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
FORM = "kiem-tra-6-thang-2019"
# A value for each path argument: the seed's ids, so that a request reaches past the lookup.
IDS = {"round_id": ROUND, "form_id": FORM, "unit_id": "hai-quan", "kind": "reminder", "version": "1", "revision": "1"}

JSON = "application/json"
BODIES = [
    (b'{"name": "\xff\xfe"}', JSON),  # not UTF-8
    (b'{"name": "\\ud800", "title": {"vi": "\\udfff"}, "\\udbff": 1}', JSON),  # lone surrogates
    # NaN, infinity and a 4,000-digit number, and a key twice
    (b'{"name": NaN, "closes_at": Infinity, "unit_ids": [1e99999, ' + b"9" * 4000 + b'], "id": "a", "id": {}}', JSON),
    (b"[1, 2, 3]", JSON),
    (b"\xef\xbb\xbf{}", JSON),  # a byte order mark
    ('{"name": "Đoàn"}'.encode("utf-16"), "application/json; charset=utf-16"),
    (b"csrf=x&name=%ff%fe&name=\xff&lang=en&lang=vi", "application/x-www-form-urlencoded"),
    (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK\x03\x04junk\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    (b"--b\r\nContent-Disp", "multipart/form-data"),  # cut short, and no boundary
]
QUERIES = [
    "lang=xx&lang=en&unit=%ff&page=99999999999999999999999&limit=1e9&revision=abc&since=9999-99-99&t=%ff",
    "lang=%00&unit=%00&page=-1&page=2&version=99999999999999999999&offset=%ff&state=%E2%80%AE&q=" + "%F0%9F%98%80" * 50,
]


# Routes that print a document whatever else they are sent (seconds each): two variants only.
HEAVY = re.compile(r"(\.pdf|\.docx|/summary)$")


def _path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: IDS.get(m.group(1), "x"), rule)


def _sweep(client: Any, prefix: str, router: Router, json_errors: bool, **headers: str) -> list[str]:
    """Every route of ``router`` with each bad query (GET) or body (other methods); what went wrong."""
    wrong = []
    for rule in router._map.iter_rules():
        path = prefix + _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            requests = (
                [(path + "?" + query, None, None) for query in QUERIES]
                if method == "GET"
                else [(path + "?lang=xx&lang=en", body, kind) for body, kind in BODIES]
            )
            for url, body, kind in requests[:2] if HEAVY.search(rule.rule) else requests:
                answer = client.open(url, method=method, data=body, headers={**headers, "Content-Type": kind or JSON})
                said = f"{method} {rule.rule} {body[:40] if body else url[len(path) :]!r}: {answer.status_code}"
                if answer.status_code >= 500:
                    wrong.append(f"{said} {answer.get_data(as_text=True)[:300]}")
                elif json_errors and answer.status_code >= 400:
                    error = (answer.get_json(silent=True) or {}).get("error") or {}
                    if error.get("code") not in CATALOG or not error.get("message"):
                        wrong.append(f"{said}, not the catalogue's shape: {answer.get_data(as_text=True)[:200]}")
    return wrong


# What a page's own fields are given, with the page's valid CSRF token: past the token check,
# into every handler.
ODD_FIELDS = ["\x00\u202e😀-99999999999999999999999999", "1e309"]


def _posts_past_the_token(client: Any, prefix: str, router: Router, csrf: str) -> list[str]:
    """Every POST route but signing out, with each of its page's fields (or a few common names)
    given each odd value twice over; what answered with a 5xx."""
    wrong = []
    for rule in router._map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.endswith("sign-out"):
            continue
        path = prefix + _path(rule.rule)
        page = client.get(path)
        names = set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True))) if page.status_code == 200 else set()
        names = sorted(names - {"csrf"}) or ["name", "units", "action", "token", "remove_missing", "text", "score"]
        for odd in ODD_FIELDS:
            data = MultiDict([("csrf", csrf), *((name, odd) for name in names), *((name, odd[::-1]) for name in names)])
            answer = client.post(path, data=data)
            if answer.status_code >= 500:
                wrong.append(f"POST {rule.rule} {odd[:12]!r}: {answer.status_code}")
    return wrong


def test_no_route_answers_bad_input_with_a_5xx(admin, apps, console_app, project):  # noqa: F811
    tokens = setup_seed_round(admin)
    # The pages first, the APIs last: an API post may close or change the round.
    web, page = open_link(apps, tokens.links["hai-quan"])
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    wrong = _sweep(web, "", web_router, json_errors=False)
    wrong += _posts_past_the_token(web, "", web_router, csrf.group(1))
    console_client = signed_in(console_app)
    wrong += _sweep(console_client, "/admin_console", console.router, json_errors=False)
    rounds_page = console_client.get("/admin_console/rounds").get_data(as_text=True)
    wrong += _posts_past_the_token(console_client, "/admin_console", console.router, csrf_of(rounds_page))
    unit = apps["unit_api"].test_client()
    wrong += _sweep(unit, "/unit_api", unit_router, True, Authorization=f"Bearer {tokens['hai-quan']}")
    wrong += _sweep(
        apps["admin_api"].test_client(), "/admin_api", admin_router, True, Authorization=f"Bearer {admin.token}"
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_lone_surrogate_in_a_json_body_is_a_400_and_stores_nothing(admin, project, language):
    """JSON can escape half of a UTF-16 pair; Python reads it as a lone surrogate, which no
    UTF-8 encoder (nor Firestore) takes: saving a form with one was a 500."""
    form = seed_form()
    raw = admin.client.post(
        "/admin_api/forms",
        data=_with_title(form, "Kiểm tra \\ud800"),
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": JSON, "Accept-Language": language},
    )
    assert raw.status_code == 400
    assert raw.json["error"]["code"] == "bad_request"
    expected = "nửa cặp UTF-16" if language == "vi" else "half of a UTF-16 pair"
    assert expected in raw.json["error"]["message"]
    assert admin("GET", f"/forms/{form['id']}").status_code == 404
    # A pair that makes one character (an emoji) is text, and is stored.
    assert (
        admin.client.post(
            "/admin_api/forms",
            data=_with_title(form, "Kiểm tra \\ud83d\\ude00"),
            headers={"Authorization": f"Bearer {admin.token}", "Content-Type": JSON},
        ).status_code
        == 201
    )
    assert admin("GET", f"/forms/{form['id']}").json["draft"]["title"]["vi"] == "Kiểm tra 😀"


def _with_title(form: dict[str, Any], escaped: str) -> bytes:
    """The form as JSON, its Vietnamese title replaced by ``escaped`` (JSON escapes kept as typed)."""
    import json

    text = json.dumps({**form, "title": {**form["title"], "vi": "@TITLE@"}}, ensure_ascii=False)
    return text.replace("@TITLE@", escaped).encode()
