"""Rendering: the summary object → HTML (Jinja2, autoescaped) → PDF (WeasyPrint).

This and the report service are the only places that load WeasyPrint, and only when a report
is printed, so the unit-facing functions never pay for it at cold start.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.ext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from checkround.formats.text import in_language

from .display import format_number
from .document import view as document_view
from .kinds import TABLES, display_value
from .labels import BLANK_LABELS, LABELS


class ShippedAssetsFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Fetch ``data:`` URIs and files under the shipped assets folder; refuse everything else.

    WeasyPrint's default fetcher would read any ``file://`` path or reach the network, and the
    report holds text that units typed.
    """

    def __init__(self, assets_root: Path) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
        self._root = assets_root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            from urllib.request import url2pathname

            path = Path(url2pathname(url.split("?", 1)[0].removeprefix("file:"))).resolve()
            if self._root not in path.parents:
                raise ValueError(f"refused to fetch {url!r}: outside the shipped assets")
            return URLFetcherResponse(url, body=path.read_bytes())
        if not url.startswith("data:"):
            raise ValueError(f"refused to fetch {url!r}")
        return super().fetch(url, headers)


class _TagWhitespace(jinja2.ext.Extension):
    """Drop the templates' indentation between tags, in the template source only.

    A line break between two tags is layout of the template, not text; WeasyPrint would build,
    style and lay out a box for each of those whitespace runs (about 4 % of a summary's work).
    Values are inserted later, at render time, so nothing a unit typed is touched.
    """

    _BETWEEN = re.compile(r"(>|%}|#})[ \t]*\n\s*(?=<|{%|{#)")

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return self._BETWEEN.sub(r"\1", source)


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        extensions=[_TagWhitespace],
        # Every template is autoescaped, whatever its extension: answers are untrusted text.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Numbers follow the document's language (the ``lang`` every render passes).
    env.filters["num"] = jinja2.pass_context(lambda ctx, v, digits=2: format_number(v, digits, ctx["lang"]))
    env.filters["shown"] = jinja2.pass_context(lambda ctx, v, field: display_value(field, v, ctx["lang"]))
    env.filters["pct"] = jinja2.pass_context(
        lambda ctx, v: "—" if v is None else f"{format_number(100 * v, 0, ctx['lang'])}%"
    )
    env.filters["unit_named"] = lambda unit_id, names: names.get(unit_id, unit_id)
    env.globals["bar_svg"] = bar_svg
    # The summary draws each field with the macro its report kind names (reports.kinds).
    env.globals["macro"] = jinja2.pass_context(lambda ctx, name: ctx.resolve(name))
    env.globals["tables"] = TABLES
    return env


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,6}")


def bar_svg(parts: list[tuple[float, str]], whole: float, width: int) -> str:
    """A horizontal bar 8 pt high and ``width`` pt long, as a ``data:`` URI of an SVG image.

    ``parts`` are (value, colour) segments stacked from the left, each ``value / whole`` of the
    length, inside a grey frame. An image is one box for WeasyPrint (and equal bars are decoded
    once per document); the same bar as inline ``<svg>`` was a styled element per rectangle.
    Only numbers and ``#rgb`` colours go into the SVG, never text.
    """
    x = 0.0
    rects = []
    for value, colour in parts:
        if not _COLOUR.fullmatch(colour):
            raise ValueError(f"not a colour: {colour!r}")
        w = width * float(value) / float(whole) if whole else 0.0
        if w > 0:
            rects.append(f'<rect x="{x:g}" width="{w:g}" height="8" fill="{colour}"/>')
        x += w
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="8pt" viewBox="0 0 {width} 8">'
        + "".join(rects)
        + f'<rect width="{width}" height="8" fill="none" stroke="#999" stroke-width="0.5"/></svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def render_html(summary: dict[str, Any], templates_dir: Path) -> str:
    """The report as HTML; ``summary["document"]`` is the document's view (its parts, number,
    date and narrative: :func:`checkround.reports.document.view`), a draft of the defaults
    when the caller gave none."""
    template = _environment(str(templates_dir)).get_template("report/summary.html.j2")
    labels = in_language(LABELS, summary["language"])
    shown = summary.get("document") or document_view(summary)
    return template.render(s=summary, d=shown, t=labels, lang=summary["language"])


def render_pdf(summary: dict[str, Any], templates_dir: Path) -> bytes:
    return print_pdf(render_html(summary, templates_dir), templates_dir)


def render_unit_pdf(view: dict[str, Any], templates_dir: Path) -> bytes:
    """One unit's filled checklist (``view`` from :func:`checkround.reports.service.unit_view`)."""
    template = _environment(str(templates_dir)).get_template("report/unit.html.j2")
    labels = in_language(LABELS, view["language"])
    return print_pdf(template.render(u=view, t=labels, lang=view["language"]), templates_dir)


def render_blank_html(view: dict[str, Any], templates_dir: Path) -> str:
    template = _environment(str(templates_dir)).get_template("report/blank.html.j2")
    return template.render(b=view, t=in_language(BLANK_LABELS, view["language"]), lang=view["language"])


def render_blank_pdf(view: dict[str, Any], templates_dir: Path) -> bytes:
    """A blank form to fill in on paper (``view`` from :func:`checkround.reports.blank.blank_view`)."""
    return print_pdf(render_blank_html(view, templates_dir), templates_dir, "blank.css")


def print_pdf(html: str, templates_dir: Path, stylesheet_name: str = "summary.css") -> bytes:
    """HTML → PDF with a report stylesheet, the shipped fonts and nothing else fetched."""
    assets = templates_dir / "report"
    fetcher = ShippedAssetsFetcher(templates_dir)
    stylesheet, fonts = _stylesheet(assets / stylesheet_name, fetcher)
    with _gc_paused():
        document = HTML(string=html, base_url=str(assets) + "/", url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf


_local = threading.local()


def _stylesheet(path: Path, fetcher: ShippedAssetsFetcher) -> tuple[CSS, FontConfiguration]:
    """The parsed stylesheet and the font configuration holding its ``@font-face`` fonts.

    Kept per thread (a Pango font map is not shared between threads) and reused while the file
    is unchanged: a warm instance then parses the CSS and registers the four font files once,
    not on every render.
    """
    key = (str(path), path.stat().st_mtime_ns)
    sheets: dict[str, tuple[tuple[str, int], CSS, FontConfiguration]] = _local.__dict__.setdefault("sheets", {})
    cached = sheets.get(path.name)
    if cached is None or cached[0] != key:
        fonts = FontConfiguration()
        css = CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts, base_url=str(path.parent) + "/")
        cached = sheets[path.name] = (key, css, fonts)
    return cached[1], cached[2]


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off while WeasyPrint builds a document.

    A render allocates hundreds of thousands of long-lived objects (boxes, computed styles), so
    the collector kept running full passes over them that freed almost nothing: about a tenth
    of a summary's time. Reference counting still frees everything at once; cycles wait for
    the next collection after the render. Renders in other threads share one pause.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
