"""What the web form asks of a form, apart from HTTP: reading a posted page, and its preview.

:func:`read_post` turns a posted page (its inputs named ``section.field``, read per widget by
:mod:`.formdata`) into the answers it holds and what its button asked for: save a draft, submit,
or, for a browser without JavaScript, add or remove a repeat row, after which the page is drawn
again and nothing is saved. :func:`preview` says what the form's rules make of answers as a page
shows them (calculated values, fields not relevant), and :func:`client_rules` gives the page's
script what it needs to say the same in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from marshmallow import ValidationError

from .compiler import CACHE
from .fieldtypes import REGISTRY
from .formdata import FormData, answers_from_form, empty_rows, repeat_groups, without_row
from .rules import ITEM
from .validate import rule_view


@dataclass(frozen=True)
class Post:
    """A posted page: what to do and the answers it holds."""

    action: Literal["draft", "submit", "redraw"]
    answers: dict[str, Any]
    # Repeat rows to offer empty when the page is drawn again, by group (``section.field``).
    blanks: dict[str, int] = field(default_factory=dict)


def read_post(definition: Mapping[str, Any], data: FormData) -> Post:
    """The answers and the action of a posted page (``action`` is ``draft``, ``submit``,
    ``add:<group>`` or ``remove:<group>.<row>``; a page without one submits)."""
    answers = answers_from_form(definition, data)
    verb, _, target = (data.get("action") or "submit").partition(":")
    groups = repeat_groups(definition)
    if verb == "add" and target in groups:
        return Post("redraw", answers, {target: empty_rows(definition, data).get(target, 0) + 1})
    if verb == "remove":
        group, _, index = target.rpartition(".")
        if group in groups and index.isdigit():
            answers = answers_from_form(definition, without_row(data, group, int(index)))
        return Post("redraw", answers)
    if verb not in ("draft", "submit"):
        return Post("redraw", answers)  # an action of another page: save nothing
    return Post("draft" if verb == "draft" else "submit", answers)


def preview(
    definition: Mapping[str, Any], version: int, values: Mapping[str, Any], lang: str
) -> tuple[dict[str, Any], set[str]]:
    """What the rules say about the answers as the page shows them: ``(calculated values by
    name, names of the fields not relevant)``.

    The answers are typed by the form's draft schema first (the page posts strings, and the
    string "false" is true to JSON Logic); values that do not convert are left out.
    """
    schema = CACHE.get(definition["id"], version, definition, lang, draft=True)
    try:
        data: dict[str, Any] = schema.load(values)
    except ValidationError as exc:
        data = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    return rule_view(definition, data)


def client_rules(definition: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs to evaluate the form's rules: each field's widget, its
    ``relevant`` and ``calculate`` rules, as the definition states them."""

    def spec_of(f: Mapping[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"key": f["key"], "widget": REGISTRY[f["type"]].widget}
        spec.update({name: f[name] for name in ("relevant", "calculate") if f.get(name) is not None})
        if f.get("fields"):
            spec["fields"] = [spec_of(sub) for sub in f["fields"]]
        return spec

    return {
        "item": ITEM,
        "sections": [
            {"key": s["key"], "relevant": s.get("relevant"), "fields": [spec_of(f) for f in s["fields"]]}
            for s in definition["sections"]
        ],
    }
