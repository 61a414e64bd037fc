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
from checkround.forms import service as forms
from checkround.http import admin_routes, unit_routes
from checkround.http.core import Router, dispatch
from checkround.rounds import service as rounds
from checkround.rounds.tokens import issue_admin_token
from tests.support import memory_context, small_form, small_round

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


def _routes(router: Router, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(method, path) of every route that may take a body, its path ids from ``ids`` (else "x")."""
    return [
        (method, re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids.get(m.group(1), "x"), path))
        for (path, method) in router.operations
        if method in ("POST", "PUT", "PATCH")
    ]


# The admin's routes on ids that do not exist (a body that closed or changed the round would
# leave the next examples less to reach); the unit's on its open round, answers and all.
ROUTES = [(admin_routes.router, *route) for route in _routes(admin_routes.router, {})] + [
    (unit_routes.router, *route) for route in _routes(unit_routes.router, {"round_id": "r1"})
]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: Any) -> Any:
    return memory_context(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def unit_token(ctx: Any) -> str:
    forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    rounds.put_unit(ctx, "u1", {"name": "Đơn vị 1", "cluster": "cum-1"})
    rounds.create_round(ctx, small_round())
    rounds.open_round(ctx, "r1")
    return str(rounds.issue_tokens(ctx, "r1", {})["tokens"]["u1"]["token"])


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
def test_no_body_makes_a_route_fail_with_a_5xx(ctx, unit_token, body, raw):
    admin = issue_admin_token(ctx)
    # NaN and Infinity too, as Python's json reads them; each snowman as half of a UTF-16 pair.
    text = json.dumps(body, allow_nan=True).replace("\\u2603", "\\ud800").encode()
    for router, method, path in ROUTES:
        for data in (text, raw):
            _send(ctx, unit_token if router is unit_routes.router else admin, router, method, path, data)


def test_the_sweep_reaches_the_handlers(ctx, unit_token):
    """The unit's token opens its round: a body is read and validated, not refused at the door."""
    assert ("POST", "/forms") in {(m, p) for _, m, p in ROUTES}
    environ = EnvironBuilder(
        path="/rounds/r1/submission",
        method="POST",
        json={"answers": {"a": {"so": "nhiều"}}},
        headers={"Authorization": f"Bearer {unit_token}"},
    ).get_environ()
    answer = dispatch(unit_routes.router, Request(environ), lambda: ctx)
    assert answer.status_code == 422
    assert json.loads(answer.get_data())["error"]["code"] == "validation_failed"
