"""The rounds: the list, a round's page, creating one, and opening, closing or reopening it
(each behind a page that says in words what will happen).

A round's confirmations carry the round's stamp (a digest of its document as the page showed
it): an action posted from a page drawn before someone else changed the round is not done, and
the page says so, showing the round as it is now, instead of overwriting.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.dates import format_local
from checkround.formats.zones import DEFAULT_ZONE
from checkround.rounds import roster_snapshot
from checkround.rounds import service as rounds
from checkround.storage.ports import Doc

from . import round_form
from .render import text
from .shell import Console, Page

# Board states that count as reported: the unit has sent its report at least once.
REPORTED = frozenset({"submitted", "returned", "accepted"})
ACTIONS = ("open", "close", "reopen")


def register(console: Console) -> None:
    console.add_nav("rounds", "rounds", "nav_rounds", 10)
    console.add_round_tab("round", "", "tab_round", 0)
    console.page("/rounds", ("GET",), nav="rounds")(round_list)
    console.page("/rounds/new", ("GET", "POST"), nav="rounds")(new_round)
    console.page("/rounds/<id:round_id>", ("GET",), nav="rounds")(round_page)
    for action in ACTIONS:
        console.page(f"/rounds/<id:round_id>/{action}", ("GET", "POST"), nav="rounds")(_action_page(action))


def roster(ctx: Any) -> dict[str, Doc]:
    """Every unit by id (names, cluster) from the roster snapshot: one read when this instance
    has its latest version (``rounds/roster_snapshot.py``), instead of one per unit."""
    return roster_snapshot.current(ctx)


def stamp(round_doc: Doc) -> str:
    """A digest of the round as a page showed it: any change to the round changes it."""
    text_ = json.dumps(round_doc, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text_.encode()).hexdigest()[:20]


def zone(round_doc: Doc) -> str:
    return str(round_doc.get("time_zone") or DEFAULT_ZONE)


def round_values(round_doc: Doc) -> dict[str, Any]:
    """What every page of a round passes to ``console/round-base.html.j2``."""
    return {"round": round_doc, "round_deadline": rounds.deadline(round_doc), "round_zone": zone(round_doc)}


def summary_state(page: Page, round_id: str) -> str:
    doc = page.ctx.store.get(f"summaries/{round_id}")
    return str(doc.get("state")) if doc else "pending"


def counts(board: list[Doc]) -> dict[str, int]:
    return {"reported": sum(1 for row in board if row["state"] in REPORTED), "total": len(board)}


def round_row(page: Page, round_doc: Doc) -> dict[str, Any]:
    """One line of the list: what an admin looks for first."""
    return {
        "id": round_doc["id"],
        "title": round_doc.get("title"),
        "status": round_doc.get("status"),
        "deadline": rounds.deadline(round_doc),
        "zone": zone(round_doc),
        **counts(rounds.board(page.ctx, round_doc)),
        "summary": summary_state(page, round_doc["id"]),
    }


def round_list(page: Page) -> Response:
    docs = [doc for _, doc in page.ctx.store.list("rounds")]
    docs.sort(key=lambda doc: str(doc.get("created_at") or ""), reverse=True)
    return page.render("console/rounds.html.j2", rows=[round_row(page, doc) for doc in docs])


def round_page(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    units = roster(page.ctx)
    board = rounds.board(page.ctx, round_doc)
    return page.render(
        "console/round.html.j2",
        tab="round",
        units=[units.get(uid, {"id": uid, "name": uid}) for uid in round_doc["unit_ids"]],
        created=page.args.get("created") == "1",
        done=page.args.get("done"),
        summary=summary_state(page, round_id),
        **counts(board),
        **round_values(round_doc),
    )


# -- creating a round ---------------------------------------------------------------------------


def new_round(page: Page) -> Response:
    found = round_form.choices(page)
    if page.rc.request.method == "GET":
        return _new_page(page, found, round_form.defaults(page, found), {})
    values = round_form.values_of(page.form)
    T = text(page.rc)
    body, errors = round_form.read(values, found, T)
    if errors:
        return _new_page(page, found, values, errors, 422)
    try:
        created = rounds.create_round(page.ctx, body)
    except AppError as exc:
        if exc.code == "already_exists":
            return _new_page(page, found, values, {"id": T["err_id_taken"]}, exc.status)
        if exc.code != "validation_failed":
            raise
        return _new_page(page, found, values, round_form.service_errors(exc.fields, T), exc.status)
    return page.redirect(f"rounds/{created['id']}", created="1")


def _new_page(
    page: Page, found: round_form.Choices, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    return page.render(
        "console/round-new.html.j2",
        status=status,
        values=values,
        errors=errors,
        forms=found.forms,
        groups=found.by_cluster(),
        cluster_names=found.clusters,
        zones=round_form.ZONES,
    )


# -- open, close, reopen --------------------------------------------------------------------------


def _action_page(action: str) -> Any:
    def handler(page: Page, round_id: str) -> Response:
        return action_page(page, round_id, action)

    handler.__name__ = f"{action}_round"
    return handler


def _allowed(action: str, status: str) -> bool:
    return {"open": status == "draft", "close": status == "open", "reopen": status == "closed"}[action]


def action_page(page: Page, round_id: str, action: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    T = text(page.rc)
    if page.rc.request.method == "GET":
        return _confirm(page, round_doc, action)
    if page.form.get("stamp") != stamp(round_doc):
        return _confirm(page, round_doc, action, notice=T["stale_round"], status=409)
    if not _allowed(action, round_doc["status"]):
        return _confirm(page, round_doc, action, notice=T["not_now"], status=409)
    try:
        if action == "open":
            rounds.open_round(page.ctx, round_id, page.actor)
        elif action == "close":
            rounds.close_round(page.ctx, round_id, page.actor)
        else:
            body, errors = round_form.read_deadline(page.form, zone(round_doc), T)
            if errors:
                return _confirm(page, round_doc, action, errors=errors, status=422)
            rounds.reopen_round(page.ctx, round_id, body, page.actor)
    except AppError as exc:
        if exc.code == "validation_failed":
            return _confirm(
                page, round_doc, action, errors={"closes_date": T["err_reopen_deadline"]}, status=exc.status
            )
        if exc.code == "invalid_state":
            return _confirm(page, rounds.get_round_doc(page.ctx, round_id), action, notice=T["stale_round"], status=409)
        raise
    return page.redirect(f"rounds/{round_id}", done=action)


def _confirm(
    page: Page,
    round_doc: Doc,
    action: str,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    board = rounds.board(page.ctx, round_doc)
    suggested = format_local(page.ctx.clock.now() + timedelta(days=3), zone(round_doc))
    values = {"closes_date": suggested[0], "closes_time": "17:00", "grace_minutes": "0"}
    if page.rc.request.method == "POST":
        values.update({key: page.form.get(key, "") for key in values})
    return page.render(
        "console/round-confirm.html.j2",
        status=status,
        tab="round",
        action=action,
        allowed=_allowed(action, round_doc["status"]),
        stamp=stamp(round_doc),
        notice=notice,
        errors=errors or {},
        values=values,
        **counts(board),
        **round_values(round_doc),
    )
