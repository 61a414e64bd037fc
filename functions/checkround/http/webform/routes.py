"""The routes of ``web_form``, each a few lines that hand over to the module doing the job."""

from __future__ import annotations

from checkround.errors import AppError
from checkround.http.core import Reply, RequestContext, Router
from checkround.submissions import service as submissions

from . import assets, pages
from .posts import handle_post, handle_switch
from .render import redirect, use_round_language
from .session import Session, open_link, pending_switch, session_of, switch_unit

router = Router("web_form")

router.route("/assets/<name>", ["GET"])(assets.static_file)
router.route("/sw.js", ["GET"])(assets.service_worker)


@router.route("/r/<id:round_id>", ["GET", "POST"])
def form_page(rc: RequestContext, round_id: str) -> Reply:
    try:
        if rc.request.method == "GET" and "t" in rc.request.args:
            return open_link(rc, round_id, rc.request.args.get("t"))
        session = session_of(rc, round_id)
        if "switch" in rc.request.args:
            return _switch(rc, session)
        view = submissions.get_form_for_unit(rc.ctx, session.principal, round_id)
        use_round_language(rc, view)
        if rc.request.method == "POST":
            return handle_post(rc, session, view)
    except AppError as exc:
        return pages.error_page(rc, exc, round_id)
    return pages.opened_form_page(rc, session, view)


@router.route("/r/<id:round_id>/receipt", ["GET"])
def receipt_page(rc: RequestContext, round_id: str) -> Reply:
    return _submission_page(rc, round_id, "receipt")


@router.route("/r/<id:round_id>/copy", ["GET"])
def copy_page(rc: RequestContext, round_id: str) -> Reply:
    """The unit's last submission as a page to print or keep (linked from the receipt)."""
    return _submission_page(rc, round_id, "copy")


def _submission_page(rc: RequestContext, round_id: str, page: str) -> Reply:
    try:
        session = session_of(rc, round_id)
        view = submissions.get_form_for_unit(rc.ctx, session.principal, round_id)
    except AppError as exc:
        return pages.error_page(rc, exc, round_id)
    return pages.submission_page(rc, round_id, view, page)


def _switch(rc: RequestContext, session: Session) -> Reply:
    """Another unit's link was opened while this browser holds a session in the round: ask
    (GET), or do what the person chose (POST)."""
    round_id = session.round_id
    view = submissions.get_form_for_unit(rc.ctx, session.principal, round_id)
    use_round_language(rc, view)
    pending = pending_switch(rc, round_id)
    if pending is None:  # nothing to confirm (any more): back to the form as it is
        return switch_unit(rc, round_id, None, redirect(rc, f"r/{round_id}", lang=rc.language_for_page))
    link_id, other = pending
    if rc.request.method == "POST":
        return handle_switch(rc, session, link_id)
    return pages.switch_page(rc, session, view, submissions.get_form_for_unit(rc.ctx, other, round_id))
