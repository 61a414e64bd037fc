"""Reviewing the units' reports: the round's list of units to review, and one unit's report
read-only with its revisions and what changed between them; return it with comments next to
the fields, or accept it (which locks it until it is returned).

Both actions carry the revision the page showed: if the unit has sent another since, nothing is
done and the page says so, showing the new one. A refusal is shown on the page in the admin's
language with what was typed kept. The answers are drawn by the macro ``answers`` of
``console/answers.html.j2``, which takes what to draw under each field from its caller (here a
return's comment box), so other pages can add their own inputs per field.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.fillers import has_reviewer_fields
from checkround.forms.service import get_version
from checkround.reports import history
from checkround.rounds import service as rounds
from checkround.storage.ports import Doc
from checkround.submissions import service as submissions
from checkround.submissions.assessments import assessment_path, stale_of

from . import recommend
from .render import text
from .rounds import roster, round_values
from .shell import Console, Page

COMMENT = "comment."  # a return's comment on field ``name`` is posted as ``comment.<name>``


def register(console: Console) -> None:
    console.add_round_tab("review", "review", "tab_review", 20)
    console.page("/rounds/<id:round_id>/review", ("GET",), nav="rounds")(review_list)
    console.page("/rounds/<id:round_id>/review/<id:unit_id>", ("GET",), nav="rounds")(review_page)
    console.page("/rounds/<id:round_id>/review/<id:unit_id>/accept", ("POST",), nav="rounds")(accept)
    console.page("/rounds/<id:round_id>/review/<id:unit_id>/return", ("POST",), nav="rounds")(give_back)


def unit_name(unit: Doc | None, unit_id: str, lang: str) -> str:
    if not unit:
        return unit_id
    return str((unit.get("name_en") if lang == "en" else None) or unit.get("name") or unit_id)


def review_list(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    units = roster(page.ctx)
    rows = [
        {**row, "name": unit_name(units.get(row["unit_id"]), row["unit_id"], page.lang)}
        for row in rounds.board(page.ctx, round_doc)
    ]
    wanted = page.args.get("state")
    shown = [row for row in rows if not wanted or row["state"] == wanted]
    return page.render(
        "console/review-list.html.j2", tab="review", rows=shown, state=wanted or "", **round_values(round_doc)
    )


def _revision_arg(page: Page, name: str) -> int | None:
    raw = page.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else None


def review_page(
    page: Page,
    round_id: str,
    unit_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    comments: dict[str, str] | None = None,
    message: str = "",
    accept_message: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    """The unit's report as the admin reviews it (``notice``, ``comments``…: a post drawn again)."""
    view = submissions.get_form_for_admin(page.ctx, round_id, unit_id)
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    revisions = history.list_revisions(page.ctx, round_id, unit_id)
    submission = view["submission"]
    shown_revision = _revision_arg(page, "revision")
    if shown_revision is not None and submission and shown_revision != submission["revision"]:
        submission = history.get_revision(page.ctx, round_id, unit_id, shown_revision)
    changes = None
    if len(revisions) > 1 or _revision_arg(page, "to") is not None:
        try:
            changes = history.revision_changes(
                page.ctx, round_id, unit_id, _revision_arg(page, "from"), _revision_arg(page, "to"), page.lang
            )
        except AppError as exc:
            notice = notice or exc.message(page.lang)
    definition = get_version(
        page.ctx, round_doc["form_id"], int((submission or {}).get("form_version") or round_doc["form_version"])
    )
    sections = history.answer_rows(definition, (submission or {}).get("answers") or {}, page.lang)
    latest = view["submission"]
    returned = view["returned"] or {}
    kept = comments if comments is not None else {}
    unit = page.ctx.store.get(f"units/{unit_id}")
    return page.render(
        "console/review.html.j2",
        status=status,
        tab="review",
        unit_id=unit_id,
        unit_name=unit_name(unit, unit_id, page.lang),
        view=view,
        submission=submission,
        latest_revision=(latest or {}).get("revision"),
        is_latest=bool(submission and latest and submission["revision"] == latest["revision"]),
        revisions=revisions,
        changes=changes,
        changed_fields={".".join(c["name"].split(".")[:2]) for c in (changes or {}).get("changes", [])},
        done=page.args.get("done") if page.args.get("done") in ("accepted", "returned", "entered") else None,
        sections=sections,
        # The inspection team's scoring page (http/console/scoring.py), where the form has its fields.
        has_reviewer_fields=has_reviewer_fields(definition),
        # The team's assessment of an earlier revision than the unit's latest (issue 18).
        assessment_stale=stale_of(
            page.ctx.store.get(assessment_path(round_id, unit_id)) if has_reviewer_fields(definition) else None,
            (latest or {}).get("revision"),
        ),
        comments=kept,
        earlier_comments=returned.get("comments") or {},
        message=message,
        accept_message=accept_message,
        notice=notice,
        errors=errors or {},
        **round_values(round_doc),
        **recommend.values(page, round_doc, unit_id, latest),
    )


def _posted_revision(page: Page) -> int | None:
    raw = page.form.get("revision", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else None


def _typed_comments(page: Page) -> dict[str, str]:
    return {
        key.removeprefix(COMMENT): value.strip()
        for key, value in page.form.items()
        if key.startswith(COMMENT) and value.strip()
    }


def accept(page: Page, round_id: str, unit_id: str) -> Response:
    message = page.form.get("accept_message", "").strip()
    body: dict[str, Any] = {"revision": _posted_revision(page)}
    if message:
        body["message"] = message
    try:
        submissions.accept_submission(page.ctx, round_id, unit_id, body, page.actor)
    except AppError as exc:
        return _refused(page, round_id, unit_id, exc, accept_message=message)
    return page.redirect(f"rounds/{round_id}/review/{unit_id}", done="accepted")


def give_back(page: Page, round_id: str, unit_id: str) -> Response:
    comments = _typed_comments(page)
    message = page.form.get("message", "").strip()
    T = text(page.rc)
    if not comments and not message:
        return review_page(
            page,
            round_id,
            unit_id,
            status=422,
            comments=comments,
            message=message,
            errors={"message": T["review_err_nothing"]},
        )
    body: dict[str, Any] = {"comments": comments, "revision": _posted_revision(page)}
    if message:
        body["message"] = message
    try:
        submissions.return_submission(page.ctx, round_id, unit_id, body, page.actor)
    except AppError as exc:
        return _refused(page, round_id, unit_id, exc, comments=comments, message=message)
    return page.redirect(f"rounds/{round_id}/review/{unit_id}", done="returned")


def _refused(
    page: Page,
    round_id: str,
    unit_id: str,
    exc: AppError,
    *,
    comments: dict[str, str] | None = None,
    message: str = "",
    accept_message: str = "",
) -> Response:
    """The page again, with the refusal and everything typed; a comment refused by the
    service's checks (too long) next to its box."""
    errors: dict[str, str] = {}
    if exc.code == "validation_failed" and isinstance(exc.fields, dict):
        for key, messages in exc.fields.items():
            if key == "comments" and isinstance(messages, dict):
                for name, why in messages.items():
                    errors[f"{COMMENT}{name}"] = _first(why)
            elif key in ("message",):
                errors["message"] = _first(messages)
            else:
                errors["message"] = _first(messages)
    return review_page(
        page,
        round_id,
        unit_id,
        status=exc.status,
        notice=exc.message(page.lang),
        comments=comments,
        message=message,
        accept_message=accept_message,
        errors=errors,
    )


def _first(messages: Any) -> str:
    if isinstance(messages, dict):
        return "; ".join(_first(value) for value in messages.values())
    if isinstance(messages, list):
        return " ".join(str(item) for item in messages)
    return str(messages)
