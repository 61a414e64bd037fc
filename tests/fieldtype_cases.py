"""The tests' side of the field-type registry: for every registered type, how to draw a field of
it and a valid answer (the property tests), and one fixed example field with an answer (the
completeness test draws, reads, aggregates, displays and exports it).

``tests/unit/test_fieldtype_registry.py`` fails when a registered type has no case here.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]
Field = dict[str, Any]

KEYS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6).map(lambda s: "k" + s)
CHOICES = st.lists(KEYS, min_size=1, max_size=5, unique=True).map(
    lambda values: [{"value": v, "label": {"vi": v.upper()}} for v in values]
)
# A choice field drawn by its length, or as buttons or a list whatever its length.
APPEARANCE = st.sampled_from([{}, {"appearance": "buttons"}, {"appearance": "list"}])
TEXT = st.text(min_size=1, max_size=20).filter(lambda s: s.strip())


@dataclass(frozen=True)
class Case:
    example: Field  # the options of a fixed example field (key, label and type are added)
    answer: Any  # a valid answer to the example (None for a computed type: never sent)
    options: Callable[[Draw], Field] = lambda draw: {}  # draws the options of a random field
    valid: Callable[[Draw, Field], Any] | None = None  # draws a valid answer to a random field
    too_big: Callable[[Field], Any] | None = None  # an answer out of the field's range, if it has one
    wrong_type: Any = field(default_factory=list)  # an answer of the wrong JSON type


def _text(draw: Draw, f: Field) -> Any:
    return draw(st.text(min_size=1, max_size=f.get("max_length", 20)).filter(lambda s: s.strip()))


def _number_options(draw: Draw) -> Field:
    low = draw(st.integers(-1000, 1000))
    return {"min": low, "max": low + draw(st.integers(0, 1000))}


def _choice(draw: Draw, f: Field) -> Any:
    return draw(st.sampled_from([c["value"] for c in f["choices"]]))


def _choices(draw: Draw, f: Field) -> Any:
    return draw(st.lists(st.sampled_from([c["value"] for c in f["choices"]]), min_size=1, unique=True))


_EXAMPLE_CHOICES = [{"value": "a", "label": {"vi": "Một", "en": "One"}}, {"value": "b", "label": {"vi": "Hai"}}]


def _agreeing_item(draw, max_score):
    """A checklist answer whose score agrees with its result (the default score_rule)."""
    status = draw(st.sampled_from(["yes", "partial", "no"]))
    if status == "no":
        return {"status": status, "score": 0}
    if status == "partial":
        return {"status": status, "score": draw(st.floats(0.5, max_score - 0.5)) if max_score > 1 else 0.5}
    return {"status": status, "score": draw(st.integers(1, max_score))}


CASES: dict[str, Case] = {
    "text": Case(
        {"max_length": 50},
        "Chi đoàn",
        options=lambda draw: {"max_length": draw(st.integers(1, 50))},
        valid=_text,
    ),
    "textarea": Case(
        {"max_length": 200},
        "Dòng 1\nDòng 2",
        options=lambda draw: {"max_length": draw(st.integers(1, 50))},
        valid=_text,
    ),
    "email": Case(
        {}, "bch@doan.vn", valid=lambda draw, f: draw(st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.vn", fullmatch=True))
    ),
    "phone": Case({}, "+84 912 345 678", valid=lambda draw, f: draw(st.from_regex(r"\+?[0-9]{6,12}", fullmatch=True))),
    "integer": Case(
        {"min": 0, "max": 100, "unit": {"vi": "người"}},
        42,
        options=_number_options,
        valid=lambda draw, f: draw(st.integers(f["min"], f["max"])),
        too_big=lambda f: f["max"] + 1,
    ),
    "decimal": Case(
        {"min": 0},
        2.5,
        options=_number_options,
        valid=lambda draw, f: draw(st.floats(f["min"], f["max"], allow_nan=False)),
        too_big=lambda f: f["max"] + 1,
    ),
    "rating": Case(
        {"scale": 5},
        4,
        options=lambda draw: {"scale": draw(st.integers(2, 10))},
        valid=lambda draw, f: draw(st.integers(1, f["scale"])),
        too_big=lambda f: f["scale"] + 1,
    ),
    "boolean": Case({}, True, valid=lambda draw, f: draw(st.booleans())),
    "date": Case({}, "2019-06-14", valid=lambda draw, f: draw(st.dates()).isoformat()),
    "time": Case({}, "09:30", valid=lambda draw, f: draw(st.times()).strftime("%H:%M")),
    "datetime": Case(
        {},
        "2019-06-14T02:30:00Z",
        valid=lambda draw, f: draw(st.datetimes(timezones=st.just(UTC))).isoformat(),
    ),
    "select_one": Case(
        {"choices": _EXAMPLE_CHOICES},
        "a",
        options=lambda draw: {"choices": draw(CHOICES), **draw(APPEARANCE)},
        valid=_choice,
    ),
    "select_multiple": Case(
        {"choices": _EXAMPLE_CHOICES, "appearance": "list"},
        ["a", "b"],
        options=lambda draw: {"choices": draw(CHOICES), **draw(APPEARANCE)},
        valid=_choices,
        wrong_type="not-a-list",
    ),
    "checklist": Case(
        {"max_score": 8},
        {"status": "partial", "score": 6.5, "note": "Ghi chú"},
        options=lambda draw: {"max_score": draw(st.integers(1, 20))},
        valid=lambda draw, f: _agreeing_item(draw, f["max_score"]),
        too_big=lambda f: {"status": "yes", "score": f["max_score"] + 1},
    ),
    "repeat": Case(
        {"fields": [{"key": "ten", "type": "text", "label": {"vi": "Tên"}}]},
        [{"ten": "Công trình"}],
        options=lambda draw: {"fields": [{"key": "ten", "type": "text", "label": {"vi": "Tên"}}]},
        valid=lambda draw, f: [{"ten": draw(TEXT)} for _ in range(draw(st.integers(1, 3)))],
        wrong_type="not-a-list",
    ),
    # Computed: the property tests add it whole (never answered); its rule reads nothing.
    "calculated": Case({"calculate": {"+": [1, 2]}, "unit": {"vi": "điểm"}}, None),
}


def example_field(type_name: str, key: str = "vidu") -> Field:
    """The fixed example field of a type."""
    return {"key": key, "type": type_name, "label": {"vi": f"Ví dụ {type_name}", "en": f"Example {type_name}"}} | (
        CASES[type_name].example
    )
