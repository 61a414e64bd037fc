"""The console's shell: what every page gets without asking for it.

A page is a handler registered with :meth:`Console.page`. Before it runs, the shell has
- chosen the page's language (``?lang=``, remembered in a cookie; Vietnamese first);
- found the admin's session (a page that needs one sends a browser without one to the
  sign-in page, and answers a POST with a page that says to sign in again);
- read a POST's fields and checked its CSRF token (403 page without a matching one);
and after it, turns a refusal of the services (:class:`AppError`) or a busy database into a page
in the admin's language, never JSON or a stack trace. The handler receives a :class:`Page`,
which draws templates (with the layout's navigation, the admin's name and the CSRF token),
redirects, and knows the session's admin (``page.actor`` is what the audit log names).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.text import LANGUAGES
from checkround.http.core import Reply, RequestContext, Router, contention_error, read_body
from checkround.rounds import admin_sessions
from checkround.rounds.admin_sessions import ConsoleSession
from checkround.rounds.tokens import Principal
from checkround.storage.ports import Contention

from .render import redirect, render, root
from .session import LANGUAGE_COOKIE, SESSION_COOKIE, csrf_matches, csrf_token, set_cookie

log = logging.getLogger("checkround.http.console")

# A page posts a few inputs per unit (links, roster) and per field (a form on behalf of a unit).
_MAX_POSTED_INPUTS = 20000
# Where a sign-in may send the browser back to: a path of the console, nothing else.
_NEXT = re.compile(r"[a-z][a-z0-9_./-]{0,300}")
LANGUAGE_SECONDS = 365 * 24 * 3600

PageHandler = Callable[..., Response]


@dataclass(frozen=True)
class NavItem:
    """A link of the layout's navigation: ``target`` relative to the function's root, its
    label a key of ``T``; ``order`` places it (rounds 10, units 20, forms 30, audit 40…)."""

    key: str
    target: str
    label: str
    order: int


@dataclass
class Page:
    """What a page handler works with: the request, the admin, the posted fields."""

    rc: RequestContext
    console: Console
    session: ConsoleSession | None
    form: MultiDict[str, str] = field(default_factory=MultiDict)
    files: MultiDict[str, FileStorage] = field(default_factory=MultiDict)
    # The navigation entry to mark as the current page.
    current: str | None = None

    @property
    def ctx(self) -> Any:
        return self.rc.ctx

    @property
    def lang(self) -> str:
        return self.rc.language_for_page

    @property
    def args(self) -> Mapping[str, str]:
        return self.rc.request.args

    @property
    def admin(self) -> Principal:
        if self.session is None:
            raise AppError("unauthenticated")
        return self.session.principal

    @property
    def actor(self) -> str:
        """How the audit log names this admin (``admin:<name or e-mail>``)."""
        return self.admin.actor

    @property
    def csrf(self) -> str:
        return csrf_token(self.ctx.settings.token_pepper, self.session.secret) if self.session else ""

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        """Draw ``template`` (which extends ``console/base.html.j2``)."""
        values.setdefault("current", self.current)
        return render(
            self.rc,
            template,
            status,
            csrf=self.csrf,
            admin_name=self.session.principal.name if self.session else None,
            nav=self.console.navigation(),
            round_tabs=self.console.round_tabs(),
            path=self.rc.path.lstrip("/"),
            **values,
        )

    def redirect(self, target: str, **query: str) -> Response:
        return redirect(self.rc, target, **query)

    def error(self, exc: AppError) -> Response:
        return error_page(self, exc.status, exc.message(self.lang), exc.code)


def error_page(page: Page, status: int, message: str, code: str = "other") -> Response:
    return page.render("console/error.html.j2", status=status, code=code, message=message)


class Console:
    """The route table of ``admin_console`` and its navigation."""

    def __init__(self, name: str = "admin_console") -> None:
        self.router = Router(name)
        self._nav: list[NavItem] = []
        self._round_tabs: list[NavItem] = []

    def add_nav(self, key: str, target: str, label: str, order: int) -> None:
        self._nav.append(NavItem(key, target, label, order))

    def navigation(self) -> list[NavItem]:
        return sorted(self._nav, key=lambda item: item.order)

    def add_round_tab(self, key: str, target: str, label: str, order: int) -> None:
        """A tab of a round's pages (``console/round-base.html.j2``): ``target`` is relative to
        the round (``board``, ``links``, ``summary``…; ``""`` is the round's own page)."""
        self._round_tabs.append(NavItem(key, target, label, order))

    def round_tabs(self) -> list[NavItem]:
        return sorted(self._round_tabs, key=lambda item: item.order)

    def page(
        self, path: str, methods: tuple[str, ...] = ("GET",), *, signed_in: bool = True, nav: str | None = None
    ) -> Callable[[PageHandler], PageHandler]:
        """Register a page: ``handler(page, **path_args) -> Response``. ``signed_in=False``
        only for the sign-in pages themselves; ``nav`` marks a navigation entry as current."""

        def register(handler: PageHandler) -> PageHandler:
            def serve(rc: RequestContext, **args: Any) -> Reply:
                return self._serve(rc, handler, signed_in, nav, args)

            serve.__name__ = handler.__name__
            self.router.route(path, list(methods))(serve)
            return handler

        return register

    def _serve(
        self, rc: RequestContext, handler: PageHandler, signed_in: bool, nav: str | None, args: dict[str, Any]
    ) -> Response:
        asked = choose_language(rc)
        page = Page(rc, self, None, current=nav)
        try:
            response = self._run(page, handler, signed_in, args)
        except AppError as exc:
            response = page.error(exc)
        except Contention as exc:
            response = page.error(contention_error(exc))
        if asked:
            set_cookie(rc, response, LANGUAGE_COOKIE, asked, LANGUAGE_SECONDS)
        return response

    def _run(self, page: Page, handler: PageHandler, signed_in: bool, args: dict[str, Any]) -> Response:
        rc = page.rc
        post = rc.request.method == "POST"
        if signed_in:
            try:
                page.session = admin_sessions.session_of(rc.ctx, rc.request.cookies.get(SESSION_COOKIE))
            except AppError:
                if post:
                    return error_page(page, 401, page_text(page)["session_ended"], "unauthenticated")
                return redirect(rc, "sign-in", next=rc.path.lstrip("/"))
        if post:
            page.form, page.files = posted(rc)
            if signed_in:
                assert page.session is not None
                if not csrf_matches(rc.ctx.settings.token_pepper, page.session.secret, page.form.get("csrf")):
                    return error_page(page, 403, page_text(page)["csrf_refused"], "csrf")
        return handler(page, **args)


def page_text(page: Page) -> dict[str, Any]:
    from .render import text

    return text(page.rc)


def choose_language(rc: RequestContext) -> str | None:
    """Set the page's language: ``?lang=`` (returned, to be remembered), else the remembered one,
    else Vietnamese."""
    asked = rc.request.args.get("lang")
    if asked in LANGUAGES:
        rc.language_for_page = asked
        return asked
    kept = rc.request.cookies.get(LANGUAGE_COOKIE)
    rc.language_for_page = kept if kept in LANGUAGES else "vi"
    return None


def posted(rc: RequestContext) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
    """A form post's fields (urlencoded, or multipart with files), within the body limit."""
    limit = rc.ctx.settings.max_body_bytes
    mimetype = rc.request.mimetype
    if mimetype == "multipart/form-data":
        if rc.request.content_length is None or rc.request.content_length > limit:
            raise AppError("too_large", limit=limit)
        rc.request.max_form_parts = _MAX_POSTED_INPUTS
        # A text field may be as long as the body (as in an urlencoded post), not werkzeug's
        # default 500 kB; what werkzeug still refuses (too many parts) is the client's 413 —
        # its RequestEntityTooLarge is no AppError, and was a 500.
        rc.request.max_form_memory_size = limit
        try:
            return MultiDict(rc.request.form), MultiDict(rc.request.files)
        except RequestEntityTooLarge as exc:
            raise AppError("too_large", limit=limit) from exc
    if not mimetype and not rc.request.content_length:
        return MultiDict(), MultiDict()  # an empty post: refused below for its missing CSRF token
    if mimetype != "application/x-www-form-urlencoded":
        raise AppError(
            "bad_request",
            detail={
                "vi": "biểu mẫu phải được gửi dưới dạng application/x-www-form-urlencoded",
                "en": "the form must be posted as application/x-www-form-urlencoded",
            },
        )
    raw = read_body(rc.request, limit)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_POSTED_INPUTS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AppError(
            "bad_request", detail={"vi": "không đọc được dữ liệu biểu mẫu đã gửi", "en": "the form post cannot be read"}
        ) from exc
    return MultiDict(pairs), MultiDict()


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console path the sign-in page was sent from, else the rounds."""
    if value and _NEXT.fullmatch(value) and ".." not in value and not value.startswith("sign-"):
        return value
    return "rounds"


__all__ = ["Console", "NavItem", "Page", "error_page", "posted", "root", "safe_next"]
