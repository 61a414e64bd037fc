"""Rules in words: a JSON Logic rule as a sentence in the admin's language, with field labels.

``{"relevant": {">": [{"var": "a.so"}, 0]}}`` reads "hiện khi Số công trình > 0" in Vietnamese
and "shown when Số công trình > 0" in English (labels are the form's own, in that language).
What the builder's common cases produce reads naturally: comparisons of a field with a value,
``and``/``or``/``!``, "is answered" (``!!`` of a field, ``missing``), "chosen" (``in`` of a
value and a multiple choice, or a single choice equal to one of its values) and the arithmetic
of calculated totals. Anything else is not put into words: :func:`describe` returns None and
the page shows the raw JSON Logic instead. Pure functions; numbers are written by
:mod:`checkround.formats.numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkround.formats.dates import format_date
from checkround.formats.numbers import format_number
from checkround.formats.text import in_language, localized

from .rules import ITEM

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "relevant": "hiện khi {rule}",
        "required": "bắt buộc khi {rule}",
        "constraint": "hợp lệ khi {rule}",
        "calculate": "= {rule}",
        "and": " và ",
        "or": " hoặc ",
        "not": "không phải ({rule})",
        "answered": "{field} đã được trả lời",
        "unanswered": "{field} chưa được trả lời",
        "chosen": "{field} có chọn {value}",
        "not_chosen": "{field} không chọn {value}",
        "is": "{field} là {value}",
        "is_not": "{field} không phải {value}",
        "true": "có",
        "false": "không",
        "empty": "(trống)",
        "status": "{field} (kết quả)",
        "score": "{field} (điểm)",
        "note": "{field} (ghi chú)",
        "yes": "Đạt",
        "partial": "Đạt một phần",
        "no": "Không đạt",
        "if": "nếu {test} thì {then}, nếu không thì {other}",
    },
    "en": {
        "relevant": "shown when {rule}",
        "required": "required when {rule}",
        "constraint": "valid when {rule}",
        "calculate": "= {rule}",
        "and": " and ",
        "or": " or ",
        "not": "not ({rule})",
        "answered": "{field} is answered",
        "unanswered": "{field} is not answered",
        "chosen": "{field} has {value} chosen",
        "not_chosen": "{field} does not have {value} chosen",
        "is": "{field} is {value}",
        "is_not": "{field} is not {value}",
        "true": "yes",
        "false": "no",
        "empty": "(empty)",
        "status": "{field} (result)",
        "score": "{field} (score)",
        "note": "{field} (note)",
        "yes": "Met",
        "partial": "Partly met",
        "no": "Not met",
        "if": "if {test} then {then}, otherwise {other}",
    },
}

_COMPARE = {"==": "=", "===": "=", "!=": "≠", "!==": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}
# The comparison read the other way round, for a value written before the field.
_MIRROR = {"=": "=", "≠": "≠", ">": "<", "≥": "≤", "<": ">", "≤": "≥"}
_ARITHMETIC = {"+": " + ", "-": " − ", "*": " × ", "/": " ÷ ", "%": " mod "}
_PARTS = ("status", "score", "note")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unsaid(Exception):
    """A part of the rule the sentence cannot say: the caller falls back to the raw rule."""


@dataclass(frozen=True)
class FieldInfo:
    """What a sentence needs of a field: its label and its choices' labels, in one language."""

    label: str
    choices: Mapping[str, str]
    multiple: bool = False
    date: bool = False  # its answers are dates: a value compared with it is said day first


def field_infos(
    definition: Mapping[str, Any], language: str, repeat: Mapping[str, Any] | None = None
) -> dict[str, FieldInfo]:
    """Every field a rule may read, by the path it reads it with: ``section.key``, and for the
    rules of a repeat group's fields (``repeat`` given) ``_item.key`` for the row's own."""

    def info(field: Mapping[str, Any]) -> FieldInfo:
        choices = {str(c["value"]): localized(c.get("label"), language) for c in field.get("choices") or []}
        if not choices and field.get("choice_set"):
            sets = definition.get("choice_sets") or {}
            choices = {str(c["value"]): localized(c.get("label"), language) for c in sets.get(field["choice_set"], [])}
        label = localized(field.get("label"), language) or str(field.get("key", ""))
        return FieldInfo(label, choices, field.get("type") == "select_multiple", field.get("type") == "date")

    found: dict[str, FieldInfo] = {}
    for section in definition.get("sections") or []:
        for field in section.get("fields") or []:
            found[f"{section.get('key')}.{field.get('key')}"] = info(field)
    for sub in (repeat or {}).get("fields") or []:
        found[f"{ITEM}.{sub.get('key')}"] = info(sub)
    return found


class _Speaker:
    def __init__(self, fields: Mapping[str, FieldInfo], language: str) -> None:
        self.fields = fields
        self.language = language
        self.words = in_language(_WORDS, language)

    def var_path(self, node: Any) -> str | None:
        if isinstance(node, dict) and len(node) == 1 and "var" in node:
            args = node["var"]
            path = args[0] if isinstance(args, list) and args else args
            return path if isinstance(path, str) else None
        return None

    def field(self, path: str) -> tuple[str, FieldInfo | None, str | None]:
        """(words for the field, its info, the checklist part read) for a var path."""
        if path in self.fields:
            info = self.fields[path]
            return info.label, info, None
        head, _, part = path.rpartition(".")
        if part in _PARTS and head in self.fields:
            info = self.fields[head]
            return self.words[part].format(field=info.label), info, part
        raise _Unsaid(path)

    def value(self, value: Any, info: FieldInfo | None = None, part: str | None = None) -> str:
        if isinstance(value, bool):
            return self.words["true" if value else "false"]
        if value is None or value == "":
            return self.words["empty"]
        if isinstance(value, int | float):
            return format_number(value, self.language)
        if isinstance(value, str):
            if part == "status" and value in ("yes", "partial", "no"):
                return f"“{self.words[value]}”"
            if info is not None and value in info.choices and part is None:
                return f"“{info.choices[value]}”"
            if info is not None and info.date and _ISO_DATE.fullmatch(value):
                # As the date is typed and shown everywhere else (a rule holds it as ISO text).
                try:
                    return format_date(value)
                except ValueError:
                    pass  # no such day: said as written
            return f"“{value}”"
        raise _Unsaid(value)

    def term(self, node: Any, nested: bool = False) -> str:
        """A value in an expression: a field, a literal or arithmetic (in brackets when
        ``nested`` inside other arithmetic)."""
        path = self.var_path(node)
        if path is not None:
            return self.field(path)[0]
        if isinstance(node, dict) and len(node) == 1:
            ((operator, args),) = node.items()
            items = args if isinstance(args, list) else [args]
            if operator in _ARITHMETIC and items:
                if operator == "-" and len(items) == 1:
                    return "−" + self.term(items[0], nested=True)
                joined = _ARITHMETIC[operator].join(self.term(item, nested=True) for item in items)
                return f"({joined})" if nested and len(items) > 1 else joined
            if operator in ("max", "min") and items:
                return f"{operator}(" + ", ".join(self.term(item) for item in items) + ")"
            if operator in ("if", "?:") and len(items) == 3:
                test, then, other = (self.say(items[0]), self.term(items[1]), self.term(items[2]))
                return self.words["if"].format(test=test, then=then, other=other)
            raise _Unsaid(node)
        if isinstance(node, list | dict):
            raise _Unsaid(node)
        return self.value(node)

    def compare(self, operator: str, left: Any, right: Any) -> str:
        symbol = _COMPARE[operator]
        left_path, right_path = self.var_path(left), self.var_path(right)
        if left_path is None and right_path is not None and not isinstance(left, dict | list):
            return self.compare_field(right_path, _MIRROR[symbol], left)
        if left_path is not None and not isinstance(right, dict | list):
            return self.compare_field(left_path, symbol, right)
        return f"{self.term(left)} {symbol} {self.term(right)}"

    def compare_field(self, path: str, symbol: str, value: Any) -> str:
        words, info, part = self.field(path)
        if symbol in ("=", "≠") and (value is None or value == ""):
            return self.words["unanswered" if symbol == "=" else "answered"].format(field=words)
        if symbol in ("=", "≠") and isinstance(value, str) and info is not None and (info.choices or part):
            key = "is" if symbol == "=" else "is_not"
            return self.words[key].format(field=words, value=self.value(value, info, part))
        return f"{words} {symbol} {self.value(value, info, part)}"

    def joined(self, operator: str, items: list[Any]) -> str:
        """Conditions joined by "and" or "or"; a group inside, joined the other way, in brackets
        ("A và (B hoặc C)"), and a group of one condition as that condition."""
        if len(items) == 1:
            return self.say(items[0])
        parts = []
        for item in items:
            said = self.say(item)
            inner = next(iter(item)) if isinstance(item, dict) and len(item) == 1 else None
            grouped = (
                inner in ("and", "or") and inner != operator and isinstance(item[inner], list) and len(item[inner]) > 1
            )
            parts.append(f"({said})" if grouped else said)
        return self.words[operator].join(parts)

    def say(self, node: Any) -> str:
        """A condition in words."""
        path = self.var_path(node)
        if path is not None:
            return self.words["answered"].format(field=self.field(path)[0])
        if not isinstance(node, dict) or len(node) != 1:
            raise _Unsaid(node)
        ((operator, args),) = node.items()
        items = args if isinstance(args, list) else [args]
        if operator in ("and", "or") and items:
            return self.joined(operator, items)
        if operator == "!!" and len(items) == 1:
            return self.say(items[0])
        if operator == "!" and len(items) == 1:
            inner = items[0]
            inner_path = self.var_path(inner)
            if inner_path is not None:
                return self.words["unanswered"].format(field=self.field(inner_path)[0])
            if isinstance(inner, dict) and len(inner) == 1 and "in" in inner:
                return self.chosen(inner["in"], negate=True)
            return self.words["not"].format(rule=self.say(inner))
        if operator in _COMPARE:
            if operator in ("<", "<=") and len(items) == 3:
                low, middle, high = items
                symbol = _COMPARE[operator]
                return f"{self.term(low)} {symbol} {self.term(middle)} {symbol} {self.term(high)}"
            if len(items) == 2:
                return self.compare(operator, items[0], items[1])
        if operator == "in" and len(items) == 2:
            return self.chosen(items)
        if operator == "missing" and items and all(isinstance(i, str) for i in items):
            return self.words["or"].join(self.words["unanswered"].format(field=self.field(i)[0]) for i in items)
        raise _Unsaid(node)

    def chosen(self, args: Any, negate: bool = False) -> str:
        if not isinstance(args, list) or len(args) != 2:
            raise _Unsaid(args)
        value, holder = args
        path = self.var_path(holder)
        if path is None or isinstance(value, dict | list):
            raise _Unsaid(args)
        words, info, _ = self.field(path)
        key = "not_chosen" if negate else "chosen"
        return self.words[key].format(field=words, value=self.value(value, info))


def describe(rule: Any, kind: str, fields: Mapping[str, FieldInfo], language: str) -> str | None:
    """``rule`` (the ``kind`` of rule: relevant, required, constraint or calculate) as a
    sentence in ``language`` naming fields by their labels; None when it cannot be said."""
    speaker = _Speaker(fields, language)
    try:
        said = speaker.term(rule) if kind == "calculate" else speaker.say(rule)
    except (_Unsaid, KeyError, TypeError, ValueError, RecursionError):
        return None
    template = speaker.words.get(kind)
    return template.format(rule=said) if template else said
