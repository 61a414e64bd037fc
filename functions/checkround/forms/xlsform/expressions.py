"""XLSForm expressions ↔ JSON Logic: a lark grammar for the supported subset, both ways.

:func:`parse` reads an XLSForm expression (``${so_cong_trinh} > 0 and selected(${loai}, 'a')``)
into the JSON Logic rule the form language stores; :func:`write` turns a rule back into an
expression where the subset can say it, and :func:`to_cell` writes the cell of a rule: the
expression when reading it back gives exactly the same rule, else the rule's JSON (a cell that
starts with ``{`` or ``[``, or is ``null``; no expression starts so).

The subset and what each part becomes:

============================  ===============================================================
``${name}``                   ``{"var": "section.name"}`` (``_item.name`` for a sibling in a
                              repeat group); ``${name.score}`` reads a part (a checklist's);
                              ``${section.name}`` when the name alone is not unique
``.``                         the field the rule belongs to (in a constraint)
``'text'``, ``"text"``, 12    literals; ``true()``, ``false()``
``=``, ``!=``, ``<`` …        ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``
``x = ''``, ``x != ''``       "is empty": ``{"or": [{"===": [x, null]}, {"===": [x, ""]}]}``
                              and its ``!``
``and``, ``or``, ``not()``    ``and``, ``or`` (a chain is one list), ``!``
``+ - * div mod``, ``-x``     ``+`` (a chain is one list), ``-``, ``*``, ``/``, ``%``
``if(c, a, b)``               ``{"if": [c, a, b]}``
``selected(${f}, 'v')``       ``{"in": ["v", f]}`` (select_multiple), ``{"==": [f, "v"]}``
                              (select_one)
``count-selected(${f})``      ``{"reduce": [f, {"+": [{"var": "accumulator"}, 1]}, 0]}``
``string-length(x) > n``      only compared with a whole number: ``substr`` from ``n`` is
                              not empty (``>``, ``>=``, ``<``, ``<=``, ``=``, ``!=``)
``coalesce(${f}, literal)``   ``{"var": ["section.f", literal]}`` (a default)
============================  ===============================================================

JSON Logic has no operator for a string's length; ``substr`` gives the same answer for the
comparisons above, with an unanswered field read as empty, as XLSForm reads it. Anything else
is refused with :class:`ExpressionError` (its message key and where it is).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput, v_args

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: equality (_AND equality)*
?equality: relation (EQ_OP relation)?
?relation: sum (REL_OP sum)?
?sum: product (ADD_OP product)*
?product: unary (MUL_OP unary)*
?unary: "-" unary -> neg
      | primary
?primary: NUMBER -> number
        | STRING -> string
        | REF -> ref
        | "." -> current
        | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
        | "(" or_expr ")" -> group

_OR.2: /or\b/
_AND.2: /and\b/
EQ_OP: "!=" | "="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP.2: "*" | /div\b/ | /mod\b/
NUMBER: /[0-9]+(\.[0-9]+)?/ | /\.[0-9]+/
STRING: /'[^']*'/ | /"[^"]*"/
REF: /\$\{[^}\s]+\}/
FUNC: /[a-z][a-z0-9-]*(?=\s*\()/

%import common.WS
%ignore WS
"""


# What an XLSForm operator is in JSON Logic, and back.
_COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "div": "/", "mod": "%"}
_COUNT_STEP = {"+": [{"var": "accumulator"}, 1]}


class ExpressionError(Exception):
    """An expression outside the subset: ``key`` names its message in :mod:`.messages`."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Untranslatable(Exception):
    """A rule the subset cannot say (it is written as JSON Logic instead)."""


@dataclass(frozen=True)
class Ref:
    """What a name in ``${...}`` reads: its var path and its field type."""

    path: str
    type: str


@dataclass
class Scope:
    """The names an expression may read, and where it stands.

    ``fields`` are the form's fields outside repeat groups by name; ``qualified`` the same by
    ``section.name``; ``item`` the sibling sub-fields when the rule belongs to a repeat group's
    field (read as ``_item.name``); ``current`` the path ``.`` reads (None where ``.`` means
    nothing, as in a section's rule)."""

    fields: Mapping[str, Ref]
    qualified: Mapping[str, Ref] = field(default_factory=dict)
    sections: frozenset[str] = frozenset()
    item: Mapping[str, Ref] = field(default_factory=dict)
    current: str | None = None
    ambiguous: frozenset[str] = frozenset()

    def resolve(self, name: str) -> Ref:
        head, _, rest = name.partition(".")
        tail = "." + rest if rest else ""
        if head in self.item:
            ref = self.item[head]
            return Ref(ref.path + tail, ref.type if not rest else "part")
        if head in self.fields:
            ref = self.fields[head]
            return Ref(ref.path + tail, ref.type if not rest else "part")
        second, _, more = rest.partition(".")
        qualified = self.qualified.get(f"{head}.{second}")
        if qualified is not None:
            return Ref(qualified.path + ("." + more if more else ""), qualified.type if not more else "part")
        if not rest and head in self.sections:
            return Ref(head, "section")
        if head in self.ambiguous:
            raise ExpressionError("ambiguous_name", name=head)
        raise ExpressionError("unknown_name", name=name)

    def name_for(self, path: str) -> str:
        """The shortest ``${...}`` text that reads ``path`` back."""
        parts = path.split(".")
        candidates = [".".join(parts[1:]), path] if len(parts) > 1 else [path]
        for candidate in candidates:
            try:
                if candidate and self.resolve(candidate).path == path:
                    return candidate
            except ExpressionError:
                continue
        raise Untranslatable(path)


@dataclass(frozen=True)
class _Length:
    """``string-length(x)`` until the comparison around it says what to do with it."""

    of: Any


@dataclass(frozen=True)
class _Grouped:
    """A parenthesised value: a chain does not flatten into it."""

    value: Any


def _plain(value: Any) -> Any:
    if isinstance(value, _Grouped):
        return _plain(value.value)
    if isinstance(value, _Length):
        raise ExpressionError("length_alone")
    return value


def _chain(operator: str, items: list[Any]) -> dict[str, Any]:
    return {operator: [_plain(item) for item in items]}


# The scope of the expression being parsed: the parser transforms as it reduces (no tree is
# built, which halves the time of a parse), so its one transformer reads the scope from here.
_SCOPE: ContextVar[Scope] = ContextVar("xlsform_scope")


@v_args(inline=True)
class _ToLogic(Transformer[Token, Any]):
    @property
    def scope(self) -> Scope:
        return _SCOPE.get()

    def number(self, token: Token) -> int | float:
        text = str(token)
        return float(text) if "." in text else int(text)

    def string(self, token: Token) -> str:
        return str(token)[1:-1]

    def ref(self, token: Token) -> dict[str, Any]:
        return {"var": self.scope.resolve(str(token)[2:-1]).path}

    def current(self) -> dict[str, Any]:
        if self.scope.current is None:
            raise ExpressionError("no_current")
        return {"var": self.scope.current}

    def group(self, value: Any) -> _Grouped:
        return _Grouped(value)

    def neg(self, value: Any) -> Any:
        value = _defaulted(self.scope, _plain(value))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
        return {"-": [value]}

    @v_args(inline=False)
    def or_expr(self, items: list[Any]) -> dict[str, Any]:
        return _chain("or", items)

    @v_args(inline=False)
    def and_expr(self, items: list[Any]) -> dict[str, Any]:
        return _chain("and", items)

    def equality(self, left: Any, op: Token, right: Any) -> Any:
        return self._compare(str(op), left, right)

    def relation(self, left: Any, op: Token, right: Any) -> Any:
        return self._compare(str(op), left, right)

    def _compare(self, op: str, left: Any, right: Any) -> Any:
        left = left.value if isinstance(left, _Grouped) and isinstance(left.value, _Length) else left
        if isinstance(left, _Length):
            return _length_rule(op, _plain(left.of), _plain(right))
        left, right = _plain(left), _plain(right)
        if right == "" and op in ("=", "!="):
            empty = _empty_field(self.scope, left) if _is_var(left) else _empty(left)
            return empty if op == "=" else {"!": [empty]}
        return {_COMPARISONS[op]: [_defaulted(self.scope, left), _defaulted(self.scope, right)]}

    @v_args(inline=False)
    def sum(self, items: list[Any]) -> Any:
        return _arithmetic(items, flat="+")

    @v_args(inline=False)
    def product(self, items: list[Any]) -> Any:
        return _arithmetic(items, flat="*")

    @v_args(inline=False)
    def call(self, items: list[Any]) -> Any:
        name, args = str(items[0]), items[1:]
        handler = _FUNCTIONS.get(name)
        if handler is None:
            raise ExpressionError("unknown_function", function=name)
        arity, make = handler
        if len(args) != arity:
            raise ExpressionError("arity", function=name, count=arity)
        return make(self.scope, args)


# An unanswered field is null, which the server's engine and the browser's read differently in
# arithmetic and comparisons (forms.rule_types refuses such a read): a read there gets the
# default its type's empty answer means, XLSForm's own reading of an empty number being 0.
_DEFAULTS = {"integer": 0, "decimal": 0, "rating": 0, "calculated": 0, "boolean": False}
_NO_DEFAULT = frozenset({"select_multiple", "checklist", "repeat", "section"})


def _defaulted(scope: Scope, value: Any) -> Any:
    """``value`` with a default when it is a bare read of a field (a scalar answer)."""
    if not _is_var(value):
        return value
    path = value["var"]
    kind = next(
        (
            ref.type
            for ref in (*scope.item.values(), *scope.fields.values(), *scope.qualified.values())
            if ref.path == path
        ),
        "part" if path.count(".") >= 2 and not path.startswith("_item.") else None,
    )
    if kind is None or kind in _NO_DEFAULT:
        return value
    if kind == "part":
        return {"var": [path, 0 if path.endswith(".score") else ""]}
    return {"var": [path, _DEFAULTS.get(kind, "")]}


def _arithmetic(items: list[Any], flat: str) -> Any:
    """``a + b - c``: a run of the n-ary operator is one list; the others are pairs, from the left."""
    result = _defaulted(_SCOPE.get(), _plain(items[0]))
    for op_token, operand in zip(items[1::2], items[2::2], strict=True):
        operator = _ARITHMETIC[str(op_token)]
        value = _defaulted(_SCOPE.get(), _plain(operand))
        if operator == flat and isinstance(result, dict) and list(result) == [flat] and not _is_grouped(items, result):
            result = {flat: [*result[flat], value]}
        else:
            result = {operator: [result, value]}
    return result


def _is_grouped(items: list[Any], result: Any) -> bool:
    # The first operand came in parentheses: (a + b) + c stays two sums.
    return isinstance(items[0], _Grouped) and result is _plain(items[0])


def _length_rule(op: str, of: Any, limit: Any) -> Any:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ExpressionError("length_compare")

    def longer_than(n: int) -> Any:
        return {"and": [of, {"!=": [{"substr": [of, n]}, ""]}]}

    def at_most(n: int) -> Any:
        return {"or": [{"!": [of]}, {"==": [{"substr": [of, n]}, ""]}]}

    if op == ">":
        return longer_than(limit)
    if op == "<=":
        return at_most(limit)
    if limit == 0:
        # At least 0 characters is always true, fewer than 0 never: say so plainly.
        raise ExpressionError("length_compare")
    if op == ">=":
        return longer_than(limit - 1)
    if op == "<":
        return at_most(limit - 1)
    exactly = {"and": [longer_than(limit - 1), {"==": [{"substr": [of, limit]}, ""]}]}
    return exactly if op == "=" else {"!": [exactly]}


def _field_ref(scope: Scope, value: Any, function: str) -> tuple[dict[str, Any], Ref]:
    value = _plain(value)
    if not (isinstance(value, dict) and list(value) == ["var"] and isinstance(value["var"], str)):
        raise ExpressionError("needs_field", function=function)
    path = value["var"]
    for ref in (*scope.item.values(), *scope.fields.values(), *scope.qualified.values()):
        if ref.path == path:
            return value, ref
    raise ExpressionError("needs_field", function=function)


def _selected(scope: Scope, args: list[Any]) -> Any:
    var, ref = _field_ref(scope, args[0], "selected")
    choice = _plain(args[1])
    if not isinstance(choice, str | int) or isinstance(choice, bool):
        raise ExpressionError("selected_value")
    choice = str(choice)
    if ref.type == "select_multiple":
        return {"in": [choice, var]}
    if ref.type == "select_one":
        return {"==": [{"var": [var["var"], ""]}, choice]}
    raise ExpressionError("needs_choice_field", function="selected")


def _count_selected(scope: Scope, args: list[Any]) -> Any:
    var, ref = _field_ref(scope, args[0], "count-selected")
    if ref.type != "select_multiple":
        raise ExpressionError("needs_choice_field", function="count-selected")
    return {"reduce": [var, dict(_COUNT_STEP), 0]}


def _coalesce(scope: Scope, args: list[Any]) -> Any:
    var = _plain(args[0])
    if not _is_var(var):
        raise ExpressionError("needs_field", function="coalesce")
    default = _plain(args[1])
    if isinstance(default, dict | list):
        raise ExpressionError("coalesce_default")
    return {"var": [var["var"], default]}


_FUNCTIONS: dict[str, tuple[int, Callable[[Scope, list[Any]], Any]]] = {
    "true": (0, lambda scope, args: True),
    "false": (0, lambda scope, args: False),
    "not": (1, lambda scope, args: {"!": [_plain(args[0])]}),
    "if": (3, lambda scope, args: {"if": [_plain(a) for a in args]}),
    "selected": (2, _selected),
    "count-selected": (1, _count_selected),
    "string-length": (1, lambda scope, args: _Length(args[0])),
    "coalesce": (2, _coalesce),
}


_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False, transformer=_ToLogic())


def parse(text: str, scope: Scope) -> Any:
    """The JSON Logic rule of an XLSForm expression; :class:`ExpressionError` if outside the subset."""
    token = _SCOPE.set(scope)
    try:
        return _plain(_PARSER.parse(text))
    except UnexpectedInput as exc:
        raise ExpressionError("syntax", column=exc.column) from None
    except RecursionError:
        # Parentheses nested thousands deep (a cell holds 32767 characters): the transformer
        # recurses per level; the workbook's mistake, not a 500.
        raise ExpressionError("syntax", column=1) from None
    finally:
        _SCOPE.reset(token)


# -- JSON Logic → expression -----------------------------------------------------------------

# Binding strength of what an operator becomes; a child as weak or weaker is parenthesised.
_PRECEDENCE = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5}
_PRECEDENCE |= {"*": 6, "/": 6, "%": 6}
_ATOM = 9
_TO_XLS = {logic: xls for xls, logic in (*_COMPARISONS.items(), *_ARITHMETIC.items())}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "n" in text:  # no exponents in XPath; nan and inf are no literals
            raise Untranslatable(text)
        return text
    if isinstance(value, str):
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
    raise Untranslatable(repr(value))


class _Writer:
    def __init__(self, scope: Scope, *, implied_defaults: bool = False) -> None:
        self.scope = scope
        # Write a read whose default is the one parse gives it in arithmetic or a comparison as
        # plain ``${name}``: to_cell keeps that text only if it reads back as the same rule.
        self.implied_defaults = implied_defaults

    def ref(self, path: Any) -> str:
        if not isinstance(path, str):
            raise Untranslatable(repr(path))
        if path == self.scope.current:
            return "."
        return "${" + self.scope.name_for(path) + "}"

    def value(self, node: Any) -> tuple[str, int]:
        """The text of ``node`` and how strongly it binds."""
        if not isinstance(node, dict):
            if isinstance(node, int | float) and not isinstance(node, bool) and node < 0:
                return _literal(node), _PRECEDENCE["-"]
            return _literal(node), _ATOM
        if len(node) != 1:
            raise Untranslatable("object")
        ((op, args),) = node.items()
        pattern = self.pattern(op, args)
        if pattern is not None:
            return pattern
        if op == "var":
            if isinstance(args, list) and len(args) == 2 and not isinstance(args[1], dict | list):
                if self.implied_defaults and _same(_defaulted(self.scope, {"var": args[0]}), node):
                    return self.ref(args[0]), _ATOM
                return f"coalesce({self.ref(args[0])}, {_literal(args[1])})", _ATOM
            return self.ref(args), _ATOM
        if not isinstance(args, list):
            raise Untranslatable(op)
        if op == "!" and len(args) == 1:
            return f"not({self.text(args[0])})", _ATOM
        if op == "if" and len(args) == 3:
            return "if(" + ", ".join(self.text(a) for a in args) + ")", _ATOM
        if op == "-" and len(args) == 1:
            return "-" + self.operand(args[0], _ATOM - 1), _PRECEDENCE["-"]
        if (op in ("and", "or", "+", "*") and len(args) >= 2) or (op in _TO_XLS and len(args) == 2):
            strength = _PRECEDENCE[op]
            joiner = f" {_TO_XLS.get(op, op)} "
            return joiner.join(self.operand(arg, strength) for arg in args), strength
        raise Untranslatable(op)

    def operand(self, node: Any, parent: int) -> str:
        text, strength = self.value(node)
        return text if strength > parent else f"({text})"

    def text(self, node: Any) -> str:
        return self.value(node)[0]

    def emptied(self, node: Any) -> Any:
        """What ``node`` says is empty, when parse makes ``node`` of ``x = ''`` in this scope."""
        value = _empty_of(node)
        if value is None or not (_same(node, _empty(value)) or _same(node, _empty_field(self.scope, value))):
            return None
        return value

    def pattern(self, op: str, args: Any) -> tuple[str, int] | None:
        """The shapes :func:`parse` makes of the subset's functions, read back."""
        emptied = self.emptied({op: args})
        if emptied is not None:
            return f"{self.operand(emptied, 3)} = ''", 3
        if op == "in" and isinstance(args, list) and len(args) == 2:
            needle, haystack = args
            if isinstance(needle, str) and _is_var(haystack):
                return f"selected({self.ref(haystack['var'])}, {_literal(needle)})", _ATOM
        if op == "!" and isinstance(args, list) and len(args) == 1:
            inner = args[0]
            emptied = self.emptied(inner)
            if emptied is not None:
                return f"{self.operand(emptied, 3)} != ''", 3
            length = _length_pattern(inner)
            if length is not None and length[0] == "=":
                return self.length_text("!=", length[1], length[2]), 3
        if (
            op == "reduce"
            and isinstance(args, list)
            and len(args) == 3
            and args[1:] == [_COUNT_STEP, 0]
            and _is_var(args[0])
        ):
            return f"count-selected({self.ref(args[0]['var'])})", _ATOM
        length = _length_pattern({op: args})
        if length is not None:
            return self.length_text(*length), 4 if length[0] != "=" else 3
        return None

    def length_text(self, op: str, of: Any, limit: int) -> str:
        return f"string-length({self.text(of)}) {op} {limit}"


def _empty(value: Any) -> dict[str, Any]:
    """XLSForm's ``x = ''``: unanswered (null) or an empty text. Strict equality, because JSON
    Logic's ``==`` takes 0 for "" in the browser; no list literal (``in`` with ``[null, ""]``),
    because Firestore stores no list directly inside a list."""
    return {"or": [{"===": [value, None]}, {"===": [value, ""]}]}


def _empty_field(scope: Scope, var: dict[str, Any]) -> dict[str, Any]:
    """A field's ``x = ''`` that both engines compute alike (forms.rule_types): a text is empty
    when its truth is false (unanswered or ""); a number or yes/no when its truth is false and it
    is not 0 (or no), which is an answer; compared strictly, read with a default other than 0 (or
    no), so an absent answer is no 0 either. Any other read keeps :func:`_empty`."""
    defaulted = _defaulted(scope, var)
    if defaulted == var:
        return _empty(var)
    empty_answer = defaulted["var"][1]
    if empty_answer == "":
        return {"!": [var]}
    other = True if isinstance(empty_answer, bool) else 1
    return {"!": [{"or": [var, {"===": [{"var": [var["var"], other]}, empty_answer]}]}]}


def _empty_of(node: Any) -> Any:
    """What ``node`` says is empty, if it is :func:`_empty`'s or :func:`_empty_field`'s shape."""
    if isinstance(node, dict) and list(node) == ["!"] and isinstance(node["!"], list) and len(node["!"]) == 1:
        inner = node["!"][0]
        if _is_var(inner):
            return inner
        either = inner.get("or") if isinstance(inner, dict) and list(inner) == ["or"] else None
        if isinstance(either, list) and len(either) == 2 and _is_var(either[0]):
            return either[0]  # :func:`_empty_field`'s shape for a number (the caller compares)
    if not (isinstance(node, dict) and list(node) == ["or"] and isinstance(node["or"], list) and len(node["or"]) == 2):
        return None
    first = node["or"][0]
    if isinstance(first, dict) and list(first) == ["==="] and isinstance(first["==="], list) and len(first["==="]) == 2:
        value = first["==="][0]
        if _same(node, _empty(value)):
            return value
    return None


def _is_var(node: Any) -> bool:
    return isinstance(node, dict) and list(node) == ["var"] and isinstance(node["var"], str)


def _length_pattern(node: Any) -> tuple[str, Any, int] | None:
    """``(operator, x, n)`` when ``node`` is what ``string-length(x) <operator> n`` parses to."""
    if not isinstance(node, dict) or len(node) != 1:
        return None
    ((op, args),) = node.items()
    if not isinstance(args, list) or len(args) != 2:
        return None
    first, second = args
    substr = second.get("!=" if op == "and" else "==") if isinstance(second, dict) else None
    if op in ("and", "or") and isinstance(substr, list) and len(substr) == 2 and substr[1] == "":
        call = substr[0].get("substr") if isinstance(substr[0], dict) else None
        if isinstance(call, list) and len(call) == 2 and isinstance(call[1], int) and not isinstance(call[1], bool):
            of, n = call
            if op == "and" and first == of:
                return ">", of, n
            if op == "or" and first == {"!": [of]}:
                return "<=", of, n
    if op == "and":
        longer = _length_pattern(first)
        if longer is not None and longer[0] == ">" and second == {"==": [{"substr": [longer[1], longer[2] + 1]}, ""]}:
            return "=", longer[1], longer[2] + 1
    return None


def write(rule: Any, scope: Scope, *, implied_defaults: bool = False) -> str:
    """The expression of ``rule``; :class:`Untranslatable` when the subset cannot say it."""
    return _Writer(scope, implied_defaults=implied_defaults).text(rule)


def _same(a: Any, b: Any) -> bool:
    # Python's == takes 1 for 1.0 and for True; the stored rule must come back exactly.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def to_cell(rule: Any, scope: Scope) -> str:
    """A rule's cell: its expression when that reads back as the very same rule, else its JSON."""
    for implied in (True, False):
        try:
            text = write(rule, scope, implied_defaults=implied)
            if _same(parse(text, scope), rule):
                return text
        except (Untranslatable, ExpressionError):
            pass
    return json.dumps(rule, ensure_ascii=False)


def is_json_cell(text: str) -> bool:
    """Whether a rule's cell holds JSON Logic rather than an expression."""
    stripped = text.strip()
    return stripped.startswith(("{", "[")) or stripped == "null"


def from_cell(text: str, scope: Scope) -> Any:
    """The rule of a cell: JSON Logic as it is, or an expression translated."""
    if is_json_cell(text):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            raise ExpressionError("bad_json") from None
    return parse(text, scope)


@lru_cache(maxsize=1)
def grammar() -> str:
    """The grammar's text (for the documentation)."""
    return _GRAMMAR
