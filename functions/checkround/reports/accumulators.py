"""The summary's running totals: one accumulator per field, fed each unit's answer in turn.

Memory grows with the number of fields and units, never with the number of revisions. Which
accumulator a field gets is its report kind's choice (:mod:`.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from checkround.forms.fieldtypes import CHECKLIST_STATUSES


class Accumulator(Protocol):
    def add(self, unit_id: str, value: Any) -> None: ...

    def result(self) -> dict[str, Any]: ...


@dataclass
class NumberAcc:
    values: dict[str, float] = field(default_factory=dict)

    def add(self, unit_id: str, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.values[unit_id] = value

    def result(self) -> dict[str, Any]:
        numbers = list(self.values.values())
        total = sum(numbers)
        return {
            "count": len(numbers),
            "sum": total,
            "mean": total / len(numbers) if numbers else None,
            "min": min(numbers) if numbers else None,
            "max": max(numbers) if numbers else None,
            # Who has the lowest and the highest: a figure without its unit says little.
            "min_units": [u for u, v in self.values.items() if numbers and v == min(numbers)],
            "max_units": [u for u, v in self.values.items() if numbers and v == max(numbers)],
            "per_unit": dict(self.values),
        }


@dataclass
class ChecklistAcc:
    max_score: float
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKLIST_STATUSES, 0))
    per_unit: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, unit_id: str, value: Any) -> None:
        if isinstance(value, Mapping) and value.get("status") in self.counts:
            self.counts[value["status"]] += 1
            self.per_unit[unit_id] = {
                "status": value["status"],
                "score": value.get("score"),
                "note": value.get("note"),
            }

    def result(self) -> dict[str, Any]:
        scores = [v["score"] for v in self.per_unit.values() if v["score"] is not None]
        answered = sum(self.counts.values())
        return {
            "counts": dict(self.counts),
            "answered": answered,
            "shares": {k: (v / answered if answered else 0.0) for k, v in self.counts.items()},
            "max_score": self.max_score,
            "mean_score": sum(scores) / len(scores) if scores else None,
            "per_unit": dict(self.per_unit),
        }


@dataclass
class ChoiceAcc:
    values: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    per_unit: dict[str, Any] = field(default_factory=dict)

    def add(self, unit_id: str, value: Any) -> None:
        picked = value if isinstance(value, list) else [value]
        picked = [v for v in picked if isinstance(v, str)]
        if not picked:
            return
        self.answered += 1
        self.per_unit[unit_id] = value
        for v in picked:
            self.counts[v] = self.counts.get(v, 0) + 1

    def result(self) -> dict[str, Any]:
        order = self.values + sorted(set(self.counts) - set(self.values))
        return {
            "answered": self.answered,
            "counts": {v: self.counts.get(v, 0) for v in order},
            "shares": {v: (self.counts.get(v, 0) / self.answered if self.answered else 0.0) for v in order},
            "per_unit": dict(self.per_unit),
        }


@dataclass
class BooleanAcc:
    per_unit: dict[str, bool] = field(default_factory=dict)

    def add(self, unit_id: str, value: Any) -> None:
        if isinstance(value, bool):
            self.per_unit[unit_id] = value

    def result(self) -> dict[str, Any]:
        yes = sum(1 for v in self.per_unit.values() if v)
        return {"yes": yes, "no": len(self.per_unit) - yes, "per_unit": dict(self.per_unit)}


@dataclass
class TextAcc:
    per_unit: dict[str, str] = field(default_factory=dict)

    def add(self, unit_id: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            self.per_unit[unit_id] = value.strip()

    def result(self) -> dict[str, Any]:
        return {"count": len(self.per_unit), "per_unit": dict(self.per_unit)}


@dataclass
class RepeatAcc:
    """Item counts per unit, and sums of the number sub-fields over every item."""

    number_keys: list[str]
    items: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    # The first records, with their unit, for the summary to list by name (bounded: a listing,
    # not a store; the counts and sums cover every record).
    listed: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    list_limit: int = 40

    def add(self, unit_id: str, value: Any) -> None:
        if not isinstance(value, list):
            return
        records = [item for item in value if isinstance(item, Mapping)]
        self.items[unit_id] = len(records)
        room = self.list_limit - len(self.listed)
        self.listed.extend((unit_id, record) for record in records[: max(room, 0)])
        for record in records:
            for key in self.number_keys:
                number = record.get(key)
                if isinstance(number, int | float) and not isinstance(number, bool):
                    self.sums[key] = self.sums.get(key, 0) + number

    def result(self) -> dict[str, Any]:
        return {
            "units": len(self.items),
            "items": sum(self.items.values()),
            "per_unit": dict(self.items),
            "sums": {key: self.sums.get(key, 0) for key in self.number_keys},
            "listed": list(self.listed),
        }
