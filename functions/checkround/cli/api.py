"""The CLI's one way to the server: the devstack's HTTP client, with every way a request can
fail turned into a :class:`~checkround.cli.failures.Failure` and its exit code.

The CLI reaches Checkround over HTTP only, so it works the same against the local stack
and against the deployed ``admin_api``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from checkround.config import Settings, settings
from checkround.devstack.client import ApiError, Client

from .failures import BadInput, Failure, Refused, Unreachable
from .messages import text


def path_id(value: str) -> str:
    """An id as one path segment: a slash or '?' in a bad id must not change the route."""
    return quote(value, safe="")


@dataclass
class Connection:
    """Where and as whom to call the admin API; resolved on the first call, so that ``--help``
    and file errors never depend on the configuration."""

    url: str | None  # --url / CHECKROUND_URL; None means the local stack's port
    token: str | None  # --token / CHECKROUND_TOKEN; None means the local stack's saved token
    lang: str
    _client: Client | None = field(default=None, repr=False)

    def base_url(self) -> str:
        if self.url is None:
            return f"http://127.0.0.1:{_settings(self.lang).port}"
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadInput(text(self.lang, "bad_url", url=self.url))
        return self.url.rstrip("/")

    def admin_token(self) -> str:
        token = self.token
        if token is None:
            token_file = _settings(self.lang).local_dir / "admin-token"
            try:
                token = token_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                token = ""
            if not token:
                raise BadInput(text(self.lang, "no_token", path=token_file))
        # requests would refuse such a header value with an exception of its own.
        if not token.isascii() or any(c.isspace() or not c.isprintable() for c in token):
            raise BadInput(text(self.lang, "bad_token"))
        return token

    def client(self) -> Client:
        if self._client is None:
            self._client = Client(self.base_url(), self.admin_token())
            self._client.session.headers["Accept-Language"] = self.lang
        return self._client

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON object the API answered, or a Failure: Refused (1), Unreachable (3)."""
        client = self.client()
        url = client.base + path
        try:
            result = client.call(method, path, body, headers=dict(headers or {}))
        except ApiError as exc:
            raise _refusal(exc, url, self.lang) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise BadInput(text(self.lang, "bad_url", url=self.url or url)) from exc
        except requests.Timeout:
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=text(self.lang, "timed_out"))) from None
        except requests.ConnectionError as exc:
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=_reason(exc, self.lang))) from None
        except requests.RequestException as exc:
            # The rest (a broken stream, a body that is not JSON, redirect loops) is no usable answer either.
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=type(exc).__name__)) from None
        if not isinstance(result, dict):
            raise Unreachable(text(self.lang, "not_api", url=url, status="200"))
        return result


def _refusal(exc: ApiError, url: str, lang: str) -> Failure:
    """The API's own error shape is a refusal (exit 1); any other error page means that
    something else answered at that URL, a proxy or another server (exit 3)."""
    error = exc.body.get("error") if isinstance(exc.body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return Refused(exc.status, error["code"], str(error.get("message", "")), error.get("fields"))
    return Unreachable(text(lang, "not_api", url=url, status=exc.status))


def _reason(exc: requests.ConnectionError, lang: str) -> str:
    """The OS's words ("Connection refused", "Name or service not known") out of urllib3's
    long message; that line is what tells a user whether the port or the host is wrong."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return found.group(1).strip() if found else text(lang, "connection_failed")


def _settings(lang: str) -> Settings:
    try:
        return settings()
    except ValueError as exc:  # e.g. CHECKROUND_PORT=abc
        raise BadInput(text(lang, "bad_config", detail=exc)) from None
