"""Turn an HTML form post (``section.field`` names) into an answers dict, each field read by
the reader its type's registry entry names (:mod:`.readers`).

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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .fieldtypes import REGISTRY
from .readers import DateText, FormData, Numeral, Unread, read_whole_number, rows
from .walk import walk


def whole_number(field: Mapping[str, Any]) -> bool:
    """Whether a field drawn as a number input takes whole numbers only (its type's reader
    reads whole numbers)."""
    return REGISTRY[field["type"]].reader is read_whole_number


def read_field(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    """One field's answer from the post, by its type's reader (None: not answered)."""
    return REGISTRY[field["type"]].reader(data, name, field, read_field)


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
    """The answers a page posted, numbers and dates read as ``language`` writes them."""
    answers: dict[str, Any] = {section["key"]: {} for section in definition["sections"]}
    for place in walk(definition):
        value = read_field(data, place.name, place.field)
        if value is not None:
            answers[place.section["key"]][place.key] = value
    read: dict[str, Any] = _read_typed(answers, language)
    return read


def repeat_groups(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The repeat groups of a form by their ``section.field`` name (they nest no deeper)."""
    return {place.name: place.field for place in walk(definition) if place.type.container}


def empty_rows(definition: Mapping[str, Any], data: FormData) -> dict[str, int]:
    """How many rows of each repeat group were posted empty (a page keeps offering them)."""
    counts = {
        name: sum(1 for row in rows(data, name, field, read_field) if not row)
        for name, field in repeat_groups(definition).items()
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
