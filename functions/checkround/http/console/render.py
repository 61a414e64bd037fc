"""Drawing the console's pages: the Jinja environment, the sentences (``T``), relative links,
redirects and the headers every answer carries.

The sentences live in ``templates/console/text/*.html.j2``, one file per page group, each
setting ``TEXT = {"vi": {...}, "en": {...}}``; a page sees the union of every file's half in its
language as ``T`` (a key defined twice is an error, found by tests/unit/test_console_shell.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from werkzeug.wrappers import Response

from checkround.formats.dates import format_date, format_moment
from checkround.formats.numbers import format_number
from checkround.formats.text import LANGUAGES, localized
from checkround.formats.zones import DEFAULT_ZONE
from checkround.http.core import RequestContext

from .assets import SECURITY_HEADERS, static_url

PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


def root(rc: RequestContext) -> str:
    """The way from this page back to the function's root, as a relative URL (the function
    cannot know its public prefix; counted from the path within the function)."""
    return "../" * (rc.path.count("/") - 1)


def _when(moment: Any, zone: str | None = None) -> str:
    return format_moment(moment, zone or DEFAULT_ZONE) if isinstance(moment, datetime) else ""


@jinja2.pass_context
def _num(context: Any, value: Any, digits: int | None = None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return format_number(value, context.get("lang", "vi"), digits)


@jinja2.pass_context
def _percent(context: Any, part: int, whole: int) -> str:
    if not whole:
        return "—"
    return format_number(100 * part / whole, context.get("lang", "vi"), 0) + " %"


@jinja2.pass_context
def _loc(context: Any, value: Any) -> str:
    return localized(value, context.get("lang", "vi"))


@lru_cache(maxsize=2)
def _env(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals.update(static_url=lambda name: static_url(Path(templates_dir), name))
    env.filters.update(loc=_loc, when=_when, num=_num, percent=_percent, date=lambda d: format_date(d) if d else "")
    return env


@lru_cache(maxsize=4)
def _catalogue(templates_dir: str, mtimes: tuple[tuple[str, float], ...]) -> dict[str, dict[str, Any]]:
    env = _env(templates_dir)
    merged: dict[str, dict[str, Any]] = {lang: {} for lang in LANGUAGES}
    for name, _ in mtimes:
        texts: dict[str, dict[str, Any]] = env.get_template(f"console/text/{name}").module.TEXT  # type: ignore[attr-defined]
        for lang in LANGUAGES:
            twice = set(merged[lang]) & set(texts[lang])
            if twice:
                raise ValueError(f"console/text/{name} defines {sorted(twice)} again")
            merged[lang].update(texts[lang])
    return merged


def catalogue(templates_dir: Path) -> dict[str, dict[str, Any]]:
    """Every page group's sentences, by language."""
    folder = templates_dir / "console" / "text"
    files = tuple(sorted((path.name, path.stat().st_mtime) for path in folder.glob("*.html.j2")))
    return _catalogue(str(templates_dir), files)


def text(rc: RequestContext) -> dict[str, Any]:
    return catalogue(rc.ctx.settings.templates_dir)[rc.language_for_page]


def render_html(rc: RequestContext, template: str, **values: Any) -> str:
    """A template drawn in the page's language (autoescaped), as text: a page, or a printable sheet."""
    env = _env(str(rc.ctx.settings.templates_dir))
    words = text(rc)
    # The language switch keeps the page's query (a board's filters, a page number).
    kept = [(key, value) for key, value in rc.request.args.items(multi=True) if key != "lang"]
    switch = urlencode([*kept, ("lang", words["other_lang_code"])])
    return env.get_template(template).render(
        lang=rc.language_for_page, T=words, root=root(rc), switch_query=switch, **values
    )


def render(rc: RequestContext, template: str, status: int = 200, **values: Any) -> Response:
    html = render_html(rc, template, **values)
    return Response(html, status=status, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def redirect(rc: RequestContext, target: str, **query: str) -> Response:
    """A 303 to ``target`` (relative to the function's root): after a POST, back and reload
    repeat a harmless GET."""
    location = root(rc) + target + (f"?{urlencode(query)}" if query else "")
    return Response(status=303, headers={**PAGE_HEADERS, "Location": location})


def json_reply(body: Mapping[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json; charset=utf-8",
        headers=PAGE_HEADERS,
    )
