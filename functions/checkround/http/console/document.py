"""The committee's report in the console (reports/document.py): the draft's narrative to edit
(Nhìn chung, Tuy nhiên, Phương hướng, the closing paragraph), starting from the prose the
product writes from the data; the draft to preview as PDF or DOCX; issuing it with the number
from the register (or the next) and its date; every issued document to download as it was
issued. The files are answered by this function with the admin's session, through the same
service as ``admin_api``. An issued draft shows its text read-only: it is never changed.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.text import in_language_tree, localized
from checkround.forms.editing import flat_errors
from checkround.reports import document
from checkround.rounds import service as rounds
from checkround.rounds.document_inputs import NARRATIVE_PARTS

from .render import PAGE_HEADERS
from .rounds import round_values
from .shell import Console, Page


def register(console: Console) -> None:
    console.add_round_tab("document", "document", "tab_document", 45)
    console.page("/rounds/<id:round_id>/document", ("GET", "POST"), nav="rounds")(document_page)
    console.page("/rounds/<id:round_id>/document/issue", ("POST",), nav="rounds")(issue)
    console.page("/rounds/<id:round_id>/document/parts", ("POST",), nav="rounds")(edit_parts)
    console.page("/rounds/<id:round_id>/document/preview.<kind>", ("GET",))(preview)
    console.page("/rounds/<id:round_id>/document/issued/<int:seq>.<kind>", ("GET",))(issued_file)


def _same(typed: str, written: str) -> bool:
    """Whether a textarea's text is ``written`` (browsers post CRLF line ends)."""
    return " ".join(typed.split()) == " ".join(written.split())


def _file(data: bytes, kind: str, name: str) -> Response:
    media = "application/pdf" if kind == "pdf" else document.DOCX_TYPE
    disposition = "inline" if kind == "pdf" else "attachment"
    return Response(
        data,
        content_type=media,
        headers={**PAGE_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}.{kind}"'},
    )


def _kind(kind: str) -> str:
    if kind not in ("pdf", "docx"):
        raise AppError("not_found", what={"vi": "tệp", "en": "File"})
    return kind


def preview(page: Page, round_id: str, kind: str) -> Response:
    return _file(document.preview(page.ctx, round_id, _kind(kind)), kind, f"{round_id}-du-thao")


def issued_file(page: Page, round_id: str, seq: int, kind: str) -> Response:
    return _file(document.issued_file(page.ctx, round_id, seq, _kind(kind)), kind, f"{round_id}-{seq}")


def document_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    if round_doc["status"] != "closed" and not round_doc.get("close_count"):
        return page.render("console/document.html.j2", tab="document", doc=None, **round_values(round_doc))
    if page.rc.request.method == "POST":
        # The page posts every part; one that still reads as the text written from the data is
        # not an edit (it is written again when the data change).
        shown = document.get_document(page.ctx, round_id)
        story: dict[str, str | None] = {}
        for part in NARRATIVE_PARTS:
            typed = page.form.get(part)
            if typed is not None and (part in shown["edited"] or not _same(typed, shown["narrative"][part])):
                story[part] = typed
        reset = page.form.get("reset")
        if reset in NARRATIVE_PARTS:
            story[reset] = None  # back to the text written from the data
        try:
            document.edit(page.ctx, round_id, {"narrative": story}, page.actor)
        except AppError as exc:
            return _draw(page, round_doc, notice=exc.message(page.lang), status=exc.status, typed=story)
        return page.redirect(f"rounds/{round_id}/document", done="saved")
    return _draw(page, round_doc)


# The header and signature parts the console edits: the localised ones, then the signer's name
# and the recipients (Nơi nhận, one a line).
LOCALISED_PARTS = ("issuing_body", "place", "on_behalf", "signer_title")
HEADER_PARTS = (*LOCALISED_PARTS, "signer_name", "recipients")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def shown_parts(parts: dict[str, Any], round_doc: dict[str, Any], lang: str) -> dict[str, str]:
    """The header parts as the form shows them, in the page's language (the body's name falls
    back to the round's, as the document prints it)."""
    shown = {key: localized(parts.get(key), lang) for key in LOCALISED_PARTS}
    if not shown["issuing_body"]:
        shown["issuing_body"] = localized(round_doc.get("issuing_body"), lang).upper()
    shown["signer_name"] = str(parts.get("signer_name") or "")
    shown["recipients"] = "\n".join(localized(line, lang) for line in parts.get("recipients") or [])
    return shown


def _in_language(held: Any, typed: str, lang: str) -> dict[str, str]:
    """``held`` (a ``{vi, en}`` text or nothing) with the page language's value ``typed``; the
    other language's value is kept (Vietnamese, which is required, takes ``typed`` when absent)."""
    value = {k: v for k, v in held.items() if v} if isinstance(held, dict) else {}
    value[lang] = typed
    value.setdefault("vi", typed)
    return value


def typed_parts(form: Any, parts: dict[str, Any], shown: dict[str, str], lang: str) -> dict[str, Any]:
    """The parts the form changed, as ``edit`` takes them; a part left as shown is not sent."""
    changed: dict[str, Any] = {}
    for key in LOCALISED_PARTS:
        typed = " ".join((form.get(key) or "").split())
        if key in form and typed != " ".join(shown[key].split()):
            changed[key] = _in_language(parts.get(key), typed, lang)
    name = " ".join((form.get("signer_name") or "").split())
    if "signer_name" in form and name != shown["signer_name"]:
        changed["signer_name"] = name
    lines = _lines(form.get("recipients") or "")
    if "recipients" in form and lines != _lines(shown["recipients"]):
        held = parts.get("recipients") or []
        changed["recipients"] = [
            _in_language(held[i] if i < len(held) else None, line, lang) for i, line in enumerate(lines)
        ]
    return changed


def edit_parts(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    shown_doc = document.get_document(page.ctx, round_id)
    parts = shown_doc["parts"]
    shown = shown_parts(parts, round_doc, page.lang)
    changed = typed_parts(page.form, parts, shown, page.lang)
    typed = {key: page.form.get(key, shown[key]) for key in HEADER_PARTS}
    try:
        document.edit(page.ctx, round_id, {"parts": changed}, page.actor)
    except AppError as exc:
        tree = in_language_tree(exc.fields, page.lang)
        errors: dict[str, str] = {}
        for path, messages in flat_errors((tree or {}).get("parts") if isinstance(tree, dict) else None).items():
            key = path.split(".")[0]
            errors[key if key in HEADER_PARTS else "issuing_body"] = " ".join(messages)
        return _draw(
            page, round_doc, notice=exc.message(page.lang), status=exc.status, parts_typed=typed, errors=errors
        )
    return page.redirect(f"rounds/{round_id}/document", done="saved")


def issue(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    body: dict[str, Any] = {}
    number = page.form.get("number", "").strip()
    if number:
        body["number"] = int(number) if number.isascii() and number.isdigit() and len(number) < 6 else number
    if page.form.get("issued_on", "").strip():
        body["issued_on"] = page.form["issued_on"].strip()
    try:
        document.issue(page.ctx, round_id, body, page.actor)
    except AppError as exc:
        return _draw(page, round_doc, notice=exc.message(page.lang), status=exc.status)
    return page.redirect(f"rounds/{round_id}/document", done="issued")


def _draw(
    page: Page,
    round_doc: dict[str, Any],
    *,
    notice: str | None = None,
    status: int = 200,
    typed: dict[str, Any] | None = None,
    parts_typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    doc = document.get_document(page.ctx, round_doc["id"])
    header = {**shown_parts(doc["parts"], round_doc, page.lang), **(parts_typed or {})}
    narrative = {**doc["narrative"], **{k: v for k, v in (typed or {}).items() if v is not None}}
    done = page.args.get("done") if page.args.get("done") in ("saved", "issued") else None
    return page.render(
        "console/document.html.j2",
        status=status,
        tab="document",
        doc=doc,
        narrative=narrative,
        parts_order=NARRATIVE_PARTS,
        header=header,
        header_order=HEADER_PARTS,
        errors=errors or {},
        notice=notice,
        done=done,
        **round_values(round_doc),
    )
