"""Bearer tokens: random secrets shown once, stored only as a peppered HMAC.

A token document lives at ``tokens/{hash}``; its ``kind`` is ``admin`` or ``unit`` and a unit
token names the one round and the one unit it may act for.

Admins may also sign in with a Google ID token (a JWT) whose verified e-mail is on the
``CHECKROUND_ADMIN_EMAILS`` allowlist: :func:`authenticate_id_token`. Only admin routes try
it; a JWT is never a unit's credential.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.storage.ports import InvalidIdToken


def hash_token(token: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    kind: str  # "admin", "unit" or "scheduler"
    round_id: str | None = None
    unit_id: str | None = None
    name: str | None = None
    token_path: str | None = None  # where a transaction re-checks that it is still valid

    @property
    def actor(self) -> str:
        """How the audit log names whoever acted."""
        if self.kind == "unit":
            return f"unit:{self.unit_id}"
        return f"{self.kind}:{self.name}" if self.name else self.kind


SCHEDULER = Principal(kind="scheduler")


# An admin token that nobody sets a lifetime for lives this long; none lives longer than the
# maximum (a forgotten token must die on its own).
ADMIN_TOKEN_DAYS = 30
ADMIN_TOKEN_MAX_DAYS = 365


def admin_token_doc(ctx: Context, name: str, days: int, issued_by: str) -> tuple[str, str, dict[str, Any]]:
    """A new admin token: ``(token, its document path, the document)``; only the hash is stored.

    ``token_id`` is what lists and revocations name it by (the hash is not shown: it is the
    document's key, and ids in URLs should not be secrets' derivatives).
    """
    token = new_token()
    now = ctx.clock.now()
    doc = {
        "kind": "admin",
        "token_id": f"a{secrets.token_hex(8)}",
        "name": name,
        "issued_at": now,
        "issued_by": issued_by,
        "expires_at": now + timedelta(days=days),
        "revoked": False,
    }
    return token, f"tokens/{hash_token(token, ctx.settings.token_pepper)}", doc


def issue_admin_token(ctx: Context, name: str = "admin", days: int = ADMIN_TOKEN_DAYS) -> str:
    """An admin token for the local stack and tests (the API's ``POST /admin-tokens`` audits
    what it issues; this one is for whoever holds the database already)."""
    token, path, doc = admin_token_doc(ctx, name, days, issued_by="local")
    ctx.store.set(path, doc)
    return token


def unit_token_doc(ctx: Context, round_id: str, unit_id: str, kind: str = "unit") -> tuple[str, str, dict[str, Any]]:
    """A new unit secret: ``(secret, its document path, the document)``; only the hash is stored.

    ``kind`` "unit" is the unit's API token (a bearer token of ``unit_api``); "link" is the
    secret of its web form link, which opens a web form session and nothing else: a link that
    ends up in a request log is not an API token. Both expire with the round: they are
    accepted only until the round's deadline (``closes_at`` + grace), read from the round
    itself, so reopening with a later deadline brings them back without touching them.
    """
    token = new_token()
    doc = {"kind": kind, "round_id": round_id, "unit_id": unit_id, "issued_at": ctx.clock.now(), "revoked": False}
    return token, f"tokens/{hash_token(token, ctx.settings.token_pepper)}", doc


# Recently seen tokens, per store: only for callers that re-check the token doc inside their
# transaction (``token_still_valid``), so a revocation still takes effect at once.
_SEEN: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, Principal]]] = weakref.WeakKeyDictionary()
_SEEN_SECONDS = 60.0


def authenticate(ctx: Context, token: str | None, recheck_later: bool = False) -> Principal:
    """The principal behind a bearer token, or ``unauthenticated``.

    With ``recheck_later`` a token seen in the last minute is not read again: the caller
    promises to verify ``principal.token_path`` in its own transaction.
    """
    if token is None or not _looks_like_ours(token):
        raise AppError("unauthenticated")
    return _principal_at(ctx, f"tokens/{hash_token(token, ctx.settings.token_pepper)}", recheck_later, BEARER_KINDS)


def _looks_like_ours(token: str) -> bool:
    """Tokens are urlsafe base64; anything else cannot be ours and is refused before any lookup."""
    return 0 < len(token) <= 200 and token.replace("-", "").replace("_", "").isalnum()


# A bearer token is an admin's or a unit's API token; a link's secret is not one.
BEARER_KINDS = frozenset({"admin", "unit"})


def authenticate_link(ctx: Context, secret: str | None) -> tuple[str, Principal]:
    """The unit behind a web form link's secret: ``(its document id, the unit)``, or
    ``unauthenticated``. The web form keeps the document id (a hash), never the secret."""
    if secret is None or not _looks_like_ours(secret):
        raise AppError("unauthenticated")
    doc_id = hash_token(secret, ctx.settings.token_pepper)
    return doc_id, link_session(ctx, doc_id)


def link_session(ctx: Context, doc_id: str) -> Principal:
    """The unit whose link has this document id, as the web form acts for it (every request
    reads the link again, so its revocation or its round's deadline ends the session at once)."""
    if not doc_id.isalnum():
        raise AppError("unauthenticated")
    link = _principal_at(ctx, f"tokens/{doc_id}", False, frozenset({"link"}))
    return Principal(kind="unit", round_id=link.round_id, unit_id=link.unit_id, token_path=link.token_path)


def _principal_at(ctx: Context, path: str, recheck_later: bool, kinds: frozenset[str]) -> Principal:
    seen = _SEEN.setdefault(ctx.store, {})
    if recheck_later and path in seen and seen[path][0] > time.monotonic() and seen[path][1].kind in kinds:
        return seen[path][1]
    doc: dict[str, Any] | None = ctx.store.get(path)
    if not token_still_valid(doc, ctx.clock.now()) or (doc or {}).get("kind") not in kinds:
        seen.pop(path, None)
        raise AppError("unauthenticated")
    assert doc is not None
    principal = Principal(
        kind=doc["kind"],
        round_id=doc.get("round_id"),
        unit_id=doc.get("unit_id"),
        name=doc.get("name"),
        token_path=path,
    )
    if len(seen) > 10_000:
        seen.clear()
    seen[path] = (time.monotonic() + _SEEN_SECONDS, principal)
    return principal


def token_still_valid(doc: dict[str, Any] | None, now: datetime | None = None) -> bool:
    """Not revoked, and for an admin token not expired (one without an expiry, issued before
    admin tokens had one, counts as expired). A unit token ends with its round instead."""
    if doc is None or doc.get("revoked"):
        return False
    if doc.get("kind") != "admin":
        return True
    expires_at = doc.get("expires_at")
    return expires_at is not None and (now is None or expires_at > now)


# Three base64url segments (header.payload.signature). Our own tokens never hold a dot, so the
# shape alone tells the two kinds apart; 4 KB is far above any Google ID token.
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_JWT_MAX_LENGTH = 4096


def looks_like_jwt(token: str | None) -> bool:
    return bool(token) and len(token or "") <= _JWT_MAX_LENGTH and _JWT_SHAPE.fullmatch(token or "") is not None


def authenticate_id_token(ctx: Context, token: str) -> Principal:
    """The admin behind a Google ID token, or ``unauthenticated``.

    The verifier (an adapter) checks signature, expiry, audience and issuer; here the policy:
    Google must have verified the e-mail, and the e-mail must be on the allowlist. The
    principal is named by that e-mail, so the audit log shows which admin acted.
    """
    allowlist = ctx.settings.admin_emails
    if ctx.id_tokens is None or not allowlist or not looks_like_jwt(token):
        raise AppError("unauthenticated")
    try:
        claims = ctx.id_tokens.verify(token)
    except InvalidIdToken as exc:
        raise AppError("unauthenticated") from exc
    email = claims.get("email")
    # Google sends a JSON boolean; a string "true" or a missing claim is not verification.
    if claims.get("email_verified") is not True or not isinstance(email, str):
        raise AppError("unauthenticated")
    email = email.strip().lower()
    if email not in allowlist:
        raise AppError("unauthenticated")
    return Principal(kind="admin", name=email)
