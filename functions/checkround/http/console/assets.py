"""The console's stylesheets and scripts, served by the function itself (``GET /assets/<file>``)
so that the Content-Security-Policy can allow styles and scripts from this function only.

Files come from ``templates/console/static``, and the web form's stylesheet from
``templates/webform/static`` (the console shares its look: type, colours, inputs, buttons,
notices). Pages name each file with a digest of its content (``?v=``), so a browser may keep it
for a year and never runs an old script against a new page.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.http.core import Reply, RequestContext

# Every answer of the console: scripts and styles from this function only, no inline script,
# no framing, no referrer. The sign-in page adds Google's sign-in script where it is configured.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# Google Identity Services' documented sources (its script, its button's frame and styles).
GOOGLE_CSP = (
    "default-src 'none'; script-src 'self' https://accounts.google.com/gsi/client; "
    "style-src 'self' https://accounts.google.com/gsi/style; frame-src https://accounts.google.com/gsi/; "
    "connect-src 'self' https://accounts.google.com/gsi/; img-src 'self' data:; "
    "form-action 'self' https://accounts.google.com; frame-ancestors 'none'; base-uri 'none'"
)
_STATIC_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}\.(css|js)")
# Shared with the web form: its stylesheet only.
_SHARED = {"form.css": "webform"}


@lru_cache(maxsize=64)
def _read(path: str, mtime: float) -> tuple[bytes, str]:
    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def _static(templates_dir: Path, name: str) -> tuple[bytes, str] | None:
    if not _STATIC_NAME.fullmatch(name) or ".." in name:
        return None
    path = templates_dir / _SHARED.get(name, "console") / "static" / name
    if not path.is_file():
        return None
    # The modification time in the key: an edited file is served (and named) anew at once.
    return _read(str(path), path.stat().st_mtime)


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
    return Response(found[0], content_type=_STATIC_TYPES[Path(name).suffix], headers=_STATIC_HEADERS)
