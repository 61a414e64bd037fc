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

from checkround.errors import AppError

from .compiler import CACHE
from .fieldtypes import REGISTRY
from .formdata import answers_from_form, empty_rows, readable, repeat_groups, unread_errors, without_row
from .messages import messages
from .readers import FormData
from .rules import ITEM
from .validate import check_answers, rule_view


@dataclass(frozen=True)
class Post:
    """A posted page: what to do and the answers it holds."""

    action: Literal["draft", "submit", "redraw"]
    answers: dict[str, Any]
    # Repeat rows to offer empty when the page is drawn again, by group (``section.field``).
    blanks: dict[str, int] = field(default_factory=dict)
    # A form of one section per page: the page to open once the draft is saved (a section's
    # key, or "check" for the page that shows every answer before sending).
    goto: str | None = None


def read_post(definition: Mapping[str, Any], data: FormData, language: str = "vi") -> Post:
    """The answers and the action of a posted page (``action`` is ``draft``, ``submit``,
    ``add:<group>``, ``remove:<group>.<row>`` or ``goto:<page>``, a draft saved on the way to
    another page of a form of one section per page; a page without one submits), its numbers
    read as ``language`` writes them."""
    answers = answers_from_form(definition, data, language)
    verb, _, target = (data.get("action") or "submit").partition(":")
    groups = repeat_groups(definition)
    if verb == "add" and target in groups:
        return Post("redraw", answers, {target: empty_rows(definition, data).get(target, 0) + 1})
    if verb == "remove":
        group, _, index = target.rpartition(".")
        # Six digits at most: a row number no page draws (thousands of digits are past int()).
        if group in groups and index.isascii() and index.isdigit() and len(index) <= 6:
            answers = answers_from_form(definition, without_row(data, group, int(index)), language)
        return Post("redraw", answers)
    if verb == "goto" and target:
        return Post("draft", answers, goto=target)
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
        data: dict[str, Any] = schema.load(readable(values))
    except ValidationError as exc:
        data = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    try:
        return rule_view(definition, data)
    except AppError as exc:
        if exc.code != "rules_too_costly":
            raise
        # The page is still drawn, with what the unit typed and without the preview; sending
        # it gets the refusal (422) in words.
        return {}, set()


def _overlay(under: Any, over: Any) -> Any:
    """Nested errors ``over`` laid on ``under``: a message of ``over`` replaces what ``under``
    says at the same place, and the rest of both is kept."""
    if not (isinstance(under, Mapping) and isinstance(over, Mapping)):
        return over
    return {**under, **{key: _overlay(under.get(key), value) for key, value in over.items()}}


def _shown(errors: Mapping[Any, Any], hidden: set[str], prefix: str = "") -> dict[Any, Any]:
    """``errors`` less those of fields the rules hide (``hidden`` names them by dotted path)."""
    kept: dict[Any, Any] = {}
    for key, value in errors.items():
        path = f"{prefix}{key}"
        if path in hidden:
            continue
        found = _shown(value, hidden, f"{path}.") if isinstance(value, Mapping) else value
        if found:
            kept[key] = found
    return kept


def unread_refusal(
    definition: Mapping[str, Any], version: int, answers: Mapping[str, Any], lang: str, draft: bool
) -> dict[Any, Any] | None:
    """The errors of a post holding a number or date that could not be read, which must not
    be saved (draft or not): its message, with whatever else the answers would be refused for,
    so that one post shows them all. ``None`` when every one was read, or when those that were
    not are in fields the rules hide (whose answers are not kept: save
    :func:`~checkround.forms.formdata.readable` answers)."""
    unread = unread_errors(answers)
    if unread:
        _, hidden = preview(definition, version, answers, lang)
        unread = _shown(unread, hidden)
    if not unread:
        return None
    schema = CACHE.get(definition["id"], version, definition, lang, draft=draft)
    try:
        check_answers(definition, schema, readable(answers), lang, draft)
    except AppError as exc:
        return dict(_overlay(exc.fields or {}, unread))
    return unread


def number_messages(lang: str) -> dict[str, str]:
    """What the page's script says of a number it cannot read: the server's own messages."""
    msgs = messages(lang)
    return {key: msgs[key] for key in ("unreadable_number", "unreadable_integer", "ambiguous_number", "too_large")}


SectionState = Literal["complete", "in_progress", "errors", "not_started"]


def _answered(value: Any, widget: str) -> bool:
    if widget == "checklist":
        return isinstance(value, Mapping) and all(_answered(value.get(part), "") for part in ("status", "score"))
    if isinstance(value, Mapping | list | tuple | set):
        return any(_answered(item, "") for item in (value.values() if isinstance(value, Mapping) else value))
    return value is not None and str(value).strip() != ""


def progress(
    definition: Mapping[str, Any], values: Mapping[str, Any], errors: Mapping[Any, Any], not_relevant: set[str]
) -> dict[str, SectionState]:
    """Where each section stands, for the page's list of sections: ``errors`` when the last
    post found any in it, else ``complete`` when every question it needs is answered (and at
    least one is), ``not_started`` when none is, ``in_progress`` between. Questions not
    relevant to the answers, and calculated ones, do not count. The page's script says the
    same as the unit types (guide.js)."""
    states: dict[str, SectionState] = {}
    for section in definition["sections"]:
        key = section["key"]
        if errors.get(key):
            states[key] = "errors"
            continue
        found = values.get(key)
        given: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        asked = [
            f
            for f in section["fields"]
            if f"{key}.{f['key']}" not in not_relevant and key not in not_relevant and not REGISTRY[f["type"]].computed
        ]
        answered = [f for f in asked if _answered(given.get(f["key"]), REGISTRY[f["type"]].widget)]
        needed = [f for f in asked if f.get("required") is True]
        if not answered:
            states[key] = "not_started"
        elif all(f in answered for f in needed):
            states[key] = "complete"
        else:
            states[key] = "in_progress"
    return states


def client_rules(definition: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs to evaluate the form's rules: for each field, the reader of
    form.js that reads it (its registry entry's ``browser_reader``), whether it is computed, its
    ``relevant`` and ``calculate`` rules as the definition states them, and its sub-fields."""

    def spec_of(f: Mapping[str, Any]) -> dict[str, Any]:
        kind = REGISTRY[f["type"]]
        spec: dict[str, Any] = {"key": f["key"], "reader": kind.browser_reader}
        if kind.computed:
            spec["computed"] = True
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
