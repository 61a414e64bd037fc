"""A minimal client of the public HTTP API, for the seed loader and the demo."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import requests


class ApiError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Client:
    def __init__(self, base_url: str, token: str | None = None, function: str = "admin_api") -> None:
        self.base = f"{base_url.rstrip('/')}/{function}"
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 202), **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        data = None
        if body is not None:
            data = json.dumps(body, default=_default, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        response = self.session.request(method, self.base + path, data=data, headers=headers, timeout=120, **kw)
        if response.status_code not in ok:
            try:
                payload = response.json()
            except ValueError:
                payload = response.text
            raise ApiError(response.status_code, payload)
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response.content
