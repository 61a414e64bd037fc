"""Every HTTP function through its real entry point (functions-framework hands the function the
full path, as a platform or a load balancer that does not strip ``/<function>`` would): each
route answers the same with and without the function's name in front."""

from __future__ import annotations

import re

import pytest

from tests.integration.conftest import Api
from tests.integration.helpers import setup_seed_round

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"


def _both(api: Api, prefix: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    plain = api(method, path, body)
    prefixed = api(method, f"/{prefix}{path}", body)
    assert plain.status_code == prefixed.status_code, (path, plain.status_code, prefixed.status_code)
    assert plain.get_json() == prefixed.get_json(), path
    return plain.status_code, plain.get_json()


@pytest.mark.parametrize("name", ["admin_api", "unit_api", "web_form", "close_due_rounds"])
def test_health_with_and_without_the_prefix(apps, project, name):
    status, body = _both(Api(apps[name]), name, "GET", "/healthz")
    assert (status, body) == (200, {"status": "ok", "function": name})
    status, body = _both(Api(apps[name]), name, "GET", "/healthz?deep=1")
    assert status == 200
    assert body["firestore"] == "ok"


def test_admin_api_with_and_without_the_prefix(admin):
    setup_seed_round(admin)
    status, units = _both(admin, "admin_api", "GET", "/units")
    assert status == 200
    assert "ba-che" in str(units)
    status, one = _both(admin, "admin_api", "GET", f"/rounds/{ROUND}")
    assert status == 200
    assert ROUND in str(one)
    # A write through the prefixed path lands where the plain path reads it.
    body = {"name": "Đơn vị thử", "name_en": "Test unit", "cluster": "khoi-llvt-doanh-nghiep", "kind": "agency"}
    assert admin("PUT", "/admin_api/units/don-vi-thu", body).status_code == 200
    assert "don-vi-thu" in str(admin("GET", "/units").get_json())
    assert _both(admin, "admin_api", "GET", "/openapi.json")[0] == 200
    assert admin("GET", f"/admin_api/admin_api/rounds/{ROUND}").status_code == 404


def test_unit_api_with_and_without_the_prefix(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["ba-che"])
    status, form = _both(unit, "unit_api", "GET", f"/rounds/{ROUND}/form")
    assert status == 200
    assert form
    assert unit("PUT", f"/unit_api/rounds/{ROUND}/draft", {"answers": {}}).status_code == 200
    # Nothing submitted yet: the same 404 both ways (a route that matched, not a missing one).
    status, missing = _both(unit, "unit_api", "GET", f"/rounds/{ROUND}/submission")
    assert status == 404
    assert "báo cáo" in missing["error"]["message"]  # the report is missing, not the route
    assert _both(unit, "unit_api", "GET", "/openapi.json")[0] == 200


def test_web_form_links_the_same_with_and_without_the_prefix(admin, apps):
    tokens = setup_seed_round(admin)
    pages = {}
    for prefix in ("", "/web_form"):
        client = apps["web_form"].test_client()
        first = client.get(f"{prefix}/r/{ROUND}", query_string={"t": tokens.links["ba-che"], "lang": "en"})
        assert first.status_code == 303
        # Relative to the page, so the browser stays under whatever prefix it used.
        assert first.headers["Location"] == f"../r/{ROUND}?lang=en"
        page = client.get(f"{prefix}/r/{ROUND}", query_string={"lang": "en"})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        css = re.search(r'href="\.\./(assets/form\.css\?v=[0-9a-f]{16})"', html).group(1)
        assert client.get(f"{prefix}/{css}").status_code == 200
        # Everything but the per-page random values (CSRF token, submission key) is the same.
        pages[prefix] = re.sub(r'name="(csrf|submission_key)" value="[^"]+"', "", html)
    assert pages[""] == pages["/web_form"]


def test_close_due_rounds_with_and_without_the_prefix(apps, project):
    api = Api(apps["close_due_rounds"])
    status, _ = _both(api, "close_due_rounds", "POST", "/")
    assert status == 200
    assert api("POST", "/close_due_rounds").status_code == 200
