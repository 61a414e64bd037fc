"""The inspection team's assessment of a unit's submission: the fields ``filled_by: reviewer``.

A unit sends what it fills (:func:`checkround.forms.fillers.unit_part`); the team enters the
rest in review (result and score of each checklist item, its remarks), validated against the
form's reviewer part with the same compiler and rules, so a score that contradicts its result
is refused in the same words a unit gets. The assessment lives beside the submissions, at
``rounds/{round}/assessments/{unit}``, and survives the unit sending a new revision: it says
which revision it assessed. Each save is one transaction with its audit event, which names the
admin who entered it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields

from checkround.context import Context
from checkround.errors import AppError
from checkround.forms.compiler import CACHE
from checkround.forms.fillers import has_reviewer_fields, reviewer_part
from checkround.forms.service import get_version
from checkround.forms.validate import check_answers
from checkround.inputs_common import load
from checkround.rounds import audit
from checkround.rounds.service import ROUND_NOUN, UNIT_NOUN, entry_path, get_round_doc, round_path
from checkround.storage.ports import Doc, Transaction

_SUBMISSION = {"vi": "báo cáo của đơn vị", "en": "Submission"}


class AssessmentInput(Schema):
    class Meta:
        unknown = RAISE

    answers = fields.Raw(
        required=True,
        metadata={
            "type": "object",
            "description": "The team's answers to the form's reviewer fields, keyed by section, then field key.",
        },
    )


def assessment_path(round_id: str, unit_id: str) -> str:
    return f"{round_path(round_id)}/assessments/{unit_id}"


def stale_of(assessment: Mapping[str, Any] | None, latest_revision: Any) -> dict[str, int] | None:
    """``{"assessed", "latest"}`` revisions when the team's assessment is of a revision older
    than the unit's latest (the unit sent again since); None when current or not assessed."""
    if not assessment or not isinstance(latest_revision, int):
        return None
    assessed = assessment.get("submission_revision")
    if isinstance(assessed, int) and assessed < latest_revision:
        return {"assessed": assessed, "latest": latest_revision}
    return None


def _definition(ctx: Context, round_doc: Doc) -> Mapping[str, Any]:
    definition = get_version(ctx, round_doc["form_id"], round_doc["form_version"])
    if not has_reviewer_fields(definition):
        raise AppError(
            "invalid_state",
            detail={
                "vi": "biểu mẫu của đợt này không có trường nào cho đoàn kiểm tra",
                "en": "this round's form has no fields for the inspection team",
            },
        )
    return definition


def get_assessment(ctx: Context, round_id: str, unit_id: str) -> Doc:
    """What review shows: the unit's latest submission (its self-assessment included), the
    team's assessment so far, and the form's reviewer part to draw the inputs from."""
    round_doc = get_round_doc(ctx, round_id)
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)
    definition = _definition(ctx, round_doc)
    entry = ctx.store.get(entry_path(round_id, unit_id)) or {}
    submission = (
        ctx.store.get(f"{round_path(round_id)}/submissions/{entry['submission_id']}")
        if entry.get("submission_id")
        else None
    )
    assessment = ctx.store.get(assessment_path(round_id, unit_id))
    return {
        "unit_id": unit_id,
        "state": entry.get("state", "missing"),
        "submission": submission,
        "assessment": assessment,
        "stale": stale_of(assessment, entry.get("revision")),
        "reviewer_form": reviewer_part(definition),
    }


def put_assessment(ctx: Context, round_id: str, unit_id: str, body: Any, actor: str, language: str) -> Doc:
    """Store the team's assessment of a unit's latest submission (the whole of it each time)."""
    data = load(AssessmentInput(), body, "assessment")
    round_doc = get_round_doc(ctx, round_id)
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)
    definition = _definition(ctx, round_doc)
    part = reviewer_part(definition)
    schema = CACHE.get(round_doc["form_id"], round_doc["form_version"], part, language, False)
    try:
        checked = check_answers(part, schema, data["answers"], language, draft=False)
    except AppError as exc:
        if exc.code != "validation_failed":
            raise
        # The same messages per field; the sentence around them says whose answers they were.
        raise AppError("validation_failed", fields=exc.fields, subject="assessment") from exc

    def write(tx: Transaction) -> Doc:
        current, entry, before = tx.get_many(
            [round_path(round_id), entry_path(round_id, unit_id), assessment_path(round_id, unit_id)]
        )
        if current is None:
            raise AppError("not_found", what=ROUND_NOUN)
        if entry is None or not entry.get("submission_id"):
            raise AppError("not_found", what=_SUBMISSION)
        now = ctx.clock.now()
        revision = int((before or {}).get("revision", 0)) + 1
        doc = {
            "unit_id": unit_id,
            "answers": checked.answers,
            "revision": revision,
            "submission_id": entry["submission_id"],
            "submission_revision": entry.get("revision"),
            "form_version": current["form_version"],
            "by": actor,
            "at": now,
        }
        tx.set(assessment_path(round_id, unit_id), doc)
        audit.record(
            tx, ctx, round_id, "assess", actor, unit_id=unit_id, revision=revision,
            submission_revision=entry.get("revision"),
        )  # fmt: skip
        return doc

    return ctx.store.transaction(write)


def assessment_docs(ctx: Context, round_id: str) -> dict[str, Mapping[str, Any]]:
    """Every saved assessment of the round, by unit (one query, for the board)."""
    return dict(ctx.store.list(f"{round_path(round_id)}/assessments"))


def round_assessments(ctx: Context, round_id: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(unit id, the team's answers)`` for every unit the team has assessed."""
    for unit_id, doc in ctx.store.list(f"{round_path(round_id)}/assessments"):
        yield unit_id, doc.get("answers") or {}
