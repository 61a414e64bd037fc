"""The form page's POST: it must carry the session's CSRF token, then saves a draft (and
redirects back), submits through the same service as ``unit_api`` (and redirects to the
receipt), or draws the page again with a repeat row added or removed, saving nothing (for a
browser without JavaScript). Field errors come back next to their fields with everything typed
kept; what the post holds is read by :func:`checkround.forms.webform.read_post`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.followup import answers as follow_up_answers
from checkround.forms.fillers import unit_part
from checkround.forms.formdata import readable
from checkround.forms.webform import read_post, unread_refusal
from checkround.http.core import RequestContext, contention_error, read_body
from checkround.storage.ports import Contention
from checkround.submissions import service as submissions

from .pages import csrf_page, draft_stamp, form_page
from .render import clock_time, json_reply, redirect
from .session import Session, csrf_matches, switch_unit

# The seed form posts about 120 inputs; a page posts a few per field and per repeat row.
_MAX_POSTED_INPUTS = 5000


def _posted_form(rc: RequestContext) -> MultiDict[str, str]:
    """The urlencoded body, within the body limit (a larger one is a 413 page)."""
    if rc.request.mimetype != "application/x-www-form-urlencoded":
        raise AppError(
            "bad_request",
            detail={
                "vi": "biểu mẫu phải được gửi dưới dạng application/x-www-form-urlencoded",
                "en": "the form must be posted as application/x-www-form-urlencoded",
            },
        )
    raw = read_body(rc.request, rc.ctx.settings.max_body_bytes)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_POSTED_INPUTS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AppError(
            "bad_request", detail={"vi": "không đọc được dữ liệu biểu mẫu đã gửi", "en": "the form post cannot be read"}
        ) from exc
    return MultiDict(pairs)


def _body(view: Mapping[str, Any], answers: dict[str, Any], follow_up: dict[str, Any]) -> dict[str, Any]:
    """What the page sends to the service: its answers and, when the form asks about the
    previous round's recommendations, what the unit said of them."""
    return {"answers": answers, "follow_up": follow_up} if view.get("recommendations") else {"answers": answers}


def _submit(rc: RequestContext, session: Session, body: dict[str, Any], key: str | None) -> None:
    args = (rc.ctx, session.principal, session.round_id, body)
    try:
        submissions.submit(*args, key or None, rc.language_for_page)
    except AppError as exc:
        if exc.code != "idempotency_conflict":
            raise
        # The same page sent again with other answers (back, edit, send): a new revision.
        submissions.submit(*args, None, rc.language_for_page)


def _background_draft(rc: RequestContext, session: Session, view: Mapping[str, Any], body: dict[str, Any]) -> Response:
    """The draft the page's script saves as the unit types (draft.js): JSON, no page.

    A refusal says why in the page's language; the page keeps what was typed either way.
    """
    try:
        saved = submissions.save_draft(rc.ctx, session.principal, session.round_id, body, rc.language_for_page)
    except AppError as exc:
        return json_reply({"message": exc.message(rc.language_for_page)}, status=exc.status)
    except Contention as exc:
        failure = contention_error(exc)
        return json_reply({"message": failure.message(rc.language_for_page)}, status=failure.status)
    revision = (view["submission"] or {}).get("revision")
    return json_reply(
        {
            "saved_at": clock_time(saved["saved_at"], view["round"].get("time_zone")),
            "stamp": draft_stamp(saved["saved_at"], revision),
        }
    )


def handle_post(rc: RequestContext, session: Session, view: Mapping[str, Any]) -> Response:
    form = _posted_form(rc)
    if not csrf_matches(rc.ctx.settings.token_pepper, session.sealed, form.get("csrf")):
        return csrf_page(rc, session.round_id)
    own = unit_part(view["form"])  # a reviewer's fields are never read from a unit's page
    post = read_post(own, form, rc.language_for_page)
    follow = follow_up_answers.read_post(form)
    key = form.get("submission_key")
    # A form of one section per page names the page it was posted from: a row added or a draft
    # saved comes back on that page, not the first.
    page = form.get("page") or None
    if post.action == "redraw":
        return form_page(
            rc, session, view, post.answers, blanks=post.blanks, submission_key=key, follow_up=follow, page=page
        )
    draft = post.action == "draft"
    background = draft and form.get("background") == "1"
    refused = unread_refusal(own, view["form_version"], post.answers, rc.language_for_page, draft)
    if refused is not None:
        failure = AppError("validation_failed", subject="answers")
        if background:
            return json_reply({"message": failure.message(rc.language_for_page)}, status=failure.status)
        return form_page(
            rc, session, view, post.answers, errors=refused, failure=failure, submission_key=key, follow_up=follow
        )
    # What was left unread is in fields the rules hide, whose answers are not kept.
    body = _body(view, readable(post.answers), follow)
    if background:
        return _background_draft(rc, session, view, body)
    try:
        if draft:
            submissions.save_draft(rc.ctx, session.principal, session.round_id, body, rc.language_for_page)
            if post.goto is not None:
                # The next (or chosen) page of a form of one section per page, opened at its top.
                return redirect(rc, f"r/{session.round_id}", lang=rc.language_for_page, page=post.goto)
            # Back where the unit was (guide.js names the section or field it was reading).
            anchor = form.get("at")
            where = {"page": page} if page else {}
            return redirect(rc, f"r/{session.round_id}", anchor, lang=rc.language_for_page, saved="draft", **where)
        _submit(rc, session, body, key)
        return redirect(rc, f"r/{session.round_id}/receipt", lang=rc.language_for_page)
    except AppError as exc:
        return form_page(
            rc, session, view, post.answers, errors=exc.fields, failure=exc, submission_key=key, follow_up=follow
        )
    except Contention as exc:
        # The page keeps the submission key it posted: after an unanswered commit (which may
        # have stored the submission) sending it again replays that one instead of storing a
        # second revision; the same answers with the same key are stored at most once.
        return form_page(
            rc, session, view, post.answers, failure=contention_error(exc), submission_key=key, follow_up=follow
        )


def handle_switch(rc: RequestContext, session: Session, link_id: str) -> Response:
    """The answer to the switch page: "switch" moves the session to the link kept aside,
    anything else keeps it. Without the session's CSRF token (a post from another site) nothing
    changes."""
    form = _posted_form(rc)
    if not csrf_matches(rc.ctx.settings.token_pepper, session.sealed, form.get("csrf")):
        return csrf_page(rc, session.round_id)
    chosen = link_id if form.get("action") == "switch" else None
    return switch_unit(rc, session.round_id, chosen, redirect(rc, f"r/{session.round_id}", lang=rc.language_for_page))
