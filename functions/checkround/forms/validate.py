"""The answer-validation pipeline: types (the compiled schema), then the form's rules.

1. the schema checks types, ranges and choices (values a client sends for calculated fields
   are dropped first: they are read-only);
2. calculated fields are computed from the answers;
3. ``relevant`` rules hide sections and fields: an answer sent for a hidden field is dropped,
   reported back in ``ignored``, and never stored;
4. ``required`` (static or a rule) and ``constraint`` rules run on what is left.

It returns a :class:`Checked` result or raises ``validation_failed`` with marshmallow's nested
``field -> messages`` shape, the same shape whichever step found the problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError

from checkround.errors import AppError
from checkround.formats.text import localized
from checkround.inputs_common import error_fields

from .fieldtypes import REGISTRY, missing_answer
from .messages import messages
from .readers import BLANK
from .rule_data import row_data, rule_data, scoped
from .rules import RuleBudgetExceeded, RuleError, evaluate, metered, truthy
from .walk import definition_fields, walk

Answers = dict[str, Any]


@dataclass(frozen=True)
class Checked:
    answers: Answers
    ignored: list[str] = field(default_factory=list)  # dotted paths dropped as hidden or read-only


def _copy_tree(value: Any) -> Any:
    """A copy of the dicts and lists of decoded JSON (the rest is immutable and shared); several
    times faster than ``copy.deepcopy``, which a submission would otherwise spend 15 % of its
    validation on."""
    if isinstance(value, dict):
        return {key: _copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_tree(item) for item in value]
    return value


def _is_empty(value: Any) -> bool:
    """Unanswered, as the rules' data has it (forms.rule_data): text of spaces only too, so a
    required answer of spaces is as missing as the rules' ``missing`` says it is."""
    if isinstance(value, str):
        return value.strip(BLANK) == ""
    return value is None or value == [] or value == {}


def _holds(rule: Any, data: Any, *, when_broken: bool) -> bool:
    """A rule's verdict; ``when_broken`` is the verdict when the rule cannot be evaluated."""
    if rule is None:
        return True
    try:
        return truthy(evaluate(rule, data))
    except RuleError:
        return when_broken


def _drop_error(errors: dict[Any, Any], *path: Any) -> None:
    node: Any = errors
    for step in path[:-1]:
        if not isinstance(node, dict) or step not in node:
            return
        node = node[step]
    if isinstance(node, dict):
        node.pop(path[-1], None)


def _has_error(errors: dict[Any, Any], *path: Any) -> bool:
    node: Any = errors
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return True


def _refused_whole(errors: dict[Any, Any], path: tuple[Any, ...]) -> bool:
    """Whether the container at ``path`` (or one around it) has an error about itself: not an
    object (``_schema``), or a message list such as "may not be null"."""
    node: Any = errors
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return not isinstance(node, dict)
        node = node[step]
    return not isinstance(node, dict) or "_schema" in node


def _add_error(errors: dict[Any, Any], path: tuple[Any, ...], message: str) -> None:
    node = errors
    for step in path[:-1]:
        node = node.setdefault(step, {})
    node.setdefault(path[-1], []).append(message)


def _prune(errors: dict[Any, Any]) -> dict[Any, Any]:
    """Drop the branches that became empty when hidden fields' errors were removed."""
    pruned = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            value = _prune(value)
            if not value:
                continue
        pruned[key] = value
    return pruned


def _merge(raw: Any, clean: Any) -> Any:
    """Raw answers overlaid with converted ones: rules see every value the unit sent."""
    if isinstance(raw, dict) and isinstance(clean, dict):
        return {**raw, **{k: _merge(raw.get(k), v) for k, v in clean.items()}}
    return clean if clean is not None else raw


def _strip_computed(definition: Mapping[str, Any], answers: Answers, ignored: list[str]) -> None:
    for place in walk(definition, answers):
        if place.type.computed and place.holder is not None and place.key in place.holder:
            del place.holder[place.key]
            ignored.append(place.name)


def _calculate(definition: Mapping[str, Any], clean: Answers, data: Answers) -> dict[int, dict[str, Any]]:
    """Store the calculated values (as :mod:`.rule_data` computed them into ``data``) in
    ``clean``; return each of ``clean``'s repeat records as its rules read it, by ``id``."""
    rows: dict[int, dict[str, Any]] = {}
    for place in walk(definition, clean):
        if place.record is not None:
            if id(place.record) not in rows:
                group = next(f for f in place.section["fields"] if f["key"] == place.path[1])
                rows[id(place.record)] = row_data(definition, group, place.record, data)
            if place.type.computed:
                place.record[place.key] = rows[id(place.record)].get(place.key)
        elif place.type.computed:
            if not isinstance(clean.get(place.section["key"]), dict):
                clean[place.section["key"]] = {}
            clean[place.section["key"]][place.key] = data[place.section["key"]].get(place.key)
    return rows


@contextmanager
def _rules_within_budget() -> Iterator[None]:
    """One submission's rules share one budget; running over it is the unit's 422."""
    try:
        with metered():
            yield
    except RuleBudgetExceeded as exc:
        raise AppError("rules_too_costly") from exc


def rule_view(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What the rules say about typed answers, judging nothing: ``(calculated values by dotted
    name, dotted names of the fields that are not relevant)``. The web form draws from it."""
    with _rules_within_budget():
        return _rule_view(definition, answers)


def _rule_view(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    answered: Answers = _copy_tree(dict(answers))
    data = rule_data(definition, answered)
    rows = _calculate(definition, answered, data)
    calculated: dict[str, Any] = {}
    hidden: set[str] = set()
    shown_sections: dict[str, bool] = {}
    for place in walk(definition, answered):
        section = place.section
        if section["key"] not in shown_sections:
            shown_sections[section["key"]] = _holds(section.get("relevant"), data, when_broken=True)
        if place.record is None:
            if place.type.computed:
                calculated[place.name] = place.value
            if not (shown_sections[section["key"]] and _holds(place.field.get("relevant"), data, when_broken=True)):
                hidden.add(place.name)
        elif ".".join(map(str, place.group)) in hidden:
            continue  # the records of a hidden repeat group went with it
        elif place.type.computed:
            calculated[place.name] = place.value
        elif not _holds(place.field.get("relevant"), scoped(data, rows[id(place.record)]), when_broken=True):
            hidden.add(place.name)
    return calculated, hidden


def _features(definition: Mapping[str, Any]) -> tuple[bool, bool]:
    """(has rules or dynamic required, has computed fields): the steps a form needs."""
    has_rules = any(s.get("relevant") is not None for s in definition["sections"])
    has_computed = False
    for _section, f, _group in definition_fields(definition):
        has_computed = has_computed or REGISTRY[f["type"]].computed
        rule_keys = ("relevant", "constraint")
        has_rules = has_rules or any(f.get(k) is not None for k in rule_keys) or isinstance(f.get("required"), dict)
    return has_rules, has_computed


def check_answers(
    definition: Mapping[str, Any], schema: Schema, answers: Any, language: str = "vi", draft: bool = False
) -> Checked:
    with _rules_within_budget():
        return _check_answers(definition, schema, answers, language, draft)


def _check_answers(definition: Mapping[str, Any], schema: Schema, answers: Any, language: str, draft: bool) -> Checked:
    msgs = messages(language)
    if not isinstance(answers, dict):
        raise AppError("validation_failed", fields={"answers": [msgs["invalid_object"]]}, subject="answers")
    ignored: list[str] = []
    has_rules, has_calculated = _features(definition)
    # A section the unit left out is checked as empty, so its required fields are reported.
    raw: Answers = {key: {} for key in schema.fields} | answers
    if has_calculated:
        raw = _copy_tree(raw)  # values sent for read-only fields are removed from a copy
        _strip_computed(definition, raw, ignored)
    errors: dict[Any, Any] = {}
    try:
        clean: Answers = schema.load(raw)
    except ValidationError as exc:
        errors = error_fields(exc)
        clean = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    if draft or not (has_rules or has_calculated):
        # Without rules the schema has already said everything (required included).
        if errors:
            raise AppError("validation_failed", fields=errors, subject="answers")
        return Checked(clean, ignored)

    data = rule_data(definition, _merge(raw, clean))
    rows = _calculate(definition, clean, data)
    hidden_sections = {
        s["key"] for s in definition["sections"] if not _holds(s.get("relevant"), data, when_broken=True)
    }
    hidden_fields: set[tuple[Any, ...]] = set()
    # Listed first: hiding a repeat group below takes its records out of ``clean``.
    for place in list(walk(definition, clean)):
        path, f = place.path, place.field
        if place.group in hidden_fields:
            continue  # the items of a hidden repeat group went with it
        read = data if place.record is None else scoped(data, rows[id(place.record)])
        hidden = path[0] in hidden_sections or not _holds(f.get("relevant"), read, when_broken=True)
        sent = _raw_value(raw, path)
        if hidden:
            if not _is_empty(sent):
                ignored.append(place.name)
            if place.holder is not None:
                place.holder.pop(place.key, None)
            _drop_error(errors, *path)
            hidden_fields.add(path)
            continue
        if place.holder is None or _refused_whole(errors, path[:-1]):
            continue  # its section or record was refused as a whole: that error says it all
        value = place.holder.get(place.key)
        required = f.get("required")
        must = required is True or (isinstance(required, dict) and _holds(required, read, when_broken=True))
        if must and _is_empty(value) and _is_empty(sent) and not _has_error(errors, *path):
            _add_error(errors, path, missing_answer(f, msgs, language))
            continue
        checkable = f.get("constraint") is not None and not _is_empty(value) and not _has_error(errors, *path)
        # A constraint that cannot be evaluated is not met: the unit gets a message, not a 500.
        if checkable and not _holds(f["constraint"], read, when_broken=False):
            custom = f.get("constraint_message") or {}
            _add_error(errors, path, localized(custom, language) or msgs["constraint"])
    errors = _prune(errors)
    if errors:
        raise AppError("validation_failed", fields=errors, subject="answers")
    return Checked(clean, ignored)


def _raw_value(raw: Answers, path: tuple[Any, ...]) -> Any:
    node: Any = raw
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    return node
