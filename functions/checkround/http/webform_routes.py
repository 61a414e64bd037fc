"""Routes of ``web_form``: the HTML form a unit opens from its link (first cut).

GET renders the round's pinned form with the unit's draft or last submission; POST saves a
draft or submits through the same service as ``unit_api`` and shows field errors in place.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.formdata import answers_from_form
from checkround.rounds.tokens import authenticate
from checkround.submissions import service as submissions

from .core import Reply, RequestContext, Router

router = Router()

_SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=2)
def _env(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["widget_of"] = lambda field: REGISTRY[field["type"]].widget
    env.filters["loc"] = lambda text, lang: (
        (text.get(lang) or text.get("vi") or "") if isinstance(text, dict) else (text or "")
    )
    return env


def _page(rc: RequestContext, template: str, status: int = 200, **values: Any) -> Response:
    html = _env(str(rc.ctx.settings.templates_dir)).get_template(template).render(lang=rc.language_for_page, **values)
    return Response(html, status=status, content_type="text/html; charset=utf-8", headers=_SECURITY_HEADERS)


def _language(rc: RequestContext, round_lang: str | None) -> str:
    asked = rc.request.args.get("lang")
    return asked if asked in ("vi", "en") else (round_lang or "vi")


def _error_page(rc: RequestContext, exc: AppError) -> Response:
    rc.language_for_page = rc.language
    return _page(rc, "webform/error.html.j2", status=exc.status, message=exc.message(rc.language))


@router.route("/r/<id:round_id>", ["GET", "POST"])
def form_page(rc: RequestContext, round_id: str) -> Reply:
    token = rc.request.args.get("t")
    try:
        principal = authenticate(rc.ctx, token)
        view = submissions.get_form_for_unit(rc.ctx, principal, round_id)
    except AppError as exc:
        return _error_page(rc, exc)
    rc.language_for_page = _language(rc, view["round"].get("language"))
    values: dict[str, Any] = view["draft"] or (view["submission"] or {}).get("answers") or {}
    errors: dict[str, Any] = {}
    notice = None
    receipt = None
    if rc.request.method == "POST":
        values = answers_from_form(view["form"], rc.request.form)
        action = rc.request.form.get("action", "submit")
        try:
            if action == "draft":
                submissions.save_draft(rc.ctx, principal, round_id, {"answers": values}, rc.language_for_page)
                notice = "draft_saved"
            else:
                receipt, _ = submissions.submit(
                    rc.ctx, principal, round_id, {"answers": values}, None, rc.language_for_page
                )
                # The comments and the state changed with this revision: show the new ones.
                view = submissions.get_form_for_unit(rc.ctx, principal, round_id)
        except AppError as exc:
            if exc.fields:
                errors = exc.fields
            notice = exc.message(rc.language_for_page)
    status = 422 if errors else 200
    return _page(
        rc,
        "webform/form.html.j2",
        status=status,
        view=view,
        values=values,
        errors=errors,
        notice=notice,
        receipt=receipt,
        token=token,
    )
