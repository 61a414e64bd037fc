"""Rules that the browser runs too: checked against the types of the fields they read, so that
the server's engine (datalogic-py) and the page's (json-logic-js) compute the same thing.

The web form evaluates ``relevant`` and ``calculate`` in the page as the unit types (and the
builder's preview does too); the server evaluates them again when a report is saved. The two
engines agree on rules whose operands have one type each, and differ on coercions (measured
over generated rules: ``tests/unit/test_rule_engines.py``). So a ``relevant`` or ``calculate``
rule is refused when it:

* reads a field into arithmetic, a comparison or ``cat`` without a default: an unanswered field
  is absent from the data (forms.rule_data, the one rule both sides build it by) and reads as
  null, which the server reads as 0 (or as equal to "" and false) and the browser as null
  (``{"var": ["s.so", 0]}`` says what it means); read alone, or under ``!``, ``!!``, ``if``,
  ``and``, ``or``, only its truth counts, which both engines agree on;
* gives a read a default that is null, an object (``{}`` is false on the server, true in the
  browser) or not of the answer's type, or reads a whole section (which may be ``{}``);
* divides by, or takes the remainder of, anything but a number written in the rule other than
  0 (by zero the server fails where the browser answers Infinity or NaN);
* compares values of two different types (or of a type this check cannot tell), or compares
  with null (``"1" == true``, ``0 == null`` differ), or orders anything but numbers (``<``)
  and text against plain text written in the rule (a date against ``"2019-06-14"``);
  ``missing`` and a field read alone (its truth) say "unanswered" the same way in both; an
  arithmetic operand is a number (a rule whose branches give different types is not);
* joins anything but text with ``cat`` (the server writes 1.0 where the browser writes 1, and
  a list without the commas);
* asks ``max`` or ``min`` of nothing, or compares other than two values (three for ``<`` and
  ``<=``, "between");
* uses a time or date-time for more than its truth: the page reads it as typed (``8:30``), the
  server as stored (``08:30:00``);
* asks ``in`` other than for a plain value in a list or for text in a non-empty text written in
  the rule, ``substr`` of a text that may be missing or at cuts not written as whole numbers,
  ``merge`` of what may be missing;
* runs ``map``, ``filter``, ``all``, ``none``, ``some`` or ``reduce`` over anything but a list, or
  with an inner rule that reads anything but the item (the engines look other names up in
  different places) or uses ``missing``; the inner rule is typed by the list's items.

A field read alone as a condition (``{"and": [f, g]}``, ``{"or": [{"!": f}, g]}``,
``{"if": [f, g, h]}``) is typed as answered in what it guards.

Types: ``number``, ``text`` (a date too: its ISO text on both sides), ``boolean``, ``list`` (a
select_multiple, a repeat group), ``record`` (a checklist item), ``time``, a calculated field's
rule's own type, and ``any`` (what this check cannot tell: reduce's accumulator,
a value that depends on data). Constraints and required rules run on the server only and are
not held to this.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .rules import ITEM

NUMBER, TEXT, BOOLEAN, LIST, RECORD, ANY, NULL = "number", "text", "boolean", "list", "record", "any", "null"
SECTION, MOMENT = "section", "time"

# The type a field's answer has, by field type; a checklist item is a record whose parts are typed below.
_FIELD_TYPES = {
    "integer": NUMBER,
    "decimal": NUMBER,
    "rating": NUMBER,
    "calculated": NUMBER,
    "boolean": BOOLEAN,
    "select_multiple": LIST,
    "checklist": RECORD,
    "repeat": LIST,
    # A time or a moment: the page reads it as typed ("8:30"), the server as stored ("08:30:00");
    # only its truth (answered or not) is the same in both. A date is read as its ISO text in
    # both (forms.rule_data, form.js), so it is text.
    "time": MOMENT,
    "datetime": MOMENT,
}
_PRESENT = "!"  # in a list operator's scope: a value that is never missing
_SCOPE = "\x00item"  # marks the types of a list operator's scope: only the item's paths may be read
_LIST_OPERATORS = frozenset({"map", "filter", "reduce", "all", "none", "some"})
_PLAIN = frozenset({NUMBER, TEXT, BOOLEAN})
# Operators that look only at the truth of their operands (and/or/if give one back: its type
# travels on to whatever reads it).
_TRUTH = frozenset({"!", "!!", "and", "or", "if", "?:"})
_CHECKLIST_PARTS = {"score": NUMBER, "status": TEXT, "note": TEXT}
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "min", "max"})
_COMPARISON = frozenset({"==", "!=", "===", "!==", "<", "<=", ">", ">="})
_BOOLEAN_RESULT = frozenset({"!", "!!", "in", "all", "none", "some", *_COMPARISON})

Problem = tuple[str, dict[str, Any]]  # a definition_messages key and its arguments


def field_types(definition: Mapping[str, Any]) -> dict[str, str]:
    """Each readable path's type: ``section.field``, ``section.field.score``…; inside a repeat
    group its records' fields as ``_item.key`` under the group's name (``section.group/_item.key``)."""
    types: dict[str, str] = {}
    calculated: dict[str, tuple[Any, str | None]] = {}  # a calculated field's rule and repeat group
    for section in definition.get("sections") or []:
        types[section["key"]] = SECTION
        for f in section.get("fields") or []:
            name = f"{section['key']}.{f['key']}"
            types[name] = _FIELD_TYPES.get(f["type"], TEXT)
            if f["type"] == "checklist":
                types.update({f"{name}.{part}": kind for part, kind in _CHECKLIST_PARTS.items()})
            if f["type"] == "calculated":
                calculated[name] = (f.get("calculate"), None)
            for sub in f.get("fields") or []:
                types[f"{name}/{ITEM}.{sub['key']}"] = _FIELD_TYPES.get(sub["type"], TEXT)
                if sub["type"] == "calculated":
                    calculated[f"{name}/{ITEM}.{sub['key']}"] = (sub.get("calculate"), name)
    # A calculated value is what its rule gives (a number, text or yes/no: forms.rule_data);
    # one calculation may read another, so as many passes as there are settle the chains.
    for name in calculated:
        types[name] = ANY
    for _ in range(len(calculated)):
        for name, (rule, group) in calculated.items():
            kind = _type_of(rule, types, group, []).rstrip("?")
            types[name] = kind if kind in (NUMBER, TEXT, BOOLEAN) else ANY
    return types


def portability_problems(
    rule: Any, types: Mapping[str, str], group: str | None = None, name: str = "relevant"
) -> list[Problem]:
    """What in ``rule`` the two engines would compute differently (empty when nothing is).
    ``group`` is the repeat group (``section.field``) whose records the rule reads as ``_item``;
    ``name`` the rule's (a ``calculate`` rule's value is kept, a ``relevant`` rule's truth)."""
    problems: list[Problem] = []
    kind = _type_of(rule, types, group, problems)
    if name == "calculate" and kind.rstrip("?") == MOMENT:
        problems.append(("rule_reads_moment", {"read": _path_of(rule)}))
    return problems


def _path_of(node: Any) -> str:
    """The first field a rule reads (for a message), or ""."""
    if isinstance(node, dict) and len(node) == 1:
        ((operator, args),) = node.items()
        if operator == "var":
            return str(args[0] if isinstance(args, list) and args else args)
        node = args
    for item in node if isinstance(node, list) else []:
        found = _path_of(item)
        if found:
            return found
    return ""


def _read(args: Any, types: Mapping[str, str], group: str | None) -> tuple[str, bool]:
    """The type a ``var`` reads, and whether it has a default."""
    path = args[0] if isinstance(args, list) and args else args
    has_default = isinstance(args, list) and len(args) > 1
    if not isinstance(path, str):
        return ANY, has_default
    if path.startswith(f"{ITEM}.") and group is not None:
        return types.get(f"{group}/{path}", ANY), has_default
    return types.get(path, ANY), has_default


def _read_type(args: Any, types: Mapping[str, str], group: str | None, problems: list[Problem]) -> str:
    """The type of a ``var``: its field's, with ``?`` when it may be unanswered (no default).
    Inside a list operator, a value that is always there (the item of a list of choices, the
    accumulator) is typed with ``!``."""
    kind, has_default = _read(args, types, group)
    path = str(args[0] if isinstance(args, list) and args else args)
    if _SCOPE in types and path not in types:
        problems.append(("rule_item_reads", {"read": path}))
        return ANY
    if kind.endswith(_PRESENT):
        return kind[: -len(_PRESENT)]
    if kind == SECTION:
        problems.append(("rule_reads_section", {"section": path}))
        return ANY
    if has_default and kind not in (ANY, MOMENT):
        default = args[1]
        # An unanswered field is absent from the data (forms.rule_data), so the default is what
        # both engines read: of the answer's own type, or the read has two types. An empty
        # object is true to the page and false to the server; null each coerces its own way.
        default_kind = _type_of(default, types, group, []) if not isinstance(default, dict) else ANY
        if default is None or isinstance(default, dict) or default_kind != kind:
            problems.append(("rule_default_kind", {"read": path, "kind": kind}))
            return ANY
    # Unanswered, a field reads as null, which each engine coerces its own way: a read
    # without a default is "maybe null" (kind?), fit only to be tested for its truth.
    return kind if has_default or kind == ANY else f"{kind}?"


def _operands(args: Any) -> list[Any]:
    return args if isinstance(args, list) else [args]


def _type_of(node: Any, types: Mapping[str, str], group: str | None, problems: list[Problem]) -> str:
    if node is None:
        return NULL
    if isinstance(node, bool):
        return BOOLEAN
    if isinstance(node, int | float):
        return NUMBER
    if isinstance(node, str):
        return TEXT
    if isinstance(node, list):
        for item in node:
            _type_of(item, types, group, problems)
        return LIST
    if not isinstance(node, dict) or len(node) != 1:
        return ANY
    ((operator, args),) = node.items()
    if operator == "var":
        return _read_type(args, types, group, problems)
    if operator in _LIST_OPERATORS:
        return _list_operator(operator, _operands(args), types, group, problems)
    operands = _operands(args)
    if operator in ("if", "?:", "and", "or"):
        kinds = _guarded_kinds(operator, operands, types, group, problems)
        results = {kind for kind in kinds[1::2] + kinds[-1:]} if operator in ("if", "?:") else set(kinds)
        return results.pop() if len(results) == 1 else ANY
    kinds = [_type_of(arg, types, group, problems) for arg in operands]
    if operator not in _TRUTH and operator not in ("missing", "missing_some"):
        for arg, kind in zip(operands, kinds, strict=True):
            if kind.rstrip("?") == MOMENT:
                problems.append(("rule_reads_moment", {"read": _path_of(arg)}))
    if operator in _ARITHMETIC:
        if operator in ("min", "max") and not operands:
            problems.append(("rule_empty_extreme", {"op": operator}))
        for kind in kinds:
            if kind.endswith("?"):
                problems.append(("rule_needs_default", {"op": operator}))
            elif kind != NUMBER:
                problems.append(("rule_not_number", {"op": operator, "kind": kind}))
        if (operator in ("-", "/", "%") and len(operands) > 2) or (operator in ("/", "%") and len(operands) < 2):
            problems.append(("rule_arity", {"op": operator}))  # json-logic-js reads two, the server all
        if operator in ("/", "%") and len(operands) > 1:
            divisor = operands[1]
            if isinstance(divisor, bool) or not isinstance(divisor, int | float) or divisor == 0:
                problems.append(("rule_divisor", {"op": operator}))
        return NUMBER
    if operator in _COMPARISON:
        if len(operands) != 2 and not (operator in ("<", "<=") and len(operands) == 3):
            problems.append(("rule_arity", {"op": operator}))
        known = set(kinds)
        if any(kind.endswith("?") for kind in known):
            problems.append(("rule_needs_default", {"op": operator}))
        elif NULL in known:
            problems.append(("rule_null_comparison", {"op": operator}))
        elif len(known) > 1 or ANY in known or not known <= {NUMBER, TEXT, BOOLEAN}:
            problems.append(("rule_mixed_comparison", {"op": operator, "kinds": " / ".join(sorted(known))}))
        elif operator in ("<", "<=", ">", ">=") and known != {NUMBER} and not _ordered_text(operands, known):
            problems.append(("rule_not_number", {"op": operator, "kind": known.pop()}))
        return BOOLEAN
    if operator == "cat":
        if any(kind.endswith("?") for kind in kinds):
            problems.append(("rule_needs_default", {"op": operator}))
        elif any(kind != TEXT for kind in kinds):
            problems.append(("rule_not_text", {}))
        return TEXT
    if operator in ("missing", "missing_some") and _SCOPE in types:
        problems.append(("rule_item_reads", {"read": operator}))
    if operator == "in":
        # Text in text, or a plain value in a list; null is "null" to one engine's indexOf.
        # ("" holds nothing to json-logic-js, and "" to datalogic-py: a text must be written.)
        written = len(operands) == 2 and isinstance(operands[1], str) and operands[1] != ""
        in_list = len(kinds) == 2 and kinds[1].rstrip("?") == LIST
        # A missing value is in no list of answers to both (json-logic-js's indexOf, datalogic-py's
        # equality); looked for in text, it is "null" to one of them.
        fits = (in_list and kinds[0].rstrip("?") in _PLAIN) or (len(kinds) == 2 and kinds[0] == TEXT and written)
        if not fits:
            problems.append(("rule_in", {}))
        return BOOLEAN
    if operator == "substr":
        cuts = operands[1:]
        whole = all(isinstance(cut, int) and not isinstance(cut, bool) for cut in cuts)
        if not kinds or kinds[0] != TEXT or not 1 <= len(cuts) <= 2 or not whole:
            problems.append(("rule_substr", {}))
        return TEXT
    if operator == "merge":
        for kind in kinds:
            if kind != LIST and kind not in _PLAIN:
                problems.append(("rule_not_list", {"op": operator, "kind": kind}))
        return LIST
    if operator in _BOOLEAN_RESULT:
        return BOOLEAN
    return ANY


def _ordered_text(operands: list[Any], known: set[str]) -> bool:
    """Text ordered against plain (ASCII) text written in the rule, such as a date
    (``{"<": [{"var": ["s.ngay", ""]}, "2019-06-14"]}``: dates are ISO text on both sides, so
    they order as text). json-logic-js orders text by UTF-16 unit and the server by code point:
    they differ only where the first difference sets a character past U+FFFF against one from
    U+E000 to U+FFFF, which ASCII on one side rules out. Two fields' text is not ordered."""
    unwritten = [op for op in operands if not (isinstance(op, str) and op.isascii())]
    return known == {TEXT} and len(unwritten) <= 1


def _guard(condition: Any, negated: bool) -> Any:
    """The bare read ``condition`` tests the truth of (``{"var": p}``, or under ``!`` when
    ``negated``), or None."""
    if negated:
        inner = condition.get("!") if isinstance(condition, dict) and len(condition) == 1 else None
        condition = inner[0] if isinstance(inner, list) and len(inner) == 1 else inner
    read = condition.get("var") if isinstance(condition, dict) and len(condition) == 1 else None
    return read if isinstance(read, str) and read else None


def _answered(path: str, types: Mapping[str, str], group: str | None) -> Mapping[str, str]:
    """``types`` where the field ``path`` reads as answered (what its truth guards)."""
    key = f"{group}/{path}" if path.startswith(f"{ITEM}.") and group is not None else path
    kind = types.get(key)
    if kind is None or kind in (ANY, SECTION) or kind.endswith(_PRESENT):
        return types
    return {**types, key: kind + _PRESENT}


def _guarded_kinds(
    operator: str, operands: list[Any], types: Mapping[str, str], group: str | None, problems: list[Problem]
) -> list[str]:
    """The operands' types of ``and``, ``or`` and ``if``, each typed where the fields read alone
    before it have been found answered: ``{"and": [f, g(f)]}``, ``{"or": [{"!": f}, g(f)]}`` and
    ``{"if": [f, g(f), h]}`` run ``g`` only when ``f`` is answered, in both engines (XLSForm's
    ``string-length`` is read so)."""
    kinds: list[str] = []
    scope = types
    for index, operand in enumerate(operands):
        branch = scope
        if operator in ("if", "?:") and index % 2 == 1:
            path = _guard(operands[index - 1], negated=False)
            branch = _answered(path, scope, group) if path else scope
        kinds.append(_type_of(operand, branch, group, problems))
        path = _guard(operand, negated=operator == "or") if operator in ("and", "or") else None
        if path:
            scope = _answered(path, scope, group)
    return kinds


def _item_types(source: Any, types: Mapping[str, str], group: str | None) -> dict[str, str]:
    """The types a list operator's inner rule reads, by path, from the list ``source`` gives:
    a repeat group's records (their fields, each maybe unanswered), a select_multiple's
    choices or a written list's plain values (the item itself, ``""``, always there)."""
    if isinstance(source, list):
        kinds = {_type_of(item, types, group, []) for item in source}
        return {"": kinds.pop() + _PRESENT} if len(kinds) == 1 and kinds <= _PLAIN else {"": ANY}
    read = source.get("var") if isinstance(source, dict) and len(source) == 1 else None
    path = read[0] if isinstance(read, list) and read else read
    if not isinstance(path, str):
        return {"": ANY}
    key = f"{group}/{path}" if path.startswith(f"{ITEM}.") and group is not None else path
    prefix = f"{key}/{ITEM}."
    fields = {name[len(prefix) :]: kind for name, kind in types.items() if name.startswith(prefix)}
    if fields:
        return {"": RECORD + _PRESENT, **fields}
    return {"": TEXT + _PRESENT} if types.get(key) == LIST else {"": ANY}


def _list_operator(
    operator: str, operands: list[Any], types: Mapping[str, str], group: str | None, problems: list[Problem]
) -> str:
    """``map``, ``filter``, ``all``, ``none``, ``some`` and ``reduce``: the list must be one (an
    answer read with the default ``[]``, or written in the rule; a text is a list of letters to
    one engine and nothing to the other; an unanswered one is no item to both), and the inner
    rule is typed by the list's items."""
    if not operands:
        return ANY
    source = _type_of(operands[0], types, group, problems)
    if source.rstrip("?") != LIST:  # an unanswered list is no item to both engines
        problems.append(("rule_not_list", {"op": operator, "kind": source}))
    items = {_SCOPE: ANY, **_item_types(operands[0], types, group)}
    if operator == "reduce":
        initial = _type_of(operands[2], types, group, problems) if len(operands) > 2 else NULL
        scope = {(f"current.{path}" if path else "current"): kind for path, kind in items.items() if path != _SCOPE}
        scope.update({_SCOPE: ANY, "accumulator": initial + _PRESENT})
        step = _type_of(operands[1], scope, None, problems) if len(operands) > 1 else ANY
        # No item: the start; else the last step's value. One type if the step keeps the start's.
        return initial if step == initial and initial in _PLAIN else ANY
    if len(operands) > 1:
        _type_of(operands[1], items, None, problems)
    return LIST if operator in ("map", "filter") else BOOLEAN


def rules_to_check(definition: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str, Any, str | None]]:
    """The rules the page runs too: ``(path to the owner, rule name, rule, repeat group)``."""
    for s_index, section in enumerate(definition.get("sections") or []):
        if section.get("relevant") is not None:
            yield ("sections", s_index), "relevant", section["relevant"], None
        for f_index, f in enumerate(section.get("fields") or []):
            owner = ("sections", s_index, "fields", f_index)
            for name in ("relevant", "calculate"):
                if f.get(name) is not None:
                    yield owner, name, f[name], None
            group = f"{section['key']}.{f['key']}"
            for sub_index, sub in enumerate(f.get("fields") or []):
                for name in ("relevant", "calculate"):
                    if sub.get(name) is not None:
                        yield (*owner, "fields", sub_index), name, sub[name], group
