"""Drawing the web form's pages: the Jinja environment and its filters, the page's language,
relative links and redirects.

Every page speaks one language (``rc.language_for_page``): the round's, unless ``?lang=`` asks
for another; an error page, which may have no round, speaks ``?lang=`` or the browser's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from werkzeug.wrappers import Response

from checkround.formats.dates import DateError, format_date, parse_date
from checkround.formats.numbers import format_for_input, format_number
from checkround.formats.text import LANGUAGES, localized
from checkround.formats.zones import DEFAULT_ZONE
from checkround.forms.fieldtypes import REGISTRY, missing_answer
from checkround.forms.fillers import shown_to_unit, unit_fills
from checkround.forms.formdata import whole_number
from checkround.forms.messages import messages as answer_messages
from checkround.http.core import RequestContext

from .assets import SECURITY_HEADERS, static_url

PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


@jinja2.pass_context
def _plain(context: Any, value: Any) -> str:
    """An answer as an input shows it: nothing for no answer, a number as the page's language
    writes it, ungrouped so that it reads back as itself (1265,5 and 38, not 38,0)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_for_input(value, context.get("lang", "vi"))
    return str(value)


def _date_input(value: Any) -> str:
    """A date as its input shows it: a stored ISO date as 14/06/2019, a text that was not read
    as a date as it was typed."""
    if value is None:
        return ""
    try:
        return format_date(parse_date(str(value)))
    except DateError:
        return str(value)


def _when(moment: Any, zone: str | None) -> str:
    if not isinstance(moment, datetime):
        return ""
    local = moment.astimezone(ZoneInfo(zone or DEFAULT_ZONE))
    offset = local.strftime("%z")
    return f"{local:%H:%M %d/%m/%Y} (UTC{offset[:3]}:{offset[3:]})"


def clock_time(moment: Any, zone: str | None) -> str:
    """The hour and minute of a moment in the round's time zone: "10:32"."""
    if not isinstance(moment, datetime):
        return ""
    return f"{moment.astimezone(ZoneInfo(zone or DEFAULT_ZONE)):%H:%M}"


def messages(errors: Any) -> list[str]:
    """Every message of a nested error, in order."""
    if isinstance(errors, Mapping):
        return [message for value in errors.values() for message in messages(value)]
    if isinstance(errors, list | tuple):
        return [message for value in errors for message in messages(value)]
    return [str(errors)]


@jinja2.pass_context
def _num(context: Any, value: Any) -> str:
    """A computed number as the reports print it: at most two decimals, grouped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return format_number(value, context.get("lang", "vi"), 2)


def _asks(field: Mapping[str, Any], lang: str) -> str:
    return missing_answer(field, answer_messages(lang), lang)


def field_id(*parts: Any) -> str:
    """The element id of a field (``f-section-field``, ``f-section-group-0-sub``): keys are
    ``[a-z][a-z0-9_]*``, so joining them with ``-`` cannot make two fields collide."""
    return "-".join(str(part) for part in parts)


@lru_cache(maxsize=2)
def _env(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals.update(
        # The field's registry entry: widgets.html.j2 draws it with the macro its widget names.
        field_type=lambda field: REGISTRY[field["type"]],
        # What to do when a required answer is left empty, as the server says it.
        asks=jinja2.pass_context(lambda context, field: _asks(field, context.get("lang", "vi"))),
        macro=jinja2.pass_context(lambda context, name: context.resolve(name)),
        field_id=field_id,
        whole_number=whole_number,
        static_url=lambda name: static_url(Path(templates_dir), name),
        # Who fills what (forms.fillers): the form draws a reviewer's part read-only or not at all.
        unit_fills=unit_fills,
        shown_to_unit=shown_to_unit,
    )
    env.tests["shown_to_unit_in"] = lambda field, section: shown_to_unit(section, field)
    env.filters.update(loc=localized, plain=_plain, date_input=_date_input, when=_when, messages=messages, num=_num)
    return env


def environment(templates_dir: Path) -> jinja2.Environment:
    """The web form's Jinja environment (its widgets' globals and filters), for another page
    that draws the form's fields: the console's entry on a unit's behalf."""
    return _env(str(templates_dir))


def text(rc: RequestContext) -> dict[str, Any]:
    """The web form's sentences (templates/webform/text.html.j2) in the page's language."""
    env = _env(str(rc.ctx.settings.templates_dir))
    texts: dict[str, dict[str, Any]] = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    return texts[rc.language_for_page]


def root(rc: RequestContext) -> str:
    """The way from this page back to the function's root, as a relative URL.

    Links, redirects and static files are addressed relative to the page because the function
    cannot know its public prefix (``/web_form`` locally and on the function's own URL, or a
    load balancer's). Counted from the path within the function, so a path that arrives with
    ``/web_form`` still in front (:meth:`~checkround.http.core.Router.local_path`) links the same.
    """
    return "../" * (rc.path.count("/") - 1)


def render(rc: RequestContext, template: str, status: int = 200, **values: Any) -> Response:
    env = _env(str(rc.ctx.settings.templates_dir))
    html = env.get_template(template).render(lang=rc.language_for_page, T=text(rc), root=root(rc), **values)
    return Response(html, status=status, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def json_reply(body: Mapping[str, Any], status: int = 200) -> Response:
    """What the page's script gets back from a post it made in the background."""
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json", headers=PAGE_HEADERS
    )


# An element id of the form page (a section's or a field's): keys are [a-z][a-z0-9_]*.
_ANCHOR = re.compile(r"[a-z][a-z0-9_-]{0,300}")


def redirect(rc: RequestContext, target: str, anchor: str | None = None, **query: str) -> Response:
    """A 303 to ``target`` (relative to the function's root): after a POST, the browser's
    back and reload buttons then repeat a harmless GET. ``anchor``, an element id, is where
    the page opens (anything else is left out)."""
    location = root(rc) + target + (f"?{urlencode(query)}" if query else "")
    if anchor and _ANCHOR.fullmatch(anchor):
        location += f"#{anchor}"
    return Response(status=303, headers={**PAGE_HEADERS, "Location": location})


def asked_language(rc: RequestContext) -> str | None:
    asked = rc.request.args.get("lang")
    return asked if asked in LANGUAGES else None


def use_round_language(rc: RequestContext, view: Mapping[str, Any]) -> str:
    """Vietnamese unless the page asks otherwise (``?lang=``) or the round speaks another."""
    round_lang = view["round"].get("language")
    rc.language_for_page = asked_language(rc) or (round_lang if round_lang in LANGUAGES else "vi")
    return rc.language_for_page


def error_text(rc: RequestContext) -> dict[str, Any]:
    """An error page speaks ``?lang=``, else the browser's language (Vietnamese when it states
    none): there may be no round to take the language from."""
    rc.language_for_page = asked_language(rc) or rc.language
    return text(rc)


def draw(templates_dir: Path, template: str, language: str, root_path: str, **values: Any) -> str:
    """A template drawn in the web form's environment (its widgets, filters and sentences) with
    links relative to ``root_path``: the console's builder previews a form with it, so the
    preview is the unit's page, drawn by the same templates and run by the same scripts."""
    env = _env(str(templates_dir))
    texts: dict[str, dict[str, Any]] = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    return env.get_template(template).render(lang=language, T=texts[language], root=root_path, **values)
