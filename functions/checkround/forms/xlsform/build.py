"""Make a form definition of a workbook's rows, every problem addressed to its cell.

The survey sheet's groups become sections:

* a top-level ``begin group`` is a section (its ``label`` the title, its ``hint`` the
  description, its ``relevant`` the section's);
* a group inside a group is a section of its own, placed where it begins, whose ``relevant``
  is its own and every enclosing group's joined with ``and``; a group's fields that come after
  a group inside it stay in their group's section;
* fields outside any group are gathered, each run of them, in a section ``main`` (``main_2``,
  …) titled with the form's title;
* a group inside a repeat group adds nothing but its ``relevant``, joined with ``and`` into
  each of its fields' (which stay the repeat group's sub-fields).

Types map through :data:`.layout.TYPE_IN` (XLSForm's names and this product's own); a text with
the appearance ``multiline`` is a ``textarea``; other appearances are left out and listed.
Choice lists used by one field become its ``choices``; lists named in the settings sheet's
``choice_sets`` (or, without that column, used by several fields) become shared choice sets.

:func:`build_definition` returns the definition as read plus where each part came from;
:func:`address_errors` puts the meta-validation's errors (by definition path) on those cells.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from checkround.formats.text import LANGUAGES
from checkround.forms.definition import FieldDefSchema, FormDefinitionSchema
from checkround.forms.fieldtypes import REGISTRY

from .expressions import ExpressionError, Scope, from_cell
from .layout import (
    BEGIN_GROUP,
    BEGIN_REPEAT,
    CHOICE_SETS,
    CHOICES,
    DEFAULT_LANGUAGE,
    END_GROUP,
    END_REPEAT,
    FORM_ID,
    LIST_NAME,
    MULTILINE,
    NAME,
    SELECT_IN,
    SETTINGS,
    STRUCTURE,
    STYLE,
    SURVEY,
    TYPE,
    TYPE_IN,
    VERSION,
    Column,
    field_columns,
    form_columns,
    language_of,
    localized_header,
    section_columns,
    split_header,
)
from .messages import Problems
from .read import Row, Sheet, Workbook
from .scopes import Scopes

LOOSE_SECTION = "main"
APPEARANCE = "appearance"
# XLSForm appearances of a choice field that mean this product's: a drop-down is a list.
_APPEARANCE_IN = {"minimal": "list", "autocomplete": "list"}
Path = tuple[Any, ...]


class _Bad:
    """A cell that could not be read (its problem is already noted)."""


BAD = _Bad()


@dataclass
class Where:
    """The cells a part of the definition came from: its row, and each option's column."""

    sheet: str
    row: int
    columns: dict[str, str] = field(default_factory=dict)
    default: str = TYPE

    def column(self, option: Any, language: Any = None) -> str:
        if isinstance(option, str):
            return self.columns.get(f"{option}::{language}") or self.columns.get(option) or option
        return self.default


_LOCALIZED = {
    c.header
    for columns in (field_columns(), section_columns(), form_columns())
    for c in columns
    if c.kind == "localized"
}


class Headers:
    """A sheet's headers read: each one's base name and language (None: no language part)."""

    def __init__(self, sheet: Sheet, default_language: str, problems: Problems) -> None:
        self.sheet = sheet
        self.default_language = default_language
        self.of: dict[str, tuple[str, str | None]] = {}
        for header in sheet.headers:
            if not header:
                continue
            base, language_text = split_header(header)
            if base == "list name":
                base = LIST_NAME
            if language_text is not None and base not in _LOCALIZED:
                # "media::image" and the like: a column of its own, not a language of ours.
                self.of[header] = (header.strip().lower(), None)
                continue
            language = language_of(language_text) if language_text is not None else None
            if language_text is not None and language is None:
                problems.add(sheet.name, 1, header, "unsupported_language", language=language_text)
                continue
            self.of[header] = (base, language)

    def header(self, base: str, language: str | None = None) -> str:
        """The sheet's header for ``base`` (in ``language``), or the one an export would write."""
        for header, (b, lang) in self.of.items():
            if b == base and (lang or self.default_language if language else None) == language:
                return header
        return localized_header(base, language) if language else base


@dataclass
class _Node:
    row: Row
    kind: str  # "group", "repeat" or "field"
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Field:
    node: _Node
    key: str
    type: str | None
    groups: list[Row] = field(default_factory=list)  # groups inside a repeat group, around it
    subs: list[_Field] = field(default_factory=list)
    list_name: str | None = None  # a choice field's list


@dataclass
class _Section:
    key: str
    groups: list[Row]  # the enclosing groups, outermost first, its own last; none for "main"
    fields: list[_Field] = field(default_factory=list)


@dataclass
class Built:
    definition: dict[str, Any]
    where: dict[Path, Where]
    ignored: list[dict[str, Any]]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Reader:
    """The state of one import: problems, the rows' headers, what was left out."""

    def __init__(self, book: Workbook, problems: Problems) -> None:
        self.book = book
        self.problems = problems
        self.ignored: list[dict[str, Any]] = []
        self.where: dict[Path, Where] = {}
        self.reported_columns: set[tuple[str, str]] = set()
        settings = book.sheet(SETTINGS)
        self.settings_row = settings.rows[0] if settings.rows else Row(SETTINGS, 2, {})
        default = self.settings_row.cells.get(DEFAULT_LANGUAGE)
        self.default_language = "vi"
        if default is not None:
            found = language_of(_text(default))
            if found is None:
                problems.add(
                    SETTINGS, self.settings_row.number, DEFAULT_LANGUAGE, "unsupported_language", language=default
                )
            else:
                self.default_language = found
        self.headers = {
            name: Headers(book.sheet(name), self.default_language, problems) for name in (SURVEY, CHOICES, SETTINGS)
        }

    # -- cells -------------------------------------------------------------------------------

    def unsupported(self, row: Row, header: str) -> None:
        if (row.sheet, header) not in self.reported_columns:
            self.reported_columns.add((row.sheet, header))
            self.problems.add(row.sheet, row.number, header, "unsupported_column", column=header)

    def cells(self, row: Row) -> Iterable[tuple[str, str, str | None, Any]]:
        """``(header, base, language, value)`` of each cell of a row whose header was read."""
        headers = self.headers[row.sheet].of
        for header, value in row.cells.items():
            if header in headers:
                base, language = headers[header]
                if base.startswith("$"):
                    continue  # Kobo's bookkeeping ($kuid, $autoname…)
                yield header, base, language, value

    def value(self, row: Row, header: str, kind: str, raw: Any, scope: Scope | None) -> Any:
        problems = self.problems
        try:
            if kind in ("rule", "required"):
                if kind == "required" or isinstance(raw, bool):
                    flag = _flag(raw)
                    if flag is not None:
                        return flag
                return from_cell(_text(raw), scope or Scope(fields={}))
            if kind == "text":
                if isinstance(raw, bool):
                    raise ValueError
                return _text(raw)
            if kind == "integer":
                return _integer(raw)
            if kind == "number":
                return _number(raw)
            if kind == "boolean":
                flag = _flag(raw)
                if flag is None:
                    raise ValueError
                return flag
            if kind == "date":
                return raw.date().isoformat() if isinstance(raw, dt.datetime) else _text(raw)
            if kind == "languages":
                return _text(raw).split()
            return json.loads(raw) if isinstance(raw, str) else raw
        except ExpressionError as exc:
            problems.add(row.sheet, row.number, header, exc.key, **exc.params)
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser goes
            key = {"integer": "bad_integer", "number": "bad_number", "boolean": "bad_boolean"}.get(kind, "bad_json")
            problems.add(row.sheet, row.number, header, "bad_text" if kind == "text" else key)
        return BAD

    def options(
        self,
        row: Row,
        columns: Sequence[Column],
        scope: Scope | None,
        where: Where,
        skip: frozenset[str] = frozenset(),
    ) -> tuple[dict[str, Any], list[tuple[str, str, Any]]]:
        """The options a row's cells give, and the cells no column of ``columns`` takes."""
        by_header = {c.header: c for c in columns}
        found: dict[str, Any] = {}
        rest: list[tuple[str, str, Any]] = []
        for header, base, language, raw in self.cells(row):
            if base in skip:
                continue
            column = by_header.get(base)
            if column is None or (language is not None and column.kind != "localized"):
                rest.append((header, base, raw))
                continue
            if column.kind == "localized":
                lang = language or self.default_language
                found.setdefault(column.option, {})[lang] = _text(raw)
                where.columns[f"{column.option}::{lang}"] = header
                continue
            value = self.value(row, header, column.kind, raw, scope)
            where.columns[column.option] = header
            if value is not BAD:
                found[column.option] = value
        for column in columns:
            if column.kind == "localized":
                texts = found.get(column.option)
                # The form language needs Vietnamese: a workbook in English alone gives its
                # English in its place (for the admin to translate), never an empty form.
                if texts and "vi" not in texts:
                    texts["vi"] = next(iter(texts.values()))
                for language in LANGUAGES:
                    where.columns.setdefault(
                        f"{column.option}::{language}", self.headers[row.sheet].header(column.header, language)
                    )
            where.columns.setdefault(column.option, column.header)
        return found, rest

    # -- choices -----------------------------------------------------------------------------

    def choice_lists(self) -> dict[str, list[tuple[Row, dict[str, Any]]]]:
        lists: dict[str, list[tuple[Row, dict[str, Any]]]] = {}
        label = Column("label", "label", "localized")
        for row in self.book.sheet(CHOICES).rows:
            where = Where(CHOICES, row.number, {"value": NAME}, default=NAME)
            found, rest = self.options(row, (label,), None, where, skip=frozenset({LIST_NAME, NAME}))
            for header, _, _ in rest:
                self.unsupported(row, header)
            list_header = self.headers[CHOICES].header(LIST_NAME)
            list_name = row.cells.get(list_header)
            name = row.cells.get(self.headers[CHOICES].header(NAME))
            if list_name is None:
                if any(base for _, base, _, _ in self.cells(row)):
                    self.problems.add(CHOICES, row.number, LIST_NAME, "needs_name")
                continue
            if name is None:
                self.problems.add(CHOICES, row.number, NAME, "needs_name")
                continue
            choice = {"value": _text(name), "label": found.get("label", {})}
            lists.setdefault(_text(list_name).strip(), []).append((row, choice))
        return lists


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).strip().lower()
    if text in ("yes", "true", "true()", "1"):
        return True
    if text in ("no", "false", "false()", "0"):
        return False
    return None


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return raw
    number = float(raw) if isinstance(raw, float) else float(_text(raw).strip())
    if not number.is_integer():
        raise ValueError
    return int(number)


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int | float):
        return raw
    text = _text(raw).strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


# -- the survey's structure ------------------------------------------------------------------


def _type_text(row: Row, headers: Headers) -> str:
    raw = row.cells.get(headers.header(TYPE))
    return " ".join(_text(raw).split()) if raw is not None else ""


def _tree(reader: _Reader) -> list[_Node]:
    """The survey's rows as a tree of groups, repeat groups and fields."""
    headers = reader.headers[SURVEY]
    root = _Node(Row(SURVEY, 1, {}), "group")
    stack: list[_Node] = [root]
    for row in reader.book.sheet(SURVEY).rows:
        text = _type_text(row, headers)
        structure = STRUCTURE.get(text.lower())
        if not text:
            if any(True for _ in reader.cells(row)):
                reader.problems.add(SURVEY, row.number, TYPE, "needs_type")
            continue
        if structure in (BEGIN_GROUP, BEGIN_REPEAT):
            node = _Node(row, "group" if structure == BEGIN_GROUP else "repeat")
            stack[-1].children.append(node)
            stack.append(node)
        elif structure in (END_GROUP, END_REPEAT):
            wanted = "group" if structure == END_GROUP else "repeat"
            if len(stack) == 1 or stack[-1].kind != wanted:
                reader.problems.add(SURVEY, row.number, TYPE, "unmatched_end", type=text)
            else:
                stack.pop()
        else:
            stack[-1].children.append(_Node(row, "field"))
    for open_node in stack[1:]:
        end = END_GROUP if open_node.kind == "group" else END_REPEAT
        reader.problems.add(SURVEY, open_node.row.number, TYPE, "unclosed", end=end)
    return root.children


def _field_type(reader: _Reader, node: _Node) -> tuple[str | None, str | None]:
    """The registry type of a field row, and its choice list's name."""
    if node.kind == "repeat":
        return "repeat", None
    text = _type_text(node.row, reader.headers[SURVEY])
    words = text.split(" ")
    for prefix, kind in SELECT_IN.items():
        count = len(prefix.split(" "))
        if " ".join(words[:count]).lower() == prefix:
            rest = words[count:]
            if len(rest) != 1:
                if rest:
                    reader.problems.add(
                        SURVEY, node.row.number, reader.headers[SURVEY].header(TYPE), "unknown_type", type=text
                    )
                else:
                    reader.problems.add(SURVEY, node.row.number, TYPE, "select_needs_list", type=prefix)
                return None, None
            return kind, rest[0]
    found = TYPE_IN.get(text.lower()) if text.lower() != "repeat" else None
    if found is None:
        reader.problems.add(SURVEY, node.row.number, reader.headers[SURVEY].header(TYPE), "unknown_type", type=text)
    return found, None


def _name(reader: _Reader, row: Row) -> str | None:
    raw = row.cells.get(reader.headers[SURVEY].header(NAME))
    if raw is None:
        reader.problems.add(SURVEY, row.number, NAME, "needs_name")
        return None
    return _text(raw).strip()


def _plan(reader: _Reader, nodes: list[_Node]) -> list[_Section]:
    sections: list[_Section] = []
    taken = {_text(n.row.cells.get(reader.headers[SURVEY].header(NAME), "")) for n in _all(nodes) if n.kind == "group"}

    def loose() -> _Section:
        if sections and not sections[-1].groups and sections[-1].key.startswith(LOOSE_SECTION):
            return sections[-1]
        key, number = LOOSE_SECTION, 2
        while key in taken:
            key, number = f"{LOOSE_SECTION}_{number}", number + 1
        taken.add(key)
        sections.append(_Section(key, []))
        return sections[-1]

    def field_of(node: _Node, groups: list[Row], in_repeat: bool) -> _Field | None:
        key = _name(reader, node.row)
        kind, list_name = _field_type(reader, node)
        if kind is None:
            return None  # refused; the rest of the form is still read for its problems
        made = _Field(node, key or "", kind, groups, list_name=list_name)
        if node.kind == "repeat":
            if in_repeat:
                reader.problems.add(SURVEY, node.row.number, TYPE, "nested_repeat")
                return None
            made.subs = list(repeat_fields(node.children, []))
        return made if key else None

    def repeat_fields(nodes: list[_Node], groups: list[Row]) -> Iterable[_Field]:
        for node in nodes:
            if node.kind == "group":
                yield from repeat_fields(node.children, [*groups, node.row])
            else:
                made = field_of(node, groups, in_repeat=True)
                if made is not None:
                    yield made

    def section_of(node: _Node, outer: list[Row]) -> None:
        key = _name(reader, node.row) or ""
        section = _Section(key, [*outer, node.row])
        sections.append(section)
        for child in node.children:
            if child.kind == "group":
                section_of(child, section.groups)
            else:
                made = field_of(child, [], in_repeat=False)
                if made is not None:
                    section.fields.append(made)

    for node in nodes:
        if node.kind == "group":
            section_of(node, [])
        else:
            made = field_of(node, [], in_repeat=False)
            if made is not None:
                loose().fields.append(made)
    return [s for s in sections if s.fields]


def _all(nodes: list[_Node]) -> Iterable[_Node]:
    for node in nodes:
        yield node
        yield from _all(node.children)


def _skeleton(sections: list[_Section]) -> dict[str, Any]:
    """Keys and types only: what the scopes of the rules need."""

    def one(f: _Field) -> dict[str, Any]:
        made: dict[str, Any] = {"key": f.key, "type": f.type or ""}
        if f.type == "repeat":
            made["fields"] = [one(sub) for sub in f.subs]
        return made

    return {"sections": [{"key": s.key, "fields": [one(f) for f in s.fields]} for s in sections]}


def _joined(rules: list[Any]) -> Any:
    return rules[0] if len(rules) == 1 else {"and": rules}


class _Builder:
    def __init__(
        self, reader: _Reader, scopes: Scopes, lists: dict[str, list[tuple[Row, dict[str, Any]]]], sets: set[str]
    ) -> None:
        self.reader = reader
        self.scopes = scopes
        self.lists = lists
        self.sets = sets

    def group_relevant(self, row: Row, scope: Scope) -> Any:
        """A group row's relevant (BAD if unreadable, None if none); other cells are refused
        unless a section takes them (``section``)."""
        header = self.reader.headers[SURVEY].header("relevant")
        raw = row.cells.get(header)
        return None if raw is None else self.reader.value(row, header, "rule", raw, scope)

    def section(self, index: int, plan: _Section, settings_title: Any) -> dict[str, Any]:
        reader = self.reader
        path: Path = ("sections", index)
        if plan.groups:
            own = plan.groups[-1]
            where = Where(SURVEY, own.number, {"key": NAME}, default=NAME)
            found, rest = reader.options(
                own, section_columns(), self.scopes.section(), where, skip=frozenset({TYPE, NAME})
            )
            self.refuse_in_group(own, rest)
            outer = [self.group_relevant(row, self.scopes.section()) for row in plan.groups[:-1]]
            rules = [r for r in [*outer, found.get("relevant")] if r is not None and r is not BAD]
            if rules:
                found["relevant"] = _joined(rules)
            else:
                found.pop("relevant", None)
        else:
            where = Where(SETTINGS, reader.settings_row.number, {"title": "form_title"}, default=FORM_ID)
            found = {"title": settings_title} if settings_title else {}
        reader.where[path] = where
        section = {"key": plan.key, **found}
        section["fields"] = [self.field(plan, (*path, "fields", i), f, None) for i, f in enumerate(plan.fields)]
        return section

    def refuse_in_group(self, row: Row, rest: list[tuple[str, str, Any]]) -> None:
        for header, base, _ in rest:
            if base == APPEARANCE:
                self.ignore(row, header, row.cells[header])
            elif base in {c.header for c in field_columns()} or base in (TYPE, NAME):
                self.reader.problems.add(SURVEY, row.number, header, "not_for_group", column=header)
            else:
                self.reader.unsupported(row, header)

    def ignore(self, row: Row, header: str, value: Any) -> None:
        self.reader.ignored.append({"sheet": row.sheet, "row": row.number, "column": header, "value": _text(value)})

    def field(self, section: _Section, path: Path, plan: _Field, repeat: str | None) -> dict[str, Any]:
        reader = self.reader
        row = plan.node.row
        scope = self.scopes.field(f"{section.key}.{plan.key}") if repeat is None else self.scopes.sub(repeat, plan.key)
        where = Where(SURVEY, row.number, {"key": NAME, "type": TYPE, "choices": TYPE, "choice_set": TYPE})
        reader.where[path] = where
        # The appearance is read below: a value of another tool's is left out, not refused.
        columns = [c for c in field_columns() if c.option != APPEARANCE]
        found, rest = reader.options(row, columns, scope, where, skip=frozenset({TYPE, NAME}))
        made: dict[str, Any] = {"key": plan.key, "type": plan.type or "text", **found}
        if "label" not in made and plan.type == "calculated":
            # XLSForm's calculations have no label; the form language shows every field's.
            made["label"] = {"vi": plan.key}
        for header, base, raw in rest:
            if base == APPEARANCE:
                value = _text(raw).strip()
                chosen = _APPEARANCE_IN.get(value.lower(), value)
                if plan.type == "text" and value.lower() == MULTILINE:
                    made["type"] = "textarea"
                elif _takes_appearance(plan.type, chosen):
                    made[APPEARANCE] = chosen
                else:
                    self.ignore(row, header, raw)
            else:
                reader.unsupported(row, header)
        if "calculate" in made and plan.type != "calculated":
            reader.problems.add(SURVEY, row.number, where.column("calculate"), "calculation_needs_calculate")
            del made["calculate"]
        if plan.groups:
            group_scope = self.scopes.sub(repeat or "", None)
            rules = [self.group_relevant(g, group_scope) for g in plan.groups]
            rules = [r for r in [*rules, made.get("relevant")] if r is not None and r is not BAD]
            if rules:
                made["relevant"] = _joined(rules)
        if plan.list_name is not None:
            self.choices(made, plan.list_name, row, path)
        if plan.type == "repeat":
            repeat_path = f"{section.key}.{plan.key}"
            made["fields"] = [
                self.field(section, (*path, "fields", i), sub, repeat_path) for i, sub in enumerate(plan.subs)
            ]
        return made

    def choices(self, made: dict[str, Any], list_name: str, row: Row, path: Path) -> None:
        if list_name in self.sets:
            made["choice_set"] = list_name
            return
        items = self.lists.get(list_name)
        if items is None:
            self.reader.problems.add(
                SURVEY, row.number, self.reader.headers[SURVEY].header(TYPE), "unknown_list", list=list_name
            )
            return
        made["choices"] = [dict(choice) for _, choice in items]
        for index, (choice_row, _) in enumerate(items):
            self.reader.where[(*path, "choices", index)] = _choice_where(self.reader, choice_row)


def _takes_appearance(type_name: str | None, value: str) -> bool:
    """Whether the type has an appearance option (the meta-schema declares it once) that
    takes ``value``."""
    declared = FieldDefSchema().fields.get(APPEARANCE)
    if declared is None or type_name not in REGISTRY or APPEARANCE not in REGISTRY[type_name].options:
        return False
    try:
        declared.deserialize(value)
    except ValidationError:
        return False
    return True


def _takes_form_appearance(value: str) -> bool:
    declared = FormDefinitionSchema().fields.get(APPEARANCE)
    if declared is None:
        return False
    try:
        declared.deserialize(value)
    except ValidationError:
        return False
    return True


def _choice_where(reader: _Reader, row: Row) -> Where:
    headers = reader.headers[CHOICES]
    columns = {"value": headers.header(NAME)}
    columns.update({f"label::{lang}": headers.header("label", lang) for lang in LANGUAGES})
    return Where(CHOICES, row.number, columns, default=headers.header(LIST_NAME))


def _uses(sections: list[_Section]) -> dict[str, int]:
    """How many fields use each choice list."""
    counts: dict[str, int] = {}

    def visit(plans: list[_Field]) -> None:
        for plan in plans:
            if plan.list_name is not None:
                counts[plan.list_name] = counts.get(plan.list_name, 0) + 1
            visit(plan.subs)

    for section in sections:
        visit(section.fields)
    return counts


def build_definition(book: Workbook, problems: Problems, form_id: str | None = None) -> Built:
    """The definition a workbook describes, as read (``check_definition`` checks it next)."""
    reader = _Reader(book, problems)
    if SURVEY not in book.sheets:
        problems.add(SURVEY, 1, TYPE, "no_survey")
        return Built({}, {}, [])
    settings_where = Where(SETTINGS, reader.settings_row.number, {"id": FORM_ID}, default=FORM_ID)
    form_options, rest = reader.options(
        reader.settings_row,
        [c for c in form_columns() if c.header != STYLE],
        None,
        settings_where,
        skip=frozenset({FORM_ID, VERSION, DEFAULT_LANGUAGE, CHOICE_SETS}),
    )
    for header, base, raw in rest:
        if base == STYLE:
            # A style of another tool (Enketo's themes) is left out and listed, as appearances are.
            value = _text(raw).strip()
            if _takes_form_appearance(value):
                form_options[APPEARANCE] = value
            else:
                reader.ignored.append(
                    {"sheet": SETTINGS, "row": reader.settings_row.number, "column": header, "value": value}
                )
        else:
            reader.unsupported(reader.settings_row, header)
    reader.where[()] = settings_where
    # What is said of the sections as a whole (too many fields) is said of the survey sheet.
    reader.where[("sections",)] = Where(SURVEY, 1, {}, default=TYPE)
    if form_id is None:
        raw_id = reader.settings_row.cells.get(reader.headers[SETTINGS].header(FORM_ID))
        if raw_id is None:
            problems.add(SETTINGS, reader.settings_row.number, FORM_ID, "needs_form_id")
        form_id = _text(raw_id).strip() if raw_id is not None else ""

    if "title" not in form_options and form_id:
        # pyxform's default: a form without form_title is titled with its id.
        form_options["title"] = {"vi": form_id}
    lists = reader.choice_lists()
    plans = _plan(reader, _tree(reader))
    if not plans and not problems.rows_with_problems(SURVEY):
        problems.add(SURVEY, 1, TYPE, "no_fields")

    declared_header = reader.headers[SETTINGS].header(CHOICE_SETS)
    if declared_header in book.sheet(SETTINGS).headers:
        declared = _text(reader.settings_row.cells.get(declared_header, "")).split()
    else:
        declared = sorted(name for name, count in _uses(plans).items() if count > 1 and name in lists)
    choice_sets: dict[str, Any] = {}
    for name in declared:
        if name not in lists:
            problems.add(SETTINGS, reader.settings_row.number, declared_header, "duplicate_choice_list", list=name)
            continue
        choice_sets[name] = [dict(choice) for _, choice in lists[name]]
        first_row = lists[name][0][0]
        reader.where[("choice_sets", name)] = Where(CHOICES, first_row.number, {}, default=LIST_NAME)
        for index, (row, _) in enumerate(lists[name]):
            reader.where[("choice_sets", name, index)] = _choice_where(reader, row)

    builder = _Builder(reader, Scopes(_skeleton(plans)), lists, set(choice_sets))
    definition: dict[str, Any] = {"id": form_id, **form_options}
    if choice_sets:
        definition["choice_sets"] = choice_sets
    definition["sections"] = [builder.section(i, plan, form_options.get("title")) for i, plan in enumerate(plans)]
    return Built(definition, reader.where, reader.ignored)


def address_errors(errors: Mapping[Any, Any], built: Built, problems: Problems) -> None:
    """Put the meta-validation's errors (by definition path) on the cells they came from."""

    def visit(node: Any, path: Path) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                visit(value, (*path, key))
            return
        messages = node if isinstance(node, list) else [node]
        for length in range(len(path), -1, -1):
            where = built.where.get(path[:length])
            if where is not None:
                rest = path[length:]
                column = where.column(rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
                # A cell the workbook's own checks already refused keeps their word alone
                # (a list that does not exist also leaves the field without choices).
                if column not in problems.tree.get(where.sheet, {}).get(where.row, {}):
                    for message in messages:
                        problems.put(where.sheet, where.row, column, message)
                return

    visit(errors, ())
