"""Aggregation: stream the latest submission of each unit into a summary object.

Memory grows with the number of fields and units, never with the number of revisions: each
field keeps running totals in the accumulator of its report kind (:mod:`.kinds`).
The summary object is plain data that the report template, exports and tests all read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from checkround.errors import AppError
from checkround.formats.zones import zone_of
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.fillers import reviewer_fills, unit_part
from checkround.forms.validate import rule_view
from checkround.forms.walk import Path, walk

from .display import loc, unit_name
from .display import local_time as _local
from .kinds import display_answers, kind_of


def _rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Competition ranking (1, 1, 3) by total score, then by name for a stable order; units
    without a score (not reported, or not yet scored by the team) follow, unranked, so every
    unit of the cluster is listed."""
    scored = [r for r in rows if r["total_score"] is not None]
    ordered = sorted(scored, key=lambda r: (-r["total_score"], r["name"]))
    ranked: list[dict[str, Any]] = []
    for index, row in enumerate(ordered):
        tied = index > 0 and ordered[index - 1]["total_score"] == row["total_score"]
        rank = ranked[-1]["rank"] if tied else index + 1
        ranked.append({**row, "rank": rank})
    rest = sorted((r for r in rows if r["total_score"] is None), key=lambda r: (not r["reported"], r["name"]))
    return ranked + [{**row, "rank": None} for row in rest]


def _figures(field: Mapping[str, Any]) -> dict[str, Any]:
    """How the summary shows a number field: ``summed`` when a total means something (counts and
    amounts a unit enters, not a rating or a computed score); ``whole`` when it is a count (its
    average is printed without decimals); ``score_total`` for a computed total of checklist
    scores, which the ranking's columns already show (summing or averaging such totals over
    units means nothing, so the results leave it out)."""
    computed = REGISTRY[field["type"]].computed
    reads_scores = computed and ".score" in json.dumps(field.get("calculate"))
    return {
        "summed": not computed and field["type"] != "rating",
        "whole": field["type"] in ("integer", "rating"),
        "score_total": reads_scores,
    }


def with_assessment(
    definition: Mapping[str, Any], answers: Mapping[str, Any], assessment: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A unit's answers with the team's in place of the reviewer fields (a unit's self-assessment
    of such a field gives way), and the calculated fields computed again from the result."""
    merged: dict[str, Any] = {key: dict(value) if isinstance(value, dict) else value for key, value in answers.items()}
    for section in definition["sections"]:
        for f in section["fields"]:
            if not reviewer_fills(section, f):
                continue
            holder = merged.get(section["key"])
            if isinstance(holder, dict):
                holder.pop(f["key"], None)
            given = (assessment or {}).get(section["key"])
            if isinstance(given, Mapping) and f["key"] in given:
                merged.setdefault(section["key"], {})[f["key"]] = given[f["key"]]
    try:
        calculated, _ = rule_view(definition, merged)
    except AppError:
        return merged  # rules too costly for these answers: the stored values stand
    for name, value in calculated.items():
        section_key, _, key = name.partition(".")
        if "." not in key and isinstance(merged.get(section_key), dict):
            merged[section_key][key] = value
    return merged


def roster_answers(
    round_doc: Mapping[str, Any],
    submissions: Iterable[tuple[str, Mapping[str, Any]]],
    to_current_keys: Callable[[Mapping[str, Any], int | None], Mapping[str, Any]] | None = None,
) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """``(unit id, submission, answers under the current keys)`` for the round's own units."""
    roster = set(round_doc.get("unit_ids") or [])
    for unit_id, submission in submissions:
        if unit_id not in roster:
            continue
        answers = submission.get("answers") or {}
        if to_current_keys is not None:
            answers = to_current_keys(answers, submission.get("form_version"))
        yield unit_id, submission, answers


def aggregate(
    round_doc: Mapping[str, Any],
    definition: Mapping[str, Any],
    units: Mapping[str, Mapping[str, Any]],
    submissions: Iterable[tuple[str, Mapping[str, Any]]],
    to_current_keys: Callable[[Mapping[str, Any], int | None], Mapping[str, Any]] | None = None,
    assessments: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build the summary object of a round from a stream of ``(unit_id, latest submission)``.

    ``to_current_keys`` maps answers given under another form version to this definition's
    keys (see :class:`checkround.forms.versions.VersionMapper`). ``assessments`` holds the
    inspection team's answers per unit (:mod:`checkround.submissions.assessments`): where the
    form has reviewer fields, results, scores and the ranking are the team's, and a unit's
    self-assessed score is shown beside its team score."""
    language = round_doc.get("language", "vi")
    tz = zone_of(round_doc)
    assessments = assessments or {}
    accs = {}
    scores: dict[Path, Callable[[Any], float]] = {}  # how a scored field's answer counts
    self_scored: set[Path] = set()  # scored reviewer fields the unit also assesses itself
    max_by_section: dict[str, float] = {}
    reviewer_scored = False
    for place in walk(definition):
        kind = kind_of(place.field)
        accs[place.path] = kind.accumulator(place.field)
        if kind.score is not None and kind.max_score is not None:
            scores[place.path] = kind.score
            section_key = place.section["key"]
            max_by_section[section_key] = max_by_section.get(section_key, 0) + kind.max_score(place.field)
            if place.filled_by == "reviewer":
                reviewer_scored = True
                if place.field.get("self_assessment"):
                    self_scored.add(place.path)
    max_total = sum(max_by_section.values())
    own_part = unit_part(definition)

    reported: dict[str, dict[str, Any]] = {}
    appendix: dict[str, list[dict[str, Any]]] = {}  # each unit's own answers as shown, for the annex
    for unit_id, submission, answers in roster_answers(round_doc, submissions, to_current_keys):
        assessed = unit_id in assessments
        effective = with_assessment(definition, answers, assessments.get(unit_id)) if reviewer_scored else answers
        section_scores = dict.fromkeys(max_by_section, 0.0)
        for place in walk(definition, effective):
            if place.record is not None or place.value is None:
                continue  # a repeat group's accumulator takes its records whole
            accs[place.path].add(unit_id, place.value)
            if place.path in scores:
                section_scores[place.section["key"]] += scores[place.path](place.value)
        self_score = None
        if self_scored:
            given = [
                scores[place.path](place.value)
                for place in walk(definition, answers)
                if place.path in self_scored and place.value is not None
            ]
            self_score = sum(given) if given else None
        appendix[unit_id] = display_answers(own_part, answers, language)
        counted = assessed or not reviewer_scored
        reported[unit_id] = {
            "late": bool(submission.get("late")),
            "submitted_at": _local(submission.get("submitted_at"), tz),
            "revision": submission.get("revision"),
            "form_version": submission.get("form_version"),
            "assessed": assessed,
            "section_scores": section_scores if counted else {},
            "total_score": sum(section_scores.values()) if counted else None,
            "self_score": self_score,
        }

    clusters_meta = round_doc.get("clusters") or {}
    unit_rows = []
    for unit_id in round_doc["unit_ids"]:
        unit = units.get(unit_id, {})
        name = unit_name(unit, unit_id, language)
        cluster = unit.get("cluster") or ""
        row: dict[str, Any] = {
            "id": unit_id,
            "name": name,
            "cluster": cluster,
            "cluster_name": loc(clusters_meta.get(cluster), language) or cluster,
            "reported": unit_id in reported,
            "assessed": False,
            "self_score": None,
            "late": False,
            "submitted_at": None,
            "revision": None,
            "section_scores": {},
            "total_score": None,
            "percent": None,
        }
        if unit_id in reported:
            row.update(reported[unit_id])
            scored = row["total_score"] is not None and max_total > 0
            row["percent"] = 100 * row["total_score"] / max_total if scored else None
        unit_rows.append(row)
    names = {row["id"]: row["name"] for row in unit_rows}

    # Every unit of a cluster is listed in its ranking; one that did not report says so there.
    clusters: dict[str, list[dict[str, Any]]] = {}
    for row in unit_rows:
        clusters.setdefault(row["cluster"], []).append(row)
    cluster_rankings = [
        {"id": cid, "name": loc(clusters_meta.get(cid), language) or cid or "—", "ranking": _rank(rows)}
        for cid, rows in sorted(clusters.items())
    ]

    sections: list[dict[str, Any]] = []
    texts: dict[str, list[dict[str, str]]] = {"strengths": [], "shortcomings": [], "proposals": []}
    for section in definition["sections"]:
        out_fields = []
        for f in section["fields"]:
            result = accs[(section["key"], f["key"])].result()
            report = kind_of(f)
            labels = {c["value"]: loc(c["label"], language) for c in f.get("choices", [])}
            out_fields.append(
                {
                    "key": f["key"],
                    "label": loc(f["label"], language),
                    "type": f["type"],
                    "kind": REGISTRY[f["type"]].report,
                    "summary": report.summary,
                    "table": report.table,
                    "role": f.get("role"),
                    "field": f,
                    "unit": loc(f.get("unit"), language),
                    "choice_labels": labels,
                    "sub_labels": {s["key"]: loc(s["label"], language) for s in f.get("fields", [])},
                    "result": result,
                    # What a total or an average of it means (see _figures).
                    **_figures(f),
                }
            )
            if f.get("role") in texts:
                for unit_id, text in result["per_unit"].items():
                    texts[f["role"]].append({"unit_id": unit_id, "unit": names.get(unit_id, unit_id), "text": text})
        sections.append(
            {
                "number": len(sections) + 1,
                "key": section["key"],
                "title": loc(section["title"], language),
                # What the topic rests on (a decision, a resolution), as the form describes it.
                "basis": loc(section.get("description"), language),
                "max_score": max_by_section.get(section["key"]),
                "fields": out_fields,
            }
        )

    # Checklist items every reporting unit met feed "overall"; the others feed "however".
    met_by_all = [
        f["label"]
        for section in sections
        for f in section["fields"]
        if f["kind"] == "checklist"
        and f["result"]["answered"]
        and f["result"]["counts"]["yes"] == f["result"]["answered"]
    ]
    gaps = []
    for section in sections:
        for f in section["fields"]:
            if f["kind"] != "checklist":
                continue
            weak = [
                {"unit": names.get(uid, uid), "status": v["status"], "note": v.get("note")}
                for uid, v in f["result"]["per_unit"].items()
                if v["status"] != "yes"
            ]
            if weak:
                gaps.append({"label": f["label"], "section": section["title"], "units": weak})

    submitted = [row for row in unit_rows if row["reported"]]
    return {
        "language": language,
        "round": {
            "id": round_doc["id"],
            "title": loc(round_doc.get("title"), language),
            "theme": loc(round_doc.get("theme"), language),
            "issuing_body": loc(round_doc.get("issuing_body"), language),
            "inspection_team": [loc(member, language) for member in round_doc.get("inspection_team") or []],
            "opens_at": _local(round_doc.get("opens_at"), tz),
            "closes_at": _local(round_doc.get("closes_at"), tz),
            "opens_on": _local(round_doc.get("opens_at"), tz, "%d/%m/%Y"),
            "closes_on": _local(round_doc.get("closes_at"), tz, "%d/%m/%Y"),
            "time_zone": str(tz),
        },
        "form": {"id": definition["id"], "title": loc(definition["title"], language), "max_score": max_total},
        # Whose scores rank the units: the inspection team's ("reviewer") or the units' own.
        "score_source": "reviewer" if reviewer_scored else "unit",
        "self_scored": bool(self_scored),
        "units": unit_rows,
        "participation": {
            "total": len(unit_rows),
            "submitted": len(submitted),
            "on_time": sum(1 for row in submitted if not row["late"]),
            "late": sum(1 for row in submitted if row["late"]),
            "missing": len(unit_rows) - len(submitted),
            "missing_units": [row["name"] for row in unit_rows if not row["reported"]],
        },
        "sections": sections,
        "clusters": cluster_rankings,
        "strengths": texts["strengths"],
        "shortcomings": texts["shortcomings"],
        "proposals": texts["proposals"],
        "gaps": gaps,
        "met_by_all": met_by_all,
        "appendix": [{"unit": row["name"], "sections": appendix[row["id"]]} for row in unit_rows if row["reported"]],
    }
