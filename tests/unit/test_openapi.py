"""The generated OpenAPI documents: complete against the routers, and valid OpenAPI 3.1."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pytest
from openapi_spec_validator import validate
from werkzeug.test import Client
from werkzeug.wrappers import Request

from checkround.context import Context
from checkround.errors import CATALOG
from checkround.http import admin_routes, openapi, operations, unit_routes
from checkround.http.core import Router, dispatch
from checkround.http.operations import XLSX
from checkround.reports import exports

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ROUTERS = [admin_routes.router, unit_routes.router]


def _operations(router: Router) -> set[tuple[str, str]]:
    return {
        (openapi.openapi_path(rule.rule)[0], method.lower())
        for rule in router._map.iter_rules()
        for method in openapi.documented_methods(rule.methods)
    }


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.name)
def test_every_route_is_documented_and_every_documented_path_is_a_route(router: Router) -> None:
    document = openapi.build(router)
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == _operations(router)
    assert {openapi.openapi_path(rule.rule)[0] for rule in router._map.iter_rules()} == set(document["paths"])


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.name)
def test_the_document_is_valid_openapi_3_1(router: Router) -> None:
    document = openapi.build(router)
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the 3.1 meta-schema


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.name)
def test_errors_security_and_bodies(router: Router) -> None:
    document = openapi.build(router)
    components = document["components"]
    error = components["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "message", "fields"}
    assert set(CATALOG) <= set(error["properties"]["error"]["properties"]["code"]["enum"])
    assert components["securitySchemes"]["bearer"] == {**components["securitySchemes"]["bearer"], "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if operation.get("security") == []:
                assert path in ("/health", "/healthz", "/openapi.json")
                continue
            assert {"401", "403"} <= codes, (method, path)
            if "requestBody" in operation:
                content = list(operation["requestBody"]["content"])
                if content == [XLSX]:
                    # A workbook: read whatever its content type says, refused as 422 if it is none.
                    assert {"413", "422"} <= codes, (method, path)
                else:
                    assert {"400", "413", "415", "422"} <= codes, (method, path)
                    assert content == ["application/json"]
            if method in ("post", "put") and not path.endswith("/diff"):  # diff only reads
                assert "503" in codes, (method, path)


def test_request_bodies_come_from_the_marshmallow_schemas() -> None:
    schemas = openapi.build(admin_routes.router)["components"]["schemas"]
    assert schemas["RoundInput"]["additionalProperties"] is False
    assert set(schemas["RoundInput"]["required"]) == {"title", "form_id", "unit_ids", "opens_at", "closes_at"}
    assert schemas["FormDefinition"]["properties"]["sections"]["items"] == {"$ref": "#/components/schemas/Section"}
    assert {"UnitInput", "TokensInput", "ReopenInput", "ReturnInput"} <= set(schemas)
    unit = openapi.build(unit_routes.router)["components"]["schemas"]
    assert unit["SubmissionInput"]["required"] == ["answers"]


def test_binary_answers_carry_their_media_types() -> None:
    paths = openapi.build(admin_routes.router)["paths"]
    assert list(paths["/rounds/{round_id}/summary.pdf"]["get"]["responses"]["200"]["content"]) == ["application/pdf"]
    export = paths["/rounds/{round_id}/submissions"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/json", operations.CSV, exports.XLSX_TYPE}


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.name)
def test_the_document_is_served_without_authentication(router: Router) -> None:
    def no_context() -> Context:
        raise AssertionError("serving the document needs no services")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return dispatch(router, Request(environ), no_context)(environ, start_response)

    response = Client(app).get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == openapi.build(router)


def test_a_router_that_publishes_its_document_refuses_a_route_without_an_operation() -> None:
    router = Router("some_api")
    router.route("/before", ["GET"])(lambda rc: (200, {}))  # not yet published: allowed
    router.publish_openapi()
    with pytest.raises(ValueError, match="states no Operation"):
        router.route("/after", ["GET"])
    operation = operations.Operation("Something.", answer="Health")
    router.route("/after", ["GET", "POST"], operation)(lambda rc: (200, {}))
    assert router.operations[("/after", "GET")] is router.operations[("/after", "POST")] is operation
