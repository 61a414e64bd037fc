"""Any JSON body, any text in it (lone surrogates, control and private-use characters, huge
numbers) and any bytes, sent to every admin_api and unit_api route that takes a body, through the
real dispatcher on the memory store: never a 5xx, and every refusal in the error catalogue's
shape. The integration sweep (tests/integration/test_bad_inputs.py) sends hand-made cases through
the real entry points on the emulator; this one lets hypothesis find the values."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from checkround.errors import CATALOG
from checkround.http import admin_routes, unit_routes
from checkround.http.core import Router, dispatch
from checkround.rounds.tokens import issue_admin_token
from tests.support import memory_context

# Every character, and the odd ones more often than their share of Unicode would draw them.
# Hypothesis draws no lone surrogate (it is no text), so a snowman stands for one: its escape
# becomes "\ud800" in the JSON sent, as a client's JSON encoder may write it.
SNOWMAN = "\u2603"
ODD = st.sampled_from([SNOWMAN, "\x00", "\u202e", "\uffff", "\U0001f600", "\u0301"])
TEXT = st.lists(st.one_of(ODD, st.characters()), max_size=30).map("".join)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.integers(min_value=10**300)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
# A body that looks like what a route wants: an object with the names its inputs use.
KEYS = st.sampled_from(["id", "name", "title", "url", "unit_ids", "answers", "sections", "closes_at", "kinds", "txt"])
OBJECTS = st.dictionaries(KEYS | TEXT, VALUES, max_size=6)


def _routes(router: Router) -> list[tuple[str, str]]:
    """(method, path) of every route that may take a body, its path ids given as "x"."""
    return [
        (method, re.sub(r"<(?:\w+:)?\w+>", "x", path))
        for (path, method) in router.operations
        if method in ("POST", "PUT", "PATCH")
    ]


ROUTES = [(admin_routes.router, *route) for route in _routes(admin_routes.router)] + [
    (unit_routes.router, *route) for route in _routes(unit_routes.router)
]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: Any) -> Any:
    return memory_context(tmp_path_factory.mktemp("fuzz"))


def _send(ctx: Any, token: str, router: Router, method: str, path: str, data: bytes) -> None:
    environ = EnvironBuilder(
        path=path,
        method=method,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"},
    ).get_environ()
    answer = dispatch(router, Request(environ), lambda: ctx)
    assert answer.status_code < 500, (method, path, data[:200], answer.get_data(as_text=True)[:300])
    if answer.status_code >= 400:
        error = json.loads(answer.get_data()).get("error") or {}
        assert error.get("code") in CATALOG, (method, path, answer.get_data()[:300])
        assert error.get("message"), (method, path, answer.get_data()[:300])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=OBJECTS | VALUES, raw=st.binary(max_size=64))
def test_no_body_makes_a_route_fail_with_a_5xx(ctx, body, raw):
    token = issue_admin_token(ctx)
    # NaN and Infinity too, as Python's json reads them; each snowman as half of a UTF-16 pair.
    text = json.dumps(body, allow_nan=True).replace("\\u2603", "\\ud800").encode()
    for router, method, path in ROUTES:
        for data in (text, raw):
            _send(ctx, token, router, method, path, data)


def test_the_routes_swept_include_the_json_ones():
    assert ("POST", "/forms") in {(m, p) for _, m, p in ROUTES}
    assert ("POST", "/rounds/x/submission") in {(m, p) for _, m, p in ROUTES}
