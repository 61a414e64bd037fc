"""The web form's pages: the form with its answers, errors and notices, the receipt, and the
error pages, each in the page's language.

The form page renders the round's pinned form with the unit's draft or last submission, or with
what a post held when it comes back with errors. The server evaluates the form's rules when it
draws a page (:func:`checkround.forms.webform.preview`), so a browser without JavaScript still
sees the totals and which fields are not needed after each save.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.followup.answers import KEY as FOLLOW_UP
from checkround.followup.answers import answered_rows
from checkround.formats.text import localized
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.fillers import unit_part
from checkround.forms.walk import walk
from checkround.forms.webform import client_rules, number_messages, preview, progress
from checkround.http.core import RequestContext
from checkround.reports.kinds import display_answers, display_value
from checkround.rounds import service as rounds

from .render import error_text, field_id, messages, redirect, render, root, text, use_round_language
from .session import Session, cookie_name, csrf_token, drop_cookie


def is_submission_key(value: str | None) -> bool:
    """A key as this page draws them (URL-safe base64), so that a posted one may be drawn back."""
    return value is not None and 0 < len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


def _contact(rc: RequestContext, round_id: str | None) -> Mapping[str, Any] | None:
    """The round's contact (whom a unit asks when its link no longer opens the form), if any."""
    if round_id is None:
        return None
    try:
        contact = rounds.get_round_doc(rc.ctx, round_id).get("contact")
    except AppError:
        return None
    return contact if isinstance(contact, Mapping) else None


def error_page(rc: RequestContext, exc: AppError, round_id: str | None = None) -> Response:
    page_text = error_text(rc)
    response = render(
        rc,
        "webform/error.html.j2",
        status=exc.status,
        code=exc.code,
        message=exc.message(rc.language_for_page),
        help=page_text["helps"].get(exc.code, page_text["error_help"]),
        form_link=None,
        # A missing or ended session: reopen the link, or ask the round's contact for it.
        contact=_contact(rc, round_id) if exc.status in (401, 403) else None,
    )
    if exc.status == 401 and round_id is not None:
        # A session that no longer authenticates is dropped, so the next link starts clean.
        drop_cookie(response, cookie_name(round_id))
    return response


def csrf_page(rc: RequestContext, round_id: str) -> Response:
    page_text = error_text(rc)
    return render(
        rc,
        "webform/error.html.j2",
        status=403,
        code="csrf",
        message=page_text["csrf_message"],
        help=page_text["csrf_help"],
        form_link=f"{root(rc)}r/{round_id}?lang={rc.language_for_page}",
        contact=None,
    )


def error_summary(definition: Mapping[str, Any], errors: Mapping[Any, Any], lang: str) -> list[dict[str, Any]]:
    """One line per field in error, linking to it: a long form on a phone shows its top."""
    summary = []
    for section in definition["sections"]:
        found = errors.get(section["key"])
        if not isinstance(found, Mapping):
            continue
        for f in section["fields"]:
            field_errors = found.get(f["key"])
            if field_errors is None:
                continue
            anchor = field_id("f", section["key"], f["key"])
            label = localized(f["label"], lang)
            kind = REGISTRY[f["type"]]
            by_key = field_errors if isinstance(field_errors, Mapping) else {}
            rows = by_key if kind.container else {}
            parts = by_key if kind.part_errors and not kind.container else {}
            # A checklist item's result and score are two lines, each linking to its part: the
            # message says which is wrong ("Chọn kết quả…", "Nhập điểm từ 0 đến 8.").
            for part, part_errors in parts.items():
                part_anchor = anchor if part == "status" else field_id(anchor, part)
                summary.append({"anchor": part_anchor, "label": label, "messages": messages(part_errors)})
            if not rows and not parts:
                summary.append({"anchor": anchor, "label": label, "messages": messages(field_errors)})
            for index, row_errors in rows.items():
                if not (isinstance(index, int) and isinstance(row_errors, Mapping)):
                    continue
                for sub in f["fields"]:
                    if sub["key"] in row_errors:
                        summary.append(
                            {
                                "anchor": field_id(anchor, index, sub["key"]),
                                "label": f"{label} ({index + 1}): {localized(sub['label'], lang)}",
                                "messages": messages(row_errors[sub["key"]]),
                            }
                        )
    return summary


def _label_of(definition: Mapping[str, Any], name: str, lang: str) -> tuple[str, str] | None:
    """The label and element id of the field a comment names (``section.field`` or
    ``section.group.<row>.field``), or None when the form has no such field."""
    section_key, _, rest = name.partition(".")
    field_key, _, row = rest.partition(".")
    for section in definition["sections"]:
        for f in section["fields"] if section["key"] == section_key else []:
            if f["key"] != field_key:
                continue
            if not row:
                return localized(f["label"], lang), field_id("f", section_key, field_key) + "-field"
            index, _, sub_key = row.partition(".")
            subs = [sub for sub in f.get("fields") or [] if sub["key"] == sub_key]
            if index.isascii() and index.isdigit() and subs:
                label = f"{localized(f['label'], lang)} ({int(index) + 1}): {localized(subs[0]['label'], lang)}"
                return label, field_id("f", section_key, field_key, index, sub_key) + "-field"
    return None


def returned_list(definition: Mapping[str, Any], comments: Mapping[str, str], lang: str) -> list[dict[str, str]]:
    """The fields a returned report has comments on, in the form's order, each linking to its
    field (where the comment is shown again)."""
    order = {place.name: n for n, place in enumerate(walk(definition))}

    def place(name: str) -> tuple[int, str]:
        return order.get(".".join(name.split(".")[:2]), len(order)), name

    listed = []
    for name in sorted(comments, key=place):
        found = _label_of(definition, name, lang)
        label, anchor = found if found is not None else (name, "")
        listed.append({"label": label, "anchor": anchor, "comment": comments[name]})
    return listed


def draft_stamp(draft_saved_at: Any, revision: Any) -> str:
    """What the server holds for the unit, in a word: when its draft was last saved and its
    last revision. The page's script puts back a copy kept on the phone only when it was made
    on top of the same stamp (draft.js), so a draft saved or a report sent since wins."""
    saved = draft_saved_at.isoformat() if isinstance(draft_saved_at, datetime) else ""
    return f"{saved}/{revision or 0}"


def view_stamp(view: Mapping[str, Any]) -> str:
    return draft_stamp(view.get("draft_saved_at"), (view["submission"] or {}).get("revision"))


def draft_key(view: Mapping[str, Any]) -> str:
    """The name of the copy kept on the phone: one per round, unit and form version."""
    return f"checkround:{view['round']['id']}:{view['unit_id']}:v{view['form_version']}"


def stored_answers(view: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a page opens with: the unit's draft, else its last submission."""
    answers: dict[str, Any] = view["draft"] or (view["submission"] or {}).get("answers") or {}
    return answers


def form_page(
    rc: RequestContext,
    session: Session,
    view: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    errors: Mapping[Any, Any] | None = None,
    failure: AppError | None = None,
    notice: str | None = None,
    blanks: Mapping[str, int] | None = None,
    submission_key: str | None = None,
    follow_up: Mapping[str, Any] | None = None,
    page: str | None = None,
) -> Response:
    """The form page. ``submission_key`` is the key the page posted, when it comes back after a
    post: a submission the database did not answer (503 ``unavailable``) may have been stored,
    and sending the page again must replay that one, not store a second revision."""
    lang = rc.language_for_page
    # What the unit fills (forms.fillers); the template draws the rest of the form read-only.
    own = unit_part(view["form"])
    calculated, not_relevant = preview(own, view["form_version"], values, lang)
    returned = view["returned"] or {}
    errors = errors or {}
    status = failure.status if failure is not None else 200
    summary = error_summary(own, errors, lang) + _follow_up_summary(rc, view, errors)
    readonly = view["round"]["status"] != "open" or view.get("state") == "accepted"
    # One section per page when the form asks. A page that comes back with errors shows every
    # section instead ("whole"), so each line of the error summary links to its field; the
    # page's script (pages.js) then opens the first page with an error.
    paging = None if readonly else _paging(own, values, lang, page, not_relevant, whole=bool(summary))
    return render(
        rc,
        "webform/form.html.j2",
        status=status,
        view=view,
        values=values,
        errors=errors,
        error_summary=summary,
        progress=progress(own, values, errors, not_relevant),
        notice=failure.message(lang) if failure is not None else notice,
        notice_is_error=failure is not None,
        # An accepted submission is locked until an admin returns it (the service refuses too).
        readonly=readonly,
        paging=paging,
        returned_comments=returned.get("comments") or {},
        returned_list=returned_list(view["form"], returned.get("comments") or {}, lang),
        calculated=calculated,
        not_relevant=not_relevant,
        blanks=blanks or {},
        rules=client_rules(own),
        number_messages=number_messages(lang),
        draft_key=draft_key(view),
        stamp=view_stamp(view),
        csrf=csrf_token(rc.ctx.settings.token_pepper, session.sealed),
        # A fresh key per page drawn from the server's answers (the same page sent twice, a
        # double tap on a slow network, stores one revision); a page drawn again from a post
        # keeps the key that post carried.
        submission_key=submission_key if is_submission_key(submission_key) else secrets.token_urlsafe(16),
        # The previous round's recommendations (follow_up.html.j2): what was typed, else stored.
        recommendations=view.get("recommendations") or [],
        follow_up_values=follow_up if follow_up is not None else view.get("follow_up") or {},
        follow_up_errors=errors.get(FOLLOW_UP) if isinstance(errors.get(FOLLOW_UP), Mapping) else {},
        field_labels=_field_labels(view["form"], lang) if view.get("recommendations") else {},
    )


def _paging(
    own: Mapping[str, Any],
    values: Mapping[str, Any],
    lang: str,
    page: str | None,
    not_relevant: set[str],
    *,
    whole: bool = False,
) -> dict[str, Any] | None:
    """Where a form of one section per page (``appearance: pages``) stands: the page shown (a
    section's key, or "check": every answer before sending), the pages before and after it, and
    the answers by section for the check page. None for a form on one page. Sections the rules
    hide are skipped; the other sections stay in the page, hidden, so every post carries them.
    ``whole``: the page came back with errors and shows every section at once (without the
    script; pages.js opens the first page with an error instead)."""
    if own.get("appearance") != "pages":
        return None
    keys = [section["key"] for section in own["sections"] if section["key"] not in not_relevant]
    if not keys:
        return None
    order = [*keys, "check"]
    current = page if page in order else keys[0]
    at = order.index(current)
    return {
        "current": current,
        "number": at + 1,
        "count": len(keys),
        "back": order[at - 1] if at > 0 else None,
        "next": order[at + 1] if current != "check" else None,
        "whole": whole,
        # Drawn from the answers the page holds (without the script the check page is opened
        # after its draft was saved); in every page, hidden but on the check page, so the
        # page's script can show it without asking the server (pages.js fills in each answer
        # as it stands).
        "answers": display_answers(own, values, lang),
    }


def _field_labels(definition: Mapping[str, Any], lang: str) -> dict[str, str]:
    """Each field's label by its ``section.field`` name, and by the name it had before a rename
    (a recommendation names a field of the previous round's form)."""
    labels = {}
    for place in walk(definition):
        label = localized(place.field["label"], lang)
        labels[place.name] = label
        old = place.field.get("renamed_from")
        if old:
            labels[old if "." in old else f"{place.section['key']}.{old}"] = label
    return labels


def _follow_up_summary(rc: RequestContext, view: Mapping[str, Any], errors: Mapping[Any, Any]) -> list[dict[str, Any]]:
    """The error summary's lines for the follow-up answers, after the form's own."""
    found = errors.get(FOLLOW_UP)
    if not isinstance(found, Mapping):
        return []
    lines = []
    for index, rec in enumerate(view.get("recommendations") or [], start=1):
        if rec["id"] in found:
            lines.append(
                {
                    "anchor": f"fu-{rec['id']}",
                    "label": text(rc)["follow_up"]["item"].format(n=index),
                    "messages": messages(found[rec["id"]]),
                }
            )
    return lines


def opened_form_page(rc: RequestContext, session: Session, view: Mapping[str, Any]) -> Response:
    """The form as a GET shows it: stored answers, and a notice after a draft was saved; a form
    of one section per page opens the page ``?page=`` names."""
    saved = rc.request.args.get("saved") == "draft" and view["draft"] is not None
    notice = text(rc)["draft_saved"] if saved else None
    return form_page(rc, session, view, stored_answers(view), notice=notice, page=rc.request.args.get("page"))


def submission_page(rc: RequestContext, round_id: str, view: Mapping[str, Any], page: str) -> Response:
    """A page about the unit's last submission: its ``receipt``, or its ``copy`` (the answers
    as sent, to print or keep). Without a submission, the form."""
    lang = use_round_language(rc, view)
    submission = view["submission"]
    if submission is None:
        return redirect(rc, f"r/{round_id}", lang=lang)
    answers = submission.get("answers") or {}
    shown: dict[str, Any]
    if page == "copy":
        shown = {
            "sections": display_answers(unit_part(view["form"]), answers, lang),
            # What the unit said of the previous round's recommendations, as sent.
            "follow_up_rows": answered_rows(view.get("recommendations") or [], submission.get("follow_up"), lang),
        }
    else:
        shown = {"totals": totals(view["form"], answers, lang), "draft_key": draft_key(view)}
    return render(rc, f"webform/{page}.html.j2", 200, view=view, submission=submission, **shown)


def totals(definition: Mapping[str, Any], answers: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The form's computed values (its section scores) as they were sent, printed as the reports
    print them."""
    return [
        {"label": localized(place.field["label"], lang), "value": display_value(place.field, place.value, lang)}
        for place in walk(definition, answers)
        if place.type.computed and place.record is None
    ]


def _unit_name(view: Mapping[str, Any], lang: str) -> str:
    return str(view["unit_name_en"] if lang == "en" and view.get("unit_name_en") else view["unit_name"])


def switch_page(rc: RequestContext, session: Session, view: Mapping[str, Any], other: Mapping[str, Any]) -> Response:
    """Ask before this browser's session moves from the unit it holds to the unit of the link
    just opened: a form with the session's CSRF token, which needs no script."""
    lang = rc.language_for_page
    return render(
        rc,
        "webform/switch.html.j2",
        asking_switch=True,
        round_id=session.round_id,
        current=_unit_name(view, lang),
        other=_unit_name(other, lang),
        csrf=csrf_token(rc.ctx.settings.token_pepper, session.sealed),
    )
