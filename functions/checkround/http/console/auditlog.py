"""A round's audit log: who opened, closed, reopened, submitted, returned, accepted, issued or
revoked what, and when, newest first; filtered by action and by unit."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from checkround.rounds import audit
from checkround.rounds import service as rounds

from .review import unit_name
from .rounds import roster, round_values
from .shell import Console, Page

# What an event shows besides its time, action, actor and unit.
_SHOWN = ("revision", "late", "close_count", "count", "revoked_previous", "closes_at", "grace_minutes", "entered_by")


def register(console: Console) -> None:
    console.add_round_tab("audit", "audit", "tab_audit", 60)
    console.page("/rounds/<id:round_id>/audit", ("GET",), nav="rounds")(audit_page)


def _units_of(event: dict[str, Any]) -> list[str]:
    if event.get("unit_id"):
        return [str(event["unit_id"])]
    return [str(uid) for uid in event.get("unit_ids") or []]


def audit_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    events = list(reversed(audit.list_events(page.ctx, round_id, limit=2000)))
    actions = sorted({str(event.get("action")) for event in events})
    action = page.args.get("action", "")
    unit = page.args.get("unit", "")
    shown = [
        event
        for event in events
        if (not action or event.get("action") == action) and (not unit or unit in _units_of(event))
    ]
    units = roster(page.ctx)
    names = {uid: unit_name(units.get(uid), uid, page.lang) for uid in round_doc["unit_ids"]}
    rows = [
        {
            "at": event.get("at"),
            "action": event.get("action"),
            "actor": event.get("actor"),
            "units": [names.get(uid, uid) for uid in _units_of(event)],
            "details": {key: event[key] for key in _SHOWN if event.get(key) not in (None, "")},
        }
        for event in shown
    ]
    return page.render(
        "console/audit.html.j2",
        tab="audit",
        rows=rows,
        actions=actions,
        action=action,
        unit=unit,
        unit_names=names,
        total=len(events),
        **round_values(round_doc),
    )
