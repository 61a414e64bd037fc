"""How the web form's posted inputs become one field's answer: a reader per kind of widget.

Each field type's registry entry names its reader (``FieldType.reader``). Values stay as the
browser sent them (strings), except numbers and dates, which a reader keeps as typed
(:class:`Numeral`, :class:`DateText`) for :func:`.formdata.answers_from_form` to read with the
page's language, into a number or ISO date, or an :class:`Unread` text with its message; the
compiled schema converts and validates them exactly as it does for JSON clients. An empty
input is no answer (None), so "not answered" is the same in both channels.

A reader is called as ``reader(data, name, field, read)``: ``name`` is the field's input name
(``section.field``, or ``section.group.<index>.<sub>`` in a repeat row) and ``read`` reads
another field by its type, which a container needs for its sub-fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from checkround.formats.dates import DateError, parse_date
from checkround.formats.numbers import NumberError, format_for_input, parse_number

from .messages import messages


class FormData(Protocol):
    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


Read = Callable[[FormData, str, Mapping[str, Any]], Any]

# What the spaces around an answer are: the characters JavaScript's ``String.prototype.trim``
# removes, so that the server reads a posted input as the page's script reads it (Python's
# ``str.strip()`` would also take the controls U+001C-U+001F and U+0085, and leave U+FEFF).
BLANK = (
    " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
Reader = Callable[[FormData, str, Mapping[str, Any], Read], Any]


def read_text(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    value = (data.get(name) or "").strip(BLANK)
    return value or None


@dataclass(frozen=True)
class Numeral:
    """A number as typed, read with the form's language by :func:`.formdata.answers_from_form`."""

    text: str
    whole: bool  # a whole-number field: only whole-number readings count

    def read(self, language: str) -> int | float | Unread:
        return read_number(self.text, language, self.whole)


@dataclass(frozen=True)
class DateText:
    """A date as typed (``14/06/2019``) or picked (``2019-06-14``), read by
    :func:`.formdata.answers_from_form` into the ISO text the schema checks."""

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


def read_whole_number(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    value = read_text(data, name, field, read)
    return None if value is None else Numeral(value, whole=True)


def read_decimal_number(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    value = read_text(data, name, field, read)
    return None if value is None else Numeral(value, whole=False)


def read_multiple(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    values = [v for v in data.getlist(name) if v]
    return values or None


def read_date(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    value = read_text(data, name, field, read)
    return None if value is None else DateText(value)


def read_checklist(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    parts = {part: (data.get(f"{name}.{part}") or "").strip(BLANK) for part in ("status", "score", "note")}
    item: dict[str, Any] = {part: value for part, value in parts.items() if value}
    if "score" in item:
        item["score"] = Numeral(item["score"], whole=False)
    return item or None


def read_nothing(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    return None  # computed: the server computes it, whatever the page sent


def rows(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> list[dict[str, Any]]:
    """Every posted row of a repeat group in index order, the empty ones included.

    Rows post as ``<name>.<index>.<sub key>``; a row left entirely empty is no row, which is
    how a page without JavaScript removes one."""
    indices = sorted({int(key[len(name) + 1 :].split(".", 1)[0]) for key in data if _is_row_key(key, name)})
    found = []
    for index in indices:
        row = {}
        for sub in field["fields"]:
            value = read(data, f"{name}.{index}.{sub['key']}", sub)
            if value is not None:
                row[sub["key"]] = value
        found.append(row)
    return found


def read_rows(data: FormData, name: str, field: Mapping[str, Any], read: Read) -> Any:
    answered = [row for row in rows(data, name, field, read) if row]
    return answered or None


def _is_row_key(key: str, name: str) -> bool:
    if not key.startswith(name + "."):
        return False
    index = key[len(name) + 1 :].split(".", 1)[0]
    # ASCII digits only: "²" is a digit to isdigit() but not to int(). Four digits at most,
    # whatever a page posts: more rows than max_items may allow.
    return index.isascii() and index.isdigit() and len(index) < 5
