"""The seed series: a second round after the seed round, on a newer form version with a
renamed item, with recommendations made after the first and answered in the second
(``schemas/seed/series.yaml``). The demo runs it; the tests build the same rounds from it.

Everything here is pure data shaping; the demo and the tests send it through the API.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .seed import load_yaml

SERIES_FILE = Path("seed") / "series.yaml"


def load_series(schemas_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(schemas_dir / SERIES_FILE)
    return data


def renamed_version(definition: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The form with each ``section.old`` field keyed ``new`` and marked ``renamed_from: old``;
    every rule that read ``section.old`` reads ``section.new``."""
    text = json.dumps(definition, ensure_ascii=False)
    for old, new in renames.items():
        section = old.split(".", 1)[0]
        # Rules name fields as "section.key" (or "section.key.part"): each is one JSON string.
        text = text.replace(f'"{old}"', f'"{section}.{new}"').replace(f'"{old}.', f'"{section}.{new}.')
    result: dict[str, Any] = json.loads(text)
    for old, new in renames.items():
        section_key, old_key = old.split(".", 1)
        for section in result["sections"]:
            if section["key"] != section_key:
                continue
            for field in section["fields"]:
                if field["key"] == old_key:
                    field["key"] = new
                    field["renamed_from"] = old_key
    return result


def second_answers(series: dict[str, Any], first: dict[str, dict[str, Any]], unit_id: str) -> dict[str, Any]:
    """A unit's round-2 answers, or the inspection team's round-2 assessment of it: its round-1
    ones (or another unit's, ``base_answers``) with ``changes`` applied to the items they
    name, then the renamed fields under their new keys. The team's fields (``filled_by:
    reviewer``) keep only what the team fills: pass the round-1 assessments as ``first``."""
    base = series.get("base_answers", {}).get(unit_id, unit_id)
    answers = copy.deepcopy(first[base])
    for section, fields in (series.get("changes", {}).get(unit_id) or {}).items():
        if section in answers:
            answers[section].update(copy.deepcopy(fields))
    for old, new in series.get("renames", {}).items():
        section, old_key = old.split(".", 1)
        if old_key in answers.get(section, {}):
            answers[section][new] = answers[section].pop(old_key)
    return answers


def follow_up_body(series: dict[str, Any], unit_id: str, rec_ids: list[str]) -> dict[str, Any]:
    """``follow_up`` for a unit: its answers in ``series.yaml``, matched to the ids the API gave
    its recommendations (in the order they were made)."""
    answers = series.get("follow_up", {}).get(unit_id) or []
    return {rec_id: dict(answer) for rec_id, answer in zip(rec_ids, answers, strict=False)}
