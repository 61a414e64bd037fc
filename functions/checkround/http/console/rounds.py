"""The rounds: the list, a round's page, creating one, and opening, closing or reopening it
(each behind a page that says what will happen).

A round's page and its confirmations carry the round's stamp (a digest of its document, as it
was drawn): an action posted from a page drawn before someone else changed the round is not
done, and the page says so instead of overwriting.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.zones import DEFAULT_ZONE
from checkround.rounds import service as rounds
from checkround.storage.ports import Doc

from .shell import Console, Page

# Board states that count as reported: the unit has sent its report at least once.
REPORTED = frozenset({"submitted", "returned", "accepted"})


def register(console: Console) -> None:
    console.add_nav("rounds", "rounds", "nav_rounds", 10)
    console.page("/rounds", ("GET",), nav="rounds")(round_list)


def stamp(round_doc: Doc) -> str:
    """A digest of the round as a page showed it: any change to the round changes it."""
    text = json.dumps(round_doc, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def zone(round_doc: Doc) -> str:
    return str(round_doc.get("time_zone") or DEFAULT_ZONE)


def summary_state(page: Page, round_id: str) -> str:
    doc = page.ctx.store.get(f"summaries/{round_id}")
    return str(doc.get("state")) if doc else "pending"


def round_row(page: Page, round_doc: Doc) -> dict[str, Any]:
    """One line of the list: what an admin looks for first."""
    board = rounds.board(page.ctx, round_doc)
    return {
        "id": round_doc["id"],
        "title": round_doc.get("title"),
        "status": round_doc.get("status"),
        "deadline": rounds.deadline(round_doc),
        "zone": zone(round_doc),
        "reported": sum(1 for row in board if row["state"] in REPORTED),
        "total": len(board),
        "summary": summary_state(page, round_doc["id"]),
    }


def round_list(page: Page) -> Response:
    docs = [doc for _, doc in page.ctx.store.list("rounds")]
    docs.sort(key=lambda doc: str(doc.get("created_at") or ""), reverse=True)
    created = page.args.get("created")
    return page.render("console/rounds.html.j2", rows=[round_row(page, doc) for doc in docs], created=created)


def get_round(page: Page, round_id: str) -> Doc:
    try:
        return rounds.get_round_doc(page.ctx, round_id)
    except AppError:
        raise
