"""The seed series in the integration and end-to-end tests: round 1 (the seed round, closed,
with recommendations), the form's newer version with a renamed item, and round 2 that follows
round 1 (``schemas/seed/series.yaml``, the data the demo runs too)."""

from __future__ import annotations

from typing import Any

from checkround.devstack.seed import load_yaml
from checkround.devstack.series import follow_up_body, load_series, renamed_version, second_answers
from tests.support import SCHEMAS, SEED_UNITS, seed_answers, seed_form

R1 = "kt-6-thang-2019"
R2 = "kt-cuoi-nam-2019"
FORM = "kiem-tra-6-thang-2019"
SERIES = load_series(SCHEMAS)
REPORTED_1 = [unit for unit in SEED_UNITS if unit != "ba-che"]


def first_answers() -> dict[str, dict[str, Any]]:
    return {unit: seed_answers(unit) for unit in REPORTED_1}


def round2_answers(unit_id: str) -> dict[str, Any]:
    return second_answers(SERIES, first_answers(), unit_id)


def first_assessment(unit_id: str) -> dict[str, Any]:
    """The inspection team's round-1 scores of a unit (schemas/seed/assessments)."""
    return load_yaml(SCHEMAS / "seed" / "assessments" / f"{unit_id}.yaml")


def round2_assessment(unit_id: str) -> dict[str, Any]:
    return second_answers(SERIES, {unit: first_assessment(unit) for unit in REPORTED_1}, unit_id)


def second_version() -> dict[str, Any]:
    return renamed_version(seed_form(), SERIES["renames"])


def recommendation_bodies() -> list[dict[str, Any]]:
    bodies = []
    for rec in SERIES["recommendations"]:
        body = {key: value for key, value in rec.items()}
        if "due_date" in body:
            body["due_date"] = str(body["due_date"])
        bodies.append(body)
    return bodies


def follow_up_of(unit_id: str, recs: dict[str, list[str]]) -> dict[str, Any]:
    return follow_up_body(SERIES, unit_id, recs.get(unit_id, []))
