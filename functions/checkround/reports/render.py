"""Rendering: the summary object → HTML (Jinja2, autoescaped) → PDF (WeasyPrint).

This and the report service are the only places that load WeasyPrint, and only when a report
is printed, so the unit-facing functions never pay for it at cold start.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .display import display_value, format_number
from .labels import LABELS


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


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
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
    return env


def render_html(summary: dict[str, Any], templates_dir: Path) -> str:
    template = _environment(str(templates_dir)).get_template("report/summary.html.j2")
    labels = LABELS.get(summary["language"], LABELS["vi"])
    return template.render(s=summary, t=labels, lang=summary["language"])


def render_pdf(summary: dict[str, Any], templates_dir: Path) -> bytes:
    return print_pdf(render_html(summary, templates_dir), templates_dir)


def render_unit_pdf(view: dict[str, Any], templates_dir: Path) -> bytes:
    """One unit's filled checklist (``view`` from :func:`checkround.reports.service.unit_view`)."""
    template = _environment(str(templates_dir)).get_template("report/unit.html.j2")
    labels = LABELS.get(view["language"], LABELS["vi"])
    return print_pdf(template.render(u=view, t=labels, lang=view["language"]), templates_dir)


def print_pdf(html: str, templates_dir: Path) -> bytes:
    """HTML → PDF with the report stylesheet, the shipped fonts and nothing else fetched."""
    assets = templates_dir / "report"
    fetcher = ShippedAssetsFetcher(templates_dir)
    fonts = FontConfiguration()
    stylesheet = CSS(
        filename=str(assets / "summary.css"), url_fetcher=fetcher, font_config=fonts, base_url=str(assets) + "/"
    )
    document = HTML(string=html, base_url=str(assets) + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf
