"""Admin tokens expire, are listed and revoked (audited); a unit's links are reissued in one
transaction, so two reissues at once leave one live set."""

from __future__ import annotations

import pytest

from checkround.errors import AppError
from checkround.rounds import admin_tokens, audit
from checkround.rounds import service as rounds
from checkround.rounds.tokens import authenticate, issue_admin_token
from tests.support import first_transactions_in_step, memory_context, run_together
from tests.unit.test_services import make_round


@pytest.fixture
def ctx(tmp_path):
    return memory_context(tmp_path)


def test_an_admin_token_stops_working_when_it_expires(ctx):
    token = issue_admin_token(ctx, days=2)
    assert authenticate(ctx, token).kind == "admin"
    ctx.clock.advance(days=2, seconds=1)
    with pytest.raises(AppError) as refused:
        authenticate(ctx, token)
    assert refused.value.code == "unauthenticated"


def test_an_admin_token_issued_without_an_expiry_is_refused(ctx):
    from checkround.rounds.tokens import hash_token

    ctx.store.set(f"tokens/{hash_token('old-admin-token', ctx.settings.token_pepper)}", {"kind": "admin", "name": "x"})
    with pytest.raises(AppError):
        authenticate(ctx, "old-admin-token")


def test_admin_tokens_are_issued_listed_and_revoked_with_an_audit_trail(ctx):
    issued = admin_tokens.issue(ctx, {"name": "CI export", "expires_in_days": 7}, "admin:lan@example.org")
    assert authenticate(ctx, issued["token"]).name == "CI export"
    (row,) = admin_tokens.list_tokens(ctx)["tokens"]
    assert row["token_id"] == issued["token_id"]
    assert row["active"] is True
    assert "token" not in row
    assert (row["expires_at"] - row["issued_at"]).days == 7
    assert row["issued_by"] == "admin:lan@example.org"
    ctx.clock.advance(minutes=1)
    revoked = admin_tokens.revoke(ctx, issued["token_id"], "admin:minh@example.org")
    assert (revoked["revoked"], revoked["revoked_by"]) == (True, "admin:minh@example.org")
    with pytest.raises(AppError):
        authenticate(ctx, issued["token"])
    admin_tokens.revoke(ctx, issued["token_id"], "admin:minh@example.org")  # twice: no error, one event
    assert admin_tokens.list_tokens(ctx)["tokens"][0]["active"] is False
    events = [(e["action"], e["actor"], e["token_id"]) for e in audit.list_events(ctx, None)]
    assert events == [
        ("admin_token_issued", "admin:lan@example.org", issued["token_id"]),
        ("admin_token_revoked", "admin:minh@example.org", issued["token_id"]),
    ]


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x", "expires_in_days": 0}, {"name": "x", "expires_in_days": 366}]
)
def test_an_admin_token_needs_a_name_and_a_bounded_lifetime(ctx, body):
    with pytest.raises(AppError) as refused:
        admin_tokens.issue(ctx, body, "admin")
    assert refused.value.code == "validation_failed"
    assert admin_tokens.list_tokens(ctx)["tokens"] == []


def test_revoking_an_unknown_admin_token_is_404(ctx):
    with pytest.raises(AppError) as refused:
        admin_tokens.revoke(ctx, "a0123456789abcdef", "admin")
    assert refused.value.code == "not_found"


def live_links(ctx, unit_id, kind="unit"):
    """The unit's unrevoked secrets of one kind: API tokens ("unit") or web form links ("link")."""
    return [
        path
        for path, doc in ctx.store.docs.items()
        if path.startswith("tokens/")
        and doc.get("unit_id") == unit_id
        and doc.get("kind") == kind
        and not doc.get("revoked")
    ]


def test_two_reissues_at_once_leave_one_live_set(ctx, monkeypatch):
    make_round(ctx)
    met = first_transactions_in_step(monkeypatch, ctx.store)
    answers: dict[str, dict] = {}

    def reissue(name):
        answers[name] = rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u1"], "revoke_previous": True})

    run_together(reissue)
    assert sorted(met) == ["a", "b"]  # the race happened: both reissues were in flight at once
    assert set(answers) == {"a", "b"}
    assert len(live_links(ctx, "u1", "link")) == 1
    assert len(live_links(ctx, "u1")) == 1
    (live,) = live_links(ctx, "u1")
    survivors = [name for name in answers if authenticate_or_none(ctx, answers[name]["tokens"]["u1"]["token"])]
    assert len(survivors) == 1
    assert live.endswith(authenticate(ctx, answers[survivors[0]]["tokens"]["u1"]["token"]).token_path.split("/")[1])


def authenticate_or_none(ctx, token):
    try:
        return authenticate(ctx, token)
    except AppError:
        return None


def test_revoking_a_units_links_revokes_every_live_one(ctx):
    make_round(ctx)
    rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u1"]})  # a second link for u1, kept beside the first
    assert len(live_links(ctx, "u1")) == 2
    assert rounds.revoke_tokens(ctx, "r1", {"unit_ids": ["u1"]})["revoked"] == 2
    assert live_links(ctx, "u1") == live_links(ctx, "u1", "link") == []
    assert len(live_links(ctx, "u2")) == len(live_links(ctx, "u2", "link")) == 1
