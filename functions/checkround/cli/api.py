"""The CLI's one way to the server: the devstack's HTTP client, with every way a request can
fail turned into a :class:`~checkround.cli.failures.Failure` and its exit code.

The CLI reaches Checkround over HTTP only, so it works the same against the local stack
and against the deployed ``admin_api``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
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
        with self._mapped(url):
            try:
                result = client.call(method, path, body, headers=dict(headers or {}))
            except ApiError as exc:
                raise _refusal(exc, url, self.lang) from None
        if not isinstance(result, dict):
            raise Unreachable(text(self.lang, "not_api", url=url, status="200"))
        return result

    def send_file(
        self, path: str, data: bytes, media: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """``POST path`` with ``data`` as the body (a file, not JSON): the status and the JSON
        object answered, or a Failure with the same exit codes as :meth:`call`."""
        client = self.client()
        url = client.base + path
        with self._mapped(url):
            response = client.session.post(
                url, data=data, headers={"Content-Type": media, **(headers or {})}, timeout=(10, 120)
            )
            if response.status_code not in (200, 201):
                raise _refusal(ApiError(response.status_code, _payload(response)), url, self.lang)
            result = response.json()
        if not isinstance(result, dict):
            raise Unreachable(text(self.lang, "not_api", url=url, status=response.status_code))
        return response.status_code, result

    def download(
        self,
        path: str,
        dest: Path,
        params: Mapping[str, str] | None = None,
        progress: Callable[[int | None], AbstractContextManager[Callable[[int], None]]] | None = None,
    ) -> int:
        """``GET path`` streamed into ``dest``; the number of bytes written, or a Failure with
        the same exit codes as :meth:`call` (and BadInput, 2, when ``dest`` cannot be written).

        The body goes to a hidden file beside ``dest`` that is renamed at the end, so a download
        that breaks off (a streamed export cannot turn a late error into a JSON answer) never
        leaves a truncated file under the name a script expects. ``progress`` is given the
        length (None when the server streams without one) and returns a context whose value is
        called with each chunk's size.
        """
        client = self.client()
        url = client.base + path
        # (connect, read) timeouts: a stalled server fails the command instead of hanging it.
        with self._mapped(url), client.session.get(url, params=params, stream=True, timeout=(10, 120)) as response:
            if response.status_code != 200:
                raise _refusal(ApiError(response.status_code, _payload(response)), url, self.lang)
            if response.headers.get("Content-Type", "").startswith("text/html"):
                # A login page or a proxy's placeholder answered 200: not a file of ours.
                raise Unreachable(text(self.lang, "not_api", url=url, status=response.status_code))
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isascii() and length.isdigit() else None
            watching = progress(total) if progress else nullcontext(_ignore)
            return self._save(response, dest, watching)

    def _save(
        self, response: requests.Response, dest: Path, watching: AbstractContextManager[Callable[[int], None]]
    ) -> int:
        part = dest.with_name(f".{dest.name}.part")
        written = 0
        try:
            with part.open("wb") as handle, watching as advance:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    handle.write(chunk)
                    written += len(chunk)
                    advance(len(chunk))
            os.replace(part, dest)
        except requests.RequestException:
            raise  # requests' errors are OSErrors too, but they are the server's, not the file's
        except OSError as exc:
            raise BadInput(text(self.lang, "unwritable", file=dest, detail=exc.strerror or exc)) from None
        finally:
            part.unlink(missing_ok=True)
        return written

    @contextmanager
    def _mapped(self, url: str) -> Iterator[None]:
        """Every way requests can fail, as the Failure (and exit code) a script can rely on."""
        try:
            yield
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise BadInput(text(self.lang, "bad_url", url=self.url or url)) from exc
        except requests.Timeout:
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=text(self.lang, "timed_out"))) from None
        except requests.exceptions.ChunkedEncodingError:
            # Caught before ConnectionError: the server answered, then the stream broke off.
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=text(self.lang, "cut_off"))) from None
        except requests.ConnectionError as exc:
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=_reason(exc, self.lang))) from None
        except requests.RequestException as exc:
            # The rest (a body that is not JSON, redirect loops) is no usable answer either.
            raise Unreachable(text(self.lang, "unreachable", url=url, reason=type(exc).__name__)) from None


def _payload(response: requests.Response) -> Any:
    """An error answer's body, as ApiError holds it: the JSON, or else the text."""
    try:
        return response.json()
    except ValueError:
        return response.text


def _ignore(_size: int) -> None:
    """The progress callback when nobody watches."""


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
