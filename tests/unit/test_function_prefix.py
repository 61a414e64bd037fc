"""Routers answer a path with or without their function's name in front (``/rounds`` and
``/admin_api/rounds`` alike), and no route can make the two readings collide. Through the real
entry points with Firestore: tests/integration/test_function_prefix.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from checkround.context import Context
from checkround.http import admin_routes, scheduler_routes, unit_routes
from checkround.http.console import router as console_router
from checkround.http.core import Router, dispatch
from checkround.http.webform import router as web_form_router

ROUTERS = {
    router.name: router
    for router in (admin_routes.router, unit_routes.router, web_form_router, console_router, scheduler_routes.router)
}


def _no_context() -> Context:
    raise AssertionError("these routes must not need Firestore or credentials")


def _get(router: Router, path: str, context: Callable[[], Context] = _no_context) -> tuple[int, bytes]:
    request = Request(EnvironBuilder(path=path, method="GET").get_environ())
    response = dispatch(router, request, context)
    return response.status_code, response.get_data()


def test_the_routers_are_named_after_their_functions() -> None:
    assert set(ROUTERS) == {"admin_api", "unit_api", "web_form", "admin_console", "close_due_rounds"}


@pytest.mark.parametrize(
    ("path", "local"),
    [
        ("/admin_api/rounds", "/rounds"),
        ("/rounds", "/rounds"),
        ("/admin_api", "/"),
        ("/admin_api/", "/"),
        ("/", "/"),
        # Only a whole first segment is the function's name, and only one is taken off.
        ("/admin_apix/rounds", "/admin_apix/rounds"),
        ("/rounds/admin_api", "/rounds/admin_api"),
        ("/admin_api/admin_api/rounds", "/admin_api/rounds"),
    ],
)
def test_local_path_takes_off_one_leading_function_name(path: str, local: str) -> None:
    assert ROUTERS["admin_api"].local_path(path) == local


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_health_answers_with_and_without_the_prefix(name: str) -> None:
    router = ROUTERS[name]
    for path in ("/healthz", "/health"):
        plain = _get(router, path)
        prefixed = _get(router, f"/{name}{path}")
        assert plain[0] == prefixed[0] == 200
        assert plain[1] == prefixed[1]
        assert f'"function": "{name}"'.encode() in plain[1]


@pytest.mark.parametrize("name", ["admin_api", "unit_api"])
def test_the_openapi_document_answers_with_and_without_the_prefix(name: str) -> None:
    router = ROUTERS[name]
    plain = _get(router, "/openapi.json")
    prefixed = _get(router, f"/{name}/openapi.json")
    assert plain[0] == prefixed[0] == 200
    assert plain[1] == prefixed[1]
    assert b'"openapi": "3.1.0"' in plain[1]


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_a_doubled_or_foreign_prefix_is_not_found(name: str) -> None:
    router = ROUTERS[name]
    assert _get(router, f"/{name}/{name}/healthz")[0] == 404
    other = next(n for n in ROUTERS if n != name)
    assert _get(router, f"/{other}/healthz")[0] == 404


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_no_route_starts_with_its_function_name_or_a_variable(name: str) -> None:
    """What :meth:`Router.route` refuses, checked on what is registered (the map is the
    router's own; werkzeug's ``iter_rules`` is its public API)."""
    for rule in ROUTERS[name]._map.iter_rules():
        first = rule.rule.split("/")[1]
        assert first != name, rule.rule
        assert "<" not in first, rule.rule


@pytest.mark.parametrize("path", ["/things_api/x", "/things_api", "/<id:x>/y", "/<id:x>", "things"])
def test_a_route_that_would_make_a_path_ambiguous_is_refused(path: str) -> None:
    router = Router("things_api")
    with pytest.raises(ValueError, match="fixed segment"):
        router.route(path, ["GET"])(lambda rc: (200, {}))
    router.route("/things", ["GET"])(lambda rc: (200, {}))
    router.route("/", ["GET"])(lambda rc: (200, {}))


def test_the_deploy_smoke_test_reaches_every_public_function_and_document() -> None:
    """docs/deploy.md's curl loops name every internet-facing function for /health and every
    router that publishes an OpenAPI document for /openapi.json, on paths these routers answer."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    smoke = text.split("## Smoke test", 1)[1].split("\n## ", 1)[0]
    loops = {
        route: set(names.split())
        for names, route in re.findall(r"for f in ([a-z_ ]+); do\n\s+curl -fsS \"\$BASE/\$f(/[a-z.]+)", smoke)
    }
    assert loops["/health"] == {"admin_api", "unit_api", "web_form", "admin_console"}
    assert loops["/openapi.json"] == {name for name, router in ROUTERS.items() if router.documented}
    for route, names in loops.items():
        for name in names:
            assert _get(ROUTERS[name], f"/{name}{route}")[0] == 200, (name, route)
