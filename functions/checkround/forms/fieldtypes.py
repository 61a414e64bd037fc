"""The field-type registry: one entry per type says which options it takes, how those options
are checked, how it becomes a marshmallow field, how it aggregates and how it renders.

Adding a type means adding one :class:`FieldType` to :data:`REGISTRY`; nothing else dispatches
on type names.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

Messages = Mapping[str, str]
FieldDef = Mapping[str, Any]

CHECKLIST_STATUSES = ("yes", "partial", "no")

# Free text is bounded even when the admin sets no limit: a form is not a file store.
_DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 10000}


class IsoDate(fields.Field[str]):
    """A date that is validated as a date but stored as its ISO string (Firestore has no date)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._date = fields.Date(error_messages=self.error_messages)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        parsed = self._date.deserialize(value, attr, data, **kwargs)
        assert isinstance(parsed, dt.date)
        return parsed.isoformat()


def _base_kwargs(field: FieldDef, msgs: Messages, draft: bool, invalid: str) -> dict[str, Any]:
    return {
        "required": bool(field.get("required")) and not draft,
        "allow_none": not field.get("required") or draft,
        "error_messages": {"required": msgs["required"], "null": msgs["null"], "invalid": msgs[invalid]},
    }


# Firestore stores 64-bit integers; answers stay well inside so no client can overflow it.
INTEGER_LIMIT = 10**15


def _range(field: FieldDef, msgs: Messages, low: str = "min", high: str = "max") -> list[Any]:
    lo, hi = field.get(low), field.get(high)
    if lo is None and hi is None:
        return []
    message = msgs["range" if lo is not None and hi is not None else ("min" if lo is not None else "max")]
    return [validate.Range(min=lo, max=hi, error=message)]


def _length(field: FieldDef, msgs: Messages, type_name: str) -> list[Any]:
    lo = field.get("min_length")
    hi = field.get("max_length", _DEFAULT_MAX_LENGTH[type_name])
    message = msgs["length"] if lo is not None else msgs["max_length"]
    return [validate.Length(min=lo, max=hi, error=message)]


def _choice_values(field: FieldDef) -> list[str]:
    return [str(choice["value"]) for choice in field.get("choices", [])]


# -- marshmallow field factories -------------------------------------------------------------


def _make_text(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    return fields.String(
        validate=_length(field, msgs, str(field["type"])),
        **_base_kwargs(field, msgs, draft, "invalid_string"),
    )


def _make_integer(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, msgs, draft, "invalid_integer")
    kwargs["error_messages"]["too_large"] = msgs["too_large"]
    storable = validate.Range(min=-INTEGER_LIMIT, max=INTEGER_LIMIT, error=msgs["too_large"])
    return fields.Integer(strict=False, validate=[storable, *_range(field, msgs)], **kwargs)


def _make_decimal(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, msgs, draft, "invalid_number")
    kwargs["error_messages"].update(too_large=msgs["too_large"], special=msgs["special"])
    return fields.Float(allow_nan=False, validate=_range(field, msgs), **kwargs)


def _make_boolean(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    return fields.Boolean(**_base_kwargs(field, msgs, draft, "invalid_boolean"))


def _make_date(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, msgs, draft, "invalid_date")
    kwargs["error_messages"]["format"] = msgs["invalid_date"]
    return IsoDate(**kwargs)


def _make_select_one(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    values = _choice_values(field)
    return fields.String(
        validate=validate.OneOf(values, error=msgs["one_of"]),
        **_base_kwargs(field, msgs, draft, "invalid_string"),
    )


def _make_select_multiple(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    values = _choice_values(field)
    validators: list[Any] = [validate.ContainsOnly(values, error=msgs["contains_only"])]
    lo, hi = field.get("min_items"), field.get("max_items")
    if lo is not None or hi is not None:
        key = "items" if lo is not None and hi is not None else ("min_items" if lo is not None else "max_items")
        validators.append(validate.Length(min=lo, max=hi, error=msgs[key]))
    kwargs = _base_kwargs(field, msgs, draft, "invalid_list")
    item = fields.String(error_messages={"invalid": msgs["invalid_string"]})
    return fields.List(item, validate=validators, **kwargs)


def _make_checklist(field: FieldDef, msgs: Messages, draft: bool) -> fields.Field[Any]:
    required = bool(field.get("required")) and not draft
    item_schema = Schema.from_dict(
        {
            "status": fields.String(
                required=not draft,
                validate=validate.OneOf(CHECKLIST_STATUSES, error=msgs["one_of"]),
                error_messages={"required": msgs["required"], "null": msgs["null"]},
            ),
            "score": fields.Float(
                required=required,
                allow_none=not required,
                allow_nan=False,
                validate=validate.Range(min=0, max=field["max_score"], error=msgs["range"]),
                error_messages={"required": msgs["required"], "invalid": msgs["invalid_number"]},
            ),
            "note": fields.String(
                allow_none=True,
                validate=validate.Length(max=2000, error=msgs["max_length"]),
                error_messages={"invalid": msgs["invalid_string"]},
            ),
        },
        name=f"Checklist_{field['key']}",
    )
    item_schema.error_messages = {"unknown": msgs["unknown"], "type": msgs["invalid_object"]}
    kwargs = _base_kwargs(field, msgs, draft, "invalid_object")
    kwargs["error_messages"]["type"] = msgs["invalid_object"]
    return fields.Nested(item_schema, **kwargs)


# -- definition checks beyond the shared meta-schema -----------------------------------------


def _check_range(field: FieldDef, low: str = "min", high: str = "max") -> dict[str, list[str]]:
    lo, hi = field.get(low), field.get(high)
    if lo is not None and hi is not None and lo > hi:
        return {low: [f"{low} ({lo}) is greater than {high} ({hi})."]}
    return {}


def _check_choices(field: FieldDef) -> dict[str, Any]:
    choices = field.get("choices") or []
    if not choices:
        return {"choices": ["A choice field needs at least one choice."]}
    seen: set[str] = set()
    errors: dict[int, dict[str, list[str]]] = {}
    for index, choice in enumerate(choices):
        if choice["value"] in seen:
            errors[index] = {"value": [f"Duplicate choice value {choice['value']!r}."]}
        seen.add(choice["value"])
    result: dict[str, Any] = {"choices": errors} if errors else {}
    return result | _check_range(field, "min_items", "max_items")


def _check_checklist(field: FieldDef) -> dict[str, list[str]]:
    score = field.get("max_score")
    if score is None:
        return {"max_score": ["A checklist item needs max_score."]}
    if not math.isfinite(score) or score <= 0:
        return {"max_score": ["max_score must be a positive number."]}
    return {}


@dataclass(frozen=True)
class FieldType:
    name: str
    options: frozenset[str]
    make: Callable[[FieldDef, Messages, bool], fields.Field[Any]]
    check: Callable[[FieldDef], dict[str, Any]]
    aggregate: str  # an accumulator kind of checkround.reports.aggregate
    widget: str  # a macro of templates/webform


def _no_check(field: FieldDef) -> dict[str, Any]:
    return {}


def _check_length(field: FieldDef) -> dict[str, Any]:
    return _check_range(field, "min_length", "max_length")


_TEXT_OPTIONS = frozenset({"min_length", "max_length"})
_NUMBER_OPTIONS = frozenset({"min", "max", "unit"})
_CHOICE_OPTIONS = frozenset({"choices"})

REGISTRY: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("text", _TEXT_OPTIONS, _make_text, _check_length, "text", "text"),
        FieldType("textarea", _TEXT_OPTIONS, _make_text, _check_length, "text", "textarea"),
        FieldType("integer", _NUMBER_OPTIONS, _make_integer, _check_range, "number", "number"),
        FieldType("decimal", _NUMBER_OPTIONS, _make_decimal, _check_range, "number", "number"),
        FieldType("boolean", frozenset(), _make_boolean, _no_check, "boolean", "boolean"),
        FieldType("date", frozenset(), _make_date, _no_check, "date", "date"),
        FieldType("select_one", _CHOICE_OPTIONS, _make_select_one, _check_choices, "choice", "select_one"),
        FieldType(
            "select_multiple",
            _CHOICE_OPTIONS | {"min_items", "max_items"},
            _make_select_multiple,
            _check_choices,
            "choices",
            "select_multiple",
        ),
        FieldType("checklist", frozenset({"max_score"}), _make_checklist, _check_checklist, "checklist", "checklist"),
    )
}

# Every option any type accepts; the meta-schema declares these once.
ALL_OPTIONS = frozenset().union(*(t.options for t in REGISTRY.values()))
