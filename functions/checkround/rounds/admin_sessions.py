"""The admin console's sign-in: one-time sign-in links and server-side sessions.

A console session is a document ``console_sessions/{hash}`` (the hash of a random secret, the
way tokens are stored): who signed in (the name the audit log gives the admin), how (a one-time
link, an admin token, Google), when it expires, whether it was revoked. The browser holds the
secret in an HttpOnly cookie; every request reads the document again, so signing out, or a
revocation, ends the session at once, and an expired one ends on its own. A session opened with
an admin token also reads that token: revoking it (or its expiry) ends the session too.

A one-time sign-in link (``make run`` prints one, like a notebook server's token URL) is a
document ``console_sign_in/{hash}``: it opens a session once, in the transaction that marks it
used, so two browsers racing with the same link get one session between them.

Sign-ins and sign-outs are written to the global audit log, naming the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.storage.ports import Doc, Transaction

from . import audit
from .tokens import Principal, hash_token, new_token, token_still_valid

SESSIONS = "console_sessions"
SIGN_IN_LINKS = "console_sign_in"
# A working day: an admin signs in in the morning and is not asked again before evening.
SESSION_HOURS = 12
# A printed sign-in link is used right away, or not at all.
SIGN_IN_LINK_MINUTES = 24 * 60
METHODS = ("link", "token", "google")


@dataclass(frozen=True)
class ConsoleSession:
    """The admin behind a console cookie; ``secret`` is the cookie's value (CSRF tokens derive from it)."""

    principal: Principal
    secret: str
    method: str


def _path(collection: str, secret: str, ctx: Context) -> str:
    # The pepper's own label per purpose: a session's hash is never a token's document id.
    return f"{collection}/{hash_token(f'{collection}:{secret}', ctx.settings.token_pepper)}"


def _looks_like_ours(secret: str | None) -> bool:
    return bool(secret) and 0 < len(secret or "") <= 200 and (secret or "").replace("-", "").replace("_", "").isalnum()


def issue_sign_in_link(ctx: Context, name: str, minutes: int = SIGN_IN_LINK_MINUTES) -> str:
    """A one-time sign-in secret for ``name`` (for whoever holds the database: the local
    stack prints it). Only its hash is stored."""
    secret = new_token()
    now = ctx.clock.now()
    doc = {"name": name, "issued_at": now, "expires_at": now + timedelta(minutes=minutes), "used": False}
    ctx.store.set(_path(SIGN_IN_LINKS, secret, ctx), doc)
    return secret


def _session_doc(ctx: Context, name: str, method: str, token_path: str | None = None) -> tuple[str, str, Doc]:
    secret = new_token()
    now = ctx.clock.now()
    doc = {
        "name": name,
        "method": method,
        "created_at": now,
        "expires_at": now + timedelta(hours=SESSION_HOURS),
        "revoked": False,
        # The admin token it was opened with: revoking the token ends the session too.
        "token_path": token_path,
    }
    return secret, _path(SESSIONS, secret, ctx), doc


def redeem_sign_in_link(ctx: Context, secret: str | None) -> ConsoleSession:
    """Open a session with a one-time link; a used, expired or unknown link is ``unauthenticated``."""
    if not _looks_like_ours(secret):
        raise AppError("unauthenticated")
    assert secret is not None
    link_path = _path(SIGN_IN_LINKS, secret, ctx)

    def write(tx: Transaction) -> ConsoleSession:
        link = tx.get(link_path)
        now = ctx.clock.now()
        if link is None or link.get("used") or link["expires_at"] <= now:
            raise AppError("unauthenticated")
        session_secret, path, doc = _session_doc(ctx, str(link["name"]), "link")
        tx.update(link_path, {"used": True, "used_at": now})
        tx.create(path, doc)
        principal = Principal(kind="admin", name=doc["name"])
        audit.record(tx, ctx, None, "console_sign_in", principal.actor, method="link")
        return ConsoleSession(principal, session_secret, "link")

    return ctx.store.transaction(write)


def open_session(ctx: Context, principal: Principal, method: str) -> ConsoleSession:
    """A session for an admin already authenticated (by an admin token or a Google ID token)."""
    if principal.kind != "admin":
        raise AppError("forbidden")
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    secret, path, doc = _session_doc(ctx, principal.name or "admin", method, principal.token_path)

    def write(tx: Transaction) -> None:
        tx.create(path, doc)
        audit.record(tx, ctx, None, "console_sign_in", principal.actor, method=method)

    ctx.store.transaction(write)
    return ConsoleSession(Principal(kind="admin", name=doc["name"]), secret, method)


def session_of(ctx: Context, secret: str | None) -> ConsoleSession:
    """The session a cookie holds: ``unauthenticated`` when there is none, or it was revoked or expired."""
    if not _looks_like_ours(secret):
        raise AppError("unauthenticated")
    assert secret is not None
    doc: dict[str, Any] | None = ctx.store.get(_path(SESSIONS, secret, ctx))
    now = ctx.clock.now()
    if doc is None or doc.get("revoked") or doc["expires_at"] <= now:
        raise AppError("unauthenticated")
    token_path = doc.get("token_path")
    # A session opened with an admin token lasts no longer than the token (one more read).
    if token_path and not token_still_valid(ctx.store.get(str(token_path)), now):
        raise AppError("unauthenticated")
    return ConsoleSession(Principal(kind="admin", name=str(doc["name"])), secret, str(doc.get("method")))


def end_session(ctx: Context, secret: str | None) -> None:
    """Sign out: the session's document is marked revoked (and the sign-out audited) once."""
    if not _looks_like_ours(secret):
        return
    assert secret is not None
    path = _path(SESSIONS, secret, ctx)

    def write(tx: Transaction) -> None:
        doc = tx.get(path)
        if doc is None or doc.get("revoked"):
            return
        tx.update(path, {"revoked": True, "revoked_at": ctx.clock.now()})
        audit.record(tx, ctx, None, "console_sign_out", Principal(kind="admin", name=str(doc["name"])).actor)

    ctx.store.transaction(write)
