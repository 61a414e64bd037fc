"""A round's messages (issue 20): what was sent to each unit's contacts and to the admins, by
which channel, when, and whether it was delivered; filtered by unit and by state."""

from __future__ import annotations

from werkzeug.wrappers import Response

from checkround.notify import deliveries
from checkround.rounds import service as rounds

from .review import unit_name
from .rounds import roster, round_values
from .shell import Console, Page

STATES = ("pending", "sending", "retry", "sent", "failed")


def register(console: Console) -> None:
    console.add_round_tab("messages", "messages", "tab_messages", 55)
    console.page("/rounds/<id:round_id>/messages", ("GET",), nav="rounds")(messages_page)


def messages_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    unit = page.args.get("unit", "")
    state = page.args.get("state", "")
    listed = deliveries.list_messages(page.ctx, round_id, unit or None)
    shown = [row for row in listed["messages"] if not state or row["state"] == state]
    units = roster(page.ctx)
    names = {uid: unit_name(units.get(uid), uid, page.lang) for uid in round_doc["unit_ids"]}
    counts = {key: sum(1 for row in listed["messages"] if row["state"] == key) for key in STATES}
    return page.render(
        "console/messages.html.j2",
        tab="messages",
        rows=shown,
        counts=counts,
        pending_requests=listed["pending_requests"],
        states=STATES,
        state=state,
        unit=unit,
        unit_names=names,
        **round_values(round_doc),
    )
