"""Routing and request handling shared by every HTTP function.

A function is a :class:`Router` (a werkzeug URL map plus handlers). :func:`dispatch` turns a
request into a response and is the single place where :class:`AppError` becomes JSON; anything
else that escapes a handler is logged and answered with a generic 500 that leaks nothing. It
also writes the one access-log line per request (see ``checkround.logs``), and every router
answers ``GET /healthz`` (and ``/health``) without authentication.

A router answers its paths with or without its function's name in front (``/rounds`` and
``/admin_api/rounds`` alike): where the platform or a load balancer forwards the full path, the
first ``/<function>`` is taken off before the routes are matched. No route may start with the
function's name or with a variable, so a path never means two things (:meth:`Router.route`).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from checkround import logs
from checkround.context import Context
from checkround.errors import AppError
from checkround.forms.messages import pick_language
from checkround.inputs_common import PATH_ID
from checkround.rounds.tokens import Principal, authenticate, authenticate_id_token, looks_like_jwt
from checkround.storage.ports import CommitUnanswered, Contention

from .operations import DOCUMENT, HEALTH, Operation

log = logging.getLogger("checkround.http")
access_log = logging.getLogger("checkround.access")

Reply = Response | tuple[int, Any]
Handler = Callable[..., Reply]

_NOT_FOUND = {"vi": "đường dẫn", "en": "Route"}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, default=_json_default)
    return Response(text, status=status, headers=headers, content_type="application/json; charset=utf-8")


@dataclass
class RequestContext:
    request: Request
    context: Callable[[], Context]
    language: str
    _principal: Principal | None = field(default=None)
    language_for_page: str = "vi"
    # The path within the function (without a leading /<function>): what relative links count from.
    path: str = "/"

    @cached_property
    def ctx(self) -> Context:
        # Built on first use, so a route that needs no services (the health check) never
        # creates the Firestore client or looks for credentials.
        return self.context()

    def principal(self, recheck_later: bool = False, admin_sign_in: bool = False) -> Principal:
        """Who sent the request. ``admin_sign_in`` also accepts a Google ID token (admin routes
        only: a unit route never passes it, so a JWT there is refused as an unknown token)."""
        if self._principal is None:
            header = self.request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            bearer = token.strip() if scheme.lower() == "bearer" else None
            if admin_sign_in and bearer and looks_like_jwt(bearer):
                self._principal = authenticate_id_token(self.ctx, bearer)
            else:
                self._principal = authenticate(self.ctx, bearer, recheck_later)
        return self._principal

    def require_admin(self) -> Principal:
        principal = self.principal(admin_sign_in=True)
        if principal.kind != "admin":
            raise AppError("forbidden")
        return principal

    def require_unit(self, recheck_later: bool = False) -> Principal:
        principal = self.principal(recheck_later)
        if principal.kind != "unit":
            raise AppError("forbidden")
        return principal

    def json(self, required: bool = True) -> Any:
        """The JSON body, after the size and content-type checks."""
        raw = read_body(self.request, self.ctx.settings.max_body_bytes)
        if not raw:
            if required:
                raise AppError("bad_request", detail={"vi": "cần nội dung JSON", "en": "a JSON body is required"})
            return None
        mimetype = self.request.mimetype
        if mimetype != "application/json" and not mimetype.endswith("+json"):
            raise AppError("unsupported_media_type")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise AppError(
                "bad_request",
                detail={"vi": "nội dung không phải JSON UTF-8 hợp lệ", "en": "the body is not valid UTF-8 JSON"},
            ) from exc
        if _deeper_than(body, MAX_JSON_DEPTH):
            raise AppError("too_deep", limit=MAX_JSON_DEPTH)
        # JSON may escape half of a UTF-16 pair ("\ud800"), which Python reads as a lone
        # surrogate: no text, and nothing Firestore or a UTF-8 encoder takes. Only a body that
        # escapes one is walked.
        if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(body):
            raise AppError("bad_request", detail=_LONE_SURROGATE)
        return body


# How deep a JSON body may nest. Python's parser takes about a thousand levels, more than the
# validators' recursive walks can (a RecursionError was a 500); a form definition with rules
# at their deepest nests about 35.
MAX_JSON_DEPTH = 64


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = {
    "vi": "nội dung có chuỗi ký tự không hợp lệ (nửa cặp UTF-16 như \\ud800)",
    "en": "the body holds text that is not valid Unicode (half of a UTF-16 pair, such as \\ud800)",
}


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (a key too) cannot be encoded as UTF-8."""
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` deep (without recursion)."""
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            item
            for node in level
            if isinstance(node, dict | list)
            for item in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, dict | list) for node in level)


def read_body(request: Request, limit: int) -> bytes:
    """Read at most ``limit`` bytes; a larger body is 413 whether or not it declared its length."""
    if request.content_length is not None and request.content_length > limit:
        raise AppError("too_large", limit=limit)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise AppError("too_large", limit=limit)
    return data


class IdConverter(BaseConverter):
    """Path ids (:data:`~checkround.inputs_common.PATH_ID`): an odd URL is a 404 and never
    reaches the store."""

    regex = PATH_ID


class Router:
    """The routes of one HTTP function; ``name`` is the function's (logs and health checks)."""

    def __init__(self, name: str) -> None:
        self.name = name
        # merge_slashes would answer "//rounds" with a redirect raised as an exception; a path
        # with an empty segment is no route of ours (404).
        self._map = Map(strict_slashes=False, merge_slashes=False, converters={"id": IdConverter})
        self._handlers: dict[str, Handler] = {}
        # (rule, method) -> what its OpenAPI document says; see publish_openapi.
        self.operations: dict[tuple[str, str], Operation] = {}
        self.documented = False
        # /healthz as asked of every function; /health too, because Cloud Run (where 2nd-gen
        # functions run) reserves some paths that end in "z" and may answer them itself.
        for path in ("/healthz", "/health"):
            self.route(path, ["GET"], HEALTH)(self._health)

    def _health(self, rc: RequestContext) -> Reply:
        """Liveness: answers without authentication and without touching Firestore, so a
        database outage never makes the platform restart instances that are fine (and the
        check costs no reads). ``?deep=1`` reads one document to check Firestore as well."""
        if rc.request.args.get("deep") != "1":
            return 200, {"status": "ok", "function": self.name}
        try:
            rc.ctx.store.get("health/probe")
        except Exception:
            log.warning("deep health check: Firestore read failed", exc_info=True)
            return json_response(
                503, {"status": "unavailable", "function": self.name, "firestore": "error"}, {"Retry-After": "5"}
            )
        return 200, {"status": "ok", "function": self.name, "firestore": "ok"}

    def publish_openapi(self) -> None:
        """Serve ``GET /openapi.json``: this function's OpenAPI document, public like docs/api.md.

        From then on every route must state its :class:`~.operations.Operation`: a route the
        document would leave out fails when it is registered."""
        self.documented = True
        self.route("/openapi.json", ["GET"], DOCUMENT)(self._openapi)

    def _openapi(self, rc: RequestContext) -> Reply:
        # apispec is loaded on the first request for the document: it stays out of cold starts.
        from . import openapi

        return Response(openapi.document_text(self), content_type="application/json; charset=utf-8")

    def route(self, path: str, methods: list[str], operation: Operation | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for ``path``; ``operation`` is what the OpenAPI document says of it.

        The first segment of ``path`` is a fixed word other than the function's name (or the path
        is ``/``): :meth:`local_path` takes a leading ``/<name>`` off every request, so a route
        under that name, or one whose first segment could be that name, would be ambiguous."""
        first = path.split("/")[1] if path.startswith("/") else None
        if first is None or first == self.name or "<" in first:
            raise ValueError(f"{self.name}: {path!r} must start with '/' and a fixed segment other than {self.name!r}")
        if self.documented and operation is None:
            raise ValueError(f"{self.name}: {' '.join(methods)} {path} states no Operation for its OpenAPI document")

        def register(fn: Handler) -> Handler:
            endpoint = f"{fn.__name__}:{path}"
            self._map.add(Rule(path, endpoint=endpoint, methods=methods))
            self._handlers[endpoint] = fn
            if operation is not None:
                self.operations.update({(path, method): operation for method in methods})
            return fn

        return register

    def local_path(self, path: str) -> str:
        """``path`` without a leading ``/<function name>`` segment, if it has one.

        Whether the platform strips the function's name before the code sees the path is
        documented for 1st-gen functions only, and a load balancer forwards full paths; taking it
        off here makes both work. Only one is taken off: ``/admin_api/admin_api/rounds`` is a 404."""
        prefix = f"/{self.name}"
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
        return path

    def match(self, request: Request) -> tuple[Handler, dict[str, Any], str]:
        """The handler, its arguments and the matched rule (the path template, for logs)."""
        adapter = self._map.bind_to_environ(request.environ)
        try:
            rule, args = adapter.match(self.local_path(request.path), method=request.method, return_rule=True)
        except MethodNotAllowed as exc:
            raise AppError("method_not_allowed") from exc
        except (NotFound, RequestRedirect) as exc:
            raise AppError("not_found", what=_NOT_FOUND) from exc
        assert isinstance(rule.endpoint, str)
        return self._handlers[rule.endpoint], dict(args), rule.rule


def unrouted(request: Request) -> Response:
    """The 404 of a path the functions framework's own routes do not match (its path rule
    takes no line break, so "/forms/a%0Ab" never reaches a router): ours, in JSON, not Flask's
    HTML page."""
    language = pick_language(request.headers.get("Accept-Language"))
    return json_response(404, AppError("not_found", what=_NOT_FOUND).to_body(language))


def dispatch(router: Router, request: Request, context: Callable[[], Context]) -> Response:
    started = time.perf_counter()
    headers = {name: request.headers.get(name, "") for name in logs.HEADERS}
    with logs.request_scope(headers, router.name) as scope:
        response = _handle(router, request, context, scope)
        response.headers["X-Request-Id"] = scope.request_id
        _log_access(request, response, scope, time.perf_counter() - started)
    return response


def contention_error(exc: Contention) -> AppError:
    """``busy`` (nothing stored) or ``unavailable`` (a commit that may or may not have happened)."""
    return AppError("unavailable" if isinstance(exc, CommitUnanswered) else "busy")


def _handle(router: Router, request: Request, context: Callable[[], Context], scope: logs.RequestScope) -> Response:
    language = pick_language(request.headers.get("Accept-Language"))
    try:
        handler, args, scope.route = router.match(request)
        rc = RequestContext(request=request, context=context, language=language, path=router.local_path(request.path))
        reply = handler(rc, **args)
    except AppError as exc:
        return json_response(exc.status, exc.to_body(language))
    except Contention as exc:
        busy = contention_error(exc)
        return json_response(busy.status, busy.to_body(language), headers={"Retry-After": "1"})
    except Exception:
        # The route template, not the path or URL: nothing a client sent ends up in the log.
        log.exception("unhandled error on %s %s", request.method, scope.route)
        return json_response(500, {"error": {"code": "internal", "message": "Internal error."}})
    if isinstance(reply, Response):
        return reply
    status, body = reply
    return json_response(status, body)


def _log_access(request: Request, response: Response, scope: logs.RequestScope, seconds: float) -> None:
    """One line per request: method, route template, status, latency. Deliberately no query
    string (a unit link's ``?t=`` token), no headers (``Authorization``) and no body (answers).
    A streamed download is logged when its response starts, not when the last byte leaves."""
    route = scope.route or "(no route)"
    # A 5xx is worth a look (a crash is also logged as ERROR where it happened); 4xx are the
    # clients' mistakes and stay INFO, so alerting on WARNING+ is not drowned by them.
    access_log.log(
        logging.WARNING if response.status_code >= 500 else logging.INFO,
        "%s %s %s %.1f ms",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
        extra={
            "fields": {
                "status": response.status_code,
                "latency_ms": round(seconds * 1000, 1),
                # Cloud Logging shows this as the request line of the entry; the URL is the
                # template on purpose (see above).
                "httpRequest": {
                    "requestMethod": request.method,
                    "requestUrl": route,
                    "status": response.status_code,
                    "latency": f"{seconds:.6f}s",
                },
            }
        },
    )
