"""The progress board of a round: per emulation cluster, every unit with its state (missing,
draft, submitted, returned, accepted), when it reported, whether late, its revision; the
reporting rate of each cluster and of the round; filters by state, cluster and lateness; a
hundred units a page.

The board region carries ``data-live``: while the page is open, the console's script draws it
again from the same address every few seconds (the page is whole without the script).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from checkround.formats.text import localized
from checkround.rounds import service as rounds
from checkround.storage.ports import Doc
from checkround.submissions.assessments import assessment_docs, stale_of

from .rounds import REPORTED, roster, round_values
from .shell import Console, Page

STATES = ("missing", "draft", "submitted", "returned", "accepted")
PAGE_SIZE = 100
# "Within 10 seconds" (issue 16): each refresh reads every entry of the round again, so an
# open board of a 1,000-unit round costs that many Firestore reads every LIVE_SECONDS.
LIVE_SECONDS = 10


def register(console: Console) -> None:
    console.add_round_tab("board", "board", "tab_board", 10)
    console.page("/rounds/<id:round_id>/board", ("GET",), nav="rounds")(board_page)


def _rate(rows: list[Doc]) -> dict[str, int]:
    return {"reported": sum(1 for row in rows if row["state"] in REPORTED), "total": len(rows)}


def _filters(args: Mapping[str, str], clusters: set[str]) -> dict[str, str]:
    state = args.get("state", "")
    cluster = args.get("cluster", "")
    return {
        "state": state if state in STATES else "",
        "cluster": cluster if cluster in clusters else "",
        "late": "1" if args.get("late") == "1" else "",
    }


def _page_number(args: Mapping[str, str], pages: int) -> int:
    text = args.get("page", "1")
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else 1
    return min(max(number, 1), pages)


def board_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    units = roster(page.ctx)
    names: Mapping[str, Any] = round_doc.get("clusters") or {}
    rows = []
    # The team's assessments (issue 18): one made before the unit's latest revision is marked.
    assessed = assessment_docs(page.ctx, round_id)
    for row in rounds.board(page.ctx, round_doc):
        unit = units.get(row["unit_id"], {})
        name = unit.get("name_en") if page.lang == "en" and unit.get("name_en") else unit.get("name")
        stale = stale_of(assessed.get(row["unit_id"]), row.get("revision"))
        rows.append({**row, "name": name or row["unit_id"], "cluster": unit.get("cluster") or "", "stale": stale})
    clusters = sorted(
        {row["cluster"] for row in rows}, key=lambda key: (key == "", localized(names.get(key, key), page.lang))
    )
    chosen = _filters(page.args, set(clusters))
    shown = [
        row
        for row in rows
        if (not chosen["state"] or row["state"] == chosen["state"])
        and (not chosen["cluster"] or row["cluster"] == chosen["cluster"])
        and (not chosen["late"] or row["late"])
    ]
    order = {key: n for n, key in enumerate(clusters)}
    shown.sort(key=lambda row: (order[row["cluster"]], str(row["name"]).casefold()))
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    number = _page_number(page.args, pages)
    visible = shown[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    groups = []
    for key in clusters:
        members = [row for row in visible if row["cluster"] == key]
        if members:
            everyone = [row for row in rows if row["cluster"] == key]
            groups.append({"key": key, "name": names.get(key) or key, "rows": members, **_rate(everyone)})
    query = {key: value for key, value in chosen.items() if value}
    return page.render(
        "console/board.html.j2",
        tab="board",
        groups=groups,
        clusters=[(key, names.get(key) or key) for key in clusters if key],
        states=STATES,
        chosen=chosen,
        counts={state: sum(1 for row in rows if row["state"] == state) for state in STATES},
        late=sum(1 for row in rows if row["late"]),
        matching=len(shown),
        page_number=number,
        pages=pages,
        page_query=lambda n: "?" + urlencode({**query, "page": str(n)}),
        live_seconds=LIVE_SECONDS if round_doc["status"] == "open" else 0,
        **_rate(rows),
        **round_values(round_doc),
    )
