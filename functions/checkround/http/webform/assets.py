"""The web form's stylesheet and scripts (``templates/webform/static``), served by the function.

``GET /assets/{file}`` serves them from this function so that the Content-Security-Policy can
allow styles and scripts from this function only. Not ``/static/``: functions-framework's Flask
app answers that path itself. Pages name each file with a digest of its content (``?v=``).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.http.core import Reply, RequestContext

# What every answer of the web form carries, pages and the files they load alike: scripts and
# styles from this function only, no inline script, no framing, no referrer.
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}
# Static files are named in pages with a digest of their content (``?v=``), so a browser may
# keep them for a year and still never runs an old script against a new page.
_STATIC_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.(css|js)")


@lru_cache(maxsize=32)
def _static_file(directory: str, name: str, mtime: float) -> tuple[bytes, str]:
    data = (Path(directory) / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def _static(templates_dir: Path, name: str) -> tuple[bytes, str] | None:
    if not _STATIC_NAME.fullmatch(name):
        return None
    directory = templates_dir / "webform" / "static"
    path = directory / name
    if not path.is_file():
        return None
    # The modification time in the key: an edited file is served (and named) anew at once.
    return _static_file(str(directory), name, path.stat().st_mtime)


def static_url(templates_dir: Path, name: str) -> str:
    """The address of a static file relative to the function's root, with its digest."""
    found = _static(templates_dir, name)
    if found is None:
        raise LookupError(f"no static file {name!r}")
    return f"assets/{name}?v={found[1]}"


def static_file(rc: RequestContext, name: str) -> Reply:
    """``GET /assets/<name>``."""
    found = _static(rc.ctx.settings.templates_dir, name)
    if found is None:
        raise AppError("not_found", what={"vi": "tệp", "en": "File"})
    content_type = _STATIC_TYPES[Path(name).suffix]
    return Response(found[0], content_type=content_type, headers=_STATIC_HEADERS)


# The service worker is looked for again on every visit (no long cache), so a new version of it
# takes over; it is served at the function's root so that its scope is every page of the form.
_WORKER_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}


def service_worker(rc: RequestContext) -> Reply:
    """``GET /sw.js``: the web form's service worker (templates/webform/static/sw.js)."""
    found = _static(rc.ctx.settings.templates_dir, "sw.js")
    if found is None:
        raise AppError("not_found", what={"vi": "tệp", "en": "File"})
    return Response(found[0], content_type=_STATIC_TYPES[".js"], headers=_WORKER_HEADERS)
