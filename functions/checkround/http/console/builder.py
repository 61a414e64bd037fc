"""The form builder's pages: the forms list, the editor with its live preview, publishing with
the change list, each version (viewed, compared, used to start a round).

The editor is one HTML form whose inputs are named by the definition's paths
(:mod:`checkround.forms.editing`): every button (add, duplicate, remove, move, check, save) posts
it whole, so nothing typed is lost and every action works without JavaScript; the page's script
(``builder.js``) adds dragging, and redraws the preview as the admin types. A save carries the
etag of the draft the admin started from; when another admin saved in between, the page shows
what they changed and the admin's edits applied on top of theirs (:mod:`checkround.forms.drafts`).

The preview is the unit's web form page, drawn by the web form's own templates in a frame and
run by its own scripts (served here under ``forms/preview/assets/``), with the rules active.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.dates import DateError, parse_date
from checkround.formats.text import LANGUAGES, in_language_tree, localized
from checkround.forms import service as forms
from checkround.forms.definition import check_definition
from checkround.forms.drafts import draft_conflict, element_changes
from checkround.forms.editing import (
    FILLING,
    FORM_SELECTS,
    MAX_GROUP_DEPTH,
    OPERATORS,
    apply,
    carry_renames,
    condition_value_text,
    conditions_of,
    field_paths,
    flat_errors,
    group_at,
    is_group,
    option_kind,
    options_of,
    place_errors,
    read_post,
    rendered_paths,
    select_values,
    sum_of,
    summable,
    too_deep,
)
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.overview import draft_state, list_forms, publish_preview, rounds_of
from checkround.forms.rule_words import describe, field_infos
from checkround.forms.webform import client_rules, number_messages, preview
from checkround.http.core import Reply, RequestContext
from checkround.http.webform import assets as webform_assets
from checkround.http.webform.render import draw
from checkround.rounds import service as rounds

from .assets import CSP, SECURITY_HEADERS
from .builder_conflict import describe_conflicts, former_keys
from .render import root
from .shell import Console, Page

# The editor shows the preview in a frame of its own origin, and the preview lets only this
# console frame it; everything else is as strict as every console page.
EDITOR_CSP = CSP.replace("default-src 'none';", "default-src 'none'; frame-src 'self';")
PREVIEW_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
# Fields shown open when the form is this small; in a longer one, only those in question.
OPEN_ALL_BELOW = 12


def register(console: Console) -> None:
    console.add_nav("forms", "forms", "nav_forms", 30)
    console.page("/forms", ("GET", "POST"), nav="forms")(form_list)
    console.page("/forms/<id:form_id>/edit", ("GET", "POST"), nav="forms")(editor)
    console.page("/forms/<id:form_id>/preview", ("GET", "POST"), nav="forms")(preview_page)
    console.page("/forms/<id:form_id>/publish", ("GET", "POST"), nav="forms")(publish)
    console.page("/forms/<id:form_id>/versions/<int:version>", ("GET",), nav="forms")(version_page)
    console.page("/forms/<id:form_id>/versions/<int:version>/round", ("GET", "POST"), nav="forms")(start_round)
    console.page("/forms/import", ("POST",), nav="forms")(import_workbook)
    console.page("/forms/<id:form_id>/draft.xlsx", ("GET",), nav="forms")(draft_workbook)
    console.page("/forms/<id:form_id>/versions/<int:version>.xlsx", ("GET",), nav="forms")(version_workbook)
    console.router.route("/forms/preview/assets/<name>", ["GET"])(preview_asset)


def preview_asset(rc: RequestContext, name: str) -> Reply:
    """The web form's own scripts and stylesheet, for the preview frame."""
    return webform_assets.static_file(rc, name)


# -- the forms list -----------------------------------------------------------------------------


def _starter(form_id: str, title: str, text: Mapping[str, Any]) -> dict[str, Any]:
    """A new form: one section with one question, so that it is valid from the start."""
    return {
        "id": form_id,
        "title": {"vi": title},
        "sections": [
            {
                "key": "phan_1",
                "title": {"vi": text["b_first_section"]},
                "fields": [{"key": "cau_1", "type": "text", "label": {"vi": text["b_first_question"]}}],
            }
        ],
    }


def form_list(page: Page) -> Response:
    text = page_text(page)
    typed = {"new_id": "", "new_title": ""}
    errors: dict[str, list[str]] = {}
    if page.rc.request.method == "POST":
        typed = {"new_id": page.form.get("new_id", "").strip(), "new_title": page.form.get("new_title", "").strip()}
        if not typed["new_title"]:
            errors["new_title"] = [text["b_title_needed"]]
        else:
            try:
                forms.create_form(page.ctx, _starter(typed["new_id"], typed["new_title"], text), page.actor)
                return page.redirect(f"forms/{typed['new_id']}/edit", created="1")
            except AppError as exc:
                if exc.code == "already_exists":
                    errors["new_id"] = [exc.message(page.lang)]
                elif exc.code == "invalid_definition":
                    fields = flat_errors(in_language_tree(exc.fields, page.lang))
                    errors["new_id"] = fields.get("id", []) or [m for ms in fields.values() for m in ms]
                else:
                    raise
    return page.render(
        "console/builder/forms.html.j2",
        status=422 if errors else 200,
        forms=list_forms(page.ctx),
        typed=typed,
        errors=errors,
        import_problems=[],
    )


# -- spreadsheets (XLSForm) -----------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook_response(data: bytes, filename: str) -> Response:
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(data, content_type=XLSX, headers=headers)


def draft_workbook(page: Page, form_id: str) -> Response:
    from checkround.forms import spreadsheets  # openpyxl and lark load when a workbook is asked for

    return _workbook_response(spreadsheets.draft_workbook(page.ctx, form_id), f"{form_id}-draft.xlsx")


def version_workbook(page: Page, form_id: str, version: int) -> Response:
    from checkround.forms import spreadsheets

    return _workbook_response(spreadsheets.version_workbook(page.ctx, form_id, version), f"{form_id}-v{version}.xlsx")


def import_workbook(page: Page) -> Response:
    """A new form from an XLSForm workbook; its problems listed by sheet, row and column."""
    from checkround.forms import spreadsheets

    upload = page.files.get("workbook")
    wanted = page.form.get("import_id", "").strip() or None
    problems: list[str] = []
    if upload is None or not upload.filename:
        problems = [page_text(page)["b_import_missing"]]
    else:
        try:
            _, result = spreadsheets.import_workbook(page.ctx, upload.read(), page.lang, wanted, None, page.actor)
            return page.redirect(f"forms/{result['id']}/edit", created="1")
        except AppError as exc:
            if exc.code not in ("invalid_xlsform", "invalid_definition", "already_exists", "bad_request"):
                raise
            problems = [exc.message(page.lang), *_cells(in_language_tree(exc.fields, page.lang) or {})]
    return page.render(
        "console/builder/forms.html.j2",
        status=422,
        forms=list_forms(page.ctx),
        typed={"new_id": "", "new_title": ""},
        errors={},
        import_problems=problems,
    )


def _cells(fields: Mapping[str, Any]) -> list[str]:
    """``sheet row column: message`` for each problem of a workbook (or a definition's path)."""
    return [
        f"{path.replace('.', ' › ')}: {' '.join(map(str, messages))}" for path, messages in flat_errors(fields).items()
    ]


def page_text(page: Page) -> dict[str, Any]:
    from .render import text

    return text(page.rc)


# -- the editor ---------------------------------------------------------------------------------


def _check(definition: dict[str, Any], form_id: str, ctx: Any) -> Any:
    """The meta-validation errors of a definition as the page holds it (None: clean)."""
    try:
        check_definition(copy.deepcopy(definition), ctx.settings.max_form_fields, form_id=form_id)
    except AppError as exc:
        return exc.fields
    return None


def _latest(ctx: Any, form: Mapping[str, Any]) -> dict[str, Any] | None:
    latest = form["latest_version"]
    return forms.get_version(ctx, form["id"], latest) if latest else None


def editor(page: Page, form_id: str) -> Response:
    ctx = page.ctx
    form = forms.get_form(ctx, form_id)
    text = page_text(page)
    definition: dict[str, Any] = copy.deepcopy(form["draft"])
    base_etag = form["etag"]
    problems: dict[str, list[str]] = {}
    notice = text["b_saved"] if page.args.get("saved") else text["b_created"] if page.args.get("created") else None
    conflict: dict[str, Any] | None = None
    focus = ""
    autofocus = ""
    dirty = False
    blank_rules: set[str] = set()
    blank_groups: set[str] = set()
    status = 200
    if page.rc.request.method == "POST":
        read = read_post(page.form.items(multi=True), page.lang)
        definition, problems = read.definition, read.problems
        definition["id"] = form_id
        former = former_keys(definition)  # before carry_renames takes the page's markers away
        carry_renames(definition, _latest(ctx, form))
        base_etag = read.base_etag or form["etag"]
        new_type = page.form.get(f"{read.target}.new_type") or page.form.get("new_type") or "text"
        moved = apply(definition, read.op, read.target, new_type)
        focus = moved or read.target
        autofocus = _next_focus(read.op, moved)
        if read.op == "add_cond":
            blank_rules.add(read.target)
        elif read.op == "add_group":
            # A group inside the group at the target, unless that would go deeper than the
            # builder draws (the button is not drawn there; a post may still ask).
            rule_path, level = group_at(read.target)
            refused = too_deep(level)
            if refused:
                problems = {**problems, rule_path: [*problems.get(rule_path, []), *refused]}
            else:
                blank_groups.add(read.target)
        elif read.op == "drop_cond":
            focus = read.target.rsplit(".c.", 1)[0]
        dirty = True
        if read.op == "save":
            if problems:
                status = 422
            else:
                try:
                    forms.put_draft(ctx, form_id, copy.deepcopy(definition), base_etag, page.actor)
                    return page.redirect(f"forms/{form_id}/edit", saved="1")
                except AppError as exc:
                    if exc.code == "version_conflict":
                        conflict = draft_conflict(ctx, form_id, base_etag, definition, former)
                        conflict["since"] = base_etag
                        if conflict["merged"] is not None:
                            definition = conflict["merged"]
                        base_etag = conflict["etag"]
                        status = 412
                    elif exc.code == "invalid_definition":
                        status = 422
                    else:
                        raise
        if conflict is None:
            conflict = _conflict_kept(ctx, form_id, page.form.get("conflict_since"), base_etag, definition, former)
    errors = _check(definition, form_id, ctx)
    shown = _conflict_view(conflict, page, definition) if conflict else None
    response = page.render(
        "console/builder/editor.html.j2",
        status=status,
        **editor_values(page, form, definition, base_etag, errors, problems, (shown or {}).get("notes")),
        notice=notice,
        conflict=shown,
        conflict_words=_change_words((conflict or {}).get("changes") or [], page, definition),
        focus=_element_id(focus) if focus else "",
        autofocus=autofocus,
        dirty=dirty,
        blank_rules=blank_rules,
        blank_groups=blank_groups,
    )
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


def _conflict_kept(
    ctx: Any, form_id: str, since: str | None, base_etag: str, definition: Mapping[str, Any], former: Any
) -> dict[str, Any] | None:
    """After a conflicting save, each button draws the page again with what is still both
    admins' (the notes of what the admin has not settled), while the draft the page was merged
    on is the current one; saving ends it."""
    if not since:
        return None
    found = draft_conflict(ctx, form_id, since, definition, former)
    if found["changes"] is None or found["etag"] != base_etag.strip().strip('"'):
        return None
    found["since"] = since
    return found


def _next_focus(op: str, moved: str | None) -> str:
    """Where the keyboard is after a button redraws the page (the name of an input, or the value
    of a button): the same button at the element's new place after a move, the first input of
    an element just added or duplicated."""
    if not moved:
        return ""
    if op in ("up", "down"):
        return f"{op}:{moved}"
    if op == "add_section":
        return f"{moved}.title.vi"
    if op == "add_choice":
        return f"{moved}.value"
    if op in ("add_field", "add_sub") or (op == "dup" and ".fields." in moved and ".choices." not in moved):
        return f"{moved}.label.vi"
    return ""


def _element_id(path: str) -> str:
    """The element id of a path's input or group: ``e-sections-0-fields-2-max``."""
    return "e-" + path.replace(".", "-") if path else "e-form"


def _conflict_view(conflict: Mapping[str, Any], page: Page, definition: Mapping[str, Any]) -> dict[str, Any]:
    """The conflict as the page draws it: who saved, what they changed, and each part both
    changed, listed at the top and placed at the part itself (``notes``, by path)."""
    text = page_text(page)
    # The audit log's name of the admin, as people call them.
    saved_by = str(conflict["saved_by"] or "").removeprefix("admin:")
    rows, notes = describe_conflicts(
        conflict["conflicts"],
        definition,
        rendered_paths(definition, page.lang),
        saved_by or text["b_clash_other"],
        text,
        page.lang,
        lambda path: _where(path, definition, text, page.lang),
    )
    return {
        "saved_by": saved_by,
        "saved_at": conflict["saved_at"],
        "changes": conflict["changes"],
        "merged": conflict["merged"] is not None,
        "conflicts": rows,
        "notes": notes,
        "since": conflict.get("since"),
    }


def editor_values(
    page: Page,
    form: Mapping[str, Any],
    definition: dict[str, Any],
    base_etag: str,
    errors: Any,
    problems: Mapping[str, list[str]],
    notes: Mapping[str, list[dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """What the editor's template draws: the definition, its errors placed at the inputs, the
    notes of a conflicting save at the parts they are about, and the choices its selects offer."""
    lang = page.lang
    flat = flat_errors(in_language_tree(errors, lang)) if errors else {}
    for path, messages in problems.items():
        flat[path] = [m.in_language(lang) if hasattr(m, "in_language") else str(m) for m in messages]
    rendered = rendered_paths(definition, lang)
    placed = place_errors(flat, rendered)
    text = page_text(page)
    summary = [
        {"anchor": _element_id(path), "where": _where(path, definition, text, lang), "messages": messages}
        for path, messages in sorted(placed.items(), key=lambda item: _order(item[0]))
    ]
    doc = page.ctx.store.get(f"forms/{form['id']}") or {}
    saved_clean = not flat and definition == form["draft"]
    return {
        "form": form,
        "definition": definition,
        "base_etag": base_etag,
        "errors": placed,
        "error_summary": summary,
        "state": draft_state(page.ctx, doc) if doc else "new",
        "publishable": saved_clean,
        "types": sorted(REGISTRY),
        "rule_fields": _rule_fields(definition, None, lang, text),
        "open_all": sum(len(s.get("fields") or []) for s in definition.get("sections") or []) < OPEN_ALL_BELOW,
        "ed": Helpers(definition, lang, text, placed, notes),
        "operators": OPERATORS,
        "max_group_depth": MAX_GROUP_DEPTH,
        "section_options": FILLING,
        "form_selects": FORM_SELECTS,
        "preview_lang": page.form.get("preview_lang") if page.form.get("preview_lang") in LANGUAGES else lang,
    }


def _order(path: str) -> list[Any]:
    return [int(p) if p.isascii() and p.isdigit() else p for p in path.split(".")]


def _where(path: str, definition: Mapping[str, Any], text: Mapping[str, Any], lang: str) -> str:
    """Where an error is, in words: "Phần 2 › Số công trình › Tối đa"."""
    parts = path.split(".") if path else []
    words: list[str] = []
    node: Any = definition
    index = 0
    while index < len(parts):
        step = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        numbered = following.isascii() and following.isdigit()
        if step in ("sections", "fields") and numbered:
            items = node.get(step) if isinstance(node, Mapping) else None
            position = int(parts[index + 1])
            node = items[position] if isinstance(items, list) and position < len(items) else {}
            if step == "sections":
                title = localized(node.get("title"), lang) if isinstance(node, Mapping) else ""
                words.append(text["b_section_n"].format(n=position + 1) + (f" «{title}»" if title else ""))
            else:
                label = localized(node.get("label"), lang) if isinstance(node, Mapping) else ""
                words.append(label or text["b_field_n"].format(n=position + 1))
            index += 2
            continue
        if step == "choices" and index + 1 < len(parts):
            words.append(text["b_choice_n"].format(n=int(following) + 1) if numbered else step)
            index += 2
            continue
        words.append(text["b_options"].get(step, step))
        index += 1
    return " › ".join(words) or text["b_whole_form"]


def _rule_fields(
    definition: Mapping[str, Any], repeat: Mapping[str, Any] | None, lang: str, text: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The fields a condition may name, with the words the select shows and what the value
    input should offer (the field's choices)."""
    found = []
    for path, f in field_paths(definition, repeat).items():
        entry = REGISTRY.get(str(f.get("type")))
        if entry is None or entry.container:
            continue
        label = localized(f.get("label"), lang) or path
        choices = [{"value": c.get("value"), "label": localized(c.get("label"), lang)} for c in f.get("choices") or []]
        found.append({"path": path, "label": label, "choices": choices})
        if "max_score" in entry.options:
            found.append({"path": f"{path}.score", "label": text["b_score_of"].format(label=label), "choices": []})
            statuses = [{"value": s, "label": text["b_status"][s]} for s in ("yes", "partial", "no")]
            found.append(
                {"path": f"{path}.status", "label": text["b_result_of"].format(label=label), "choices": statuses}
            )
    return found


class Helpers:
    """What the editor's template asks about the definition it draws (one per page)."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        lang: str,
        text: Mapping[str, Any],
        errors: Mapping[str, list[str]] | None = None,
        notes: Mapping[str, list[dict[str, str]]] | None = None,
    ) -> None:
        self.definition = definition
        self.lang = lang
        self.text = text
        self.errors = errors or {}
        self.notes = notes or {}
        self.infos = field_infos(definition, lang)
        # The fields a condition may name, per repeat group (None: the form's own), drawn once.
        self._rule_fields: dict[int, list[dict[str, Any]]] = {}

    def errs(self, path: str) -> list[str]:
        return self.errors.get(path, [])

    def has_errors(self, path: str) -> bool:
        """Whether the element at ``path`` or anything in it has an error (it is drawn open)."""
        return any(where == path or where.startswith(path + ".") for where in self.errors)

    def clashes(self, path: str) -> list[dict[str, str]]:
        """What both admins changed at ``path`` (after a save that lost a race)."""
        return self.notes.get(path, [])

    def has_clash(self, *paths: str) -> bool:
        """Whether a part both admins changed is at one of ``paths`` or in it (drawn open)."""
        return any(where == p or where.startswith(p + ".") for where in self.notes for p in paths)

    def id(self, path: str) -> str:
        return _element_id(path)

    def options(self, field_def: Mapping[str, Any], inside: bool) -> list[tuple[str, str]]:
        return options_of(field_def, inside_repeat=inside)

    def kind(self, name: str) -> str:
        return option_kind(name)

    def values(self, name: str) -> list[str]:
        return select_values(name)

    def words(self, rule: Any, kind: str, repeat: Mapping[str, Any] | None = None) -> str | None:
        if rule is None:
            return None
        infos = field_infos(self.definition, self.lang, repeat) if repeat else self.infos
        return describe(rule, kind, infos, self.lang)

    def conditions(self, rule: Any) -> dict[str, Any] | None:
        found = conditions_of(rule)
        if found is None:
            return None
        join, items = found
        return self._shown({"join": join, "items": items})

    def _shown(self, group: Mapping[str, Any]) -> dict[str, Any]:
        """A group of conditions as the page draws it: values as their inputs show them."""
        rows = [
            self._shown(item) if is_group(item) else {**item, "value": condition_value_text(item["value"], self.lang)}
            for item in group["items"]
        ]
        return {"join": group["join"], "rows": rows}

    def sums(self, rule: Any) -> list[str] | None:
        return sum_of(rule) if rule is not None else []

    def summable(self, repeat: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
        return [{"path": path, "label": self.infos_label(path, f)} for path, f in summable(self.definition, repeat)]

    def infos_label(self, path: str, f: Mapping[str, Any]) -> str:
        label = localized(f.get("label"), self.lang) or path
        return self.text["b_score_of"].format(label=label) if path.endswith(".score") else label

    def rule_fields(self, repeat: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        key = id(repeat)
        if key not in self._rule_fields:
            self._rule_fields[key] = _rule_fields(self.definition, repeat, self.lang, self.text)
        return self._rule_fields[key]

    def list_id(self, path: str) -> str:
        """The id of the datalist of a field's choices (paths are keys and dots)."""
        return "choices-" + path.replace(".", "-")

    def choice_lists(self) -> list[dict[str, Any]]:
        """Every field a condition may name that has choices (repeat rows' fields included)."""
        found: dict[str, dict[str, Any]] = {}
        owners: list[Mapping[str, Any] | None] = [None]
        for section in self.definition.get("sections") or []:
            owners += [f for f in section.get("fields") or [] if f.get("fields")]
        for owner in owners:
            for option in self.rule_fields(owner):
                if option["choices"]:
                    found.setdefault(option["path"], option)
        return list(found.values())

    def json(self, rule: Any) -> str:
        import json

        if rule is None:
            return ""
        if isinstance(rule, str):
            return rule  # as typed, when it was not JSON
        return json.dumps(rule, ensure_ascii=False)

    def number(self, value: Any) -> str:
        from checkround.formats.numbers import format_for_input

        if isinstance(value, bool) or not isinstance(value, int | float):
            return "" if value is None else str(value)
        return format_for_input(value, self.lang)

    def date(self, value: Any) -> str:
        from checkround.formats.dates import format_date

        if not isinstance(value, str):
            return ""
        try:
            return format_date(parse_date(value))
        except DateError:
            return value

    def choice_sets(self) -> list[str]:
        return sorted(self.definition.get("choice_sets") or {})


# -- the preview --------------------------------------------------------------------------------


def preview_page(page: Page, form_id: str) -> Response:
    """The unit's page for the definition the editor holds (posted) or the saved draft (GET)."""
    ctx = page.ctx
    form = forms.get_form(ctx, form_id)
    asked_lang = page.args.get("lang")
    language = asked_lang if asked_lang in LANGUAGES else page.lang
    if page.rc.request.method == "POST":
        read = read_post(page.form.items(multi=True), page.lang)
        definition = read.definition
        definition["id"] = form_id
        carry_renames(definition, _latest(ctx, form))
        asked = page.form.get("preview_lang") or ""
        language = asked if asked in LANGUAGES else language
        problems = read.problems
    else:
        definition, problems = copy.deepcopy(form["draft"]), {}
    return _draw_preview(page, definition, language, problems)


def _draw_preview(page: Page, definition: dict[str, Any], language: str, problems: Mapping[str, Any]) -> Response:
    ctx = page.ctx
    try:
        if problems:
            raise AppError("invalid_definition", fields=dict(problems))
        checked = check_definition(copy.deepcopy(definition), ctx.settings.max_form_fields)
    except AppError as exc:
        count = len(flat_errors(exc.fields))
        html = draw(
            ctx.settings.templates_dir,
            "console/builder/preview.html.j2",
            language,
            _preview_root(page),
            definition=None,
            error_count=count,
            B=page_text_in(page, language),
        )
        return _preview_response(html)
    calculated, not_relevant = preview(checked, 0, {}, language)
    html = draw(
        ctx.settings.templates_dir,
        "console/builder/preview.html.j2",
        language,
        _preview_root(page),
        definition=checked,
        error_count=0,
        values={},
        errors={},
        readonly=False,
        returned_comments={},
        not_relevant=not_relevant,
        calculated=calculated,
        blanks={},
        rules=client_rules(checked),
        number_messages=number_messages(language),
        B=page_text_in(page, language),
    )
    return _preview_response(html)


def page_text_in(page: Page, language: str) -> dict[str, Any]:
    from .render import catalogue

    return catalogue(page.ctx.settings.templates_dir)[language]


def _preview_root(page: Page) -> str:
    """Links of the preview's page (its scripts) lead to ``forms/preview/``."""
    return root(page.rc) + "forms/preview/"


def _preview_response(html: str) -> Response:
    return Response(
        html,
        content_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": PREVIEW_CSP,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


# -- publishing ---------------------------------------------------------------------------------


def publish(page: Page, form_id: str) -> Response:
    ctx = page.ctx
    if page.rc.request.method == "POST":
        # The draft published is the one the admin saw: a draft saved since is shown first.
        current = forms.get_form(ctx, form_id)
        if page.form.get("etag") != current["etag"]:
            return _publish_page(page, form_id, changed_meanwhile=True)
        result = forms.publish_version(ctx, form_id)
        return page.redirect(f"forms/{form_id}/versions/{result['version']}", published="1")
    return _publish_page(page, form_id)


def _publish_page(page: Page, form_id: str, changed_meanwhile: bool = False) -> Response:
    ctx = page.ctx
    preview_info = publish_preview(ctx, form_id)
    errors = preview_info["errors"]
    return page.render(
        "console/builder/publish.html.j2",
        status=409 if changed_meanwhile else 200,
        form=forms.get_form(ctx, form_id),
        info=preview_info,
        error_count=len(flat_errors(errors)) if errors else 0,
        changed_meanwhile=changed_meanwhile,
        change_words=_change_words(preview_info["changes"], page, forms.get_form(ctx, form_id)["draft"]),
    )


def _change_words(changes: list[dict[str, Any]], page: Page, definition: Mapping[str, Any] | None = None) -> list[str]:
    """Each change in a sentence of the admin's language, fields and sections named by their
    labels in ``definition`` (with their keys)."""
    text = page_text(page)
    labels = {path: localized(f.get("label"), page.lang) for path, f in field_paths(definition or {}).items()}
    titles = {s.get("key"): localized(s.get("title"), page.lang) for s in (definition or {}).get("sections") or []}
    said = []
    for change in changes:
        template = text["b_changes"].get(change["change"], change["change"])
        values = {k: v for k, v in change.items() if k != "change"}
        for key in ("from", "to"):
            if isinstance(values.get(key), Mapping):
                values[key] = localized(values[key], page.lang)
        if isinstance(values.get("options"), list):
            values["options"] = ", ".join(text["b_options"].get(o, o) for o in values["options"])
        if values.get("field") in labels and labels[values["field"]]:
            values["field"] = f"{labels[values['field']]} ({values['field']})"
        if values.get("section") in titles and titles[values["section"]]:
            values["section"] = f"{titles[values['section']]} ({values['section']})"
        values.setdefault("field", values.get("section", ""))
        try:
            said.append(template.format(**values))
        except (KeyError, IndexError):
            said.append(f"{change['change']}: {values}")
    return said


# -- versions -----------------------------------------------------------------------------------


def version_page(page: Page, form_id: str, version: int) -> Response:
    ctx = page.ctx
    form = forms.get_form(ctx, form_id)
    definition = forms.get_version(ctx, form_id, version)
    other_text = page.args.get("with", "")
    # The client's: a number of thousands of digits is past what int() reads.
    other = int(other_text) if other_text.isascii() and other_text.isdigit() and len(other_text) <= 6 else None
    comparison = None
    if other is not None and other in form["versions"] and other != version:
        older, newer = sorted((other, version))
        comparison = {
            "from": older,
            "to": newer,
            "changes": _change_words(
                element_changes(forms.get_version(ctx, form_id, older), forms.get_version(ctx, form_id, newer)),
                page,
                forms.get_version(ctx, form_id, newer),
            ),
        }
    return page.render(
        "console/builder/version.html.j2",
        form=form,
        version=version,
        definition=definition,
        comparison=comparison,
        rounds=[r for r in rounds_of(ctx, form_id) if r["form_version"] == version],
        published=page.args.get("published") == "1",
        ed=Helpers(definition, page.lang, page_text(page)),
    )


def _moment(text: str, end: bool) -> datetime | None:
    try:
        day = parse_date(text)
    except DateError:
        return None
    return datetime.combine(day, time(23, 59) if end else time(0, 0), tzinfo=UTC)


def start_round(page: Page, form_id: str, version: int) -> Response:
    """A round on this version: its id, title, units and dates (a draft round, opened at once
    when asked)."""
    ctx = page.ctx
    form = forms.get_form(ctx, form_id)
    forms.get_version(ctx, form_id, version)
    units = rounds.list_units(ctx)
    typed: dict[str, Any] = {"unit_ids": [u["id"] for u in units], "open_now": True}
    errors: dict[str, Any] = {}
    if page.rc.request.method == "POST":
        typed = {
            "id": page.form.get("id", "").strip(),
            "title_vi": page.form.get("title_vi", "").strip(),
            "title_en": page.form.get("title_en", "").strip(),
            "opens": page.form.get("opens", "").strip(),
            "closes": page.form.get("closes", "").strip(),
            "unit_ids": page.form.getlist("unit_ids"),
            "open_now": page.form.get("open_now") == "1",
        }
        text = page_text(page)
        opens, closes = _moment(typed["opens"], False), _moment(typed["closes"], True)
        if opens is None:
            errors["opens_at"] = [text["b_date_needed"]]
        if closes is None:
            errors["closes_at"] = [text["b_date_needed"]]
        if not errors:
            body: dict[str, Any] = {
                "title": {"vi": typed["title_vi"], **({"en": typed["title_en"]} if typed["title_en"] else {})},
                "form_id": form_id,
                "form_version": version,
                "unit_ids": typed["unit_ids"],
                "opens_at": opens.isoformat() if opens else "",
                "closes_at": closes.isoformat() if closes else "",
                "language": page.lang,
            }
            if typed["id"]:
                body["id"] = typed["id"]
            try:
                created = rounds.create_round(ctx, body)
                if typed["open_now"]:
                    rounds.open_round(ctx, created["id"], page.actor)
                return page.redirect(f"rounds/{created['id']}")
            except AppError as exc:
                if exc.fields is None:
                    raise
                errors = flat_errors(in_language_tree(exc.fields, page.lang))
    return page.render(
        "console/builder/round.html.j2",
        status=422 if errors else 200,
        form=form,
        version=version,
        units=units,
        typed=typed,
        errors=errors,
    )
