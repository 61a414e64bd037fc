"""Routing and request handling shared by every HTTP function.

A function is a :class:`Router` (a werkzeug URL map plus handlers). :func:`dispatch` turns a
request into a response and is the single place where :class:`AppError` becomes JSON; anything
else that escapes a handler is logged and answered with a generic 500 that leaks nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from checkround.context import Context
from checkround.errors import AppError
from checkround.forms.messages import pick_language
from checkround.rounds.tokens import Principal, authenticate
from checkround.storage.ports import Contention

log = logging.getLogger("checkround.http")

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
    ctx: Context
    language: str
    _principal: Principal | None = field(default=None)
    language_for_page: str = "vi"

    def principal(self, recheck_later: bool = False) -> Principal:
        if self._principal is None:
            header = self.request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            bearer = token.strip() if scheme.lower() == "bearer" else None
            self._principal = authenticate(self.ctx, bearer, recheck_later)
        return self._principal

    def require_admin(self) -> Principal:
        principal = self.principal()
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
                raise AppError("bad_request", detail="a JSON body is required")
            return None
        mimetype = self.request.mimetype
        if mimetype != "application/json" and not mimetype.endswith("+json"):
            raise AppError("unsupported_media_type")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise AppError("bad_request", detail="the body is not valid UTF-8 JSON") from exc


def read_body(request: Request, limit: int) -> bytes:
    """Read at most ``limit`` bytes; a larger body is 413 whether or not it declared its length."""
    if request.content_length is not None and request.content_length > limit:
        raise AppError("too_large", limit=limit)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise AppError("too_large", limit=limit)
    return data


class IdConverter(BaseConverter):
    """Path ids: what the services create, and nothing Firestore would refuse as a document id
    (``..``, ``__x__``, slashes), so an odd URL is a 404 and never reaches the store."""

    regex = r"[a-z0-9][a-z0-9_-]{0,127}"


class Router:
    def __init__(self) -> None:
        self._map = Map(strict_slashes=False, converters={"id": IdConverter})
        self._handlers: dict[str, Handler] = {}

    def route(self, path: str, methods: list[str]) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            endpoint = f"{fn.__name__}:{path}"
            self._map.add(Rule(path, endpoint=endpoint, methods=methods))
            self._handlers[endpoint] = fn
            return fn

        return register

    def match(self, request: Request) -> tuple[Handler, dict[str, Any]]:
        adapter = self._map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            raise AppError("method_not_allowed") from exc
        except NotFound as exc:
            raise AppError("not_found", what=_NOT_FOUND) from exc
        return self._handlers[endpoint], dict(args)


def dispatch(router: Router, request: Request, context: Callable[[], Context]) -> Response:
    language = pick_language(request.headers.get("Accept-Language"))
    try:
        handler, args = router.match(request)
        rc = RequestContext(request=request, ctx=context(), language=language)
        reply = handler(rc, **args)
    except AppError as exc:
        return json_response(exc.status, exc.to_body(language))
    except Contention:
        busy = AppError("busy")
        return json_response(busy.status, busy.to_body(language), headers={"Retry-After": "1"})
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_response(500, {"error": {"code": "internal", "message": "Internal error."}})
    if isinstance(reply, Response):
        return reply
    status, body = reply
    return json_response(status, body)
