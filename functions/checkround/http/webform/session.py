"""Sessions and CSRF tokens of the web form: signed values, no server-side session state.

A unit's link (``/web_form/r/{round}?t=<secret>``) is opened once: the secret is checked and
exchanged for a session cookie, and the browser is sent to the same page without ``?t=``, so
the secret leaves the address bar, the history and any screenshot of them. The link's secret
is not the unit's API token (a link found in a request log opens the web form, never
``unit_api``), and the cookie holds neither: it holds the link's document id (the secret's
peppered hash) with an HMAC-SHA256 that binds it to its round. Every request reads that link
document again, so a revocation or the round's deadline still ends the session at once. Forms
carry a CSRF token derived from the cookie value, which a page of another site can neither
read (the cookie is HttpOnly) nor compute (it needs the pepper).

Keys are derived from the configured pepper with a label per purpose. The labels matter: the
pepper alone is the key of the stored token hashes (``tokens/{HMAC(pepper, token)}``), and a
session signature made with that same key would be exactly a token's document id.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.http.core import RequestContext
from checkround.rounds.service import deadline, get_round_doc
from checkround.rounds.tokens import Principal, authenticate_link, link_session
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


# The session cookie's purpose label: a cookie of the earlier kind (which held the token
# itself) no longer verifies, and its holder opens the link again.
_SESSION = "link session"


# A link of another unit opened while this browser holds a session in the same round: kept
# aside, under its own label, until the person confirms the switch.
_SWITCH = "link switch"
SWITCH_SECONDS = 600


def seal(pepper: str, round_id: str, link_id: str, purpose: str = _SESSION) -> str:
    """The cookie value for the link whose document id is ``link_id``: ``<id>.<signature>``.

    Document ids are hex digests, so they never contain the ``.`` that separates them from the
    signature, and the value needs no quoting in a ``Set-Cookie`` header.
    """
    return f"{link_id}.{_mac(pepper, purpose, round_id, link_id)}"


def unseal(pepper: str, round_id: str, value: str | None, purpose: str = _SESSION) -> str | None:
    """The link's document id in a cookie value, or None when the value is absent, garbled or forged."""
    if not value or len(value) > 400:
        return None
    link_id, _, signature = value.rpartition(".")
    if not link_id or not _same(signature, _mac(pepper, purpose, round_id, link_id)):
        return None
    return link_id


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


def switch_cookie_name(round_id: str) -> str:
    return f"{COOKIE_PREFIX}switch_{round_id}"


def _set_cookie(rc: RequestContext, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=None,  # the browser's default, the folder of the link: see cookie_name
        httponly=True,
        secure=_is_https(rc),
        # Lax, not Strict: the link is usually opened from a mail or chat on another site, and
        # a Strict cookie set on that navigation would not come back with its redirect. A
        # cross-site POST still arrives without the cookie, and with no CSRF token.
        samesite="Lax",
    )


def drop_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path=None, httponly=True, samesite="Lax")


def open_link(rc: RequestContext, round_id: str, secret: str | None) -> Response:
    """Check the link's secret, exchange it for the session cookie, and send the browser on to
    the page without it.

    When the browser already holds a session for another unit of the same round, nothing is
    swapped: the new link is kept aside in a short-lived cookie and the person is asked first
    (:func:`switch_unit`). A link on another site must not be able to move someone's open
    form to a unit of its choosing.
    """
    link_id, principal = authenticate_link(rc.ctx, secret)
    # Scope, roster and deadline are checked before any cookie is set.
    _, round_doc = submissions.unit_round(rc.ctx, principal, round_id)
    asked = asked_language(rc)
    query = {"lang": asked} if asked else {}
    current = current_session(rc, round_id)
    pepper = rc.ctx.settings.token_pepper
    if current is not None and current.principal.unit_id != principal.unit_id:
        # The question is asked at the form's own address (?switch=1): the cookies' default
        # path is the link's folder, and a page further down could not clear them.
        response = redirect(rc, f"r/{round_id}", switch="1", **query)
        _set_cookie(
            rc, response, switch_cookie_name(round_id), seal(pepper, round_id, link_id, _SWITCH), SWITCH_SECONDS
        )
        return response
    response = redirect(rc, f"r/{round_id}", **query)
    _set_cookie(rc, response, cookie_name(round_id), seal(pepper, round_id, link_id), until_deadline(rc, round_doc))
    return response


def until_deadline(rc: RequestContext, round_doc: dict[str, Any]) -> int:
    """How long the session cookie lasts: until the round's deadline (closes_at and its grace),
    not the browser session, so a unit that closes its browser (or Zalo's) comes back to the
    form without its link. Every request still checks the link, so a revocation or the
    deadline ends the session at once whatever the cookie says."""
    return max(60, int((deadline(round_doc) - rc.ctx.clock.now()).total_seconds()))


def pending_switch(rc: RequestContext, round_id: str) -> tuple[str, Principal] | None:
    """The other unit's link this browser opened and has not confirmed yet, if it still works."""
    link_id = unseal(
        rc.ctx.settings.token_pepper, round_id, rc.request.cookies.get(switch_cookie_name(round_id)), _SWITCH
    )
    if link_id is None:
        return None
    try:
        return link_id, link_session(rc.ctx, link_id)
    except AppError:
        return None


def switch_unit(rc: RequestContext, round_id: str, link_id: str | None, target: Response) -> Response:
    """Answer ``target`` after the person chose: with ``link_id``, the session moves to that
    link; without, it stays. The link kept aside is forgotten either way."""
    if link_id is not None:
        lasts = until_deadline(rc, get_round_doc(rc.ctx, round_id))
        _set_cookie(rc, target, cookie_name(round_id), seal(rc.ctx.settings.token_pepper, round_id, link_id), lasts)
    drop_cookie(target, switch_cookie_name(round_id))
    return target


def current_session(rc: RequestContext, round_id: str) -> Session | None:
    try:
        return session_of(rc, round_id)
    except AppError:
        return None


def session_of(rc: RequestContext, round_id: str) -> Session:
    """The session the request's cookie holds for ``round_id``; 401 when there is none."""
    sealed = rc.request.cookies.get(cookie_name(round_id))
    link_id = unseal(rc.ctx.settings.token_pepper, round_id, sealed)
    if link_id is None or sealed is None:
        raise AppError("unauthenticated")
    return Session(round_id, link_session(rc.ctx, link_id), sealed)
