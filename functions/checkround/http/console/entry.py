"""Entering a unit's report on its behalf (a unit that reports on paper): the unit's own form,
drawn with the web form's widgets (``webform/widgets.html.j2``, the same fields, errors and
repeat rows, in the admin's language), read with the web form's reader, stored through
:func:`checkround.submissions.service.submit_on_behalf` (or saved as a draft), so the revision
and the audit log name the admin who entered it and the unit it is for.

Like the web form without JavaScript, every action is a plain post: "save draft", "submit",
and adding or removing a repeat row (which draws the page again and saves nothing). Refusals
come back next to their fields with everything typed kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.formdata import readable
from checkround.forms.webform import preview, read_post, unread_refusal
from checkround.http.webform import render as webform_render
from checkround.http.webform.pages import error_summary
from checkround.rounds import service as rounds
from checkround.submissions import service as submissions

from .render import text
from .review import unit_name
from .rounds import round_values
from .shell import Console, Page


def register(console: Console) -> None:
    console.page("/rounds/<id:round_id>/enter/<id:unit_id>", ("GET", "POST"), nav="rounds")(enter_page)


def _fields_html(
    page: Page, view: Mapping[str, Any], values: Mapping[str, Any], errors: Mapping[Any, Any], blanks: Mapping[str, int]
) -> Markup:
    """The unit's part of the form, drawn by the web form's widgets in the page's language."""
    env = webform_render.environment(page.ctx.settings.templates_dir)
    calculated, not_relevant = preview(view["form"], view["form_version"], values, page.lang)
    texts: dict[str, dict[str, Any]] = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    html = env.get_template("console/enter-fields.html.j2").render(
        T=texts[page.lang],
        lang=page.lang,
        view=view,
        values=values,
        errors=errors,
        readonly=False,
        returned_comments=(view["returned"] or {}).get("comments") or {},
        calculated=calculated,
        not_relevant=not_relevant,
        blanks=blanks,
    )
    return Markup(html)  # noqa: S704 - drawn by an autoescaping environment


def enter_page(page: Page, round_id: str, unit_id: str) -> Response:
    view = submissions.get_form_for_admin(page.ctx, round_id, unit_id)
    if page.rc.request.method == "GET":
        values = view["draft"] or (view["submission"] or {}).get("answers") or {}
        return _draw(page, view, values, saved=page.args.get("saved") == "draft")
    post = read_post(view["form"], page.form, page.lang)
    key = page.form.get("submission_key") or None
    if post.action == "redraw":
        return _draw(page, view, post.answers, blanks=post.blanks, key=key)
    draft = post.action == "draft"
    refused = unread_refusal(view["form"], view["form_version"], post.answers, page.lang, draft)
    if refused is not None:
        failure = AppError("validation_failed", subject="answers")
        return _draw(page, view, post.answers, errors=refused, failure=failure, key=key)
    body = {"answers": readable(post.answers)}
    try:
        if draft:
            submissions.save_draft_on_behalf(page.ctx, round_id, unit_id, body, page.actor, page.lang)
            return page.redirect(f"rounds/{round_id}/enter/{unit_id}", saved="draft")
        submissions.submit_on_behalf(page.ctx, round_id, unit_id, body, page.actor, key, page.lang)
    except AppError as exc:
        return _draw(page, view, post.answers, errors=exc.fields or {}, failure=exc, key=key)
    return page.redirect(f"rounds/{round_id}/review/{unit_id}", done="entered")


def _draw(
    page: Page,
    view: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    errors: Mapping[Any, Any] | None = None,
    failure: AppError | None = None,
    blanks: Mapping[str, int] | None = None,
    key: str | None = None,
    saved: bool = False,
) -> Response:
    errors = errors or {}
    round_doc = rounds.get_round_doc(page.ctx, view["round"]["id"])
    unit = page.ctx.store.get(f"units/{view['unit_id']}")
    return page.render(
        "console/enter.html.j2",
        status=failure.status if failure is not None else 200,
        tab="review",
        unit_id=view["unit_id"],
        unit_name=unit_name(unit, view["unit_id"], page.lang),
        view=view,
        fields_html=_fields_html(page, view, values, errors, blanks or {}),
        error_summary=error_summary(view["form"], errors, page.lang),
        notice=failure.message(page.lang) if failure is not None else None,
        saved=saved,
        # One key per page drawn from the stored answers; a page drawn again from a post keeps
        # the key it posted, so sending it twice stores one revision.
        submission_key=key or secrets.token_urlsafe(16),
        locked=view["state"] == "accepted" or round_doc["status"] != "open",
        words=text(page.rc),
        **round_values(round_doc),
    )
