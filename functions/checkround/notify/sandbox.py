"""The sandbox an organisation's own message templates run in (``PUT /message-templates``).

Jinja2's :class:`ImmutableSandboxedEnvironment` keeps a template away from Python (no
underscore attribute, no mutation of the values it is given); this module also keeps it from
exhausting the dispatcher, which renders it for every message of a round:

- what a template may say is a short list of Jinja2's constructs, checked on its syntax tree
  (``jinja2.nodes``, Jinja2's documented AST) before it is compiled: text, ``{{ … }}``,
  ``{% if %}`` and a ``{% for %}`` over one of the message's own values, with no loop inside a
  loop; no ``set``, ``with``, macros, blocks, includes, ``~`` or changes of autoescaping, and
  no call but ``t(…)``. So nothing it builds is kept between two statements, and every loop
  runs over data of the message (``range`` is not there, nor any other global);
- the message's values are given as :class:`ChargedStr` and :class:`ChargedList`, which
  charge a per-render :class:`Budget` for each character compared, searched or sliced and for
  each item a loop takes; the filters it may use are a list of Jinja2's own, each charged
  for what it reads and returns, and the ones that can build something much larger than their
  input (``replace``, ``join``, ``*``, ``+``) are checked before they build it;
- the rendered part is read as it is generated and stops at :data:`MAX_OUTPUT` characters.

The HTML part is rendered by an environment that autoescapes everything (not a template
wrapped in an autoescape block, which it could close), and ``safe`` is not among its filters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Characters of one rendered part: a digest of a large round's submissions fits many times.
MAX_OUTPUT = 200_000
# Characters (or items) of one value a template builds with replace, join, * or +.
MAX_VALUE = 10_000
# Characters one render may read or build through the charged operations.
MAX_WORK = 2_000_000
# Items all the loops of one render may take together (a large round's digest lists its units).
MAX_LOOP_ITEMS = 5_000
# Syntax nodes the loops of one render may run through in all: each item a loop takes counts the
# nodes of the loop's body, so a long body over many items costs as much as it runs.
MAX_LOOP_STEPS = 1_000_000
# Bits of a number a template may multiply to.
MAX_INT_BITS = 256


class Budget:
    """What one render may still spend; a render that overspends is refused."""

    def __init__(self) -> None:
        self.work = MAX_WORK
        self.items = MAX_LOOP_ITEMS
        self.steps = MAX_LOOP_STEPS

    def charge(self, work: int = 0, items: int = 0, steps: int = 0) -> None:
        self.work -= work
        self.items -= items
        self.steps -= steps
        if self.steps < 0:
            raise SecurityError(f"the template's loops run more than {MAX_LOOP_STEPS} steps in all")
        if self.work < 0:
            raise SecurityError(f"the template needs more than {MAX_WORK} characters of work to render")
        if self.items < 0:
            raise SecurityError(f"the template's loops take more than {MAX_LOOP_ITEMS} items in all")


_BUDGET: ContextVar[Budget | None] = ContextVar("checkround_template_budget", default=None)


def charge(work: int = 0, items: int = 0, steps: int = 0) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(work, items, steps)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 1


class ChargedStr(str):
    """A message's text value: comparing, searching, slicing or iterating it is charged."""

    __hash__ = str.__hash__

    def __iter__(self) -> Iterator[str]:
        charge(len(self), items=len(self))
        return super().__iter__()

    def __contains__(self, item: object) -> bool:
        charge(len(self))
        return super().__contains__(item)  # type: ignore[operator]

    def __getitem__(self, key: Any) -> str:
        part = super().__getitem__(key)
        charge(len(part))
        return ChargedStr(part)

    def __eq__(self, other: object) -> bool:
        charge(len(self))
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        charge(len(self))
        return super().__ne__(other)

    def __lt__(self, other: str) -> bool:
        charge(len(self))
        return super().__lt__(other)

    def __le__(self, other: str) -> bool:
        charge(len(self))
        return super().__le__(other)

    def __gt__(self, other: str) -> bool:
        charge(len(self))
        return super().__gt__(other)

    def __ge__(self, other: str) -> bool:
        charge(len(self))
        return super().__ge__(other)


class ChargedList(list[Any]):
    """A message's list value: each item a loop takes, and each comparison, is charged."""

    def __iter__(self) -> Iterator[Any]:
        charge(len(self), items=len(self))
        return super().__iter__()

    def __contains__(self, item: object) -> bool:
        charge(len(self))
        return super().__contains__(item)


def charged(value: Any) -> Any:
    """The message's values as an organisation's template sees them."""
    if isinstance(value, str):
        return ChargedStr(value)
    if isinstance(value, list | tuple):
        return ChargedList(charged(item) for item in value)
    if isinstance(value, dict):
        return {key: charged(item) for key, item in value.items()}
    return value


# Jinja2's filters an organisation's template may use: each returns something about as large
# as what it reads (replace and join are checked before they build anything).
FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "striptags",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
]


def _replace(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
        text, old_text, new_text = str(s), str(old), str(new)
        times = (len(text) + 1 if old_text == "" else text.count(old_text)) if count is None else max(count, 0)
        if len(text) + times * max(len(new_text) - len(old_text), 0) > MAX_VALUE:
            raise SecurityError(f"a replace that builds more than {MAX_VALUE} characters is not allowed")
        return original(eval_ctx, s, old, new, count)

    return replace


def _join(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        size = sum(_size(item) for item in items) + len(str(d)) * max(len(items) - 1, 0)
        if size > MAX_VALUE:
            raise SecurityError(f"a join that builds more than {MAX_VALUE} characters is not allowed")
        return original(eval_ctx, items, d, attribute)

    return join


def _charging(original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter charged for what it is given and what it returns (``functools.wraps`` keeps
    Jinja2's ``pass_eval_context``/``pass_environment`` marks)."""

    @functools.wraps(original)
    def filtered(*args: Any, **kwargs: Any) -> Any:
        charge(sum(_size(arg) for arg in args) + sum(_size(arg) for arg in kwargs.values()))
        result = original(*args, **kwargs)
        charge(_size(result))
        return result

    return filtered


def _filters(defaults: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    special = {"replace": _replace, "join": _join}
    return {name: _charging(special[name](defaults[name]) if name in special else defaults[name]) for name in FILTERS}


# The syntax an organisation's template may use (jinja2.nodes): everything else is refused.
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.For,
    nodes.Const,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Filter,
    nodes.Test,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.CondExpr,
    nodes.List,
    nodes.Tuple,
    nodes.Dict,
    nodes.Pair,
    nodes.Keyword,
    nodes.Call,
)


def _is_value(node: nodes.Node) -> bool:
    """A message's own value: ``comments``, ``item.units``, ``data['list']``."""
    if isinstance(node, nodes.Name):
        return True
    if isinstance(node, nodes.Getattr):
        return _is_value(node.node)
    if isinstance(node, nodes.Getitem):
        return isinstance(node.arg, nodes.Const) and _is_value(node.node)
    return False


def _check(node: nodes.Node, in_loop: bool = False) -> None:
    if not isinstance(node, _ALLOWED):
        raise SecurityError(f"{type(node).__name__} is not allowed in a message template")
    if isinstance(node, nodes.Call) and not (isinstance(node.node, nodes.Name) and node.node.name == "t"):
        raise SecurityError("a message template may call t(…) only")
    if isinstance(node, nodes.For):
        if in_loop:
            raise SecurityError("a loop inside a loop is not allowed in a message template")
        if node.recursive or not _is_value(node.iter):
            raise SecurityError("a loop in a message template runs over one of the message's values")
        _check(node.target, in_loop)
        _check(node.iter, in_loop)
        for child in [*node.body, *([node.test] if node.test is not None else [])]:
            _check(child, in_loop=True)
        for child in node.else_:
            _check(child, in_loop)
        return
    for child in node.iter_child_nodes():
        _check(child, in_loop)


# What each loop's values go through: it charges the loop's steps before the loop starts. It is
# an attribute of the environment, called by a node added to the syntax tree after the check
# (jinja2.nodes.EnvironmentAttribute, which the template language cannot write), not a filter:
# a template could name a filter, directly or through map('…'), and charge itself a negative
# body to give itself steps.
_LOOP_COST = "checkround_loop_steps"


def _loop_steps(value: Any, body: int) -> Any:
    charge(steps=len(value) * body)
    return value


def _charge_loops(tree: nodes.Template) -> None:
    for loop in tree.find_all(nodes.For):
        body = sum(
            1 + sum(1 for _ in child.find_all(nodes.Node))
            for child in [*loop.body, *([loop.test] if loop.test else [])]
        )
        cost = nodes.EnvironmentAttribute(_LOOP_COST, lineno=loop.iter.lineno)
        loop.iter = nodes.Call(cost, [loop.iter, nodes.Const(body)], [], None, None, lineno=loop.iter.lineno)


class OrganisationSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with no globals, the filters above, and ``*``, ``+`` and ``%``
    that refuse to build anything large (the documented ``intercepted_binops``/``call_binop``)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    # Called by each loop (named by _LOOP_COST; see _charge_loops).
    checkround_loop_steps = staticmethod(_loop_steps)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            raise SecurityError("the ** operator is not allowed in a message template")
        sequences = (str, list, tuple)
        if operator_ == "%" and isinstance(left, str):
            raise SecurityError("% formatting is not allowed in a message template")
        if operator_ == "*" and (isinstance(left, sequences) or isinstance(right, sequences)):
            count = right if isinstance(left, sequences) else left
            size = _size(left if isinstance(left, sequences) else right)
            if not isinstance(count, int) or count * size > MAX_VALUE:
                raise SecurityError(f"a repetition longer than {MAX_VALUE} is not allowed in a message template")
            charge(max(count, 0) * size)
        elif operator_ == "*" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError(f"a number of more than {MAX_INT_BITS} bits is not allowed in a message template")
        elif operator_ == "+" and isinstance(left, sequences) and isinstance(right, sequences):
            if len(left) + len(right) > MAX_VALUE:
                raise SecurityError(f"a value longer than {MAX_VALUE} is not allowed in a message template")
            charge(len(left) + len(right))
        return super().call_binop(context, operator_, left, right)

    def __init__(self, autoescape: bool) -> None:
        super().__init__(
            autoescape=autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.globals.clear()
        self.filters = _filters(self.filters)


@functools.cache
def environment(html: bool) -> OrganisationSandbox:
    return OrganisationSandbox(autoescape=html)


@functools.lru_cache(maxsize=64)
def _compiled(source: str, html: bool) -> Any:
    env = environment(html)
    tree = env.parse(source)
    _check(tree)
    _charge_loops(tree)
    return env.from_string(tree)


def render(source: str, html: bool, values: dict[str, Any]) -> str:
    """``source`` rendered with ``values`` within the budget; raises :class:`SecurityError`
    (or Jinja2's error) when the template is not allowed or overspends."""
    template = _compiled(source, html)
    token = _BUDGET.set(Budget())
    try:
        texts = values.get("t")
        given = {key: charged(value) for key, value in values.items() if key != "t"}
        if texts is not None:
            given["t"] = lambda key, **params: _counted(texts(key, **params))
        parts: list[str] = []
        size = 0
        for part in template.generate(given):
            size += len(part)
            if size > MAX_OUTPUT:
                raise SecurityError(f"the message template renders more than {MAX_OUTPUT} characters")
            parts.append(part)
        return "".join(parts)
    finally:
        _BUDGET.reset(token)


def _counted(text: str) -> str:
    charge(len(text))
    return ChargedStr(text)
