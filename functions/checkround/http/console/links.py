"""The units' links of a round: which units have a live link; issue, reissue (the earlier links
stop working) or revoke (after a confirmation).

New links are shown once, on the page that answers the post, as the API shows them: each with
a copy button, a message ready to paste into Zalo or an e-mail (in the round's language, with
the link and the deadline) and a QR code; or, with "issue and download", as a printable PDF
sheet of all of them with their QR codes (WeasyPrint with the report's restrictive fetcher).
Nothing stores them: a lost link is reissued.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Response

from checkround.formats.dates import format_moment
from checkround.formats.text import localized
from checkround.rounds import service as rounds
from checkround.storage.ports import Doc

from .assets import SECURITY_HEADERS
from .render import catalogue, render_html, text
from .rounds import roster, round_values, zone
from .shell import Console, Page

ISSUING = ("issue", "issue_pdf", "reissue")
ACTIONS = (*ISSUING, "revoke", "revoke_confirmed")


def register(console: Console) -> None:
    console.add_round_tab("links", "links", "tab_links", 20)
    console.page("/rounds/<id:round_id>/links", ("GET", "POST"), nav="rounds")(links_page)


def _units(page: Page, round_doc: Doc) -> list[dict[str, Any]]:
    """The round's units in name order, each with its number of live links."""
    known = roster(page.ctx)
    live = {uid: len(doc.get("live") or []) for uid, doc in page.ctx.store.list(f"rounds/{round_doc['id']}/links")}
    rows = []
    for uid in round_doc["unit_ids"]:
        unit = known.get(uid, {})
        name = unit.get("name_en") if page.lang == "en" and unit.get("name_en") else unit.get("name")
        rows.append({"id": uid, "name": name or uid, "unit": unit, "live": live.get(uid, 0)})
    rows.sort(key=lambda row: str(row["name"]).casefold())
    return rows


def links_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    units = _units(page, round_doc)
    if page.rc.request.method == "GET":
        return _list(page, round_doc, units)
    T = text(page.rc)
    action = page.form.get("action", "")
    if action not in ACTIONS:
        return _list(page, round_doc, units, T["links_no_action"], 422)
    chosen = [uid for uid in page.form.getlist("units") if uid in set(round_doc["unit_ids"])]
    if not chosen and action in ("issue", "issue_pdf"):
        chosen = [row["id"] for row in units if not row["live"]]
    if not chosen:
        return _list(page, round_doc, units, T["links_choose"], 422)
    if action == "revoke":
        named = [row for row in units if row["id"] in chosen]
        return page.render("console/links-revoke.html.j2", tab="links", chosen=named, **round_values(round_doc))
    if action == "revoke_confirmed":
        rounds.revoke_tokens(page.ctx, round_id, {"unit_ids": chosen}, page.actor)
        return _list(page, round_doc, _units(page, round_doc), None, 200, T["links_revoked"].format(n=len(chosen)))
    issued = rounds.issue_tokens(
        page.ctx, round_id, {"unit_ids": chosen, "revoke_previous": action == "reissue"}, page.actor
    )["tokens"]
    shown = _shown(page, round_doc, units, issued)
    if action == "issue_pdf":
        return _sheet(page, round_doc, shown)
    return page.render(
        "console/links-issued.html.j2",
        tab="links",
        links=shown,
        reissued=action == "reissue",
        **round_values(round_doc),
    )


def _list(
    page: Page,
    round_doc: Doc,
    units: list[dict[str, Any]],
    error: str | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    return page.render(
        "console/links.html.j2",
        status=status,
        tab="links",
        units=units,
        error=error,
        done=done,
        without=sum(1 for row in units if not row["live"]),
        **round_values(round_doc),
    )


def _qr(url: str) -> str:
    import segno  # only where links are shown

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def link_message(round_doc: Doc, unit: Mapping[str, Any], url: str, templates: Mapping[str, Any]) -> str:
    """The message to paste into Zalo or an e-mail, in the round's language."""
    lang = round_doc.get("language") if round_doc.get("language") in templates else "vi"
    words = templates[str(lang)]
    name = unit.get("name_en") if lang == "en" and unit.get("name_en") else unit.get("name")
    sender = localized(round_doc.get("issuing_body"), str(lang))
    return str(
        words["link_message"].format(
            unit=name or unit.get("id", ""),
            title=localized(round_doc.get("title"), str(lang)),
            link=url,
            deadline=format_moment(rounds.deadline(round_doc), zone(round_doc)),
            sender=sender or words["link_message_sender"],
        )
    )


def _shown(page: Page, round_doc: Doc, units: list[dict[str, Any]], issued: Mapping[str, Any]) -> list[dict[str, Any]]:
    templates = catalogue(page.ctx.settings.templates_dir)
    shown = []
    for row in units:
        if row["id"] not in issued:
            continue
        url = str(issued[row["id"]]["form_url"])
        unit = {"id": row["id"], **row["unit"]}
        shown.append(
            {
                "id": row["id"],
                "name": row["name"],
                "url": url,
                "qr": _qr(url),
                "message": link_message(round_doc, unit, url, templates),
            }
        )
    return shown


def _sheet(page: Page, round_doc: Doc, shown: list[dict[str, Any]]) -> Response:
    """The printable sheet of the links just issued: one block per unit with its QR code."""
    from checkround.reports.render import print_pdf  # WeasyPrint only for this download

    html = render_html(page.rc, "console/links-sheet.html.j2", links=shown, **round_values(round_doc))
    pdf = print_pdf(html, page.ctx.settings.templates_dir, "links.css")
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{round_doc["id"]}-links.pdf"',
    }
    return Response(pdf, content_type="application/pdf", headers=headers)
