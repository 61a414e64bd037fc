"""Sessions and CSRF tokens of the web form: signed values, no server-side session state.

A unit's link (``/web_form/r/{round}?t=<token>``) is opened once: the token is checked, moved
into a cookie and the browser is sent to the same page without ``?t=``, so the secret leaves
the address bar, the history and any screenshot of them. The cookie carries the unit token
itself (it already is the unit's secret, and every request checks it against the store, so a
revocation or the round's deadline still ends the session at once) with an HMAC-SHA256 that
binds it to its round. Forms carry a CSRF token derived from the cookie value, which a page
of another site can neither read (the cookie is HttpOnly) nor compute (it needs the pepper).

Keys are derived from the configured pepper with a label per purpose. The labels matter: the
pepper alone is the key of the stored token hashes (``tokens/{HMAC(pepper, token)}``), and a
session signature made with that same key would be exactly a token's document id.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.http.core import RequestContext
from checkround.rounds.tokens import Principal, authenticate
from checkround.submissions import service as submissions

from .render import asked_language, redirect

COOKIE_PREFIX = "checkround_"


def cookie_name(round_id: str) -> str:
    """One cookie per round: a person may hold links of several rounds in one browser.

    The name carries the round because the cookie's path cannot: behind Cloud Functions the
    function's own URL prefix (``/web_form``) is not visible to it, so the cookie keeps the
    browser's default path (``…/web_form/r``) and the name tells the rounds apart.
    """
    return COOKIE_PREFIX + round_id


def _key(pepper: str, purpose: str) -> bytes:
    return hmac.new(pepper.encode(), f"checkround web_form {purpose}".encode(), hashlib.sha256).digest()


def _mac(pepper: str, purpose: str, *parts: str) -> str:
    message = "\n".join(parts).encode()
    return hmac.new(_key(pepper, purpose), message, hashlib.sha256).hexdigest()


def seal(pepper: str, round_id: str, token: str) -> str:
    """The cookie value for ``token`` in ``round_id``: ``<token>.<signature>``.

    Unit tokens are URL-safe base64, so they never contain the ``.`` that separates them from
    the signature, and the value needs no quoting in a ``Set-Cookie`` header.
    """
    return f"{token}.{_mac(pepper, 'session', round_id, token)}"


def unseal(pepper: str, round_id: str, value: str | None) -> str | None:
    """The token in a cookie value, or None when the value is absent, garbled or forged."""
    if not value or len(value) > 400:
        return None
    token, _, signature = value.rpartition(".")
    if not token or not _same(signature, _mac(pepper, "session", round_id, token)):
        return None
    return token


def csrf_token(pepper: str, sealed: str) -> str:
    """The hidden form field that proves a POST came from a page this session was shown."""
    return _mac(pepper, "csrf", sealed)


def csrf_matches(pepper: str, sealed: str, sent: str | None) -> bool:
    return bool(sent) and _same(str(sent), csrf_token(pepper, sealed))


def _same(sent: str, expected: str) -> bool:
    # Constant time; bytes, because compare_digest refuses str with non-ASCII characters and a
    # client may send anything.
    return hmac.compare_digest(sent.encode(), expected.encode())


# -- the session of a request -----------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    round_id: str
    principal: Principal
    sealed: str  # the cookie value, which the CSRF token is derived from


def _is_https(rc: RequestContext) -> bool:
    forwarded = rc.request.headers.get("X-Forwarded-Proto", "")
    return rc.request.is_secure or forwarded == "https" or rc.ctx.settings.public_base_url.startswith("https://")


def open_link(rc: RequestContext, round_id: str, token: str | None) -> Response:
    """Check the link's token, keep it in the session cookie, and send the browser on to the
    page without it."""
    principal = authenticate(rc.ctx, token)
    # Scope, roster and deadline are checked before any cookie is set.
    submissions.unit_round(rc.ctx, principal, round_id)
    assert token is not None
    asked = asked_language(rc)
    response = redirect(rc, f"r/{round_id}", **({"lang": asked} if asked else {}))
    response.set_cookie(
        cookie_name(round_id),
        seal(rc.ctx.settings.token_pepper, round_id, token),
        path=None,  # the browser's default, the folder of the link: see cookie_name
        httponly=True,
        secure=_is_https(rc),
        # Lax, not Strict: the link is usually opened from a mail or chat on another site, and
        # a Strict cookie set on that navigation would not come back with its redirect. A
        # cross-site POST still arrives without the cookie, and with no CSRF token.
        samesite="Lax",
    )
    return response


def session_of(rc: RequestContext, round_id: str) -> Session:
    """The session the request's cookie holds for ``round_id``; 401 when there is none."""
    sealed = rc.request.cookies.get(cookie_name(round_id))
    token = unseal(rc.ctx.settings.token_pepper, round_id, sealed)
    if token is None or sealed is None:
        raise AppError("unauthenticated")
    return Session(round_id, authenticate(rc.ctx, token), sealed)
