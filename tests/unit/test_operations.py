"""Operations: JSON logs Cloud Logging understands (and that hold no secrets), health routes."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import pytest

from checkround import logs
from checkround.http.admin_routes import router as admin_router
from checkround.http.core import Router, dispatch
from checkround.http.scheduler_routes import router as scheduler_router
from checkround.http.unit_routes import router as unit_router
from checkround.http.webform import router as webform_router
from checkround.rounds import service as rounds
from checkround.rounds.tokens import issue_admin_token
from tests.support import memory_context
from tests.unit.test_properties import app_for
from tests.unit.test_services import make_round

TRACE = "105445aa7843bc8bf206b12000100000"
ROUTERS = {
    "admin_api": admin_router,
    "unit_api": unit_router,
    "web_form": webform_router,
    "close_due_rounds": scheduler_router,
}


@pytest.fixture
def json_logs():
    """Everything logged during the test, formatted as Cloud Logging would receive it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("proj-1"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# The formatter on its own.


def _record(message, level=logging.INFO, **extra):
    record = logging.LogRecord("checkround.test", level, __file__, 1, message, (), None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_a_line_outside_a_request_has_severity_message_and_time():
    entry = json.loads(logs.JsonFormatter("p").format(_record("hello", logging.WARNING)))
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "hello"
    assert entry["time"].endswith("Z")
    assert logs.TRACE_KEY not in entry


def test_a_line_inside_a_request_carries_trace_span_and_request_id():
    headers = {"X-Cloud-Trace-Context": f"{TRACE}/1234;o=1", "X-Request-Id": "req-42"}
    with logs.request_scope(headers, "unit_api") as scope:
        scope.route = "/rounds/<id:round_id>/submission"
        entry = json.loads(logs.JsonFormatter("proj-1").format(_record("inside")))
    assert entry[logs.TRACE_KEY] == f"projects/proj-1/traces/{TRACE}"
    assert entry[logs.SPAN_KEY] == f"{1234:016x}"  # Cloud Logging wants the span in hex
    assert entry[logs.SAMPLED_KEY] is True
    assert entry["request_id"] == "req-42"
    assert entry["function"] == "unit_api"
    assert entry["route"] == "/rounds/<id:round_id>/submission"


def test_the_request_id_falls_back_to_the_execution_id_then_a_new_one():
    assert logs.request_id_from({"Function-Execution-Id": "abc123"}) == "abc123"
    # A header that is not a plain short token is not echoed into logs and responses.
    assert logs.request_id_from({"X-Request-Id": "a b\nc", "Function-Execution-Id": "exec-1"}) == "exec-1"
    generated = logs.request_id_from({})
    assert len(generated) == 32
    assert generated != logs.request_id_from({})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Cloud-Trace-Context": f"{TRACE}/1;o=0"}, (TRACE, "0000000000000001", False)),
        ({"X-Cloud-Trace-Context": TRACE}, (TRACE, None, None)),
        ({"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}, (TRACE, "00f067aa0ba902b7", True)),
        ({"X-Cloud-Trace-Context": "not-a-trace"}, (None, None, None)),
        ({}, (None, None, None)),
    ],
)
def test_trace_headers(headers, expected):
    assert logs.parse_trace(headers) == expected


def test_an_exception_is_in_the_message_for_error_reporting():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = _record("failed", logging.ERROR)
        record.exc_info = sys.exc_info()
    entry = json.loads(logs.JsonFormatter("p").format(record))
    assert entry["severity"] == "ERROR"
    assert entry["message"].startswith("failed\nTraceback")
    assert "RuntimeError: boom" in entry["message"]


def test_scrub_hides_bearer_tokens_and_token_query_parameters():
    text = "GET /web_form/r/r1?t=SECRET1&lang=vi Authorization: Bearer SECRET2 and ?token=SECRET3"
    scrubbed = logs.scrub(text)
    assert "SECRET" not in scrubbed
    assert "lang=vi" in scrubbed


def test_configure_json_writes_json_lines_to_stdout(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("json", "proj-1")
        logging.getLogger("checkround.test").info("configured")
        line = capsys.readouterr().out.strip().splitlines()[-1]
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert json.loads(line)["message"] == "configured"


# Through dispatch: one access line per request, and no token or answer anywhere.


def test_a_request_logs_one_access_line_without_token_or_answers(tmp_path, json_logs):
    ctx = memory_context(tmp_path)
    make_round(ctx, unit_ids=("u1",))
    issued = rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u1"]})["tokens"]["u1"]
    token, link = issued["token"], issued["form_url"].split("?t=")[1]
    secret_answer = "ANSWER-only-the-committee-may-read"
    client = app_for(unit_router, ctx)
    response = client.post(
        "/rounds/r1/submission?t=" + token,
        data=json.dumps({"answers": {"b": {"uu_diem": secret_answer}, "a": {"ck1": {"status": "yes", "score": 8}}}}),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Cloud-Trace-Context": f"{TRACE}/7;o=1",
        },
    )
    assert response.status_code == 201, response.json
    web = app_for(webform_router, ctx)
    assert web.get(f"/r/r1?t={link}").status_code == 303

    lines = json_logs()
    text = "\n".join(json.dumps(line) for line in lines)
    assert token not in text
    assert link not in text
    assert secret_answer not in text
    access = [line for line in lines if line["logger"] == "checkround.access"]
    assert len(access) == 2
    submit, link = access
    assert submit["route"] == "/rounds/<id:round_id>/submission"
    assert submit["function"] == "unit_api"
    assert submit["status"] == 201
    assert submit["severity"] == "INFO"
    assert submit["httpRequest"]["requestUrl"] == "/rounds/<id:round_id>/submission"
    assert submit["httpRequest"]["latency"].endswith("s")
    assert submit[logs.TRACE_KEY] == f"projects/proj-1/traces/{TRACE}"
    assert submit["request_id"] == response.headers["X-Request-Id"]
    assert link["function"] == "web_form"
    assert link["route"] == "/r/<id:round_id>"


def test_an_unhandled_error_logs_the_route_not_the_url(tmp_path, json_logs):
    router = Router("test_fn")

    @router.route("/boom/<id:thing>", ["GET"])
    def boom(rc, thing):
        raise RuntimeError("kaput")

    client = app_for(router, memory_context(tmp_path))
    response = client.get("/boom/x1?t=SECRET-TOKEN", headers={"Authorization": "Bearer SECRET-BEARER"})
    assert response.status_code == 500
    lines = json_logs()
    error = next(line for line in lines if line["severity"] == "ERROR")
    assert "/boom/<id:thing>" in error["message"]
    (access,) = [line for line in lines if line["logger"] == "checkround.access"]
    assert access["severity"] == "WARNING"
    assert access["status"] == 500
    assert "RuntimeError: kaput" in error["message"]
    assert "SECRET" not in json.dumps(lines)


def test_an_unknown_path_is_logged_without_a_route(tmp_path, json_logs):
    client = app_for(admin_router, memory_context(tmp_path))
    assert client.get("/nowhere?t=SECRET").status_code == 404
    (access,) = [line for line in json_logs() if line["logger"] == "checkround.access"]
    assert access["status"] == 404
    assert "route" not in access
    assert "SECRET" not in json.dumps(access)


# Health routes.


def _no_context():
    raise AssertionError("the liveness check must not build the context (Firestore client)")


@pytest.mark.parametrize("name", list(ROUTERS))
@pytest.mark.parametrize("path", ["/healthz", "/health"])
def test_every_function_answers_health_without_auth_or_firestore(name, path):
    from werkzeug.test import Client
    from werkzeug.wrappers import Request

    router = ROUTERS[name]

    def app(environ, start_response):
        return dispatch(router, Request(environ), _no_context)(environ, start_response)

    response = Client(app).get(path)
    assert response.status_code == 200
    assert response.json == {"status": "ok", "function": name}


def test_deep_health_reads_firestore(tmp_path):
    client = app_for(admin_router, memory_context(tmp_path))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "function": "admin_api", "firestore": "ok"}


def test_deep_health_is_503_when_firestore_fails(tmp_path):
    class Down:
        def get(self, path):
            raise ConnectionError("firestore unreachable")

    ctx = dataclasses.replace(memory_context(tmp_path), store=Down())
    response = app_for(unit_router, ctx).get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.headers["Retry-After"]


def test_health_is_get_only_and_other_routes_still_need_auth(tmp_path):
    ctx = memory_context(tmp_path)
    client = app_for(admin_router, ctx)
    assert client.post("/healthz").status_code == 405
    assert client.get("/units").status_code == 401
    headers = {"Authorization": f"Bearer {issue_admin_token(ctx)}"}
    assert client.get("/units", headers=headers).status_code == 200
