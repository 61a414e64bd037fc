"""Structured logs for Cloud Logging: one JSON object per line on stdout.

Cloud Run (where 2nd-gen functions run) turns each line its container writes into a log entry
and reads a few special keys from a JSON line: ``severity``, ``message``, ``time``,
``logging.googleapis.com/trace`` (which groups every line of one request under its trace in
the console), ``logging.googleapis.com/spanId`` and ``httpRequest``. Everything else lands in
``jsonPayload``.

The HTTP layer opens a :func:`request_scope` per request (trace, span, request id, function,
route); every line logged inside it carries those keys, whichever logger wrote it.

What is never logged: request bodies (units' answers), query strings (a unit link's ``?t=``),
headers (``Authorization``). :func:`scrub` is a second line of defence for messages written by
code that does not know better (a library logging a URL or a header).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The only request headers the logs read (trace and request id); never Authorization.
HEADERS = ("X-Cloud-Trace-Context", "traceparent", "X-Request-Id", "Function-Execution-Id")

TRACE_KEY = "logging.googleapis.com/trace"
SPAN_KEY = "logging.googleapis.com/spanId"
SAMPLED_KEY = "logging.googleapis.com/trace_sampled"

# X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS, the span id in decimal.
_CLOUD_TRACE = re.compile(r"([0-9a-fA-F]{32})(?:/(\d{1,20}))?(?:;o=([0-9]+))?")
# W3C traceparent, which Cloud Run also sends: 00-TRACE_ID-SPAN_ID-FLAGS, all hex.
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
# A request id is echoed into logs and a response header: only a short, plain token.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]+")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:t|token|access_token|csrf|session)=)[^&\s\"']+")


def scrub(text: str) -> str:
    """Hide bearer tokens and token-bearing query parameters in a log message."""
    return _QUERY_SECRET.sub(r"\1[redacted]", _BEARER.sub(r"\1[redacted]", text))


@dataclass
class RequestScope:
    request_id: str
    function: str
    trace_id: str | None = None
    span_id: str | None = None  # 16 hex digits, as Cloud Logging wants it
    sampled: bool | None = None
    route: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_SCOPE: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar("checkround_log_scope", default=None)


def current_scope() -> RequestScope | None:
    return _SCOPE.get()


def parse_trace(headers: Mapping[str, str]) -> tuple[str | None, str | None, bool | None]:
    """``(trace id, span id as 16 hex digits, sampled)`` from the request's trace headers."""
    cloud = _CLOUD_TRACE.fullmatch(headers.get("X-Cloud-Trace-Context", "").strip())
    if cloud:
        trace_id, span, options = cloud.groups()
        # Cloud Logging matches spans in the Trace API's form: 16 hex digits, not decimal.
        span_id = f"{int(span):016x}" if span and int(span) < 2**64 else None
        return trace_id.lower(), span_id, (options == "1") if options is not None else None
    parent = _TRACEPARENT.fullmatch(headers.get("traceparent", "").strip())
    if parent:
        trace_id, span_id, flags = parent.groups()
        return trace_id, span_id, bool(int(flags, 16) & 1)
    return None, None, None


def request_id_from(headers: Mapping[str, str]) -> str:
    """The caller's ``X-Request-Id``, else the platform's ``Function-Execution-Id``, else a new one."""
    for name in ("X-Request-Id", "Function-Execution-Id"):
        value = headers.get(name, "").strip()
        if _REQUEST_ID.fullmatch(value):
            return value
    return uuid.uuid4().hex


@contextlib.contextmanager
def request_scope(headers: Mapping[str, str], function: str) -> Iterator[RequestScope]:
    trace_id, span_id, sampled = parse_trace(headers)
    scope = RequestScope(
        request_id=request_id_from(headers), function=function, trace_id=trace_id, span_id=span_id, sampled=sampled
    )
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


class JsonFormatter(logging.Formatter):
    """One Cloud Logging entry per record, as a single line of JSON.

    A record may carry ``extra={"fields": {...}}``: those keys are added to the entry (the
    access log's ``httpRequest``, ``status`` and ``latency_ms``).
    """

    def __init__(self, project: str) -> None:
        super().__init__()
        self.project = project

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            # Error Reporting finds a stack trace at the end of the message of an ERROR entry.
            message = f"{message}\n{self.formatException(record.exc_info)}"
        entry: dict[str, Any] = {
            # Python's level names are Cloud Logging severities (DEBUG, INFO, WARNING, ERROR,
            # CRITICAL); anything custom is passed as DEFAULT rather than guessed.
            "severity": record.levelname if record.levelname in _SEVERITIES else "DEFAULT",
            "message": scrub(message),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "logger": record.name,
        }
        scope = _SCOPE.get()
        if scope is not None:
            entry["request_id"] = scope.request_id
            entry["function"] = scope.function
            if scope.route is not None:
                entry["route"] = scope.route
            if scope.trace_id:
                entry[TRACE_KEY] = f"projects/{self.project}/traces/{scope.trace_id}"
            if scope.span_id:
                entry[SPAN_KEY] = scope.span_id
            if scope.sampled is not None:
                entry[SAMPLED_KEY] = scope.sampled
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        return json.dumps(entry, ensure_ascii=False, default=str)


_SEVERITIES = frozenset({"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"})


def configure(log_format: str, project: str) -> None:
    """Set up the root logger once per process (the entry module calls it at import).

    ``json`` replaces whatever handlers are there (functions-framework may have installed its
    own plain ones) with one JSON handler on stdout; ``text`` keeps the old behaviour, which
    also leaves a host that configured logging first (the devstack, pytest) as it was.
    """
    if log_format == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter(project))
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    else:
        logging.basicConfig(level=logging.INFO)
