"""A printable blank form: any form version as a PDF to fill in by hand (for units that answer
on paper first, and for the admin who then enters it on their behalf).

Each field is drawn by the macro ``paper_<widget>`` of ``templates/report/blank.html.j2``, the
widget the field-type registry names (the web form draws the same field with
``widget_<widget>``): boxes to tick for choices and checklists, lines to write on for texts,
boxes for numbers and dates, a table with empty rows for a repeat group. What the web form does
by itself is said in words (:func:`checkround.forms.rule_words.describe`): which answers a rule
hides unless ("Answer only if ..."), and how a computed total is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkround.formats.text import in_language
from checkround.forms.fieldtypes import REGISTRY, FieldDef
from checkround.forms.fillers import is_self_assessed, unit_fills
from checkround.forms.rule_words import describe as rule_in_words
from checkround.forms.rule_words import field_infos

from .display import format_number, loc
from .labels import BLANK_LABELS

# Empty rows printed for a repeat group without a smaller max_items: enough for most units, and
# the page says to add a sheet for more.
REPEAT_ROWS = 6
# Writing lines for a long text: about one per 90 characters it may hold, within these bounds.
TEXTAREA_LINES = (4, 10)


def _choices(definition: Mapping[str, Any], field: FieldDef, language: str) -> list[str]:
    listed = field.get("choices")
    if not listed and field.get("choice_set"):
        listed = (definition.get("choice_sets") or {}).get(field["choice_set"]) or []
    return [loc(choice["label"], language) for choice in listed or []]


def _range(field: FieldDef, language: str) -> str | None:
    """The allowed numbers, as the form's validation would say them."""
    t = in_language(BLANK_LABELS, language)
    low, high = field.get("min"), field.get("max")
    if low == 0 and high is None:
        return None  # "0 or more" goes without saying for the counts and amounts it is set on
    if low is not None and high is not None:
        return t["between"].format(a=format_number(low, 2, language), b=format_number(high, 2, language))
    if low is not None:
        return t["at_least"].format(a=format_number(low, 2, language))
    if high is not None:
        return t["at_most"].format(b=format_number(high, 2, language))
    return None


def _required_text(field: FieldDef) -> bool:
    """Required always (a rule that requires it sometimes is said in words instead)."""
    return field.get("required") is True


def _lines(field: FieldDef) -> int:
    if field["type"] != "textarea":
        return 1
    low, high = TEXTAREA_LINES
    return max(low, min(high, int(field.get("max_length") or 0) // 90))


def _yes_of(rule: Any, numbers: Mapping[str, tuple[str, FieldDef]]) -> tuple[str, FieldDef] | None:
    """The yes/no question a rule reads alone (``{"var": "section.field"}``), if it is one: on
    paper "answer only if 3.1 is Yes" says what "... has been answered" does not."""
    if not isinstance(rule, Mapping) or list(rule) != ["var"]:
        return None
    path = rule["var"][0] if isinstance(rule["var"], list) and rule["var"] else rule["var"]
    found = numbers.get(path) if isinstance(path, str) else None
    return found if found is not None and found[1]["type"] == "boolean" else None


def _item(
    definition: Mapping[str, Any],
    field: FieldDef,
    number: str,
    language: str,
    infos: Mapping[str, Any],
    numbers: Mapping[str, tuple[str, FieldDef]] | None = None,
) -> dict[str, Any]:
    """What the template draws of one field (``numbers``: each field's printed number, by path)."""
    notes = []
    t = in_language(BLANK_LABELS, language)
    for kind in ("relevant", "required", "constraint", "calculate"):
        rule = field.get(kind)
        if rule is None or isinstance(rule, bool):
            continue
        yes = _yes_of(rule, numbers or {}) if kind == "relevant" else None
        if yes is not None:
            notes.append(t["rule_relevant_yes"].format(n=yes[0], label=loc(yes[1]["label"], language)))
            continue
        if kind == "constraint" and field.get("constraint_message"):
            continue  # the form's own sentence for it (below) reads better than the rule's
        # The bare sentence (a kind describe() has no template for), worded for paper below.
        said = rule_in_words(rule, "calculate" if kind == "calculate" else "", infos, language)
        if said:
            notes.append(t[f"rule_{kind}"].format(rule=said.removeprefix("= ")))
        elif kind == "calculate":  # a rule too intricate for words: the paper says who computes it
            notes.append(t["computed"])
    message = loc(field.get("constraint_message"), language) if field.get("constraint_message") else None
    item: dict[str, Any] = {
        "widget": REGISTRY[field["type"]].widget,
        "type": field["type"],
        "number": number,
        "label": loc(field["label"], language),
        "hint": loc(field.get("hint"), language) if field.get("hint") else None,
        "required": _required_text(field),
        "notes": [*notes, *([message] if message else [])],
        "unit": loc(field.get("unit"), language) if field.get("unit") else None,
        "range": _range(field, language),
        "choices": _choices(definition, field, language),
        "scale": int(field.get("scale") or 5),
        "max_score": format_number(field["max_score"], 2, language) if field.get("max_score") is not None else None,
        "lines": _lines(field),
        "multiple": field["type"] == "select_multiple",
    }
    if REGISTRY[field["type"]].container:
        sub_infos = field_infos(definition, language, field)
        columns = [
            _item(definition, sub, f"{number}.{index}", language, sub_infos)
            for index, sub in enumerate(field["fields"], start=1)
        ]
        max_items = field.get("max_items")
        item["columns"] = columns
        item["rows"] = min(int(max_items), REPEAT_ROWS) if max_items else REPEAT_ROWS
        item["more_rows"] = not max_items or int(max_items) > REPEAT_ROWS
    return item


def blank_view(definition: Mapping[str, Any], version: int, language: str) -> dict[str, Any]:
    """The form version as the paper form prints it, in ``language``."""
    infos = field_infos(definition, language)
    numbers = {
        f"{section['key']}.{field['key']}": (f"{s_index}.{f_index}", field)
        for s_index, section in enumerate(definition["sections"], start=1)
        for f_index, field in enumerate(section["fields"], start=1)
    }
    sections = []
    t = in_language(BLANK_LABELS, language)
    for s_index, section in enumerate(definition["sections"], start=1):
        # The unit's paper: what the inspection team alone fills is left out (numbers stay the
        # web form's, so the admin entering it finds each item under the same number).
        items = []
        for f_index, field in enumerate(section["fields"], start=1):
            if not unit_fills(section, field):
                continue
            item = _item(definition, field, f"{s_index}.{f_index}", language, infos, numbers)
            if is_self_assessed(section, field):
                item["notes"].insert(0, t["self_assessed"])
            items.append(item)
        if not items:
            continue
        sections.append(
            {
                "number": s_index,
                "title": loc(section["title"], language),
                "description": loc(section.get("description"), language) if section.get("description") else None,
                "items": items,
            }
        )
    return {
        "language": language,
        "form_id": definition["id"],
        "version": version,
        "title": loc(definition["title"], language),
        "description": loc(definition.get("description"), language) if definition.get("description") else None,
        "sections": sections,
    }
