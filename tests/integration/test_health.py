"""The health routes through the real entry points (functions-framework apps)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

HTTP_FUNCTIONS = ("admin_api", "unit_api", "web_form", "close_due_rounds")


@pytest.mark.parametrize("name", HTTP_FUNCTIONS)
def test_each_function_answers_health_and_deep_health(apps, project, name):
    client = apps[name].test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "function": name}
    assert response.headers["X-Request-Id"]
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200, deep.get_json()
    assert deep.get_json()["firestore"] == "ok"
