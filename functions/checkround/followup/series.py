"""A round's series: the chain of its predecessors (``previous_round_id``), and each unit's
scores in a round of it, matched to the current round's form.

Units are matched by id. Fields are matched by key across form versions following
``renamed_from`` (as the reports do, :mod:`checkround.forms.versions`): a checklist item's
status in an earlier round is filed under the name the item has in the current round's form.
A round's scores are read from each unit's latest submission (its state decides whether the
summary counts it) with the points its own form version gives (:mod:`checkround.reports.kinds`);
where the form has fields the inspection team fills (``filled_by: reviewer``), their values
are the team's assessment, as the summary counts them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checkround.context import Context
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.fillers import reviewer_fills
from checkround.forms.service import get_version
from checkround.forms.versions import renames
from checkround.reports.kinds import kind_of
from checkround.rounds.service import round_path
from checkround.storage.ports import Doc, Transaction
from checkround.submissions.assessments import round_assessments

# The summary's trend chart shows at most this many rounds of a series, the current one included.
MAX_SERIES = 6
# What a submission is read for here: only these fields travel.
_SUBMISSION_FIELDS = ["answers", "form_id", "form_version", "late"]
# Documents per batched read (one round trip each).
_BATCH = 200


def series(ctx: Context, round_doc: Doc, limit: int = MAX_SERIES) -> list[Doc]:
    """The round and its predecessors, oldest first, at most ``limit`` rounds."""
    chain = [round_doc]
    seen = {round_doc["id"]}
    while len(chain) < limit:
        previous_id = chain[-1].get("previous_round_id")
        if not previous_id or previous_id in seen:
            break
        previous = ctx.store.get(round_path(previous_id))
        if previous is None:
            break
        chain.append(previous)
        seen.add(previous_id)
    return list(reversed(chain))


def previous_round(ctx: Context, round_doc: Doc) -> Doc | None:
    previous_id = round_doc.get("previous_round_id")
    return ctx.store.get(round_path(previous_id)) if previous_id else None


@dataclass
class UnitScores:
    """One unit's latest submission in a round, scored."""

    state: str
    late: bool = False
    section_scores: dict[str, float] = field(default_factory=dict)
    total_score: float | None = None
    # Checklist items' statuses under the current form's names ("section.field").
    statuses: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Scoring:
    """What scoring a submission of one form version needs: its scored and checklist fields."""

    scored: tuple[tuple[str, str, Callable[[Any], float]], ...]
    checklists: tuple[tuple[str, str, str], ...]  # (section, field, name in the target form)
    sections: tuple[str, ...]  # the sections that give points, in form order
    # The fields the inspection team fills ("section.field"): their values are the team's.
    reviewer: frozenset[str]
    reviewer_scored: bool  # the points are the team's: a unit it has not assessed has no total


class Scorer:
    """Scores submissions of any version of a form, naming checklist items as ``target`` does."""

    def __init__(self, ctx: Context, target_form: str, target_version: int) -> None:
        self._ctx = ctx
        self._target = (target_form, target_version)
        self._cache: dict[tuple[str, int], _Scoring] = {}

    def moves(self, form_id: str, version: int) -> dict[str, str]:
        """Old name -> name in the target version, composed over every version in between."""
        target_form, target_version = self._target
        if form_id != target_form or version >= target_version:
            return {}
        moved: dict[str, str] = {}
        for later in range(version + 1, target_version + 1):
            step = renames(get_version(self._ctx, form_id, later))
            moved = {old: step.get(new, new) for old, new in moved.items()}
            for old, new in step.items():
                moved.setdefault(old, new)
        return moved

    def _scoring(self, form_id: str, version: int) -> _Scoring:
        key = (form_id, version)
        if key not in self._cache:
            definition = get_version(self._ctx, form_id, version)
            moves = self.moves(form_id, version)
            scored: list[tuple[str, str, Callable[[Any], float]]] = []
            checklists: list[tuple[str, str, str]] = []
            reviewer: set[str] = set()
            reviewer_scored = False
            for section in definition["sections"]:
                for f in section["fields"]:
                    kind = kind_of(f)
                    by_team = reviewer_fills(section, f)
                    if by_team:
                        reviewer.add(f"{section['key']}.{f['key']}")
                    if kind.score is not None:
                        scored.append((section["key"], f["key"], kind.score))
                        reviewer_scored = reviewer_scored or by_team
                    if REGISTRY[f["type"]].report == "checklist":
                        name = f"{section['key']}.{f['key']}"
                        checklists.append((section["key"], f["key"], moves.get(name, name)))
            # The sections that give points, in form order.
            sections = tuple(dict.fromkeys(section_key for section_key, _, _ in scored))
            self._cache[key] = _Scoring(
                tuple(scored), tuple(checklists), sections, frozenset(reviewer), reviewer_scored
            )
        return self._cache[key]

    def score(
        self, state: str, submission: Mapping[str, Any], assessment: Mapping[str, Any] | None = None
    ) -> UnitScores:
        """The unit's points and checklist results; where the form has fields the inspection
        team fills, their values are the team's (``assessment``), as the summary counts them,
        and a unit the team has not assessed has results but no total."""
        scoring = self._scoring(str(submission["form_id"]), int(submission["form_version"]))
        answers = submission.get("answers") or {}
        team = assessment or {}

        def value_of(section_key: str, key: str) -> Any:
            source = team if f"{section_key}.{key}" in scoring.reviewer else answers
            return (source.get(section_key) or {}).get(key)

        sections = dict.fromkeys(scoring.sections, 0.0)
        for section_key, key, points in scoring.scored:
            value = value_of(section_key, key)
            if value is not None:
                sections[section_key] += points(value)
        statuses = {}
        for section_key, key, name in scoring.checklists:
            value = value_of(section_key, key)
            if isinstance(value, Mapping) and isinstance(value.get("status"), str):
                statuses[name] = value["status"]
        counted = assessment is not None or not scoring.reviewer_scored
        return UnitScores(
            state=state,
            late=bool(submission.get("late")),
            section_scores=sections if counted else {},
            total_score=sum(sections.values()) if counted else None,
            statuses=statuses,
        )


def read_many(ctx: Context, paths: list[str], fields: list[str] | None = None) -> Iterator[Doc | None]:
    """Documents in batches of one round trip each (a read-only transaction's batched get)."""
    for start in range(0, len(paths), _BATCH):
        chunk = paths[start : start + _BATCH]

        def read(tx: Transaction, chunk: list[str] = chunk) -> list[Doc | None]:
            return tx.get_many(chunk, fields=fields)

        yield from ctx.store.transaction(read)


def latest_entries(ctx: Context, round_doc: Doc) -> Iterator[tuple[str, Doc, Doc | None]]:
    """``(unit id, entry, latest submission or None)`` of every unit of the round that has an
    entry; submissions read a batch at a time (one round trip each), so that memory holds one
    batch of them, not the round."""
    roster = set(round_doc["unit_ids"])
    base = f"{round_path(round_doc['id'])}/submissions"
    entries = [(uid, entry) for uid, entry in ctx.store.list(f"{round_path(round_doc['id'])}/entries") if uid in roster]
    for start in range(0, len(entries), _BATCH):
        batch = entries[start : start + _BATCH]
        paths = [f"{base}/{entry['submission_id']}" for _, entry in batch if entry.get("submission_id")]
        found = dict(zip(paths, read_many(ctx, paths, _SUBMISSION_FIELDS), strict=True))
        for uid, entry in batch:
            submission = found.get(f"{base}/{entry['submission_id']}") if entry.get("submission_id") else None
            if submission is not None and not submission.get("form_id"):
                submission = {**submission, "form_id": round_doc["form_id"]}
            yield uid, entry, submission


def round_scores(ctx: Context, round_doc: Doc, scorer: Scorer, counted: Callable[[str], bool]) -> dict[str, UnitScores]:
    """Each unit's state in the round and, if ``counted(state)``, its latest submission scored."""
    assessed = dict(round_assessments(ctx, round_doc["id"]))
    scores = {}
    for uid, entry, submission in latest_entries(ctx, round_doc):
        state = str(entry.get("state") or "missing")
        if submission is not None and counted(state):
            scores[uid] = scorer.score(state, submission, assessed.get(uid))
        else:
            scores[uid] = UnitScores(state=state)
    return scores


def _any_submission(state: str) -> bool:
    return state != "draft"


def kept_scores(ctx: Context, round_doc: Doc, scorer: Scorer) -> dict[str, UnitScores] | None:
    """Each reporting unit's numbers as the round's rendered summary printed them (kept as one
    JSON blob, ``summaries/{id}.scores_blob``), checklist results renamed to the scorer's form;
    None when no summary kept them (never rendered, or rendered before summaries kept them)."""
    summary_doc = ctx.store.get(f"summaries/{round_doc['id']}") or {}
    raw = ctx.blobs.get(summary_doc["scores_blob"]) if summary_doc.get("scores_blob") else None
    if raw is None:
        return None
    kept = json.loads(raw)
    moves = scorer.moves(str(round_doc["form_id"]), int(round_doc["form_version"]))
    return {
        uid: UnitScores(
            state="submitted",
            section_scores={key: float(v) for key, v in (unit.get("section_scores") or {}).items()},
            total_score=None if unit.get("total_score") is None else float(unit["total_score"]),
            statuses={moves.get(name, name): status for name, status in (unit.get("statuses") or {}).items()},
        )
        for uid, unit in kept["units"].items()
    }


def _previous_for_board(ctx: Context, previous: Doc, scorer: Scorer) -> dict[str, UnitScores]:
    """The previous round's states (its board) with the totals its summary printed; scored from
    its submissions only when no summary kept them."""
    kept = kept_scores(ctx, previous, scorer)
    if kept is None:
        return round_scores(ctx, previous, scorer, _any_submission)
    states = {
        uid: str(entry.get("state") or "missing")
        for uid, entry in ctx.store.list(f"{round_path(previous['id'])}/entries")
    }
    return {
        uid: UnitScores(state=state, total_score=kept[uid].total_score if uid in kept else None)
        for uid, state in states.items()
    }


def board_with_previous(ctx: Context, round_doc: Doc, rows: list[Doc]) -> list[Doc]:
    """The board's rows with each unit's total now and, for a round that follows another, its
    state and total in the previous round (``previous``: None for a unit that was not in it)."""
    previous = previous_round(ctx, round_doc)
    if previous is None:
        return rows
    scorer = Scorer(ctx, round_doc["form_id"], int(round_doc["form_version"]))
    now = round_scores(ctx, round_doc, scorer, _any_submission)
    before = _previous_for_board(ctx, previous, scorer)
    roster_before = set(previous["unit_ids"])
    out = []
    for row in rows:
        uid = row["unit_id"]
        current = now.get(uid)
        earlier = before.get(uid)
        out.append(
            {
                **row,
                "total_score": current.total_score if current else None,
                "previous": None
                if uid not in roster_before
                else {
                    "round_id": previous["id"],
                    "state": earlier.state if earlier else "missing",
                    "total_score": earlier.total_score if earlier else None,
                },
            }
        )
    return out
