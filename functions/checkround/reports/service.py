"""The summary job: claim it exactly once per close, aggregate, render, store, mark ready.

Eventarc delivers at least once, so the job is claimed in a transaction on
``summaries/{roundId}`` keyed by the round's close number: a second delivery finds the job
ready (or claimed under a live lease) and does nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.followup import recommendations
from checkround.followup.answers import answered_rows
from checkround.formats.text import in_language
from checkround.formats.zones import zone_of
from checkround.forms.service import get_version
from checkround.forms.versions import VersionMapper
from checkround.notify.outbox import new_request_id, write_request
from checkround.rounds.service import UNIT_NOUN, get_round_doc, round_path
from checkround.storage.ports import Doc, Transaction
from checkround.submissions.assessments import round_assessments
from checkround.submissions.service import latest_submissions

from . import compare
from .aggregate import aggregate
from .compare_labels import COMPARE_LABELS
from .display import loc, local_time, unit_name
from .document import document_of
from .kinds import display_answers

_SUMMARY = {"vi": "báo cáo tổng hợp", "en": "Summary"}
_SUBMISSION = {"vi": "báo cáo của đơn vị", "en": "Submission"}


def summary_path(round_id: str) -> str:
    return f"summaries/{round_id}"


def is_close_transition(old: Doc | None, new: Doc | None) -> bool:
    """True only when a round document went from not-closed to closed."""
    if not new:
        return False
    return new.get("status") == "closed" and (old or {}).get("status") != "closed"


def build_summary(ctx: Context, round_id: str) -> dict[str, Any]:
    round_doc = get_round_doc(ctx, round_id)
    definition = get_version(ctx, round_doc["form_id"], round_doc["form_version"])
    units = {uid: doc for uid, doc in ctx.store.list("units")}
    version = int(round_doc["form_version"])
    mapper = VersionMapper(lambda v: get_version(ctx, round_doc["form_id"], v), version)
    assessed = dict(round_assessments(ctx, round_id))
    follow_ups: dict[str, Any] = {}
    stream = compare.capture_follow_up(latest_submissions(ctx, round_id), follow_ups)
    summary = aggregate(round_doc, definition, units, stream, mapper.answers, assessed)
    zone = zone_of(round_doc)
    summary["generated_at"] = local_time(ctx.clock.now(), zone)
    # A round that follows another compares with it (None otherwise).
    summary["comparison"] = compare.compare(ctx, round_doc, summary, units, follow_ups)
    return summary


class SummaryBusy(RuntimeError):
    """Another delivery holds a live claim on this summary and has not finished yet: fail, so
    that Eventarc delivers again later (a claim whose holder died expires with its lease)."""


DONE = "done"
BUSY = "busy"
STALE = "stale"


@dataclass(frozen=True)
class Claim:
    """This delivery's claim on the summary: its id and the render number it owns."""

    claim_id: str
    render: int


def _claim(ctx: Context, round_id: str, generation: int, force: bool) -> Claim | str:
    """A new :class:`Claim`, or ``DONE`` (this close is already rendered), ``BUSY``, or
    ``STALE`` (a newer close owns the summary: its generation never moves back)."""
    claim_id = secrets.token_hex(8)
    now = ctx.clock.now()

    def write(tx: Transaction) -> Claim | str:
        current = tx.get(summary_path(round_id)) or {}
        held = current.get("generation")
        if held is not None and generation < held:
            return STALE
        same = held == generation
        if same and not force:
            if current.get("state") == "ready":
                return DONE
            if current.get("state") == "rendering" and current.get("lease_until") and current["lease_until"] > now:
                return BUSY
        # The render number is drawn here, in the claim's transaction, so that two renders
        # (a delivery and an admin's re-render, or two admins) never write the same file.
        render = int(current.get("claims") or current.get("renders") or 0) + 1
        tx.set(
            summary_path(round_id),
            {
                **current,
                "round_id": round_id,
                "generation": generation,
                "state": "rendering",
                "claim_id": claim_id,
                "claims": render,
                "claimed_at": now,
                "lease_until": now + timedelta(seconds=ctx.settings.summary_lease_seconds),
                "error": None,
            },
        )
        return Claim(claim_id, render)

    return ctx.store.transaction(write)


def _finish(ctx: Context, round_id: str, claim_id: str, fields: Doc) -> bool:
    def write(tx: Transaction) -> bool:
        current = tx.get(summary_path(round_id)) or {}
        if current.get("claim_id") != claim_id:
            return False  # a newer claim took over; its result wins
        update = dict(fields)
        if fields.get("state") == "ready":
            # The admins get a link to it, asked for with the render that made it.
            participation = fields.get("participation") or {}
            write_request(
                tx,
                ctx.clock.now(),
                "summary",
                round_id,
                params={"reported": participation.get("submitted"), "total": participation.get("total")},
                request_id=new_request_id("summary", round_id, f"{current.get('generation')}-{fields.get('renders')}"),
            )
            # Every rendered file stays listed: a reopened and re-closed round keeps its old PDFs.
            made = {key: fields[key] for key in ("blob", "generated_at")} | {"generation": current.get("generation")}
            update["history"] = [*current.get("history", []), made]
        tx.update(summary_path(round_id), update)
        return True

    return ctx.store.transaction(write)


def run_summary(ctx: Context, round_id: str, generation: int, force: bool = False, wait_seconds: float = 60.0) -> str:
    """Render the summary for one close of a round; returns what happened.

    A duplicate delivery that finds another one rendering waits for it (a render takes
    seconds) and then reports ``skipped``; if the other one neither finishes nor fails in
    ``wait_seconds``, :class:`SummaryBusy` makes this delivery fail and be retried. A close
    older than the one the summary already holds does nothing (``stale``).
    """
    give_up = time.monotonic() + wait_seconds
    claim = _claim(ctx, round_id, generation, force)
    while claim == BUSY:
        if time.monotonic() > give_up:
            raise SummaryBusy(f"the summary of {round_id} (close {generation}) is being rendered elsewhere")
        time.sleep(0.5)
        claim = _claim(ctx, round_id, generation, force)
    if claim == DONE:
        return "skipped"
    if not isinstance(claim, Claim):
        return STALE
    try:
        from .render import render_pdf  # heavy: only when a report is printed

        summary = build_summary(ctx, round_id)
        # The close's report is the committee's draft (reports/document.py), drawn as such.
        summary["document"] = document_of(ctx, round_id, summary)
        pdf = render_pdf(summary, ctx.settings.templates_dir)
        blob_name = f"summaries/{round_id}/summary-{generation}-{claim.render}.pdf"
        location = ctx.blobs.put(blob_name, pdf, "application/pdf")
        # Each unit's numbers as this summary printed them: the next round of a series compares
        # with them without reading this round's submissions again.
        scores_blob = compare.store_scores(ctx, round_id, f"{generation}-{claim.render}", summary)
    except Exception as exc:
        _finish(ctx, round_id, claim.claim_id, {"state": "failed", "error": f"{type(exc).__name__}: {exc}"})
        raise
    done = _finish(
        ctx,
        round_id,
        claim.claim_id,
        {
            "state": "ready",
            "blob": blob_name,
            "location": location,
            "renders": claim.render,
            "generated_at": ctx.clock.now(),
            "participation": summary["participation"],
            # Each reporting unit's total: the trend chart of a later round in the series reads it.
            "unit_totals": {row["id"]: row["total_score"] for row in summary["units"] if row["reported"]},
            "scores_blob": scores_blob,
        },
    )
    return "rendered" if done else "superseded"


def handle_round_update(ctx: Context, round_id: str, old: Doc | None, new: Doc | None) -> str:
    if not is_close_transition(old, new):
        return "ignored"
    assert new is not None
    generation = int(new.get("close_count", 1))
    # A late (re)delivery of an earlier close's event: the round has been closed again since,
    # and that newer close's own event renders the summary. The close count only grows, so a
    # read outside any transaction is enough; the claim checks the summary's generation too.
    current = ctx.store.get(round_path(round_id)) or {}
    if int(current.get("close_count") or 0) > generation:
        return STALE
    return run_summary(ctx, round_id, generation)


def unit_view(ctx: Context, round_id: str, unit_id: str) -> dict[str, Any]:
    """What one unit's PDF shows: its latest revision, every field, in the round's language."""
    round_doc = get_round_doc(ctx, round_id)
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)
    entry = ctx.store.get(f"rounds/{round_id}/entries/{unit_id}") or {}
    submission = (
        ctx.store.get(f"rounds/{round_id}/submissions/{entry['submission_id']}") if entry.get("submission_id") else None
    )
    if submission is None:
        raise AppError("not_found", what=_SUBMISSION)
    language = round_doc.get("language", "vi")
    definition = get_version(ctx, round_doc["form_id"], int(submission["form_version"]))
    unit = ctx.store.get(f"units/{unit_id}") or {}
    zone = zone_of(round_doc)
    return {
        "language": language,
        "unit": unit_name(unit, unit_id, language),
        "round_title": loc(round_doc.get("title"), language),
        "issuing_body": loc(round_doc.get("issuing_body"), language),
        "form_title": loc(definition["title"], language),
        "submitted_at": local_time(submission["submitted_at"], zone),
        "late": bool(submission.get("late")),
        "revision": submission["revision"],
        "form_version": submission["form_version"],
        "sections": display_answers(definition, submission.get("answers") or {}, language),
        "follow_up": _follow_up_view(ctx, round_doc, unit_id, submission, language),
    }


def _follow_up_view(ctx: Context, round_doc: Doc, unit_id: str, submission: Doc, language: str) -> Doc | None:
    """What the unit said of the previous round's recommendations (a round in a series)."""
    if not round_doc.get("previous_round_id") or not submission.get("follow_up"):
        return None
    words = in_language(COMPARE_LABELS, language)
    recs = [
        rec
        for rec in recommendations.list_for(ctx, str(round_doc["previous_round_id"]), unit_id)
        if rec["id"] in submission["follow_up"]
    ]
    rows = answered_rows(recs, submission["follow_up"], language)
    return {
        "title": words["follow_up_title"],
        "rows": [{**row, "status": words[f"rec_{row['status']}"] if row["status"] else "—"} for row in rows],
    }


def unit_pdf(ctx: Context, round_id: str, unit_id: str) -> bytes:
    from .render import render_unit_pdf  # heavy: only when a report is printed

    return render_unit_pdf(unit_view(ctx, round_id, unit_id), ctx.settings.templates_dir)


def blank_form_pdf(ctx: Context, form_id: str, version: int, language: str) -> bytes:
    """A form version as a blank paper form, in ``language`` (vi or en)."""
    from .blank import blank_view
    from .render import render_blank_pdf  # heavy: only when a report is printed

    if language not in ("vi", "en"):
        raise AppError("bad_request", detail={"vi": "lang phải là vi hoặc en", "en": "lang must be vi or en"})
    definition = get_version(ctx, form_id, version)
    return render_blank_pdf(blank_view(definition, version, language), ctx.settings.templates_dir)


def get_summary(ctx: Context, round_id: str) -> Doc:
    round_doc = get_round_doc(ctx, round_id)
    doc = ctx.store.get(summary_path(round_id))
    if doc is None:
        return {"state": "pending", "round_status": round_doc["status"]}
    result: Doc = {"state": doc["state"], "generation": doc.get("generation")}
    if doc.get("blob"):
        result["pdf_url"] = f"{ctx.settings.public_base_url}/admin_api/rounds/{round_id}/summary.pdf"
        result["generated_at"] = doc.get("generated_at")
    if doc.get("error"):
        result["error"] = doc["error"]
    result["history"] = [
        {
            "generation": item.get("generation"),
            "generated_at": item.get("generated_at"),
            "file": item["blob"].rsplit("/", 1)[-1],
        }
        for item in doc.get("history", [])
    ]
    return result


def get_summary_file(ctx: Context, round_id: str, file: str) -> bytes:
    """One of the PDFs the round's summary has had (``file``: a name its history lists)."""
    get_round_doc(ctx, round_id)
    doc = ctx.store.get(summary_path(round_id)) or {}
    for item in doc.get("history", []):
        if item["blob"].rsplit("/", 1)[-1] == file:
            data = ctx.blobs.get(item["blob"])
            if data is not None:
                return data
    raise AppError("not_found", what=_SUMMARY)


def get_summary_pdf(ctx: Context, round_id: str) -> bytes:
    get_round_doc(ctx, round_id)
    doc = ctx.store.get(summary_path(round_id))
    if not doc or not doc.get("blob"):
        raise AppError("summary_not_ready")
    data = ctx.blobs.get(doc["blob"])
    if data is None:
        raise AppError("not_found", what=_SUMMARY)
    return data
