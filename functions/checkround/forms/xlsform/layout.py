"""The workbook's layout, shared by import and export: sheet names, column names, languages,
types, and which definition option each column holds.

The columns of the options this product has beyond XLSForm are derived from the meta-schema
(:mod:`checkround.forms.definition`): every option it declares has a column of its own name,
so an option added there travels through a workbook without a change here. Only the options
XLSForm already names are renamed (``key`` is ``name``, ``calculate`` is ``calculation``, a
section's ``title`` is its group's ``label``) or laid out differently (choices, sub-fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from marshmallow import Schema, fields

from checkround.formats.text import LANGUAGES
from checkround.forms.definition import FieldDefSchema, FormDefinitionSchema, LocalizedSchema, SectionSchema
from checkround.forms.fieldtypes import REGISTRY, IsoDate, IsoDateTime, IsoTime

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
# Other ways workbooks made elsewhere name the two languages.
_LANGUAGE_ALIASES = {"vietnamese": "vi", "tieng viet": "vi", "tiếng việt": "vi", "english": "en"}

# The type column: this product's name of each type where XLSForm spells it otherwise.
TYPE_OUT = {"calculated": "calculate", "datetime": "dateTime"}
# What a type cell means (lower case): XLSForm's names and aliases, and this product's own.
TYPE_IN = {name: name for name in REGISTRY} | {
    "calculate": "calculated",
    "datetime": "datetime",
    "int": "integer",
}
SELECT_IN = {
    "select_one": "select_one",
    "select one": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
}
BEGIN_GROUP, END_GROUP = "begin group", "end group"
BEGIN_REPEAT, END_REPEAT = "begin repeat", "end repeat"
STRUCTURE = {
    "begin group": BEGIN_GROUP,
    "begin_group": BEGIN_GROUP,
    "end group": END_GROUP,
    "end_group": END_GROUP,
    "begin repeat": BEGIN_REPEAT,
    "begin_repeat": BEGIN_REPEAT,
    "end repeat": END_REPEAT,
    "end_repeat": END_REPEAT,
}
# A text field drawn with several lines (XLSForm's appearance) is this product's textarea.
MULTILINE = "multiline"

# Rules: a cell holds an XLSForm expression or JSON Logic (see .expressions).
RULE_OPTIONS = frozenset({"relevant", "constraint", "calculate"})


@dataclass(frozen=True)
class Column:
    """One definition option and the column that holds it.

    ``kind`` says how the cell is read and written: ``localized`` (one column per language,
    ``header::Tiếng Việt (vi)``), ``rule``, ``required`` (yes, no or a rule), ``text``,
    ``integer``, ``number``, ``boolean``, ``date`` (ISO text) or ``json`` (anything else)."""

    option: str
    header: str
    kind: str


def localized_header(header: str, language: str) -> str:
    return f"{header}::{LANGUAGE_NAMES[language]} ({language})"


_LANGUAGE_SUFFIX = re.compile(r"^(?P<name>.*?)\s*(\((?P<code>[A-Za-z-]+)\))?\s*$")


def language_of(text: str) -> str | None:
    """The language a header's ``::…`` part or a settings cell names, if it is one of ours."""
    match = _LANGUAGE_SUFFIX.match(text.strip())
    if match is None:  # pragma: no cover - the pattern matches any text
        return None
    code = (match.group("code") or "").lower()
    if code in LANGUAGES:
        return code
    name = match.group("name").strip().lower()
    if not code and name in LANGUAGES:
        return name
    return _LANGUAGE_ALIASES.get(name)


def split_header(header: str) -> tuple[str, str | None]:
    """``("label", "Tiếng Việt (vi)")`` of ``label::Tiếng Việt (vi)``; no language part: None."""
    base, sep, language = header.partition("::")
    return base.strip().lower(), language.strip() if sep else None


def _kind(field: fields.Field[object]) -> str:
    if isinstance(field, fields.Nested) and field.nested is LocalizedSchema:
        return "localized"
    if isinstance(field, fields.Boolean):
        return "boolean"
    if isinstance(field, fields.Integer):
        return "integer"
    if isinstance(field, fields.Float):
        return "number"
    if isinstance(field, fields.String):
        return "text"
    if isinstance(field, IsoDate | IsoTime | IsoDateTime):
        return "date"
    return "json"


def _columns(schema: Schema, renamed: dict[str, str], laid_out: frozenset[str]) -> tuple[Column, ...]:
    found: list[Column] = []
    for name, field in schema.fields.items():
        option = field.data_key or name
        if option in laid_out:
            continue
        kind = "rule" if option in RULE_OPTIONS else "required" if option == "required" else _kind(field)
        found.append(Column(option, renamed.get(option, option), kind))
    return tuple(found)


# The order of a field row's columns in an exported sheet: XLSForm's first, then the rest.
_FIELD_FIRST = ("label", "hint", "required", "relevant", "constraint", "constraint_message", "calculate")


@cache
def field_columns() -> tuple[Column, ...]:
    """Every option of a field that has a column (``key``, ``type``, choices and sub-fields are
    laid out by the type and name columns, the choices sheet and the rows below a repeat)."""
    columns = _columns(
        FieldDefSchema(),
        {"calculate": "calculation"},
        frozenset({"key", "type", "choices", "choice_set", "fields"}),
    )
    first = [c for name in _FIELD_FIRST for c in columns if c.option == name]
    return (*first, *(c for c in columns if c.option not in _FIELD_FIRST))


@cache
def section_columns() -> tuple[Column, ...]:
    """A section's options on its ``begin group`` row."""
    return _columns(SectionSchema(), {"title": "label", "description": "hint"}, frozenset({"key", "fields"}))


@cache
def form_columns() -> tuple[Column, ...]:
    """The form's options in the settings sheet."""
    columns = _columns(
        FormDefinitionSchema(),
        # A form's appearance "pages" is XLSForm's settings style "pages" (a section a page).
        {"title": "form_title", "appearance": STYLE},
        frozenset({"id", "choice_sets", "sections"}),
    )
    return tuple(Column(c.option, c.header, "languages") if c.option == "languages" else c for c in columns)


STYLE = "style"

# Cells of the settings sheet that are not options of the definition.
FORM_ID, VERSION, DEFAULT_LANGUAGE, CHOICE_SETS = "form_id", "version", "default_language", "choice_sets"
LIST_NAME, NAME, TYPE = "list_name", "name", "type"
