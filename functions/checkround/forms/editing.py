"""The form builder's page as data: a definition to the inputs that edit it, and a post back.

The builder is one HTML form whose inputs are named by the definition's own paths
(``title.vi``, ``sections.0.fields.2.max``, ``sections.0.fields.3.choices.1.label.en``), so a
meta-validation error, which is addressed by the same path, lands on the input it is about.
Which options a field shows comes from its type's entry in the registry (``options``, ``roles``)
and how each is edited from its declaration in the meta-schema (:func:`option_kind`): a new
option or type needs no change here.

:func:`read_post` turns a post into the definition it describes, reading numbers and dates as
the page's language writes them; what cannot be read is kept as typed and reported at its
path (``problems``), so nothing typed is lost. Sections, fields, sub-fields and choices carry a
``pos`` (the page's script rewrites it after a drag), and the post is read in that order.
:func:`apply` carries out the buttons (add, duplicate, remove, move up or down) on the read
definition. A rule is edited as raw JSON Logic or, for the common cases, as a list of
conditions (:func:`conditions_of`, :func:`rule_of_conditions`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import fields as mfields
from marshmallow import validate

from checkround.formats.dates import DateError, format_date, parse_date
from checkround.formats.numbers import NumberError, format_for_input, parse_number
from checkround.formats.text import Bilingual

from .definition import FieldDefSchema, FormDefinitionSchema, LocalizedSchema
from .fieldtypes import REGISTRY, IsoDate
from .rules import ITEM

RULES = ("relevant", "required", "constraint", "calculate")
# Options every field has, in the order the page shows them; the type's own follow.
COMMON = ("key", "type", "label", "hint", "required", "relevant", "constraint", "constraint_message")
LATE = ("role", "renamed_from")
# Who fills a field in (forms/fillers.py); a repeat group's sub-fields go with their group.
FILLING = ("filled_by", "shown_to_unit")
NEW_FIELD_TYPE = "text"


def _declared() -> dict[str, mfields.Field[Any]]:
    schema = FieldDefSchema()
    return {(f.data_key or name): f for name, f in schema.fields.items()}


_DECLARED = _declared()


def option_kind(name: str) -> str:
    """How the page edits an option, from its declaration in the meta-schema: ``localized``,
    ``number``, ``integer``, ``date``, ``choices``, ``fields``, ``rule``, ``required``,
    ``select`` (a declared list of values) or ``text``."""
    if name == "required":
        return "required"
    declared = _DECLARED[name]
    if isinstance(declared, mfields.Nested) and declared.nested is LocalizedSchema:
        return "localized"
    if isinstance(declared, mfields.List):
        return "fields" if name == "fields" else "choices"
    if isinstance(declared, IsoDate):
        return "date"
    if isinstance(declared, mfields.Integer):
        return "integer"
    if isinstance(declared, mfields.Float):
        return "number"
    if isinstance(declared, mfields.Raw):
        return "rule"
    if any(isinstance(v, validate.OneOf) for v in declared.validators) or isinstance(declared, mfields.Boolean):
        return "select"
    return "text"


def _form_selects() -> dict[str, list[str]]:
    """The form's own options that take one of a declared list of values (its ``appearance``),
    with those values: the page draws each as a select."""
    found = {}
    for name, declared in FormDefinitionSchema().fields.items():
        for validator in declared.validators:
            if isinstance(validator, validate.OneOf):
                found[declared.data_key or name] = [str(choice) for choice in validator.choices]
    return found


FORM_SELECTS = _form_selects()


def select_values(name: str) -> list[str]:
    """The values a ``select`` option may take (its ``OneOf``; a yes/no option's two)."""
    if isinstance(_DECLARED[name], mfields.Boolean):
        return ["true", "false"]
    for validator in _DECLARED[name].validators:
        if isinstance(validator, validate.OneOf):
            return [str(choice) for choice in validator.choices]
    return []


def options_of(field_def: Mapping[str, Any], inside_repeat: bool = False) -> list[tuple[str, str]]:
    """``(option, kind)`` the page shows for a field, common ones first, then its type's."""
    entry = REGISTRY.get(str(field_def.get("type")))
    own = sorted(entry.options) if entry is not None else []
    if inside_repeat:
        own = [o for o in own if o != "fields"]
    late = [o for o in LATE if o != "role" or (entry is not None and entry.roles)]
    filling = [] if inside_repeat else list(FILLING)
    names = [*COMMON, *own, *late, *filling]
    return [(name, option_kind(name)) for name in names]


# -- reading a post ---------------------------------------------------------------------------


@dataclass
class Read:
    """What a post describes: the definition (possibly invalid), the inputs that could not be
    read (by path, with a bilingual message), and the button pressed (``op``, its target)."""

    definition: dict[str, Any]
    problems: dict[str, list[str]] = field(default_factory=dict)
    op: str = ""
    target: str = ""
    base_etag: str = ""


_MSG = {
    "number": ("Chưa đọc được số này.", "This is not a number we can read."),
    "integer": ("Hãy nhập một số nguyên.", "Type a whole number."),
    "date": ("Hãy nhập ngày theo dạng ngày/tháng/năm.", "Type the date as day/month/year."),
    "json": ("Quy tắc không phải JSON hợp lệ: {detail}", "The rule is not valid JSON: {detail}"),
    "value": (
        "Giá trị này không hợp với loại của trường: {detail}",
        "This value does not suit the field's type: {detail}",
    ),
    "deep": (
        "Các nhóm điều kiện lồng nhau tối đa {depth} tầng; quy tắc sâu hơn hãy viết bằng JSON Logic.",
        "Groups of conditions nest at most {depth} levels deep; write a deeper rule as JSON Logic.",
    ),
}


# How deep a typed rule may nest and still be read as JSON: well above the rule language's own
# bound (forms.rules.MAX_DEPTH, which says so in its own words), well below Python's stack.
_MAX_NESTING = 100


def _nesting(node: Any) -> int:
    """How deeply a parsed JSON value nests (counted without recursion)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > _MAX_NESTING:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _TooDeep(Exception):
    """A posted group of conditions deeper than the builder draws."""


def _problem(key: str, **params: Any) -> str:
    vi, en = _MSG[key]
    return Bilingual(vi.format(**params), en.format(**params))


def _tree(posted: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Dotted names to nested dicts (indices stay string keys; lists are made when read)."""
    root: dict[str, Any] = {}
    for name, value in posted:
        parts = name.split(".")
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                child = node[part] = {"": child}
            node = child
        last = parts[-1]
        if isinstance(node.get(last), dict):
            node[last][""] = value
        elif last in node:
            existing = node[last]
            node[last] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            node[last] = value
    return root


def _items(node: Any) -> list[tuple[str, dict[str, Any]]]:
    """The numbered children of a node in the order their ``pos`` says (else their index)."""
    if not isinstance(node, dict):
        return []
    # Positions of at most six digits: a longer number is no input a page draws (and past 4300
    # digits int() raises, a 500).
    found = [(k, v) for k, v in node.items() if k.isascii() and k.isdigit() and len(k) <= 6 and isinstance(v, dict)]

    def order(item: tuple[str, dict[str, Any]]) -> tuple[float, int]:
        pos = item[1].get("pos")
        try:
            return (float(pos), int(item[0])) if isinstance(pos, str) and pos.strip() else (int(item[0]), int(item[0]))
        except ValueError:
            return (int(item[0]), int(item[0]))

    return sorted(found, key=order)


def _text(node: Any) -> str:
    if isinstance(node, list):
        node = node[-1] if node else ""
    if isinstance(node, dict):
        node = node.get("", "")
    return str(node).strip() if node is not None else ""


def _localized(node: Any) -> dict[str, str] | None:
    if not isinstance(node, dict):
        return None
    text = {lang: _text(node.get(lang)) for lang in ("vi", "en")}
    kept = {lang: value for lang, value in text.items() if value}
    return kept or None


class _Reader:
    def __init__(self, language: str, dropped: str = "") -> None:
        self.language = language
        self.problems: dict[str, list[str]] = {}
        # The condition or group a "remove" button named (its posted path): read as absent.
        self.dropped = dropped

    def problem(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(message)

    def number(self, raw: str, path: str, integer: bool) -> Any:
        try:
            return parse_number(raw, self.language, integer=integer)
        except NumberError:
            self.problem(path, _problem("integer" if integer else "number"))
            return raw

    def group(self, node: Mapping[str, Any], path: str, depth: int) -> dict[str, Any]:
        """A group of the condition builder as posted: its join and its rows, a row with rows of
        its own (or a join) being a group inside it; the row the "remove" button named is left
        out. Deeper than :data:`MAX_GROUP_DEPTH` raises (the reading stops there, however deep
        the post's names go)."""
        items: list[dict[str, Any]] = []
        for index, row in _items(node.get("c")):
            row_path = f"{path}.c.{index}"
            if row_path == self.dropped:
                continue
            if "c" in row or "join" in row:
                if depth >= MAX_GROUP_DEPTH:
                    raise _TooDeep(row_path)
                items.append(self.group(row, row_path, depth + 1))
            else:
                items.append({k: _text(row.get(k)) for k in ("field", "op", "value")})
        join = _text(node.get("join"))
        return {"join": join if join in ("and", "or") else "and", "items": items}

    def rule(self, node: Any, path: str, fields_at: Callable[[], Mapping[str, Mapping[str, Any]]]) -> Any:
        """A rule from its raw JSON, or from its conditions when the builder was used."""
        if not isinstance(node, dict):
            raw = _text(node)
            node = {"json": raw}
        mode = _text(node.get("mode")) or "json"
        if mode == "builder":
            try:
                group = self.group(node, path, 1)
            except _TooDeep:
                self.problem(path, _problem("deep", depth=MAX_GROUP_DEPTH))
                return None
            try:
                return rule_of_conditions(group["join"], group["items"], fields_at(), self.language)
            except ValueError as exc:
                self.problem(path, _problem("value", detail=str(exc)))
                return None
        if mode == "sum":
            picked = node.get("sum")
            paths = [p for p in (picked if isinstance(picked, list) else [picked]) if isinstance(p, str) and p]
            return rule_of_sum(paths)
        raw = _text(node.get("json"))
        if not raw:
            return None
        try:
            rule = json.loads(raw)
            if _nesting(rule) > _MAX_NESTING:
                # Parsed, but deeper than a page draws (its words, its copies) without running out
                # of stack: kept as typed, like a rule that is not JSON.
                raise RecursionError
            return rule
        except ValueError as exc:
            self.problem(path, _problem("json", detail=str(exc)))
            return raw
        except RecursionError:
            # Nested deeper than the parser goes: the client's mistake, not a 500.
            self.problem(path, _problem("json", detail="nested too deep"))
            return raw

    def option(
        self,
        name: str,
        kind: str,
        node: Any,
        path: str,
        fields_at: Callable[[], Mapping[str, Mapping[str, Any]]],
    ) -> Any:
        if kind == "localized":
            return _localized(node)
        if kind == "required":
            mode = _text(node.get("is")) if isinstance(node, dict) else _text(node)
            if mode == "yes":
                return True
            if mode == "rule":
                return self.rule(node, path, fields_at)
            return None
        if kind == "rule":
            return self.rule(node, path, fields_at)
        if kind == "choices":
            choices = []
            for _, row in _items(node):
                value, label = _text(row.get("value")), _localized(row.get("label"))
                if value or label:
                    choices.append({"value": value, "label": label or {"vi": ""}})
            return choices
        raw = _text(node)
        if not raw:
            return None
        if kind in ("number", "integer"):
            return self.number(raw, path, kind == "integer")
        if kind == "date":
            try:
                return parse_date(raw).isoformat()
            except DateError:
                self.problem(path, _problem("date"))
                return raw
        return raw

    def field(
        self, node: dict[str, Any], path: str, fields_at: Callable[[], Mapping[str, Mapping[str, Any]]], inside: bool
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"key": _text(node.get("key")), "type": _text(node.get("type")) or NEW_FIELD_TYPE}
        for name, kind in options_of(result, inside_repeat=inside):
            if name in ("key", "type"):
                continue
            if kind == "fields":
                result["fields"] = [
                    self.field(sub, f"{path}.fields.{n}", fields_at, True)
                    for n, (_, sub) in enumerate(_items(node.get("fields")))
                ]
                continue
            value = self.option(name, kind, node.get(name), f"{path}.{name}", fields_at)
            if (value is not None and value != []) or (kind == "choices" and name in node):
                result[name] = value
        if "label" not in result:
            result["label"] = {"vi": ""}
        original = _text(node.get("orig"))
        if original and original != result["key"] and "renamed_from" not in result:
            result["_orig"] = original
        return result


def read_post(posted: Iterable[tuple[str, str]], language: str) -> Read:
    """The definition a builder post describes (see the module docstring)."""
    pairs = list(posted)
    tree = _tree(pairs)
    op, _, target = _text(tree.get("op")).partition(":")
    reader = _Reader(language, dropped=target if op == "drop_cond" else "")
    definition: dict[str, Any] = {"id": _text(tree.get("id"))}
    for name in ("title", "description"):
        value = _localized(tree.get(name))
        if value is not None:
            definition[name] = value
    languages = tree.get("languages")
    if languages:
        definition["languages"] = languages if isinstance(languages, list) else [languages]
    for name in FORM_SELECTS:
        if _text(tree.get(name)):
            definition[name] = _text(tree.get(name))
    sets = {}
    for _, node in _items(tree.get("choice_sets")):
        set_name = _text(node.get("name"))
        if set_name:
            sets[set_name] = reader.option("choices", "choices", node.get("choices"), "", dict)
    if sets:
        definition["choice_sets"] = sets
    sections: list[dict[str, Any]] = []
    definition["sections"] = sections
    known: dict[str, Any] = {}

    def fields_at() -> Mapping[str, Mapping[str, Any]]:
        return known

    # Conditions name fields by path; their values are read by those fields' types, so every
    # field is read first (rules are read again below, once every field is known).
    for pass_number in (1, 2):
        sections.clear()
        reader.problems.clear()
        for s_index, (_, node) in enumerate(_items(tree.get("sections"))):
            path = f"sections.{s_index}"
            section: dict[str, Any] = {
                "key": _text(node.get("key")),
                "title": _localized(node.get("title")) or {"vi": ""},
            }
            description = _localized(node.get("description"))
            if description:
                section["description"] = description
            relevant = reader.rule(node.get("relevant"), f"{path}.relevant", fields_at)
            if relevant is not None:
                section["relevant"] = relevant
            for name in FILLING:
                if _text(node.get(name)):
                    section[name] = _text(node.get(name))
            section["fields"] = [
                reader.field(f_node, f"{path}.fields.{f_index}", fields_at, False)
                for f_index, (_, f_node) in enumerate(_items(node.get("fields")))
            ]
            sections.append(section)
        if pass_number == 1:
            known.update(field_paths(definition))
            for section in sections:
                for owner in section["fields"]:
                    if owner.get("fields"):
                        known.update({k: v for k, v in field_paths({}, owner).items() if k not in known})
    return Read(definition, dict(reader.problems), op, target, _text(tree.get("base_etag")))


def field_paths(definition: Mapping[str, Any], repeat: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every field a rule may read, by the path it reads it with (``section.key``; ``_item.key``
    for the sub-fields of ``repeat``)."""
    found: dict[str, Any] = {}
    for section in definition.get("sections") or []:
        for f in section.get("fields") or []:
            found[f"{section.get('key')}.{f.get('key')}"] = f
    for sub in (repeat or {}).get("fields") or []:
        found[f"{ITEM}.{sub.get('key')}"] = sub
    return found


def carry_renames(definition: dict[str, Any], published: Mapping[str, Any] | None) -> None:
    """A field whose key the admin changed (the page posted its former key) gets
    ``renamed_from`` when the former key is a field of the latest published version, so
    answers given under it follow it; the marker goes in every case."""
    before = set(field_paths(published)) if published else set()
    for section in definition.get("sections") or []:
        for f in section.get("fields") or []:
            original = f.pop("_orig", None)
            if original and f"{section.get('key')}.{original}" in before and not f.get("renamed_from"):
                f["renamed_from"] = original
            for sub in f.get("fields") or []:
                sub.pop("_orig", None)


# -- the common rules as conditions -----------------------------------------------------------

OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "answered", "unanswered", "chosen", "not_chosen")
# How deep groups of conditions go: the rule's own group and two levels inside it ("A and (B or
# (C and D))"). Deeper, a sentence in words needs brackets inside brackets inside brackets that
# people misread, and each level indents the editor on a 375-px phone; such a rule is JSON Logic.
# The bound also stops the reading of a post, whatever depth its names claim.
MAX_GROUP_DEPTH = 3
_BINARY = ("==", "!=", ">", ">=", "<", "<=")


def _var_path(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1 and "var" in node:
        args = node["var"]
        path = args[0] if isinstance(args, list) and args else args
        return path if isinstance(path, str) else None
    return None


def _condition(node: Any) -> dict[str, Any] | None:
    if not isinstance(node, dict) or len(node) != 1:
        return None
    ((operator, args),) = node.items()
    items = args if isinstance(args, list) else [args]
    if operator == "!!" and len(items) == 1 and _var_path(items[0]):
        return {"field": _var_path(items[0]), "op": "answered", "value": None}
    if operator == "!" and len(items) == 1:
        inner = items[0]
        if _var_path(inner):
            return {"field": _var_path(inner), "op": "unanswered", "value": None}
        # Only "not chosen" is a negated condition; anything else under "!" is JSON Logic (and
        # is not followed down, however deep a typed rule nests its "!").
        found = _condition(inner) if isinstance(inner, dict) and list(inner) == ["in"] else None
        if found is not None and found["op"] == "chosen":
            return {**found, "op": "not_chosen"}
        return None
    if operator == "in" and len(items) == 2 and _var_path(items[1]) and isinstance(items[0], str | int | float):
        return {"field": _var_path(items[1]), "op": "chosen", "value": items[0]}
    if operator in ("===", "!==", *_BINARY) and len(items) == 2:
        path = _var_path(items[0])
        if path and not isinstance(items[1], dict | list):
            return {"field": path, "op": {"===": "==", "!==": "!="}.get(operator, operator), "value": items[1]}
    return None


def _group_of(rule: Any, depth: int) -> dict[str, Any] | None:
    """An ``and``/``or`` node as a group of conditions and groups, or None when some part is
    not one the builder makes (or the groups go deeper than :data:`MAX_GROUP_DEPTH`)."""
    if not (isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("and", "or")):
        return None
    join = next(iter(rule))
    parts = rule[join] if isinstance(rule[join], list) else [rule[join]]
    items: list[dict[str, Any]] = []
    for part in parts:
        found = _condition(part)
        if found is None and depth < MAX_GROUP_DEPTH:
            found = _group_of(part, depth + 1)
        if found is None:
            return None
        items.append(found)
    return {"join": join, "items": items} if items else None


def conditions_of(rule: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """A rule as ``(join, items)`` when it is one the condition builder makes: a field compared
    with a value, answered or not, chosen or not, and groups of them (``{"join", "items"}``)
    joined by ``and`` or ``or``, at most :data:`MAX_GROUP_DEPTH` levels in all. The inverse of
    :func:`rule_of_conditions`: the tree a rule it makes is read back into makes that rule."""
    if rule is None:
        return "and", []
    group = _group_of(rule, 1)
    if group is not None:
        return group["join"], group["items"]
    single = _condition(rule)
    return ("and", [single]) if single is not None else None


def group_at(path: str) -> tuple[str, int]:
    """The rule a posted group path belongs to, and the group's level in it (the rule's own
    group is 1): ``sections.0.relevant.c.2`` is ``("sections.0.relevant", 2)``."""
    parts = path.split(".c.")
    return parts[0], len(parts)


def too_deep(level: int) -> list[str]:
    """The problem of a group asked for below :data:`MAX_GROUP_DEPTH` (none above it)."""
    return [_problem("deep", depth=MAX_GROUP_DEPTH)] if level >= MAX_GROUP_DEPTH else []


def is_group(item: Mapping[str, Any]) -> bool:
    """Whether an item of :func:`conditions_of` is a group (else a condition)."""
    return "items" in item


def _typed(value: str, target: Mapping[str, Any] | None, language: str) -> Any:
    """A condition's value as the field it is compared with holds its answers."""
    kind = str((target or {}).get("type"))
    if kind in ("integer", "decimal", "rating", "calculated"):
        try:
            return parse_number(value, language, integer=kind in ("integer", "rating"))
        except NumberError as exc:
            raise ValueError(value) from exc
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in ("true", "có", "yes", "1"):
            return True
        if lowered in ("false", "không", "no", "0"):
            return False
        raise ValueError(value)
    if kind == "date":
        try:
            return parse_date(value).isoformat()
        except DateError as exc:
            raise ValueError(value) from exc
    return value


# What an unanswered field reads as in a comparison: null is read differently by the server's
# engine and the browser's, so a compared read carries its type's empty answer
# (forms.rule_types refuses it otherwise). Lists and records are not compared with a value.
_EMPTY_ANSWER = {"integer": 0, "decimal": 0, "rating": 0, "calculated": 0, "boolean": False}
_NOT_COMPARED = frozenset({"select_multiple", "checklist", "repeat"})
_SCORE = {"type": "decimal"}


def _with_default(path: str, target: Mapping[str, Any] | None) -> dict[str, Any]:
    kind = str((target or {}).get("type"))
    if target is None:
        part = path.rsplit(".", 1)[-1] if path.count(".") >= 2 and not path.startswith("_item.") else None
        if part is None:
            return {"var": path}
        return {"var": [path, 0 if part == "score" else ""]}
    if kind in _NOT_COMPARED:
        return {"var": path}
    return {"var": [path, _EMPTY_ANSWER.get(kind, "")]}


def rule_of_conditions(
    join: str, conditions: list[dict[str, Any]], fields: Mapping[str, Mapping[str, Any]], language: str
) -> Any:
    """The JSON Logic of the condition builder's rows and groups (``{"join", "items"}``, as
    :func:`conditions_of` gives them); rows without a field, and groups left without any, are
    skipped; None for no condition. A group inside another is written as its own ``and``/``or``
    even with one condition, so that the page reads it back as the group the admin made (the
    rule as a whole is its one condition alone). Raises ValueError for a value the field's type
    cannot take."""
    parts = _parts(conditions, fields, language)
    if not parts:
        return None
    if len(parts) == 1 and not _is_join(parts[0]):
        return parts[0]
    return {"and" if join != "or" else "or": parts}


def _is_join(rule: Any) -> bool:
    return isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("and", "or")


def _parts(items: list[dict[str, Any]], fields: Mapping[str, Mapping[str, Any]], language: str) -> list[Any]:
    parts: list[Any] = []
    for item in items:
        if is_group(item):
            inner = _parts(item.get("items") or [], fields, language)
            if inner:
                parts.append({"and" if item.get("join") != "or" else "or": inner})
            continue
        made = _rule_of_condition(item, fields, language)
        if made is not None:
            parts.append(made)
    return parts


def _rule_of_condition(condition: Mapping[str, Any], fields: Mapping[str, Mapping[str, Any]], language: str) -> Any:
    path, op, raw = condition.get("field") or "", condition.get("op") or "==", condition.get("value") or ""
    if not path:
        return None
    var = {"var": path}
    if op == "answered":
        return {"!!": var}
    if op == "unanswered":
        return {"!": var}
    if op in ("chosen", "not_chosen"):
        chosen = {"in": [raw, var]}
        return chosen if op == "chosen" else {"!": chosen}
    if op in _BINARY:
        target = fields.get(path)
        if target is None and path.endswith(".score") and path.removesuffix(".score") in fields:
            target = _SCORE  # a checklist item's score: a number, compared as one
        return {op: [_with_default(path, target), _typed(raw, target, language)]}
    raise ValueError(op)


def rule_of_sum(paths: list[str]) -> Any:
    """A calculated total: the sum of the answers at ``paths`` (an unanswered one counts 0)."""
    return {"+": [{"var": [path, 0]} for path in paths]} if paths else None


def sum_of(rule: Any) -> list[str] | None:
    """The paths a rule adds up, when it is a sum :func:`rule_of_sum` makes; else None."""
    if not (isinstance(rule, dict) and len(rule) == 1 and isinstance(rule.get("+"), list)):
        return None
    paths = []
    for item in rule["+"]:
        args = item.get("var") if isinstance(item, dict) and len(item) == 1 else None
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and args[1] == 0:
            paths.append(args[0])
        elif isinstance(args, str):
            paths.append(args)
        else:
            return None
    return paths


def summable(definition: Mapping[str, Any], repeat: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """``(path, field)`` of what a total may add: numbers, ratings, other totals and checklist
    scores (``section.item.score``)."""
    found = []
    for path, f in field_paths(definition, repeat).items():
        entry = REGISTRY.get(str(f.get("type")))
        if entry is None or entry.container:
            continue
        if entry.report == "number":
            found.append((path, f))
        elif "max_score" in entry.options:
            found.append((f"{path}.score", f))
    return found


def condition_value_text(value: Any, language: str) -> str:
    """A condition's value as its input shows it."""
    if isinstance(value, bool):
        return ("có" if value else "không") if language == "vi" else ("yes" if value else "no")
    if isinstance(value, int | float):
        return format_for_input(value, language)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return format_date(value)
    return "" if value is None else str(value)


# -- the buttons ------------------------------------------------------------------------------

_PATH = re.compile(r"sections(\.[0-9]{1,6}(\.fields\.[0-9]{1,6}(\.fields\.[0-9]{1,6})?(\.choices\.[0-9]{1,6})?)?)?")


def _container(definition: dict[str, Any], path: str) -> tuple[list[Any], int] | None:
    """The list holding the element at ``path`` and its index there."""
    if not _PATH.fullmatch(path) or "." not in path:
        return None
    *parent, last_name, index = path.split(".")
    node: Any = definition
    for step in [*parent, last_name]:
        if isinstance(node, list) and step.isascii() and step.isdigit():
            node = node[int(step)] if int(step) < len(node) else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
    position = int(index)
    return (node, position) if isinstance(node, list) and position < len(node) else None


def _element(definition: dict[str, Any], path: str) -> Any:
    found = _container(definition, path)
    return found[0][found[1]] if found else None


def _free_key(taken: Iterable[str], stem: str) -> str:
    used = set(taken)
    stem = re.sub(r"_[0-9]+$", "", stem) or "truong"
    number = 2
    while f"{stem}_{number}" in used:
        number += 1
    return f"{stem}_{number}"


def new_field(kind: str, taken: Iterable[str]) -> dict[str, Any]:
    """A new field of type ``kind`` with what its type needs (its choices, a maximum score, a
    row field), waiting for its label (and a calculated one for its calculation)."""
    kind = kind if kind in REGISTRY else NEW_FIELD_TYPE
    made: dict[str, Any] = {"key": _free_key(taken, kind), "type": kind, "label": {"vi": ""}}
    options = REGISTRY[kind].options
    if "choices" in options:
        made["choices"] = [{"value": "a", "label": {"vi": ""}}, {"value": "b", "label": {"vi": ""}}]
    if "max_score" in options:
        made["max_score"] = 10
    if "fields" in options:
        made["fields"] = [{"key": "ten", "type": "text", "label": {"vi": ""}}]
    # A calculated field starts without its calculation: the page asks for one at the field.
    return made


def apply(definition: dict[str, Any], op: str, target: str, new_type: str = NEW_FIELD_TYPE) -> str | None:
    """Carry out a builder button on ``definition`` in place; return the path of the element to
    bring into view (None when the button is not an edit or names nothing)."""
    if op == "add_section":
        sections = definition.setdefault("sections", [])
        key = _free_key((s.get("key", "") for s in sections), "phan")
        sections.append({"key": key, "title": {"vi": ""}, "fields": [new_field(new_type, [])]})
        return f"sections.{len(sections) - 1}"
    if op in ("add_field", "add_sub"):
        owner = _element(definition, target)
        if not isinstance(owner, dict):
            return None
        fields = owner.setdefault("fields", [])
        kind = new_type if op == "add_field" else NEW_FIELD_TYPE
        if op == "add_sub" and REGISTRY.get(kind, REGISTRY[NEW_FIELD_TYPE]).container:
            kind = NEW_FIELD_TYPE
        fields.append(new_field(kind, (f.get("key", "") for f in fields)))
        return f"{target}.fields.{len(fields) - 1}"
    if op == "add_choice":
        owner = _element(definition, target)
        if not isinstance(owner, dict):
            return None
        choices = owner.setdefault("choices", [])
        choices.append({"value": _free_key((c.get("value", "") for c in choices), "lua_chon"), "label": {"vi": ""}})
        return f"{target}.choices.{len(choices) - 1}"
    found = _container(definition, target)
    if found is None:
        return None
    items, index = found
    if op == "remove":
        del items[index]
        return target.rsplit(".", 2)[0] if target.count(".") > 1 else None
    if op == "dup":
        copied = copy.deepcopy(items[index])
        key_name = "value" if ".choices." in target else "key"
        copied[key_name] = _free_key((i.get(key_name, "") for i in items), str(copied.get(key_name) or "ban_sao"))
        copied.pop("renamed_from", None)
        items.insert(index + 1, copied)
        return target.rsplit(".", 1)[0] + f".{index + 1}"
    if op in ("up", "down"):
        other = index - 1 if op == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            return target.rsplit(".", 1)[0] + f".{other}"
        return target
    return None


def flat_errors(tree: Any, prefix: str = "") -> dict[str, list[str]]:
    """A nested error tree (meta-validation's) as ``{dotted path: messages}``."""
    found: dict[str, list[str]] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for name, messages in flat_errors(value, path).items():
                found.setdefault(name, []).extend(messages)
    elif isinstance(tree, list):
        if all(isinstance(item, str) for item in tree):
            found[prefix] = list(tree)
        else:
            for index, item in enumerate(tree):
                for name, messages in flat_errors(item, f"{prefix}.{index}").items():
                    found.setdefault(name, []).extend(messages)
    elif tree is not None:
        found[prefix] = [tree]
    return found


def _value_text(kind: str, value: Any, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("number", "integer") and isinstance(value, int | float) and not isinstance(value, bool):
        return format_for_input(value, language)
    if kind == "date" and isinstance(value, str):
        try:
            return format_date(parse_date(value))
        except DateError:
            return value
    return str(value)


def _rule_pairs(path: str, rule: Any) -> list[tuple[str, str]]:
    return [(f"{path}.mode", "json"), (f"{path}.json", "" if rule is None else json.dumps(rule, ensure_ascii=False))]


def _field_pairs(path: str, f: Mapping[str, Any], position: int, language: str, inside: bool) -> list[tuple[str, str]]:
    pairs = [(f"{path}.pos", str(position)), (f"{path}.orig", str(f.get("key", "")))]
    for name, kind in options_of(f, inside_repeat=inside):
        value = f.get(name)
        where = f"{path}.{name}"
        if kind == "localized":
            pairs += [(f"{where}.vi", (value or {}).get("vi", "")), (f"{where}.en", (value or {}).get("en", ""))]
        elif kind == "required":
            mode = "yes" if value is True else "rule" if isinstance(value, dict) else "no"
            pairs += [(f"{where}.is", mode), *_rule_pairs(where, value if isinstance(value, dict) else None)]
        elif kind == "rule":
            pairs += _rule_pairs(where, value)
        elif kind == "choices":
            if f.get("choice_set"):
                continue  # the shared list's choices, shown but not edited here
            for n, choice in enumerate(value or []):
                label = choice.get("label") or {}
                pairs += [
                    (f"{where}.{n}.pos", str(n)),
                    (f"{where}.{n}.value", str(choice.get("value", ""))),
                    (f"{where}.{n}.label.vi", label.get("vi", "")),
                    (f"{where}.{n}.label.en", label.get("en", "")),
                ]
        elif kind == "fields":
            for n, sub in enumerate(value or []):
                pairs += _field_pairs(f"{where}.{n}", sub, n, language, True)
        else:
            pairs.append((where, _value_text(kind, value, language)))
    return pairs


def as_post(definition: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    """The inputs the builder page posts for ``definition`` (what :func:`read_post` reads);
    tests hold the page's template to it."""
    pairs = [("id", str(definition.get("id", "")))]
    for name in ("title", "description"):
        text = definition.get(name) or {}
        pairs += [(f"{name}.vi", text.get("vi", "")), (f"{name}.en", text.get("en", ""))]
    for lang in definition.get("languages") or []:
        pairs.append(("languages", lang))
    pairs += [(name, str(definition.get(name) or "")) for name in FORM_SELECTS]
    for n, (set_name, choices) in enumerate((definition.get("choice_sets") or {}).items()):
        pairs.append((f"choice_sets.{n}.name", set_name))
        for m, choice in enumerate(choices):
            label = choice.get("label") or {}
            pairs += [
                (f"choice_sets.{n}.choices.{m}.value", str(choice.get("value", ""))),
                (f"choice_sets.{n}.choices.{m}.label.vi", label.get("vi", "")),
                (f"choice_sets.{n}.choices.{m}.label.en", label.get("en", "")),
            ]
    for s_index, section in enumerate(definition.get("sections") or []):
        path = f"sections.{s_index}"
        pairs += [(f"{path}.pos", str(s_index)), (f"{path}.key", str(section.get("key", "")))]
        for name in ("title", "description"):
            text = section.get(name) or {}
            pairs += [(f"{path}.{name}.vi", text.get("vi", "")), (f"{path}.{name}.en", text.get("en", ""))]
        pairs += _rule_pairs(f"{path}.relevant", section.get("relevant"))
        pairs += [
            (f"{path}.{name}", _value_text("select", section[name], language)) for name in FILLING if name in section
        ]
        for f_index, f in enumerate(section.get("fields") or []):
            pairs += _field_pairs(f"{path}.fields.{f_index}", f, f_index, language, False)
    return pairs


def rendered_paths(definition: Mapping[str, Any], language: str) -> set[str]:
    """Every path the page draws an input or a group of inputs for (each prefix of an input's
    name): where an error can be shown."""
    found = {""}
    for name, _ in as_post(definition, language):
        parts = name.split(".")
        if parts[-1] in ("pos", "orig", "mode", "json", "is"):
            parts = parts[:-1]
        for end in range(1, len(parts) + 1):
            found.add(".".join(parts[:end]))
    # Every option the page draws for a field, also those without an input yet (no choices).
    for s_index, section in enumerate(definition.get("sections") or []):
        for f_index, f in enumerate(section.get("fields") or []):
            path = f"sections.{s_index}.fields.{f_index}"
            found.update(f"{path}.{name}" for name, _ in options_of(f))
            for sub_index, sub in enumerate(f.get("fields") or []):
                found.update(f"{path}.fields.{sub_index}.{name}" for name, _ in options_of(sub, inside_repeat=True))
    return found


def place_errors(errors: Mapping[str, list[str]], rendered: set[str]) -> dict[str, list[str]]:
    """Each error moved to the nearest path the page draws (an option the type does not take
    goes to its field; ``_schema`` to its element); ``""`` is the form as a whole."""
    placed: dict[str, list[str]] = {}
    for path, messages in errors.items():
        where = path
        while where not in rendered:
            where = where.rsplit(".", 1)[0] if "." in where else ""
        placed.setdefault(where, []).extend(messages)
    return placed
