"""The console's cookies and CSRF tokens.

The session cookie holds the session's random secret (its document is ``console_sessions/
{hash}``, see :mod:`checkround.rounds.admin_sessions`): HttpOnly, SameSite=Lax, Secure behind
HTTPS (everywhere but a plain-http local stack), lasting as long as the session. Its path is
the function's root as the request reached it (``/admin_console`` locally and on the function's
URL, ``/`` where a front end strips the prefix): the function cannot know its public prefix in
advance, and a cookie under a page's own folder would not reach the other pages.

Every POST carries a CSRF token, an HMAC of the session's secret under a key of its own, which a
page of another site can neither read (the cookie is HttpOnly) nor compute (it needs the
pepper). The sign-in form, posted before there is a session, carries one derived the same way
from a short-lived random cookie of its own (so another site cannot sign a browser in to an
account of its choosing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from werkzeug.wrappers import Response

from checkround.http.core import RequestContext

SESSION_COOKIE = "checkround_console"
SIGN_IN_COOKIE = "checkround_console_sign_in"
LANGUAGE_COOKIE = "checkround_console_lang"
SIGN_IN_SECONDS = 3600


def _key(pepper: str, purpose: str) -> bytes:
    return hmac.new(pepper.encode(), f"checkround admin_console {purpose}".encode(), hashlib.sha256).digest()


def csrf_token(pepper: str, secret: str, purpose: str = "csrf") -> str:
    """The hidden ``csrf`` field of every form of a page drawn for this session (or sign-in cookie)."""
    return hmac.new(_key(pepper, purpose), secret.encode(), hashlib.sha256).hexdigest()


def csrf_matches(pepper: str, secret: str | None, sent: str | None, purpose: str = "csrf") -> bool:
    if not secret or not sent:
        return False
    # Bytes, because compare_digest refuses str with non-ASCII characters and a client may send anything.
    return hmac.compare_digest(str(sent).encode(), csrf_token(pepper, secret, purpose).encode())


def is_https(rc: RequestContext) -> bool:
    forwarded = rc.request.headers.get("X-Forwarded-Proto", "")
    return (
        rc.request.is_secure
        or forwarded == "https"
        or rc.ctx.settings.cloud
        or rc.ctx.settings.public_base_url.startswith("https://")
    )


def cookie_path(rc: RequestContext) -> str:
    """The function's root as this request reached it: the request's path without the route's."""
    full = rc.request.path
    prefix = full[: -len(rc.path)] if rc.path != "/" and full.endswith(rc.path) else full.rstrip("/")
    return prefix or "/"


def set_cookie(rc: RequestContext, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=cookie_path(rc),
        httponly=True,
        secure=is_https(rc),
        # Lax, not Strict: "Sign in with Google" comes back from Google's pages, and a Strict
        # cookie set then would not come back with the redirect that follows. A cross-site POST
        # still arrives without it, and without a CSRF token.
        samesite="Lax",
    )


def drop_cookie(rc: RequestContext, response: Response, name: str) -> None:
    response.delete_cookie(name, path=cookie_path(rc), httponly=True, samesite="Lax")


def new_sign_in_nonce() -> str:
    return secrets.token_urlsafe(24)
