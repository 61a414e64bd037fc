"""The inspection team scores a unit's report: the form's fields ``filled_by: reviewer``
(result and score of each checklist item, the team's remarks), drawn with the web form's
widgets in the admin's language, read with its reader and stored through
:func:`checkround.submissions.assessments.put_assessment`, which checks them as a unit's
answers are checked (a score that contradicts its result is refused next to it) and writes the
audit event naming the admin. The unit's self-assessment is shown beside each item it assessed
and fills the inputs until the team has saved its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.formdata import readable
from checkround.forms.webform import read_post, unread_refusal
from checkround.http.webform import render as webform_render
from checkround.http.webform.pages import error_summary
from checkround.reports.kinds import display_value
from checkround.rounds import service as rounds
from checkround.submissions import assessments

from .render import text
from .review import unit_name
from .rounds import round_values
from .shell import Console, Page


def register(console: Console) -> None:
    console.page("/rounds/<id:round_id>/review/<id:unit_id>/score", ("GET", "POST"), nav="rounds")(score_page)


def _self_assessed(found: Mapping[str, Any], lang: str) -> dict[str, str]:
    """What the unit said of each item the team scores, as the reports print it, by ``section.field``."""
    answers = (found.get("submission") or {}).get("answers") or {}
    shown: dict[str, str] = {}
    for section in found["reviewer_form"]["sections"]:
        for field in section["fields"]:
            value = (answers.get(section["key"]) or {}).get(field["key"])
            if field.get("self_assessment") and value is not None:
                shown[f"{section['key']}.{field['key']}"] = display_value(field, value, lang)
    return shown


def _for_the_team(form: Mapping[str, Any]) -> dict[str, Any]:
    sections = [
        {**section, "fields": [{k: v for k, v in f.items() if k != "self_assessment"} for f in section["fields"]]}
        for section in form["sections"]
    ]
    return {**form, "sections": sections}


def _fields_html(page: Page, found: Mapping[str, Any], values: Mapping[str, Any], errors: Mapping[Any, Any]) -> Markup:
    env = webform_render.environment(page.ctx.settings.templates_dir)
    texts: dict[str, dict[str, Any]] = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    html = env.get_template("console/score-fields.html.j2").render(
        T=texts[page.lang],
        lang=page.lang,
        # Drawn for the team: the widget's note to a unit about its self-assessment is not for it.
        form=_for_the_team(found["reviewer_form"]),
        values=values,
        errors=errors,
        returned_comments={},
        calculated={},
        not_relevant=set(),
        blanks={},
        self_assessed=_self_assessed(found, page.lang),
        self_label=text(page.rc)["score_self"],
    )
    return Markup(html)  # noqa: S704 - drawn by an autoescaping environment


def _starting_values(found: Mapping[str, Any]) -> dict[str, Any]:
    """The team's saved assessment; before there is one, the unit's self-assessment to correct."""
    if found.get("assessment"):
        return dict(found["assessment"].get("answers") or {})
    answers = (found.get("submission") or {}).get("answers") or {}
    start: dict[str, Any] = {}
    for section in found["reviewer_form"]["sections"]:
        for field in section["fields"]:
            value = (answers.get(section["key"]) or {}).get(field["key"])
            if field.get("self_assessment") and value is not None:
                start.setdefault(section["key"], {})[field["key"]] = value
    return start


def score_page(page: Page, round_id: str, unit_id: str) -> Response:
    found = assessments.get_assessment(page.ctx, round_id, unit_id)
    if page.rc.request.method == "GET":
        return _draw(page, round_id, found, _starting_values(found), saved=page.args.get("saved") == "1")
    form = found["reviewer_form"]
    version = int((found.get("submission") or {}).get("form_version") or 0)
    post = read_post(form, page.form, page.lang)
    refused = unread_refusal(form, version, post.answers, page.lang, False) if version else None
    if refused is not None:
        return _draw(page, round_id, found, post.answers, errors=refused, failure=AppError("validation_failed"))
    try:
        assessments.put_assessment(
            page.ctx, round_id, unit_id, {"answers": readable(post.answers)}, page.actor, page.lang
        )
    except AppError as exc:
        return _draw(page, round_id, found, post.answers, errors=exc.fields or {}, failure=exc)
    return page.redirect(f"rounds/{round_id}/review/{unit_id}/score", saved="1")


def _draw(
    page: Page,
    round_id: str,
    found: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    errors: Mapping[Any, Any] | None = None,
    failure: AppError | None = None,
    saved: bool = False,
) -> Response:
    errors = errors or {}
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    unit_id = found["unit_id"]
    unit = page.ctx.store.get(f"units/{unit_id}")
    return page.render(
        "console/score.html.j2",
        status=failure.status if failure is not None else 200,
        tab="review",
        unit_id=unit_id,
        unit_name=unit_name(unit, unit_id, page.lang),
        found=found,
        fields_html=_fields_html(page, found, values, errors),
        error_summary=error_summary(found["reviewer_form"], errors, page.lang),
        notice=failure.message(page.lang) if failure is not None else None,
        saved=saved,
        **round_values(round_doc),
    )
