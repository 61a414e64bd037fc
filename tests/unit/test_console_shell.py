"""The console shell without a database: its sentences (every group's file speaks vi and en
with the same keys, no key defined twice), its sessions' lifetimes on a moved clock, where a
sign-in may send the browser, and that every page group registers."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from checkround.errors import AppError
from checkround.http.console import PAGE_GROUPS, router
from checkround.http.console.render import catalogue
from checkround.http.console.shell import safe_next
from checkround.rounds import admin_sessions
from checkround.rounds.tokens import Principal, issue_admin_token
from tests.support import ROOT, memory_context


def _keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {key for name, item in value.items() for key in _keys(item, f"{prefix}{name}.")} | {prefix}
    return {prefix}


def test_every_sentence_is_in_both_languages() -> None:
    texts = catalogue(ROOT / "templates")
    assert texts["vi"]
    assert _keys(texts["vi"]) == _keys(texts["en"])
    assert texts["vi"]["other_lang_code"] == "en"
    assert texts["en"]["other_lang_code"] == "vi"


def test_a_key_defined_in_two_groups_is_an_error(tmp_path) -> None:
    folder = tmp_path / "console" / "text"
    folder.mkdir(parents=True)
    for name in ("a", "b"):
        (folder / f"{name}.html.j2").write_text('{%- set TEXT = {"vi": {"x": "1"}, "en": {"x": "1"}} -%}')
    with pytest.raises(ValueError, match="defines"):
        catalogue(tmp_path)


def test_every_page_group_registers_and_the_routes_are_there() -> None:
    assert PAGE_GROUPS[0] == "signin"
    for method, path in [
        ("GET", "/sign-in"),
        ("POST", "/google"),
        ("POST", "/sign-out"),
        ("GET", "/rounds"),
        ("GET", "/assets/console.css"),
        ("GET", "/admin_console/healthz"),
    ]:
        router.match(EnvironBuilder(path=path, method=method).get_request())


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("rounds/kt-6-thang-2019/board", "rounds/kt-6-thang-2019/board"),
        (None, "rounds"),
        ("//evil.example/x", "rounds"),
        ("https://evil.example", "rounds"),
        ("rounds/../../x", "rounds"),
        ("sign-in", "rounds"),
        ("rounds?x=1", "rounds"),
    ],
)
def test_a_sign_in_goes_back_only_to_a_console_page(asked: str | None, goes: str) -> None:
    assert safe_next(asked) == goes


def test_a_session_lasts_its_hours_and_a_link_works_once(tmp_path) -> None:
    ctx = memory_context(tmp_path)
    secret = admin_sessions.issue_sign_in_link(ctx, "local admin")
    session = admin_sessions.redeem_sign_in_link(ctx, secret)
    assert session.principal.actor == "admin:local admin"
    with pytest.raises(AppError):
        admin_sessions.redeem_sign_in_link(ctx, secret)
    assert admin_sessions.session_of(ctx, session.secret).principal.name == "local admin"
    ctx.clock.advance(hours=admin_sessions.SESSION_HOURS, seconds=-1)  # type: ignore[attr-defined]
    admin_sessions.session_of(ctx, session.secret)
    ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
    with pytest.raises(AppError):
        admin_sessions.session_of(ctx, session.secret)


def test_an_unused_link_expires_and_a_unit_opens_no_session(tmp_path) -> None:
    ctx = memory_context(tmp_path)
    secret = admin_sessions.issue_sign_in_link(ctx, "a", minutes=5)
    ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
    with pytest.raises(AppError):
        admin_sessions.redeem_sign_in_link(ctx, secret)
    with pytest.raises(AppError):
        admin_sessions.open_session(ctx, Principal(kind="unit", round_id="r", unit_id="u"), "token")
    for garbage in (None, "", "x" * 300, "a.b", "ü"):
        with pytest.raises(AppError):
            admin_sessions.session_of(ctx, garbage)


def test_signing_out_ends_the_session_and_is_audited_once(tmp_path) -> None:
    ctx = memory_context(tmp_path)
    issue_admin_token(ctx, "thu-ky")
    session = admin_sessions.open_session(ctx, Principal(kind="admin", name="thu-ky@example.org"), "google")
    admin_sessions.end_session(ctx, session.secret)
    admin_sessions.end_session(ctx, session.secret)
    with pytest.raises(AppError):
        admin_sessions.session_of(ctx, session.secret)
    actions = sorted((doc["action"], doc["actor"]) for _, doc in ctx.store.list("audit"))
    assert actions == [
        ("console_sign_in", "admin:thu-ky@example.org"),
        ("console_sign_out", "admin:thu-ky@example.org"),
    ]
