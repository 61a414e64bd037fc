"""The committee's report in the console (reports/document.py): the draft's narrative to edit
(Nhìn chung, Tuy nhiên, Phương hướng, the closing paragraph), starting from the prose the
product writes from the data; the draft to preview as PDF or DOCX; issuing it with the number
from the register (or the next) and its date; every issued document to download as it was
issued. The files are answered by this function with the admin's session, through the same
service as ``admin_api``. An issued draft shows its text read-only: it is never changed. The
header and signature parts have their own pages (document_parts.py), linked from this one.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
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
) -> Response:
    doc = document.get_document(page.ctx, round_doc["id"])
    narrative = {**doc["narrative"], **{k: v for k, v in (typed or {}).items() if v is not None}}
    done = page.args.get("done") if page.args.get("done") in ("saved", "issued") else None
    return page.render(
        "console/document.html.j2",
        status=status,
        tab="document",
        doc=doc,
        narrative=narrative,
        parts_order=NARRATIVE_PARTS,
        notice=notice,
        done=done,
        **round_values(round_doc),
    )
