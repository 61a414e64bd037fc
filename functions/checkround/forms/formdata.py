"""Turn an HTML form post (``section.field`` names) into an answers dict, per widget.

Values stay as the browser sent them (strings), except numbers and dates: the compiled schema
converts and validates them exactly as it does for JSON clients. Empty inputs are left out, so
"not answered" is the same in both channels.

Numbers and dates are read as the form's language writes them (:mod:`checkround.formats`:
``1.265,5`` in Vietnamese, ``1,265.5`` in English, ``14/06/2019`` in both), so the schema gets
JSON numbers and ISO dates, as from an API client. A text that cannot be read, or a number that
reads two ways (``1.265`` in a Vietnamese decimal field), stays in the answers as an
:class:`Unread` string, the text as typed with a message saying what to do:
:func:`unread_errors` collects those messages for the page and :func:`readable` leaves them
out; nothing with an :class:`Unread` value may be stored.

Repeat groups post their rows as ``section.field.<index>.<sub key>``: a row left entirely
empty is no row, which is how a page without JavaScript removes one; :func:`empty_rows` and
:func:`without_row` serve that page's "add a row" and "remove this row" buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from checkround.formats.dates import DateError, parse_date
from checkround.formats.numbers import NumberError, format_for_input, parse_number

from .fieldtypes import REGISTRY
from .messages import messages


class FormData(Protocol):
    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


def _scalar(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    value = (data.get(name) or "").strip()
    return value or None


@dataclass(frozen=True)
class Numeral:
    """A number as typed, read with the form's language by :func:`answers_from_form`."""

    text: str
    whole: bool  # a whole-number field: only whole-number readings count

    def read(self, language: str) -> int | float | Unread:
        return read_number(self.text, language, self.whole)


@dataclass(frozen=True)
class DateText:
    """A date as typed (``14/06/2019``) or picked (``2019-06-14``), read by
    :func:`answers_from_form` into the ISO text the schema checks."""

    text: str

    def read(self, language: str) -> str:
        try:
            return parse_date(self.text).isoformat()
        except DateError:
            return Unread(self.text, messages(language)["unreadable_date"])


class Unread(str):
    """A number as typed that cannot be read as one number, and the message saying so."""

    message: str

    def __new__(cls, text: str, message: str) -> Unread:
        unread = super().__new__(cls, text)
        unread.message = message
        return unread


def read_number(text: str, language: str, whole: bool = False) -> int | float | Unread:
    """``text`` as a number of a form in ``language``, or an :class:`Unread` saying why not."""
    try:
        return parse_number(text, language, whole)
    except NumberError as exc:
        msgs = messages(language)
        if exc.readings is not None:
            first, second = (format_for_input(reading, language) for reading in exc.readings)
            return Unread(text, msgs["ambiguous_number"].format(text=text, first=first, second=second))
        if exc.problem == "too_large":
            return Unread(text, msgs["too_large"])
        return Unread(text, msgs["unreadable_integer" if whole else "unreadable_number"])


def whole_number(field: Mapping[str, Any]) -> bool:
    """Whether a field drawn as a number input takes whole numbers only (all but decimal)."""
    return bool(field["type"] != "decimal")


def _number(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    value = _scalar(data, name, field)
    return None if value is None else Numeral(value, whole=whole_number(field))


def _date(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    value = _scalar(data, name, field)
    return None if value is None else DateText(value)


def _multiple(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    values = [v for v in data.getlist(name) if v]
    return values or None


def _checklist(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    parts = {part: (data.get(f"{name}.{part}") or "").strip() for part in ("status", "score", "note")}
    item: dict[str, Any] = {part: value for part, value in parts.items() if value}
    if "score" in item:
        item["score"] = Numeral(item["score"], whole=False)
    return item or None


def _nothing(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    return None  # calculated: the server computes it, whatever the page sent


def _rows(data: FormData, name: str, field: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every posted row of a repeat group in index order, the empty ones included."""
    indices = sorted({int(key[len(name) + 1 :].split(".", 1)[0]) for key in data if _is_row_key(key, name)})
    rows = []
    for index in indices:
        row = {}
        for sub in field["fields"]:
            value = _READERS[REGISTRY[sub["type"]].widget](data, f"{name}.{index}.{sub['key']}", sub)
            if value is not None:
                row[sub["key"]] = value
        rows.append(row)
    return rows


def _repeat(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    rows = [row for row in _rows(data, name, field) if row]
    return rows or None


def _is_row_key(key: str, name: str) -> bool:
    if not key.startswith(name + "."):
        return False
    index = key[len(name) + 1 :].split(".", 1)[0]
    # ASCII digits only: "²" is a digit to isdigit() but not to int(). Four digits at most,
    # whatever a page posts: more rows than max_items may allow.
    return index.isascii() and index.isdigit() and len(index) < 5


_READERS: dict[str, Callable[[FormData, str, Mapping[str, Any]], Any]] = {
    "text": _scalar,
    "textarea": _scalar,
    "email": _scalar,
    "phone": _scalar,
    "number": _number,
    "rating": _number,
    "boolean": _scalar,
    "date": _date,
    "time": _scalar,
    "datetime": _scalar,
    "select_one": _scalar,
    "select_multiple": _multiple,
    "checklist": _checklist,
    "repeat": _repeat,
    "calculated": _nothing,
}


def _read_typed(value: Any, language: str) -> Any:
    """``value`` with its :class:`Numeral` and :class:`DateText` parts read."""
    if isinstance(value, Numeral | DateText):
        return value.read(language)
    if isinstance(value, dict):
        return {key: _read_typed(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [_read_typed(item, language) for item in value]
    return value


def unread_errors(answers: Any) -> dict[Any, Any]:
    """The messages of the :class:`Unread` values in ``answers``, shaped as the schema's
    errors are (by section, field, checklist part and repeat row index)."""
    parts = answers.items() if isinstance(answers, dict) else enumerate(answers) if isinstance(answers, list) else ()
    errors: dict[Any, Any] = {}
    for key, value in parts:
        found = [value.message] if isinstance(value, Unread) else unread_errors(value)
        if found:
            errors[key] = found
    return errors


def readable(answers: Any) -> Any:
    """``answers`` without their :class:`Unread` values (repeat rows keep their places)."""
    if isinstance(answers, dict):
        return {key: readable(value) for key, value in answers.items() if not isinstance(value, Unread)}
    if isinstance(answers, list):
        return [readable(value) for value in answers]
    return answers


def answers_from_form(definition: Mapping[str, Any], data: FormData, language: str = "vi") -> dict[str, Any]:
    """The answers a page posted, numbers read as ``language`` writes them."""
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        values = {}
        for field in section["fields"]:
            reader = _READERS[REGISTRY[field["type"]].widget]
            value = reader(data, f"{section['key']}.{field['key']}", field)
            if value is not None:
                values[field["key"]] = value
        answers[section["key"]] = values
    read: dict[str, Any] = _read_typed(answers, language)
    return read


def repeat_groups(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The repeat groups of a form by their ``section.field`` name (they nest no deeper)."""
    return {
        f"{section['key']}.{field['key']}": field
        for section in definition["sections"]
        for field in section["fields"]
        if REGISTRY[field["type"]].container
    }


def empty_rows(definition: Mapping[str, Any], data: FormData) -> dict[str, int]:
    """How many rows of each repeat group were posted empty (a page keeps offering them)."""
    counts = {
        name: sum(1 for row in _rows(data, name, field) if not row) for name, field in repeat_groups(definition).items()
    }
    return {name: count for name, count in counts.items() if count}


@dataclass(frozen=True)
class _Without:
    """A post seen without the inputs under one prefix."""

    data: FormData
    prefix: str

    def get(self, key: str) -> str | None:
        return None if key.startswith(self.prefix) else self.data.get(key)

    def getlist(self, key: str) -> list[str]:
        return [] if key.startswith(self.prefix) else self.data.getlist(key)

    def __iter__(self) -> Iterator[str]:
        return (key for key in self.data if not key.startswith(self.prefix))


def without_row(data: FormData, name: str, index: int) -> FormData:
    """The post minus row ``index`` of the repeat group ``name``."""
    return _Without(data, f"{name}.{index}.")
