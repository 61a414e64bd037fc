"""Signing in and out of the console.

- ``GET /sign-in?t=<secret>``: a one-time sign-in link (``make run`` prints one) opens a
  session once, and the browser goes on to the rounds without the secret in its address bar;
  the same link again gets the sign-in page, saying that it was used.
- ``POST /sign-in``: an admin token typed into the sign-in page (a unit's token is refused).
- ``POST /google``: "Sign in with Google" (Google Identity Services posts the ID token as
  ``credential``, with its ``g_csrf_token`` double-submit cookie): verified as ``admin_api``
  verifies ID tokens, for the e-mails of ``CHECKROUND_ADMIN_EMAILS``.
- ``POST /sign-out``: the session's document is revoked and the cookie dropped.

Each way ends in a server-side session (:mod:`checkround.rounds.admin_sessions`), its secret in
an HttpOnly cookie; sign-ins and sign-outs go to the global audit log with the admin's name.
"""

from __future__ import annotations

import hmac

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.rounds import admin_sessions
from checkround.rounds.admin_sessions import SESSION_HOURS, ConsoleSession
from checkround.rounds.tokens import authenticate, authenticate_id_token

from .assets import GOOGLE_CSP
from .session import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SIGN_IN_SECONDS,
    csrf_matches,
    csrf_token,
    drop_cookie,
    new_sign_in_nonce,
    set_cookie,
)
from .shell import Console, Page, safe_next

_SIGN_IN = "sign in"


def register(console: Console) -> None:
    console.page("/sign-in", ("GET", "POST"), signed_in=False)(sign_in)
    console.page("/google", ("POST",), signed_in=False)(google)
    console.page("/sign-out", ("POST",))(sign_out)
    console.page("/", ("GET",))(home)


def home(page: Page) -> Response:
    return page.redirect("rounds")


def _signed_in(page: Page, session: ConsoleSession, target: str) -> Response:
    response = page.redirect(target)
    set_cookie(page.rc, response, SESSION_COOKIE, session.secret, SESSION_HOURS * 3600)
    drop_cookie(page.rc, response, SIGN_IN_COOKIE)
    return response


def sign_in_page(page: Page, status: int = 200, message: str | None = None, token: str = "") -> Response:
    """The sign-in page, with a fresh CSRF cookie for its form."""
    nonce = new_sign_in_nonce()
    settings = page.ctx.settings
    google = settings.google_client_id if settings.admin_emails else None
    response = page.render(
        "console/sign-in.html.j2",
        status=status,
        message=message,
        sign_in_csrf=csrf_token(settings.token_pepper, nonce, _SIGN_IN),
        next=safe_next(page.args.get("next") or page.form.get("next")),
        google_client_id=google,
        login_uri=f"{settings.public_base_url}/admin_console/google",
        signed_out=status == 200 and page.args.get("signed_out") == "1",
    )
    if google:
        response.headers["Content-Security-Policy"] = GOOGLE_CSP
    set_cookie(page.rc, response, SIGN_IN_COOKIE, nonce, SIGN_IN_SECONDS)
    return response


def sign_in(page: Page) -> Response:
    T = _text(page)
    if page.rc.request.method == "GET":
        if "t" in page.args:
            try:
                session = admin_sessions.redeem_sign_in_link(page.ctx, page.args.get("t"))
            except AppError:
                return sign_in_page(page, 401, T["link_used"])
            return _signed_in(page, session, "rounds")
        if _current(page):
            return page.redirect(safe_next(page.args.get("next")))  # already signed in
        return sign_in_page(page)
    pepper = page.ctx.settings.token_pepper
    if not csrf_matches(pepper, page.rc.request.cookies.get(SIGN_IN_COOKIE), page.form.get("csrf"), _SIGN_IN):
        return sign_in_page(page, 403, T["sign_in_expired"])
    token = (page.form.get("token") or "").strip()
    if not token:
        return sign_in_page(page, 422, T["token_missing"])
    try:
        principal = authenticate(page.ctx, token)
        session = admin_sessions.open_session(page.ctx, principal, "token")
    except AppError:
        # A unit's token, a revoked or an unknown one: the same answer.
        return sign_in_page(page, 401, T["token_refused"])
    return _signed_in(page, session, safe_next(page.form.get("next")))


def _current(page: Page) -> bool:
    try:
        admin_sessions.session_of(page.ctx, page.rc.request.cookies.get(SESSION_COOKIE))
    except AppError:
        return False
    return True


def google(page: Page) -> Response:
    T = _text(page)
    cookie = page.rc.request.cookies.get("g_csrf_token") or ""
    sent = page.form.get("g_csrf_token") or ""
    # Google's double-submit check: only a page of this site can have set the cookie.
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        return sign_in_page(page, 403, T["sign_in_expired"])
    try:
        principal = authenticate_id_token(page.ctx, page.form.get("credential") or "")
        session = admin_sessions.open_session(page.ctx, principal, "google")
    except AppError:
        return sign_in_page(page, 401, T["google_refused"])
    return _signed_in(page, session, "rounds")


def sign_out(page: Page) -> Response:
    admin_sessions.end_session(page.ctx, page.session.secret if page.session else None)
    response = page.redirect("sign-in", signed_out="1")
    drop_cookie(page.rc, response, SESSION_COOKIE)
    return response


def _text(page: Page) -> dict[str, str]:
    from .render import text

    return text(page.rc)
