"""JSON Logic rules (``relevant``, ``constraint``, ``required``, ``calculate``).

Rules are data, checked when an admin saves a definition: only the standard JSON Logic
operators (so ``json-logic-js`` runs the same rule in a browser), a bounded size and depth,
and literal ``var`` paths, so every field a rule reads is known before any unit submits.
Evaluation is datalogic-py's compiled Rust engine: no ``eval``, no I/O, no loops beyond the
data's own lists.

What a rule costs depends on the data as well as its shape (joining text row after row copies
the growing text at every row), so evaluation is metered: the engine charges operations, and
refuses the work before it is done past a budget. Each evaluation has a ceiling
(:data:`EVALUATION_OPS`), and so have all the evaluations of one submission together
(:data:`SUBMISSION_OPS`, through :func:`metered`). Running over either raises
:class:`RuleBudgetExceeded`, which the validation turns into a 422. A reduce that joins its
accumulator with itself doubles it at every item and is refused when the form is saved.

The engine is handed only what each rule reads (the paths its compiled form reports), not
the whole answers object: a repeat group's row rules would otherwise convert every row again
for each row, and validation would grow with the square of the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import datalogic_py

from .definition_messages import said

# The operators of json-logic-js (jsonlogic.com), minus ``log``: portable to the browser.
STANDARD_OPERATORS = frozenset(
    {
        "var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and",
        ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "reduce", "filter", "all",
        "none", "some", "merge", "in", "cat", "substr",
    }
)  # fmt: skip
# Operators whose second argument runs once per list item, with the item as its data.
_SCOPED = frozenset({"map", "filter", "all", "none", "some", "reduce"})
MAX_DEPTH = 24
MAX_NODES = 400
ITEM = "_item"  # inside a repeat group, ``_item.<key>`` reads the current record
# Operations (the engine's unit: a node evaluated, an item iterated, about 64 bytes of text
# joined) one evaluation may charge: about 10 ms of CPU, a few MB at most.
EVALUATION_OPS = 100_000
# All the evaluations of one submission together: a 2,000-row form with rules on each row
# charges a few hundred thousand.
SUBMISSION_OPS = 4_000_000
# Operators that make their result from their arguments' contents: joining an accumulator
# with itself doubles it at every item of a reduce.
_JOINING = frozenset({"cat", "merge"})

_ENGINE = datalogic_py.Engine()


class RuleError(Exception):
    """A rule failed while evaluating (division by zero, a type the operator refuses)."""


class RuleBudgetExceeded(Exception):
    """A rule (or all the rules of a submission) charged more operations than allowed."""


def _accumulator_reads(node: Any) -> int:
    """How many times ``node`` reads a reduce's ``accumulator`` (nested reduces excluded)."""
    if isinstance(node, list):
        return sum(_accumulator_reads(item) for item in node)
    if not isinstance(node, dict) or len(node) != 1:
        return 0
    ((operator, args),) = node.items()
    if operator == "var":
        path = args[0] if isinstance(args, list) and args else args
        return int(isinstance(path, str) and path.split(".")[0] == "accumulator")
    if operator == "reduce":
        return _accumulator_reads(args[0] if isinstance(args, list) and args else args)
    return _accumulator_reads(args)


def _joins_accumulator_twice(node: Any) -> bool:
    if isinstance(node, list):
        return any(_joins_accumulator_twice(item) for item in node)
    if not isinstance(node, dict) or len(node) != 1:
        return False
    ((operator, args),) = node.items()
    if operator in _JOINING and _accumulator_reads(args) > 1:
        return True
    return operator != "reduce" and _joins_accumulator_twice(args)


def _walk(node: Any, depth: int, scoped: bool, problems: list[str], reads: list[str], count: list[int]) -> None:
    count[0] += 1
    if depth > MAX_DEPTH:
        problems.append(said("rule_too_deep", limit=MAX_DEPTH))
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, depth + 1, scoped, problems, reads, count)
        return
    if not isinstance(node, dict):
        return
    if len(node) != 1:
        problems.append(said("one_operator"))
        return
    ((operator, args),) = node.items()
    if operator not in STANDARD_OPERATORS:
        problems.append(said("unknown_operator", operator=operator))
        return
    if operator == "reduce" and isinstance(args, list) and len(args) > 1 and _joins_accumulator_twice(args[1]):
        problems.append(said("reduce_doubles"))
    if operator == "var":
        path = args[0] if isinstance(args, list) and args else args
        if not isinstance(path, str | int):
            problems.append(said("var_literal"))
        elif not scoped and isinstance(path, str) and path:
            reads.append(path)
        if isinstance(args, list):
            for item in args[1:]:
                _walk(item, depth + 1, scoped, problems, reads, count)
        return
    items = args if isinstance(args, list) else [args]
    for index, item in enumerate(items):
        _walk(item, depth + 1, scoped or (operator in _SCOPED and index > 0), problems, reads, count)


@dataclass(frozen=True)
class RuleInfo:
    problems: tuple[str, ...]
    reads: tuple[str, ...]  # dotted var paths read from the answers


def inspect_rule(rule: Any) -> RuleInfo:
    """Check a rule's shape and list the answer paths it reads (without running it)."""
    problems: list[str] = []
    reads: list[str] = []
    count = [0]
    try:
        encoded = json.dumps(rule)
    except (TypeError, ValueError):
        return RuleInfo((said("rule_not_json"),), ())
    except RecursionError:
        # JSON nested nearly as deep as the parser takes (a builder post, a workbook cell; the
        # API's body limit stops it first) goes deeper than the encoder can: refused, not a 500.
        return RuleInfo((said("rule_too_deep", limit=MAX_DEPTH),), ())
    if len(encoded) > 20_000:
        problems.append(said("rule_too_long"))
    else:
        _walk(rule, 0, False, problems, reads, count)
        if count[0] > MAX_NODES:
            problems.append(said("rule_too_many_parts", limit=MAX_NODES))
    if not problems:
        try:
            diagnostics = [d for d in _ENGINE.check(rule) if d["severity"] == "error"]
            problems.extend(said("rule_engine", message=d["message"], pointer=d["pointer"] or "/") for d in diagnostics)
        except datalogic_py.DataLogicError as exc:
            # The engine refuses some JSON it cannot represent (an integer beyond 64 bits):
            # the admin's mistake, not a crash (found by fuzzing the API).
            problems.append(said("rule_unreadable", message=exc))
    return RuleInfo(tuple(dict.fromkeys(problems)), tuple(dict.fromkeys(reads)))


# A compiled rule and the paths it reads, as a tree: ``{segment: subtree}``, where ``None``
# means the whole value; ``None`` at the top means the whole data (a rule that reads ``""``).
Reads = dict[str, Any] | None


@dataclass(frozen=True)
class _Compiled:
    rule: datalogic_py.Rule
    reads: Reads


def _read_tree(facts: Any) -> Reads:
    if not facts["reads_complete"] or facts["computed_reads"]:
        return None
    tree: dict[str, Any] = {}
    for path in sorted(facts["reads"], key=len):  # a shorter path covers the longer ones
        if not path:
            return None
        node = tree
        for segment in path[:-1]:
            if node.get(segment, {}) is None:
                break
            node = node.setdefault(segment, {})
        else:
            node[path[-1]] = None
    return tree


@lru_cache(maxsize=4096)
def _compiled(encoded: str) -> _Compiled:
    rule = _ENGINE.compile(json.loads(encoded))
    return _Compiled(rule, _read_tree(rule.facts()))


# The same rule objects come back on every submission (definitions are cached per version), so
# they are looked up by identity first: encoding a rule to find it costs more than running it.
_BY_IDENTITY: dict[int, tuple[Any, _Compiled]] = {}


def _rule_for(rule: Any) -> _Compiled:
    hit = _BY_IDENTITY.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    compiled = _compiled(json.dumps(rule, sort_keys=True))
    if len(_BY_IDENTITY) > 4096:
        _BY_IDENTITY.clear()
    # Holding the rule keeps its id from being reused by another object while it is cached.
    _BY_IDENTITY[id(rule)] = (rule, compiled)
    return compiled


def _view(data: Any, reads: Reads) -> Any:
    """The part of ``data`` a rule reads: what the engine converts for one evaluation."""
    if reads is None or not isinstance(data, dict):
        return data
    return {key: _view(data[key], sub) for key, sub in reads.items() if key in data}


class _Budget:
    def __init__(self, ops: int) -> None:
        self.left = ops


_BUDGET: ContextVar[_Budget | None] = ContextVar("rule_budget", default=None)


@contextmanager
def metered(ops: int = SUBMISSION_OPS) -> Iterator[None]:
    """Every evaluation inside shares one budget of ``ops`` operations (one submission's)."""
    token = _BUDGET.set(_Budget(ops))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def evaluate(rule: Any, data: Any) -> Any:
    """Run a checked rule against ``data``; engine failures become :class:`RuleError`, and
    running over the budget :class:`RuleBudgetExceeded`."""
    compiled = _rule_for(rule)
    budget = _BUDGET.get()
    limit = EVALUATION_OPS if budget is None else min(EVALUATION_OPS, budget.left)
    if limit < 1:
        raise RuleBudgetExceeded("the submission's rules have used their budget")
    try:
        result, spent = compiled.rule.evaluate_metered(_view(data, compiled.reads), limit)
    except datalogic_py.DataLogicError as exc:
        if exc.error_type == "BudgetExceeded":
            raise RuleBudgetExceeded(str(exc)) from exc
        raise RuleError(str(exc)) from exc
    if budget is not None:
        budget.left -= spent
    return json.loads(result)


def truthy(value: Any) -> bool:
    """JSON Logic truthiness: ``0``, ``""``, ``[]``, ``null`` and ``false`` are false."""
    if isinstance(value, list):
        return bool(value)
    return bool(value) if not isinstance(value, str) else value != ""


def rule_paths(definition: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """Every rule of a definition: ``(path to its owner, rule name, rule)``."""
    for s_index, section in enumerate(definition.get("sections") or []):
        if not isinstance(section, dict):
            continue
        if section.get("relevant") is not None:
            yield ("sections", s_index), "relevant", section["relevant"]
        yield from _field_rules(section.get("fields"), ("sections", s_index))


def _field_rules(fields: Any, prefix: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    for f_index, field in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(field, dict):
            continue
        owner = (*prefix, "fields", f_index)
        for name in ("relevant", "constraint", "calculate"):
            if field.get(name) is not None:
                yield owner, name, field[name]
        if isinstance(field.get("required"), dict | list):
            yield owner, "required", field["required"]
        yield from _field_rules(field.get("fields"), owner)
