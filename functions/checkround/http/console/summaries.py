"""A round's summary and exports: the summary's state (rendering, ready, failed with the
reason), its PDF to view or download, every PDF it has had, rendering it again; one unit's PDF;
the exports (CSV, XLSX, JSON) as files.

The files are answered by this function with the admin's session (a browser cannot send
``admin_api``'s bearer token), through the same services as ``admin_api``'s routes.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from checkround.errors import AppError
from checkround.reports import exports
from checkround.reports import service as reports
from checkround.rounds import service as rounds

from .render import PAGE_HEADERS
from .rounds import roster, round_values
from .shell import Console, Page

_FILE = re.compile(r"[A-Za-z0-9._-]{1,120}\.pdf")


def register(console: Console) -> None:
    console.add_round_tab("summary", "summary", "tab_summary", 40)
    console.page("/rounds/<id:round_id>/summary", ("GET", "POST"), nav="rounds")(summary_page)
    console.page("/rounds/<id:round_id>/summary.pdf", ("GET",))(summary_pdf)
    console.page("/rounds/<id:round_id>/summary/<name>", ("GET",))(summary_file)
    console.page("/rounds/<id:round_id>/units/<id:unit_id>.pdf", ("GET",))(unit_pdf)
    console.page("/rounds/<id:round_id>/export.<fmt>", ("GET",))(export)
    console.page("/rounds/<id:round_id>/blank.pdf", ("GET",))(blank_form)


def _pdf(data: bytes, name: str, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        data,
        content_type="application/pdf",
        headers={**PAGE_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'},
    )


def summary_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    rendered = None
    if page.rc.request.method == "POST":
        if round_doc["status"] != "closed":
            raise AppError("invalid_state", detail=page_words(page)["summary_not_closed"])
        rendered = reports.run_summary(page.ctx, round_id, int(round_doc.get("close_count", 0)), force=True)
        return page.redirect(f"rounds/{round_id}/summary", rendered=rendered)
    summary = reports.get_summary(page.ctx, round_id)
    units = roster(page.ctx)
    board = rounds.board(page.ctx, round_doc)
    reported = [
        {**row, "name": _name(units.get(row["unit_id"]), row["unit_id"], page.lang)}
        for row in board
        if row["state"] in ("submitted", "returned", "accepted")
    ]
    return page.render(
        "console/summary.html.j2",
        tab="summary",
        summary=summary,
        history=list(reversed(summary.get("history", []))),
        reported=reported,
        rendered=page.args.get("rendered"),
        groups=_groups(page, round_id),
        **round_values(round_doc),
    )


def page_words(page: Page) -> dict[str, str]:
    from .render import text

    return text(page.rc)


def _name(unit: dict[str, object] | None, unit_id: str, lang: str) -> str:
    if not unit:
        return unit_id
    return str((unit.get("name_en") if lang == "en" else None) or unit.get("name") or unit_id)


def _groups(page: Page, round_id: str) -> list[dict[str, str]]:
    """The repeat groups whose items have a CSV of their own: key and label (the round's language)."""
    try:
        layout, _ = exports.prepare(page.ctx, round_id)
    except AppError:
        return []
    return [{"key": group.key, "label": layout.columns[group.index].label} for group in layout.groups]


def summary_pdf(page: Page, round_id: str) -> Response:
    data = reports.get_summary_pdf(page.ctx, round_id)
    return _pdf(data, f"{round_id}-summary.pdf", page.args.get("download") == "1")


def summary_file(page: Page, round_id: str, name: str) -> Response:
    if not _FILE.fullmatch(name):
        raise AppError("not_found", what={"vi": "tệp", "en": "File"})
    return _pdf(reports.get_summary_file(page.ctx, round_id, name), f"{round_id}-{name}", True)


def unit_pdf(page: Page, round_id: str, unit_id: str) -> Response:
    return _pdf(
        reports.unit_pdf(page.ctx, round_id, unit_id), f"{round_id}-{unit_id}.pdf", page.args.get("download") == "1"
    )


def export(page: Page, round_id: str, fmt: str) -> Response:
    """The export as ``admin_api`` gives it, as a file to save."""
    group_key = page.args.get("group")
    fmt = exports.check_request(fmt, group_key)
    layout, rows = exports.prepare(page.ctx, round_id)
    attachment = {"Content-Disposition": f'attachment; filename="{round_id}-submissions.{fmt}"'}
    if fmt == "xlsx":
        handle = exports.xlsx_file(layout, rows)
        return Response(
            wrap_file(page.rc.request.environ, handle),
            content_type=exports.XLSX_TYPE,
            headers={**PAGE_HEADERS, **attachment},
            direct_passthrough=True,
        )
    if fmt == "csv":
        if group_key is not None:
            group = layout.group(group_key)
            name = f"{round_id}-{group.key}.csv"
            chunks = exports.group_csv_chunks(layout, group, rows)
            attachment = {"Content-Disposition": f'attachment; filename="{name}"'}
        else:
            chunks = exports.csv_chunks(layout, rows)
        return Response(chunks, content_type=exports.CSV_TYPE, headers={**PAGE_HEADERS, **attachment})
    return Response(
        exports.json_chunks(layout, rows), content_type=exports.JSON_TYPE, headers={**PAGE_HEADERS, **attachment}
    )


def blank_form(page: Page, round_id: str) -> Response:
    """The round's form version as a blank paper form, in the page's language (``?lang=``)."""
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    form_id, version = str(round_doc["form_id"]), int(round_doc["form_version"])
    data = reports.blank_form_pdf(page.ctx, form_id, version, page.lang)
    return _pdf(data, f"{form_id}-v{version}-{page.lang}.pdf", page.args.get("download") == "1")
