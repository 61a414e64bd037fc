"""The field-type registry: everything that differs between field types, one entry per type.

Each :class:`FieldType` in :data:`REGISTRY` holds or names every per-type part, and nothing
else in the code asks for a type by name:

* here, as code: the definition ``options`` it takes and their ``check`` beyond the shared
  meta-schema (:mod:`.definition` declares each option's JSON type once), the marshmallow
  field it compiles to (``make``), the ``messages`` keys that field uses (:mod:`.messages`),
  and its web form post ``reader`` (:mod:`.readers`);
* as names looked up elsewhere: its ``widget`` (the macro ``widget_<widget>`` of
  ``templates/webform/widgets.html.j2``), its ``browser_reader`` (a key of ``READERS`` in
  ``templates/webform/static/form.js``; the server sends it per field in the page's rules),
  and its ``report`` kind, whose accumulator, display formatter, export columns and summary
  macro live in :data:`checkround.reports.kinds.KINDS`. The reports layer keys its parts by
  kind because the forms package may not import it (the unit-facing function loads no report
  code); ``reports.kinds`` refuses to load while a registered kind is missing;
* flags that replace checks of type names: ``container`` (holds records of sub-fields),
  ``computed`` (the server computes it; a client's value is dropped), ``roles`` (may feed the
  summary's texts), ``part_errors`` (its widget shows its parts' errors beside them).

The walk over sections, fields and repeat records is :func:`checkround.forms.walk.walk`.
``tests/unit/test_fieldtype_registry.py`` fails when a registered type lacks any part, in
Python, in the templates or in form.js; "Adding a field type" in docs/form-language.md lists
the places a new type touches.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, missing, validate

from checkround.formats.dates import format_date
from checkround.formats.numbers import format_number
from checkround.inputs_common import FullMatch

from .definition_messages import said
from .readers import (
    Reader,
    read_checklist,
    read_date,
    read_decimal_number,
    read_multiple,
    read_nothing,
    read_rows,
    read_text,
    read_whole_number,
)

Messages = Mapping[str, str]
FieldDef = Mapping[str, Any]

CHECKLIST_STATUSES = ("yes", "partial", "no")
# A checklist item's score agrees with its result (the default) or is free of it.
SCORE_RULES = ("agree", "free")

# Free text is bounded even when the admin sets no limit: a form is not a file store.
_DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 10000}
# Rows of a repeat group without max_items, and the most max_items may allow: a unit could
# otherwise post tens of thousands of empty rows, each one loaded and checked.
DEFAULT_MAX_ROWS = 200
MAX_ROWS_CEILING = 2000


class _IsoValue(fields.Field[str]):
    """A value validated by a marshmallow temporal field but stored as its ISO string
    (Firestore has no date or time-of-day type, and strings read the same in every export)."""

    parser: type[fields.Field[Any]] = fields.Date

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parser = self.parser(error_messages=self.error_messages)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        parsed = self._parser.deserialize(value, attr, data, **kwargs)
        if isinstance(parsed, dt.datetime):
            try:
                instant = parsed.astimezone(dt.UTC)
            except OverflowError:  # 9999-12-31T23:00-05:00 is past the last year Python has, in UTC
                raise self.make_error("invalid") from None
            return instant.isoformat().replace("+00:00", "Z")
        assert isinstance(parsed, dt.date | dt.time)
        return parsed.isoformat()


class IsoDate(_IsoValue):
    parser = fields.Date


class IsoTime(_IsoValue):
    parser = fields.Time


class IsoDateTime(_IsoValue):
    """Needs an offset: a time without one means different instants to different readers."""

    parser = fields.AwareDateTime


@dataclass(frozen=True)
class Build:
    """What a field factory needs besides the field: messages, draft mode, and a way to
    compile the sub-fields of a container (the compiler supplies it)."""

    msgs: Messages
    draft: bool
    nested: Callable[[Sequence[FieldDef]], fields.Field[Any]]
    language: str = "vi"  # the language of ``msgs``: numbers and dates in them are written in it


def _base_kwargs(field: FieldDef, build: Build, invalid: str) -> dict[str, Any]:
    # ``required`` here is the compiler's static answer: rules decide the rest later.
    required = field.get("required") is True and not build.draft
    msgs = build.msgs
    ask = missing_answer(field, msgs, build.language)
    return {
        "required": required,
        "allow_none": not required,
        "error_messages": {"required": ask, "null": ask, "invalid": msgs[invalid]},
    }


# -- what to do when an answer is missing --------------------------------------------------------

Asks = Callable[[FieldDef, Messages, str], str]


def missing_answer(field: FieldDef, msgs: Messages, language: str) -> str:
    """The message for a required answer left empty: what to do for this kind of question
    ("Nhập một số từ 0 đến 8.", "Chọn một câu trả lời."), with the field's own limits written
    in the language of ``msgs``. The static ``required`` and a ``required`` rule both say it."""
    kind = REGISTRY.get(str(field.get("type")))
    return kind.asks(field, msgs, language) if kind is not None else msgs["required"]


def _asks(key: str) -> Asks:
    def asks(field: FieldDef, msgs: Messages, language: str) -> str:
        return msgs[key]

    return asks


def _asks_anything(field: FieldDef, msgs: Messages, language: str) -> str:
    return msgs["required"]


def _asks_number(field: FieldDef, msgs: Messages, language: str) -> str:
    lo, hi = field.get("min"), field.get("max")
    shown = {name: format_number(limit, language) for name, limit in (("min", lo), ("max", hi)) if limit is not None}
    key = (
        "range"
        if lo is not None and hi is not None
        else "min"
        if lo is not None
        else "max"
        if hi is not None
        else "answer_number"
    )
    return msgs[key].format(**shown)


def _asks_rating(field: FieldDef, msgs: Messages, language: str) -> str:
    return msgs["answer_rating"].format(max=format_number(field.get("scale", 5), language))


def _asks_date(field: FieldDef, msgs: Messages, language: str) -> str:
    lo, hi = field.get("min_date"), field.get("max_date")
    if lo is None and hi is None:
        return msgs["answer_date"]
    key = "date_range" if lo is not None and hi is not None else ("date_min" if lo is not None else "date_max")
    return msgs[key].format(**{name: format_date(day) for name, day in (("min", lo), ("max", hi)) if day is not None})


def _asks_choices(field: FieldDef, msgs: Messages, language: str) -> str:
    lo = field.get("min_items")
    if isinstance(lo, int) and lo > 1:
        return msgs["min_items"].format(min=format_number(lo, language))
    return msgs["answer_choices"]


def _range(field: FieldDef, msgs: Messages, low: str = "min", high: str = "max") -> list[Any]:
    lo, hi = field.get(low), field.get(high)
    if lo is None and hi is None:
        return []
    message = msgs["range" if lo is not None and hi is not None else ("min" if lo is not None else "max")]
    return [validate.Range(min=lo, max=hi, error=message)]


# Firestore stores 64-bit integers; answers stay well inside so no client can overflow it.
INTEGER_LIMIT = 10**15


def _length(field: FieldDef, msgs: Messages, type_name: str) -> list[Any]:
    lo = field.get("min_length")
    hi = field.get("max_length", _DEFAULT_MAX_LENGTH[type_name])
    message = msgs["length"] if lo is not None else msgs["max_length"]
    return [validate.Length(min=lo, max=hi, error=message)]


def _choice_values(field: FieldDef) -> list[str]:
    return [str(choice["value"]) for choice in field.get("choices", [])]


def _count(field: FieldDef, msgs: Messages) -> list[Any]:
    lo, hi = field.get("min_items"), field.get("max_items")
    if lo is None and hi is None:
        return []
    key = "items" if lo is not None and hi is not None else ("min_items" if lo is not None else "max_items")
    return [validate.Length(min=lo, max=hi, error=msgs[key])]


# -- marshmallow field factories -------------------------------------------------------------


def _make_text(field: FieldDef, build: Build) -> fields.Field[Any]:
    return fields.String(
        validate=_length(field, build.msgs, str(field["type"])), **_base_kwargs(field, build, "invalid_string")
    )


def _make_email(field: FieldDef, build: Build) -> fields.Field[Any]:
    validators = [validate.Length(max=254, error=build.msgs["max_length"]), validate.Email(error=build.msgs["email"])]
    return fields.String(validate=validators, **_base_kwargs(field, build, "invalid_string"))


def _make_phone(field: FieldDef, build: Build) -> fields.Field[Any]:
    pattern = FullMatch(r"^\+?[0-9][0-9 ().-]{5,24}$", error=build.msgs["phone"])
    return fields.String(validate=[pattern], **_base_kwargs(field, build, "invalid_string"))


def _make_integer(field: FieldDef, build: Build) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, build, "invalid_integer")
    kwargs["error_messages"]["too_large"] = build.msgs["too_large"]
    storable = validate.Range(min=-INTEGER_LIMIT, max=INTEGER_LIMIT, error=build.msgs["too_large"])
    return fields.Integer(strict=False, validate=[storable, *_range(field, build.msgs)], **kwargs)


def _make_rating(field: FieldDef, build: Build) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, build, "invalid_integer")
    scale = validate.Range(min=1, max=field.get("scale", 5), error=build.msgs["range"])
    return fields.Integer(strict=False, validate=[scale], **kwargs)


def _make_decimal(field: FieldDef, build: Build) -> fields.Field[Any]:
    kwargs = _base_kwargs(field, build, "invalid_number")
    kwargs["error_messages"].update(too_large=build.msgs["too_large"], special=build.msgs["special"])
    return fields.Float(allow_nan=False, validate=_range(field, build.msgs), **kwargs)


def _make_boolean(field: FieldDef, build: Build) -> fields.Field[Any]:
    return fields.Boolean(**_base_kwargs(field, build, "invalid_boolean"))


def _temporal(cls: type[_IsoValue], invalid: str) -> Callable[[FieldDef, Build], fields.Field[Any]]:
    def make(field: FieldDef, build: Build) -> fields.Field[Any]:
        kwargs = _base_kwargs(field, build, invalid)
        kwargs["error_messages"].update(format=build.msgs[invalid], invalid_awareness=build.msgs[invalid])
        return cls(**kwargs)

    return make


def _make_date(field: FieldDef, build: Build) -> fields.Field[Any]:
    made = _temporal(IsoDate, "invalid_date")(field, build)
    lo, hi = field.get("min_date"), field.get("max_date")
    if lo is None and hi is None:
        return made
    # ISO dates compare as the days they name; the message shows them day first.
    key = "date_range" if lo is not None and hi is not None else ("date_min" if lo is not None else "date_max")
    shown = {name: format_date(day) for name, day in (("min", lo), ("max", hi)) if day is not None}
    made.validators.append(validate.Range(min=lo, max=hi, error=build.msgs[key].format(**shown)))
    return made


def _make_select_one(field: FieldDef, build: Build) -> fields.Field[Any]:
    values = _choice_values(field)
    return fields.String(
        validate=validate.OneOf(values, error=build.msgs["one_of"]), **_base_kwargs(field, build, "invalid_string")
    )


def _each_once(error: str) -> Callable[[list[Any]], None]:
    def check(picked: list[Any]) -> None:
        if len(set(picked)) != len(picked):
            raise ValidationError(error)

    return check


def _make_select_multiple(field: FieldDef, build: Build) -> fields.Field[Any]:
    values = _choice_values(field)
    repeated = build.msgs["repeated_choice"]
    validators: list[Any] = [
        validate.ContainsOnly(values, error=build.msgs["contains_only"]),
        # A choice twice would count twice in the summary and fill min_items with one choice.
        _each_once(repeated),
        *_count(field, build.msgs),
    ]
    item = fields.String(error_messages={"invalid": build.msgs["invalid_string"]})
    return fields.List(item, validate=validators, **_base_kwargs(field, build, "invalid_list"))


class Record(fields.Field[dict[str, Any]]):
    """A small record of fixed keys, each checked by its own marshmallow field.

    It answers as a nested Schema would: the members' messages under their keys, the unknown
    key message for any other key, and ``{"_schema": [...]}`` for a value that is not an
    object. It carries the valid members as ``valid_data``. It only skips the Schema machinery
    (hooks, partial loading, a getter per field). Sections, records of repeat groups and
    checklist items are Records. Run once for each of them, that machinery took about a quarter
    of a seed submission's validation. ``tests/unit/test_record_field.py`` checks Records
    against nested Schemas."""

    def __init__(
        self, members: Mapping[str, fields.Field[Any]], unknown_message: str, type_message: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.members = dict(members)
        self.unknown_message = unknown_message
        self.type_message = type_message

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            # An empty valid part, as a Schema gives: a list of records keeps its indices.
            raise ValidationError({"_schema": [self.type_message]}, valid_data={})
        loaded: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, member in self.members.items():
            try:
                result = member.deserialize(value.get(name, missing), name, value)
            except ValidationError as exc:
                errors[name] = exc.messages
                # A member that is itself a record keeps its valid part, as a Schema keeps it.
                if exc.valid_data:
                    loaded[name] = exc.valid_data
                continue
            if result is not missing:
                loaded[name] = result
        for name in value:
            if name not in self.members:
                errors[name] = [self.unknown_message]
        if errors:
            raise ValidationError(errors, valid_data=loaded)
        return loaded


def score_disagreement(status: Any, score: Any, max_score: float) -> str | None:
    """The message key for a score that does not agree with its result, or None.

    Met: above zero, up to the maximum; partly met: above zero and below the maximum; not met:
    zero. A missing part is another message's business."""
    if not isinstance(score, int | float) or status not in CHECKLIST_STATUSES:
        return None
    if status == "yes" and not 0 < score <= max_score:
        return "score_yes"
    if status == "partial" and not 0 < score < max_score:
        return "score_partial"
    if status == "no" and score != 0:
        return "score_no"
    return None


class ChecklistRecord(Record):
    """A checklist item's result, score and note; unless the form says ``score_rule: free``,
    a score that contradicts the result is refused at ``score`` (\"not met\" with 8/8)."""

    def __init__(self, members: Mapping[str, fields.Field[Any]], agree: float | None, msgs: Messages, **kwargs: Any):
        super().__init__(members, unknown_message=msgs["unknown"], type_message=msgs["invalid_object"], **kwargs)
        self.agree = agree
        self.msgs = msgs

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if self.agree is not None:
            problem = score_disagreement(loaded.get("status"), loaded.get("score"), self.agree)
            if problem is not None:
                max_score = int(self.agree) if float(self.agree).is_integer() else self.agree
                raise ValidationError({"score": [self.msgs[problem].format(max=max_score)]}, valid_data=loaded)
        return loaded


def _make_checklist(field: FieldDef, build: Build) -> fields.Field[Any]:
    msgs = build.msgs
    required = field.get("required") is True and not build.draft
    members: dict[str, fields.Field[Any]] = {
        "status": fields.String(
            required=not build.draft,
            validate=validate.OneOf(CHECKLIST_STATUSES, error=msgs["status_required"]),
            error_messages={"required": msgs["status_required"], "null": msgs["status_required"]},
        ),
        "score": fields.Float(
            required=required,
            allow_none=not required,
            allow_nan=False,
            validate=validate.Range(min=0, max=field["max_score"], error=msgs["score_range"]),
            error_messages={"required": msgs["score_required"], "invalid": msgs["invalid_number"]},
        ),
        "note": fields.String(
            allow_none=True,
            validate=validate.Length(max=2000, error=msgs["max_length"]),
            error_messages={"invalid": msgs["invalid_string"]},
        ),
    }
    kwargs = _base_kwargs(field, build, "invalid_object")
    # An item left out says both what is missing: its result and its score.
    kwargs["error_messages"].update(required=msgs["checklist_required"], null=msgs["checklist_required"])
    # A draft is work in progress (a result chosen, its score not yet changed): checked on sending.
    agree = None if build.draft or field.get("score_rule") == "free" else float(field["max_score"])
    return ChecklistRecord(members, agree, msgs, **kwargs)


class Rows(fields.List[Any]):
    """A repeat group's rows; more than its cap are refused before any row is loaded (one
    message for the list, not one per row)."""

    def __init__(self, item: fields.Field[Any], cap: validate.Length, **kwargs: Any) -> None:
        super().__init__(item, validate=cap, **kwargs)
        self.cap = cap

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and self.cap.max is not None and len(value) > self.cap.max:
            self.cap(value)
        return super()._deserialize(value, attr, data, **kwargs)


def _make_repeat(field: FieldDef, build: Build) -> fields.Field[Any]:
    item = build.nested(field["fields"])
    kwargs = _base_kwargs(field, build, "invalid_list")
    # An empty list is how a unit says "none"; min_items decides whether that is allowed.
    kwargs["allow_none"] = True
    (cap,) = _count({**field, "max_items": field.get("max_items", DEFAULT_MAX_ROWS)}, build.msgs)
    return Rows(item, cap, **kwargs)


def _make_calculated(field: FieldDef, build: Build) -> fields.Field[Any]:
    # Never loaded from a client: the validator strips sent values and computes its own.
    return fields.Raw(allow_none=True)


# -- definition checks beyond the shared meta-schema -----------------------------------------


def _check_range(field: FieldDef, low: str = "min", high: str = "max") -> dict[str, list[str]]:
    lo, hi = field.get(low), field.get(high)
    if lo is not None and hi is not None and lo > hi:
        return {low: [said("low_above_high", low=low, lo=lo, high=high, hi=hi)]}
    return {}


def _check_dates(field: FieldDef) -> dict[str, list[str]]:
    return _check_range(field, "min_date", "max_date")


def _check_choices(field: FieldDef) -> dict[str, Any]:
    choices = field.get("choices") or []
    if field.get("choice_set") is not None:
        # The form-level check resolves the shared list and reports a bad name there, and
        # choices given beside it that are not the set's own (a saved definition holds the set's
        # choices inlined, so what the service returns can be sent back as it is).
        return _check_range(field, "min_items", "max_items")
    if not choices:
        return {"choices": [said("no_choices")]}
    seen: set[str] = set()
    errors: dict[int, dict[str, list[str]]] = {}
    for index, choice in enumerate(choices):
        if choice["value"] in seen:
            errors[index] = {"value": [said("duplicate_choice", value=choice["value"])]}
        seen.add(choice["value"])
    result: dict[str, Any] = {"choices": errors} if errors else {}
    return result | _check_range(field, "min_items", "max_items")


def _check_checklist(field: FieldDef) -> dict[str, list[str]]:
    score = field.get("max_score")
    if score is None:
        return {"max_score": [said("needs_max_score")]}
    if not math.isfinite(score) or score <= 0:
        return {"max_score": [said("positive_max_score")]}
    return {}


def _check_repeat(field: FieldDef) -> dict[str, Any]:
    errors: dict[str, Any] = _check_range(field, "min_items", "max_items")
    if not field.get("fields"):
        errors["fields"] = [said("repeat_needs_field")]
    return errors


def _check_calculated(field: FieldDef) -> dict[str, Any]:
    if field.get("calculate") is None:
        return {"calculate": [said("needs_calculate")]}
    return {}


@dataclass(frozen=True)
class FieldType:
    """One field type's parts (the module docstring says where each is used)."""

    name: str
    options: frozenset[str]  # the definition options it takes (declared in definition.FieldDefSchema)
    make: Callable[[FieldDef, Build], fields.Field[Any]]  # its marshmallow field for answers
    check: Callable[[FieldDef], dict[str, Any]]  # checks of its options beyond their types
    messages: frozenset[str]  # the keys of forms.messages that ``make`` uses
    widget: str  # the web form draws it with macro ``widget_<widget>`` of widgets.html.j2
    reader: Reader  # reads its answer from a posted web form (forms.readers)
    browser_reader: str  # the key of its reader in form.js's READERS
    report: str  # its kind in checkround.reports.kinds.KINDS
    container: bool = False  # holds sub-fields (answers are a list of records)
    computed: bool = False  # the server computes it from a rule; a client never sends it
    roles: bool = False  # may feed the summary's strengths, shortcomings or proposals
    part_errors: bool = False  # its widget shows the errors of its parts next to them
    # What a required answer left empty says (missing_answer); its keys are in ``messages``.
    asks: Asks = _asks_anything


def _no_check(field: FieldDef) -> dict[str, Any]:
    return {}


def _check_length(field: FieldDef) -> dict[str, Any]:
    return _check_range(field, "min_length", "max_length")


_TEXT_OPTIONS = frozenset({"min_length", "max_length"})
_NUMBER_OPTIONS = frozenset({"min", "max", "unit"})
_CHOICE_OPTIONS = frozenset({"choices", "choice_set", "appearance"})
_BASE_MESSAGES = frozenset({"required", "null"})
_RANGE_MESSAGES = frozenset({"range", "min", "max"})
_COUNT_MESSAGES = frozenset({"items", "min_items", "max_items"})


def _text_like(
    name: str,
    make: Callable[[FieldDef, Build], fields.Field[Any]],
    *messages: str,
    options: frozenset[str] = frozenset(),
    check: Callable[[FieldDef], dict[str, Any]] = _no_check,
    asks: str = "answer_text",
) -> FieldType:
    """Free text of some form: drawn by its own widget, read, reported and displayed as text."""
    return FieldType(
        name,
        options,
        make,
        check,
        _BASE_MESSAGES | {"invalid_string", asks, *messages},
        widget=name,
        reader=read_text,
        browser_reader="text",
        report="text",
        roles=True,
        asks=_asks(asks),
    )


def _temporal_type(name: str, cls: type[_IsoValue], invalid: str) -> FieldType:
    return FieldType(
        name,
        frozenset(),
        _temporal(cls, invalid),
        _no_check,
        _BASE_MESSAGES | {invalid, f"answer_{name}"},
        widget=name,
        reader=read_text,
        browser_reader="text",
        report="date",
        asks=_asks(f"answer_{name}"),
    )


REGISTRY: dict[str, FieldType] = {
    t.name: t
    for t in (
        _text_like("text", _make_text, "length", "max_length", options=_TEXT_OPTIONS, check=_check_length),
        _text_like("textarea", _make_text, "length", "max_length", options=_TEXT_OPTIONS, check=_check_length),
        _text_like("email", _make_email, "max_length", "email", asks="answer_email"),
        _text_like("phone", _make_phone, "phone", asks="answer_phone"),
        FieldType(
            "integer",
            _NUMBER_OPTIONS,
            _make_integer,
            _check_range,
            _BASE_MESSAGES | _RANGE_MESSAGES | {"invalid_integer", "too_large", "answer_number"},
            widget="number",
            reader=read_whole_number,
            browser_reader="number",
            report="number",
            asks=_asks_number,
        ),
        FieldType(
            "decimal",
            _NUMBER_OPTIONS,
            _make_decimal,
            _check_range,
            _BASE_MESSAGES | _RANGE_MESSAGES | {"invalid_number", "too_large", "special", "answer_number"},
            widget="number",
            reader=read_decimal_number,
            browser_reader="number",
            report="number",
            asks=_asks_number,
        ),
        FieldType(
            "rating",
            frozenset({"scale"}),
            _make_rating,
            _no_check,
            _BASE_MESSAGES | {"invalid_integer", "range", "answer_rating"},
            widget="rating",
            reader=read_whole_number,
            browser_reader="number",
            report="number",
            asks=_asks_rating,
        ),
        FieldType(
            "boolean",
            frozenset(),
            _make_boolean,
            _no_check,
            _BASE_MESSAGES | {"invalid_boolean", "answer_boolean"},
            widget="boolean",
            reader=read_text,
            browser_reader="boolean",
            report="boolean",
            asks=_asks("answer_boolean"),
        ),
        FieldType(
            "date",
            frozenset({"min_date", "max_date"}),
            _make_date,
            _check_dates,
            _BASE_MESSAGES | {"invalid_date", "date_range", "date_min", "date_max", "answer_date"},
            widget="date",
            reader=read_date,
            browser_reader="date",
            report="date",
            asks=_asks_date,
        ),
        _temporal_type("time", IsoTime, "invalid_time"),
        _temporal_type("datetime", IsoDateTime, "invalid_datetime"),
        FieldType(
            "select_one",
            _CHOICE_OPTIONS,
            _make_select_one,
            _check_choices,
            _BASE_MESSAGES | {"invalid_string", "one_of", "answer_choice"},
            widget="select_one",
            reader=read_text,
            browser_reader="text",
            report="choice",
            asks=_asks("answer_choice"),
        ),
        FieldType(
            "select_multiple",
            _CHOICE_OPTIONS | {"min_items", "max_items"},
            _make_select_multiple,
            _check_choices,
            _BASE_MESSAGES
            | _COUNT_MESSAGES
            | {"invalid_list", "invalid_string", "contains_only", "repeated_choice", "answer_choices"},
            widget="select_multiple",
            reader=read_multiple,
            browser_reader="choices",
            report="choices",
            asks=_asks_choices,
        ),
        FieldType(
            "checklist",
            frozenset({"max_score", "self_assessment", "score_rule"}),
            _make_checklist,
            _check_checklist,
            _BASE_MESSAGES
            | {"invalid_number", "max_length", "invalid_string", "invalid_object", "unknown"}
            | {"status_required", "score_required", "score_range", "checklist_required"}
            | {"score_yes", "score_partial", "score_no"},
            widget="checklist",
            reader=read_checklist,
            browser_reader="checklist",
            report="checklist",
            part_errors=True,
            asks=_asks("checklist_required"),
        ),
        FieldType(
            "repeat",
            frozenset({"fields", "min_items", "max_items"}),
            _make_repeat,
            _check_repeat,
            _BASE_MESSAGES | _COUNT_MESSAGES | {"invalid_list", "answer_rows"},
            widget="repeat",
            reader=read_rows,
            browser_reader="rows",
            report="repeat",
            container=True,
            part_errors=True,
            asks=_asks("answer_rows"),
        ),
        FieldType(
            "calculated",
            frozenset({"calculate", "unit"}),
            _make_calculated,
            _check_calculated,
            frozenset(),
            widget="calculated",
            reader=read_nothing,
            browser_reader="none",
            report="number",
            computed=True,
        ),
    )
}

# Every option any type accepts; the meta-schema declares these once.
ALL_OPTIONS = frozenset().union(*(t.options for t in REGISTRY.values()))
