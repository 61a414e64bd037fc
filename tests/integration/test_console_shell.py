"""The admin console's shell through its real entry point on the emulator: the one-time
sign-in link, the admin token on the sign-in page, the session cookie, CSRF on every post,
the security headers, and that nothing but an admin's console session opens a page."""

from __future__ import annotations

import re

import pytest

from checkround import wiring
from checkround.http.console.session import SESSION_COOKIE
from checkround.rounds import audit
from checkround.rounds.admin_sessions import issue_sign_in_link
from checkround.rounds.tokens import issue_admin_token
from tests.integration.console_helpers import csrf_of, sign_in_with_token
from tests.integration.helpers import setup_seed_round

pytestmark = pytest.mark.integration


def assert_page_is_strict(response) -> None:
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    # No inline script or style: every <script> loads a file, no element carries style="" or on*="".
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_sign_in_link_works_once_and_leaves_the_address_bar(project, console_app):
    secret = issue_sign_in_link(wiring.context(), "local admin")
    client = console_app.test_client()
    first = client.get("/admin_console/sign-in", query_string={"t": secret})
    assert first.status_code == 303
    assert first.headers["Location"] == "rounds"  # relative, without the secret
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/admin_console" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http on the local stack; https sets it
    rounds = client.get("/admin_console/rounds")
    assert rounds.status_code == 200, rounds.get_data(as_text=True)[:1000]
    assert "local admin" in rounds.get_data(as_text=True)
    assert_page_is_strict(rounds)

    again = console_app.test_client().get("/admin_console/sign-in", query_string={"t": secret})
    assert again.status_code == 401
    assert "đã được dùng" in again.get_data(as_text=True)
    assert f"{SESSION_COOKIE}=" not in again.headers.get("Set-Cookie", "")
    # The sign-in is in the global audit log, naming the admin.
    events = audit.list_events(wiring.context(), None)
    assert [(e["action"], e["actor"], e["method"]) for e in events] == [
        ("console_sign_in", "admin:local admin", "link")
    ]


def test_the_admin_token_signs_in_and_a_unit_token_does_not(project, console_app, admin):
    tokens = setup_seed_round(admin)
    client = console_app.test_client()
    refused = sign_in_with_token(client, tokens["ba-che"])
    assert refused.status_code == 401
    assert "Mã quản trị không đúng" in refused.get_data(as_text=True)
    assert client.get("/admin_console/rounds").status_code == 303

    token = issue_admin_token(wiring.context(), name="thu-ky")
    signed = sign_in_with_token(client, token)
    assert signed.status_code == 303
    assert signed.headers["Location"] == "rounds"
    page = client.get("/admin_console/rounds", query_string={"lang": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert "kt-6-thang-2019" in html
    assert "0/7" in html
    # The sign-in page, signed in already, goes on to the rounds.
    again = client.get("/admin_console/sign-in")
    assert again.status_code == 303
    assert again.headers["Location"] == "rounds"
    # The language is remembered for the next pages.
    assert '<html lang="en">' in client.get("/admin_console/rounds").get_data(as_text=True)


def test_the_sign_in_form_needs_its_own_csrf_cookie(project, console_app):
    token = issue_admin_token(wiring.context(), name="thu-ky")
    client = console_app.test_client()
    forged = client.post("/admin_console/sign-in", data={"csrf": "x" * 64, "token": token})
    assert forged.status_code == 403
    assert f"{SESSION_COOKIE}=" not in forged.headers.get("Set-Cookie", "")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(project, console_app):
    client = console_app.test_client()
    assert sign_in_with_token(client, issue_admin_token(wiring.context(), name="a")).status_code == 303
    refused = client.post("/admin_console/sign-out", data={})
    assert refused.status_code == 403
    assert client.get("/admin_console/rounds").status_code == 200  # still signed in
    wrong = client.post("/admin_console/sign-out", data={"csrf": "0" * 64})
    assert wrong.status_code == 403

    page = client.get("/admin_console/rounds")
    out = client.post("/admin_console/sign-out", data={"csrf": csrf_of(page.get_data(as_text=True))})
    assert out.status_code == 303
    assert client.get("/admin_console/rounds").status_code == 303


def test_a_revoked_session_ends_at_once_even_with_its_cookie(project, console_app):
    client = console_app.test_client()
    signed = sign_in_with_token(client, issue_admin_token(wiring.context(), name="a"))
    value = re.search(rf"{SESSION_COOKIE}=([^;]+)", signed.headers["Set-Cookie"]).group(1)
    page = client.get("/admin_console/rounds")
    client.post("/admin_console/sign-out", data={"csrf": csrf_of(page.get_data(as_text=True))})
    replay = console_app.test_client()
    replay.set_cookie(SESSION_COOKIE, value, path="/admin_console")
    answer = replay.get("/admin_console/rounds")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "sign-in?next=rounds"
    posted = replay.post("/admin_console/sign-out", data={"csrf": "x"})
    assert posted.status_code == 401


def test_a_units_web_form_session_opens_no_console_page(project, console_app, apps, admin):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    opened = client.get("/web_form/r/kt-6-thang-2019", query_string={"t": tokens.links["ba-che"]})
    assert opened.status_code == 303
    unit_cookie = re.search(r"(checkround_[a-z0-9_-]+)=([^;]+)", opened.headers["Set-Cookie"])
    console = console_app.test_client()
    # The unit's cookie, under the console's own name too: neither is a console session.
    console.set_cookie(unit_cookie.group(1), unit_cookie.group(2), path="/")
    console.set_cookie(SESSION_COOKIE, unit_cookie.group(2), path="/")
    answer = console.get("/admin_console/rounds")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("sign-in")
    # Nor does the unit's API token as a bearer token.
    bearer = console_app.test_client().get(
        "/admin_console/rounds", headers={"Authorization": f"Bearer {tokens['ba-che']}"}
    )
    assert bearer.status_code == 303


def test_assets_and_the_health_check(project, console_app):
    client = console_app.test_client()
    page = client.get("/admin_console/sign-in")
    assert_page_is_strict(page)
    for name in re.findall(r"(assets/[a-z.]+\?v=[0-9a-f]+)", page.get_data(as_text=True)):
        asset = client.get(f"/admin_console/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["Cache-Control"].endswith("immutable")
    assert client.get("/admin_console/assets/..%2Fbase.html.j2").status_code == 404
    assert client.get("/admin_console/healthz").json == {"status": "ok", "function": "admin_console"}


def test_revoking_the_admin_token_ends_the_console_sessions_it_opened(project, console_app, admin):
    from checkround.rounds import admin_tokens

    ctx = wiring.context()
    issued = admin_tokens.issue(ctx, {"name": "tam-thoi", "expires_in_days": 1}, "admin:setup")
    client = console_app.test_client()
    assert sign_in_with_token(client, issued["token"]).status_code == 303
    assert client.get("/admin_console/rounds").status_code == 200
    admin_tokens.revoke(ctx, issued["token_id"], "admin:setup")
    answer = client.get("/admin_console/rounds")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("sign-in")


def test_every_page_of_a_round_carries_the_csp_and_no_inline_script(project, console_app, admin):
    from tests.integration.console_helpers import post_form, signed_in

    setup_seed_round(admin)
    client = signed_in(console_app)
    base = "/admin_console/rounds/kt-6-thang-2019"
    for path in (
        "/admin_console/rounds",
        "/admin_console/rounds/new",
        base,
        f"{base}/close",
        f"{base}/board",
        f"{base}/links",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert_page_is_strict(page)
    issued = post_form(client, f"{base}/links", [("action", "issue"), ("units", "ba-che")])
    assert issued.status_code == 200
    assert_page_is_strict(issued)
    refused = post_form(client, "/admin_console/rounds/new", [("title_vi", "")])
    assert refused.status_code == 422
    assert_page_is_strict(refused)


def _multipart(pairs: list[tuple[str, str]]) -> bytes:
    """A multipart/form-data body with the shortest boundary, ``b`` (as a client may send it)."""
    parts = [f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in pairs]
    return ("".join(parts) + "--b--\r\n").encode()


def test_a_multipart_post_within_the_body_limit_is_read_and_past_werkzeugs_limits_refused(project, console_app):
    # werkzeug refuses a multipart text field over 500 kB and a post of more parts than
    # max_form_parts with RequestEntityTooLarge, an exception that was a 500: a field as long
    # as the body limit is read (as urlencoded), and too many parts are a "too large" page.
    client = console_app.test_client()
    assert sign_in_with_token(client, issue_admin_token(wiring.context(), name="a")).status_code == 303
    csrf = csrf_of(client.get("/admin_console/units/upload").get_data(as_text=True))
    long_field = client.post(
        "/admin_console/units/upload",
        data=_multipart([("csrf", csrf), ("note", "a" * 600_000)]),
        content_type="multipart/form-data; boundary=b",
    )
    assert long_field.status_code == 422  # read: the page asks for the roster file
    many = client.post(
        "/admin_console/units/upload",
        data=_multipart([("csrf", csrf), *[("", "")] * 20_001]),
        content_type="multipart/form-data; boundary=b",
    )
    assert many.status_code == 413
    assert "text/html" in many.headers["Content-Type"]


def test_a_notice_named_in_the_query_that_no_page_sets_is_not_shown_and_not_a_500(project, console_app, admin):
    # The notice after a redirect is named in the query (?done=open, ?rendered=...); a name
    # the sentences do not have (typed, or an old link) looked up a missing key: a 500.
    from tests.integration.console_helpers import signed_in

    setup_seed_round(admin)
    client = signed_in(console_app)
    base = "/admin_console/rounds/kt-6-thang-2019"
    for path, notice in (
        (f"{base}?done=zz", '<p class="notice" role="status">'),
        (f"{base}/summary?rendered=zz", 'id="rendered"'),
        # "saved" on the scoring page of a unit the team has not scored yet (an old link, typed).
        (f"{base}/review/mong-cai/score?saved=1", 'id="saved"'),
    ):
        page = client.get(path)
        assert page.status_code == 200, (path, page.get_data(as_text=True)[:500])
        assert notice not in page.get_data(as_text=True)
