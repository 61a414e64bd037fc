"""The data a form's rules read: built by one rule, here and in the page.

The server (datalogic-py) and the web form's script (json-logic-js, ``form.js``) run the same
``relevant`` and ``calculate`` rules; ``forms.rule_types`` holds the rules to what both engines
compute alike, and this module holds the *data* to one shape, which ``form.js``'s
``RuleData`` builds the same way from the page's inputs:

* an unanswered field is absent: never null, never "" (nor text of spaces only), never an
  empty list or record. Both engines read an absent field as the read's default and as
  missing; they would read null, "" or [] each its own way (a default applies only to an
  absent answer; ``missing`` counts "" in the page only);
* text is read as the page reads an input: without the spaces around it (JavaScript's
  ``trim``, whose characters :data:`~.readers.BLANK` lists), line ends as ``\\n``, and none at
  all in a one-line input (a browser drops them from its value);
* a date is its ISO text (``2019-06-14``), the way the page reads ``14/06/2019`` too;
* the choices of a ``select_multiple`` in the form's order (the page reads its ticked boxes
  in that order), only the form's choices;
* a checklist item holds the parts answered (``status``, ``score``, ``note``); a repeat group the
  rows with something answered in them, each with the parts answered;
* a calculated field is never read from the answers: the calculations run over the data
  (all of the form's, until they settle, then each row's in order), and a result that is not
  a finite number, text (at most :data:`MAX_CALCULATED_TEXT` characters) or yes/no is no value.

``tests/unit/test_rule_engines.py`` builds the data from generated answers both ways (the page's
way from the page this server draws for them) and holds both builders and both engines to the
same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from checkround.formats.dates import DateError, parse_date

from .fieldtypes import CHECKLIST_STATUSES, REGISTRY
from .readers import BLANK
from .rules import ITEM, RuleError, evaluate

Data = dict[str, Any]
_ABSENT = object()

# The longest text a calculation may store: as long as the longest answer a unit may type (a
# textarea's default), so a rule joining one answer many times cannot grow a submission past
# what its database document can hold.
MAX_CALCULATED_TEXT = 10_000


def _text(value: Any, one_line: bool = False) -> Any:
    if not isinstance(value, str):
        return _ABSENT
    if one_line:  # a browser drops the line breaks of a one-line input's value
        value = value.replace("\r", "").replace("\n", "")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip(BLANK)
    return text or _ABSENT


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _ABSENT
    return value


def _boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else _ABSENT


def _date(value: Any) -> Any:
    text = _text(value, one_line=True)
    if text is _ABSENT or text != text.strip():  # parse_date would take spaces the page keeps
        return _ABSENT
    try:
        return parse_date(text).isoformat()
    except DateError:
        return _ABSENT  # the page reads a date it cannot read as no answer


def choice_values(field: Mapping[str, Any], definition: Mapping[str, Any]) -> list[str]:
    """A choice field's values in the form's order (its own list, or its shared set's)."""
    choices = field.get("choices")
    if choices is None and field.get("choice_set") is not None:
        choices = (definition.get("choice_sets") or {}).get(field["choice_set"])
    return [str(choice["value"]) for choice in choices or [] if isinstance(choice, Mapping)]


def _choices(value: Any, field: Mapping[str, Any], definition: Mapping[str, Any]) -> Any:
    if not isinstance(value, list):
        return _ABSENT
    ticked = [choice for choice in choice_values(field, definition) if choice in value]
    return ticked or _ABSENT


def _checklist(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return _ABSENT
    parts = {
        "status": value.get("status") if value.get("status") in CHECKLIST_STATUSES else _ABSENT,
        "score": _number(value.get("score")),
        "note": _text(value.get("note")),
    }
    item = {part: found for part, found in parts.items() if found is not _ABSENT}
    return item or _ABSENT


def _record(fields: Any, record: Any, definition: Mapping[str, Any]) -> dict[str, Any]:
    """What a unit answered in a record of fields (a section, a row), computed fields left out."""
    given = record if isinstance(record, Mapping) else {}
    out: dict[str, Any] = {}
    for f in fields:
        if REGISTRY[f["type"]].computed:
            continue
        found = _answer(f, given.get(f["key"]), definition)
        if found is not _ABSENT:
            out[f["key"]] = found
    return out


def _rows(value: Any, field: Mapping[str, Any], definition: Mapping[str, Any]) -> Any:
    if not isinstance(value, list):
        return _ABSENT
    rows = [row for row in (_record(field["fields"], item, definition) for item in value) if row]
    return rows or _ABSENT


def _text_answer(value: Any, field: Mapping[str, Any], definition: Mapping[str, Any]) -> Any:
    return _text(value, one_line=REGISTRY[field["type"]].widget != "textarea")


# Each field type's reader, by the name the registry gives it (``browser_reader``); a type
# whose reader is not listed reads as text.
_READERS: dict[str, Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Any]] = {
    "number": lambda value, field, definition: _number(value),
    "boolean": lambda value, field, definition: _boolean(value),
    "date": lambda value, field, definition: _date(value),
    "choices": _choices,
    "checklist": lambda value, field, definition: _checklist(value),
    "rows": _rows,
    "none": lambda value, field, definition: _ABSENT,
}


def _answer(field: Mapping[str, Any], value: Any, definition: Mapping[str, Any]) -> Any:
    reader = _READERS.get(REGISTRY[field["type"]].browser_reader, _text_answer)
    return reader(value, field, definition)


def stored_result(value: Any) -> Any:
    """What a calculation stores: a finite number, text up to :data:`MAX_CALCULATED_TEXT`
    characters or yes/no, else None (no value)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and len(value) > MAX_CALCULATED_TEXT:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return None


def _result(rule: Any, data: Data) -> Any:
    try:
        return stored_result(evaluate(rule, data))
    except RuleError:
        return None


def _put(holder: dict[str, Any], key: str, value: Any) -> bool:
    """Set (or, for no value, remove) ``holder[key]``; whether it changed."""
    before = holder.get(key, _ABSENT)
    if value is None or value == "":
        holder.pop(key, None)
        return before is not _ABSENT
    holder[key] = value
    # By type too: 1, 1.0 and True are equal in Python but not to every JSON Logic rule.
    return type(before) is not type(value) or before != value


def _settle(definition: Mapping[str, Any], data: Data, result: Callable[[Any, Data], Any]) -> None:
    calculated = [
        (section["key"], f)
        for section in definition["sections"]
        for f in section["fields"]
        if REGISTRY[f["type"]].computed
    ]
    # Loops are refused at save time, so as many passes as calculations settle every chain; a
    # pass that changes nothing has settled it (usually the second: forms list parts first).
    for _ in range(len(calculated)):
        changed = False
        for section_key, f in calculated:
            changed = _put(data[section_key], f["key"], result(f["calculate"], data)) or changed
        if not changed:
            break
    for section in definition["sections"]:
        for f in section["fields"]:
            rows = data[section["key"]].get(f["key"]) if REGISTRY[f["type"]].container else None
            for row in rows if isinstance(rows, list) else []:
                _settle_row(f, row, data, result)


def _settle_row(group: Mapping[str, Any], row: dict[str, Any], data: Data, result: Callable[[Any, Data], Any]) -> None:
    """A row's calculations, in the order of its fields, each seeing those before it."""
    for sub in group["fields"]:
        if REGISTRY[sub["type"]].computed:
            _put(row, sub["key"], result(sub["calculate"], {**data, ITEM: row}))


def rule_data(definition: Mapping[str, Any], answers: Any) -> Data:
    """The data the form's rules read for ``answers``: every section (an object, even when
    empty), what is answered in it, and the calculated values."""
    given = answers if isinstance(answers, Mapping) else {}
    data = {
        section["key"]: _record(section["fields"], given.get(section["key"]), definition)
        for section in definition["sections"]
    }
    _settle(definition, data, _result)
    return data


def row_data(definition: Mapping[str, Any], group: Mapping[str, Any], record: Any, data: Data) -> dict[str, Any]:
    """One row of a repeat group as its rules read it (``_item``): what is answered in it and
    its calculated values, computed against ``data`` (:func:`rule_data`)."""
    row = _record(group["fields"], record, definition)
    _settle_row(group, row, data, _result)
    return row


def scoped(data: Data, row: Mapping[str, Any]) -> Data:
    """The data a row's rules read: the form's, and the row as ``_item``."""
    return {**data, ITEM: row}
