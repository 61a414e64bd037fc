"""Recommendations from the review page: once a round has closed, every checklist item a unit
did not fully meet and every shortcoming written about it can become a recommendation
(kiến nghị) in one click, with its text filled in from the report; the recommendations already
made to the unit are listed there (and in the next round of the series its form asks about
them). The page part is ``console/recommend.html.j2``, which the review page includes; the
click posts to ``/rounds/{id}/review/{unit}/recommend`` through the same service as
``POST /rounds/{id}/recommendations`` (audited, refused in the admin's language).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.followup import recommendations
from checkround.formats.text import localized
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.fillers import reviewer_fills
from checkround.forms.service import get_version
from checkround.storage.ports import Doc
from checkround.submissions.assessments import assessment_path

from .shell import Console, Page

SHORTCOMINGS = "shortcomings"  # the role of the free texts the summary gathers as shortcomings


def register(console: Console) -> None:
    console.page("/rounds/<id:round_id>/review/<id:unit_id>/recommend", ("POST",), nav="rounds")(recommend)


def values(page: Page, round_doc: Doc, unit_id: str, submission: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the review page's recommendation part draws: the suggestions (a closed round only)
    and the unit's recommendations already made."""
    closed = round_doc["status"] == "closed"
    made = recommendations.list_for(page.ctx, round_doc["id"], unit_id) if closed else []
    taken = {(rec.get("field"), localized(rec.get("text"), page.lang)) for rec in made}
    found = [s for s in suggestions(page, round_doc, unit_id, submission) if (s["field"], s["text"]) not in taken]
    return {
        "rec_closed": closed,
        "rec_made": made,
        "rec_suggestions": found if closed else [],
        "rec_done": page.args.get("done") == "recommended",
    }


def suggestions(page: Page, round_doc: Doc, unit_id: str, submission: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """Each checklist item not fully met (the inspection team's result where it gives one) and
    each shortcoming written, as ``{field, label, text}`` in the form's order."""
    if submission is None:
        return []
    definition = get_version(page.ctx, round_doc["form_id"], int(submission.get("form_version") or 1))
    answers = submission.get("answers") or {}
    team = (page.ctx.store.get(assessment_path(round_doc["id"], unit_id)) or {}).get("answers") or {}
    found = []
    for section in definition["sections"]:
        for f in section["fields"]:
            source = team if reviewer_fills(section, f) else answers
            value = (source.get(section["key"]) or {}).get(f["key"])
            label = localized(f["label"], page.lang)
            name = f"{section['key']}.{f['key']}"
            if REGISTRY[f["type"]].report == "checklist" and isinstance(value, Mapping):
                if value.get("status") in ("partial", "no"):
                    note = str(value.get("note") or "").strip()
                    found.append({"field": name, "label": label, "text": f"{label}: {note}" if note else label})
            elif f.get("role") == SHORTCOMINGS and isinstance(value, str) and value.strip():
                found.append({"field": name, "label": label, "text": value.strip()})
    return found


def recommend(page: Page, round_id: str, unit_id: str) -> Response:
    """One click: record the posted suggestion (its field and text) for the unit."""
    field = page.form.get("field", "").strip()
    body: dict[str, Any] = {"unit_id": unit_id, "text": {"vi": page.form.get("text", "").strip()}}
    if field:
        body["field"] = field
    try:
        recommendations.create(page.ctx, round_id, body, page.actor)
    except AppError as exc:
        from .review import review_page  # the page this part belongs to

        return review_page(page, round_id, unit_id, status=exc.status, notice=exc.message(page.lang))
    return page.redirect(f"rounds/{round_id}/review/{unit_id}", done="recommended")
