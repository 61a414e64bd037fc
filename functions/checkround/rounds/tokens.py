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


def unit_token_doc(ctx: Context, round_id: str, unit_id: str) -> tuple[str, str, dict[str, Any]]:
    """A new unit token: ``(token, its document path, the document)``; only the hash is stored.

    It expires with the round: a unit token is accepted only until the round's deadline
    (``closes_at`` + grace), read from the round itself, so reopening with a later deadline
    brings the links back without touching them.
    """
    token = new_token()
    doc = {"kind": "unit", "round_id": round_id, "unit_id": unit_id, "issued_at": ctx.clock.now(), "revoked": False}
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
    # Tokens are urlsafe base64; anything else cannot be ours and is refused before any lookup.
    if not token or len(token) > 200 or not token.replace("-", "").replace("_", "").isalnum():
        raise AppError("unauthenticated")
    path = f"tokens/{hash_token(token, ctx.settings.token_pepper)}"
    seen = _SEEN.setdefault(ctx.store, {})
    if recheck_later and path in seen and seen[path][0] > time.monotonic():
        return seen[path][1]
    doc: dict[str, Any] | None = ctx.store.get(path)
    if not token_still_valid(doc, ctx.clock.now()):
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
