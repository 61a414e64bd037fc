"""The summary's comparison with the previous round of the series (issue 19).

When a round that names ``previous_round_id`` closes, its summary compares, in the committee's
words (:mod:`.compare_labels`):

* each unit's total and score per topic beside the previous round's, the change, and its rank
  movement inside its emulation cluster;
* the checklist items that went from not met (or partly met) to met, and back, by unit;
* the previous round's recommendations: how many each unit reports done, in progress, not
  started (or did not report on), with the texts of those still open;
* on-time reporting across the series, and a trend chart per cluster over its last rounds (up
  to six), drawn as SVG here (no script) for WeasyPrint;
* the narrative: which units improved ("Nhìn chung") and which fell back ("Tuy nhiên").

A unit missing from either round (not in its roster, or not reporting) is said so and never
compared as a zero. Units are matched by id; checklist items by key across form versions,
following ``renamed_from`` (:class:`checkround.followup.series.Scorer`).

Cost: the current round's numbers come from its summary; the previous round's come from the
numbers its own summary kept when it rendered (:func:`store_scores`, one JSON blob), so the
comparison is what that summary printed; only when none was kept are its latest submissions
read (in batches) and scored (its scored and checklist fields only). Earlier rounds of the
trend read the per-unit totals their summary stored (``unit_totals``). Memory grows with
units, not with revisions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from checkround.context import Context
from checkround.followup.recommendations import CLOSED, recommendations_path
from checkround.followup.series import MAX_SERIES, Scorer, UnitScores, kept_scores, round_scores, series
from checkround.formats.text import in_language
from checkround.formats.zones import zone_of
from checkround.rounds.service import round_path
from checkround.storage.ports import Doc
from checkround.submissions.service import SUMMARISED_STATES

from .compare_labels import COMPARE_LABELS
from .display import format_number, loc, local_time, unit_name

# Line colours of the trend chart, one per unit of a cluster (then again): dark enough to print.
PALETTE = ("#2b6cb0", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#2c7a7b", "#97266d", "#4a5568")
FOLLOW_UP_STATES = ("done", "in_progress", "not_started", "no_answer")


def capture_follow_up(
    stream: Iterable[tuple[str, Mapping[str, Any]]], into: dict[str, Mapping[str, Any]]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Pass the summary's stream of latest submissions through, keeping each unit's
    ``follow_up`` answers (a few per unit) on the way."""
    for unit_id, submission in stream:
        if submission.get("follow_up"):
            into[unit_id] = submission["follow_up"]
        yield unit_id, submission


def signed(value: float | None, language: str) -> str:
    """A change as the committee reads it: +2, −1,5, 0 (a true minus sign)."""
    if value is None:
        return "—"
    if abs(value) < 1e-9:
        return "0"
    text = format_number(abs(value), 2, language)
    return ("+" if value > 0 else "\u2212") + text


def _ranks(totals: Mapping[str, float], names: Mapping[str, str]) -> dict[str, int]:
    """Competition ranking (1, 1, 3) by total, as the summary ranks a cluster."""
    ordered = sorted(totals, key=lambda uid: (-totals[uid], names.get(uid, uid)))
    ranks: dict[str, int] = {}
    for index, uid in enumerate(ordered):
        tied = index > 0 and totals[ordered[index - 1]] == totals[uid]
        ranks[uid] = ranks[ordered[index - 1]] if tied else index + 1
    return ranks


def _participation(ctx: Context, round_doc: Doc) -> dict[str, int]:
    """Who reported in a round, from its board's entries (no submission is read)."""
    roster = set(round_doc["unit_ids"])
    submitted = late = 0
    for uid, entry in ctx.store.list(f"{round_path(round_doc['id'])}/entries"):
        if uid in roster and entry.get("state") in SUMMARISED_STATES:
            submitted += 1
            late += 1 if entry.get("late") else 0
    total = len(roster)
    return {
        "total": total,
        "submitted": submitted,
        "on_time": submitted - late,
        "late": late,
        "missing": total - submitted,
    }


def _totals_of(ctx: Context, round_doc: Doc, scorer: Scorer) -> dict[str, float]:
    """Each reporting unit's total in an earlier round: what its summary stored, else scored."""
    stored = (ctx.store.get(f"summaries/{round_doc['id']}") or {}).get("unit_totals")
    if isinstance(stored, Mapping):
        return {str(uid): float(total) for uid, total in stored.items() if total is not None}
    scores = round_scores(ctx, round_doc, scorer, lambda state: state in SUMMARISED_STATES)
    return {uid: s.total_score for uid, s in scores.items() if s.total_score is not None}


def store_scores(ctx: Context, round_id: str, name: str, summary: Mapping[str, Any]) -> str:
    """Keep each unit's numbers as a rendered summary printed them (state, topic scores, total,
    checklist results under this round's names) as one JSON blob; returns its name."""
    statuses: dict[str, dict[str, str]] = {}
    for section in summary["sections"]:
        for f in section["fields"]:
            if f["kind"] == "checklist":
                for uid, value in f["result"]["per_unit"].items():
                    statuses.setdefault(uid, {})[f"{section['key']}.{f['key']}"] = value["status"]
    units = {
        row["id"]: {
            "section_scores": row["section_scores"],
            "total_score": row["total_score"],
            "statuses": statuses.get(row["id"], {}),
        }
        for row in summary["units"]
        if row["reported"]
    }
    doc = {"form_id": summary["form"]["id"], "units": units}
    blob = f"summaries/{round_id}/scores-{name}.json"
    ctx.blobs.put(blob, json.dumps(doc, ensure_ascii=False).encode(), "application/json")
    return blob


def previous_scores(ctx: Context, previous: Doc, scorer: Scorer) -> dict[str, UnitScores]:
    """Each unit's numbers in the previous round: those its rendered summary kept
    (:func:`store_scores`, read by :func:`checkround.followup.series.kept_scores`); scored again
    from its submissions when no summary kept them (never rendered, or rendered before
    summaries kept them)."""
    kept = kept_scores(ctx, previous, scorer)
    if kept is not None:
        return kept
    return round_scores(ctx, previous, scorer, lambda state: state in SUMMARISED_STATES)


def compare(
    ctx: Context,
    round_doc: Doc,
    summary: Mapping[str, Any],
    units: Mapping[str, Mapping[str, Any]],
    follow_ups: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any] | None:
    """The comparison block of ``summary`` (None for a round that follows no other)."""
    chain = series(ctx, round_doc, MAX_SERIES)
    if len(chain) < 2:
        return None
    previous = chain[-2]
    language = summary["language"]
    words = in_language(COMPARE_LABELS, language)
    scorer = Scorer(ctx, round_doc["form_id"], int(round_doc["form_version"]))
    before = previous_scores(ctx, previous, scorer)
    rows = _unit_rows(summary, units, previous, before, language, words)
    zone = zone_of(round_doc)
    return {
        "t": words,
        "previous": {
            "id": previous["id"],
            "title": loc(previous.get("title"), language),
            "opens_on": local_time(previous.get("opens_at"), zone, "%d/%m/%Y"),
            "closes_on": local_time(previous.get("closes_at"), zone, "%d/%m/%Y"),
        },
        "sections": [
            {"number": s["number"], "key": s["key"]} for s in summary["sections"] if s.get("max_score") is not None
        ],
        "units": rows,
        "narrative": _narrative(rows, words),
        "item_changes": _item_changes(summary, before, rows),
        "recommendations": _recommendations(ctx, previous, rows, follow_ups, language, words),
        "series": _series_table(ctx, chain, summary, zone, language),
        "trend": _trend(ctx, chain, summary, scorer, before, language),
    }


def _status(in_now: bool, in_before: bool, reported: tuple[bool, bool], scored: tuple[bool, bool]) -> str:
    """How a unit stands in the comparison: ``compared``, or why not (not in a round's roster,
    did not report in it, or reported but the inspection team has not scored it)."""
    if not in_before:
        return "not_before"
    if not in_now:
        return "not_now"
    if all(scored):
        return "compared"
    if not any(reported):
        return "missing_both"
    if not scored[0]:
        return "unscored_now" if reported[0] else "missing_now"
    return "unscored_before" if reported[1] else "missing_before"


def _unit_rows(
    summary: Mapping[str, Any],
    units: Mapping[str, Mapping[str, Any]],
    previous: Doc,
    before: Mapping[str, UnitScores],
    language: str,
    words: Mapping[str, str],
) -> list[dict[str, Any]]:
    current = {row["id"]: row for row in summary["units"]}
    names = {uid: unit_name(units.get(uid, {}), uid, language) for uid in [*current, *previous["unit_ids"]]}
    rank_now = {row["id"]: row["rank"] for cluster in summary["clusters"] for row in cluster["ranking"]}
    clusters = {uid: (units.get(uid) or {}).get("cluster") or "" for uid in names}
    rank_before: dict[str, int] = {}
    for cluster in set(clusters.values()):
        totals = {
            uid: s.total_score
            for uid, s in before.items()
            if s.total_score is not None and clusters.get(uid, "") == cluster
        }
        rank_before.update(_ranks(totals, names))
    roster_before = set(previous["unit_ids"])
    rows = []
    for uid in dict.fromkeys([*current, *previous["unit_ids"]]):
        now_row = current.get(uid)
        earlier = before.get(uid)
        reported = (bool(now_row and now_row["reported"]), earlier is not None)
        reported_now = reported[0] and now_row is not None and now_row.get("total_score") is not None
        reported_before = earlier is not None and earlier.total_score is not None
        status = _status(now_row is not None, uid in roster_before, reported, (reported_now, reported_before))
        compared = status == "compared"
        total_now = now_row["total_score"] if reported_now and now_row else None
        total_before = earlier.total_score if reported_before and earlier else None
        delta = total_now - total_before if compared and total_now is not None and total_before is not None else None
        r_now, r_before = rank_now.get(uid), rank_before.get(uid)
        move = r_before - r_now if compared and r_now is not None and r_before is not None else None
        sections = []
        for section in summary["sections"]:
            if section.get("max_score") is None:
                continue
            key = section["key"]
            now_value = now_row["section_scores"].get(key) if reported_now and now_row else None
            before_value = earlier.section_scores.get(key) if reported_before and earlier else None
            sections.append(
                {
                    "now": now_value,
                    "change": signed(now_value - before_value, language)
                    if compared and now_value is not None and before_value is not None
                    else None,
                }
            )
        cluster_id = clusters.get(uid, "")
        rows.append(
            {
                "id": uid,
                "name": names[uid],
                "cluster": cluster_id,
                "cluster_name": (now_row or {}).get("cluster_name") or cluster_id,
                "status": status,
                "state_text": None if compared else words[f"state_{status}"],
                "now": total_now,
                "before": total_before,
                "delta": delta,
                "change": signed(delta, language) if delta is not None else None,
                "rank_now": r_now if reported_now else None,
                "rank_before": r_before if reported_before else None,
                "move": move,
                "move_text": _move_text(move, words),
                "sections": sections,
            }
        )
    rows.sort(key=lambda r: (r["cluster_name"], r["rank_now"] is None, r["rank_now"] or 0, r["name"]))
    return rows


def _move_text(move: int | None, words: Mapping[str, str]) -> str | None:
    if move is None:
        return None
    if move > 0:
        return words["up"].format(n=move)
    if move < 0:
        return words["down"].format(n=-move)
    return words["same"]


def _names(rows: Iterable[Mapping[str, Any]], with_change: bool = False) -> str:
    return ", ".join(f"{row['name']} ({row['change']})" if with_change else str(row["name"]) for row in rows)


def _narrative(rows: list[dict[str, Any]], words: Mapping[str, str]) -> dict[str, list[str]]:
    """The sentences of "Nhìn chung" (who improved) and "Tuy nhiên" (who fell back, who cannot
    be compared), from the numbers."""
    improved = sorted((r for r in rows if (r["delta"] or 0) > 0), key=lambda r: -r["delta"])
    fell = sorted((r for r in rows if (r["delta"] or 0) < 0), key=lambda r: r["delta"])
    same = [r for r in rows if r["delta"] is not None and r["delta"] == 0]
    overall = [
        words["improved"].format(n=len(improved), units=_names(improved, True)) if improved else words["no_improved"]
    ]
    if same:
        overall.append(words["unchanged"].format(units=_names(same)))
    however = [words["fell"].format(n=len(fell), units=_names(fell, True)) if fell else words["no_fell"]]
    for status in ("missing_now", "unscored_now", "missing_before", "unscored_before", "not_before", "not_now"):
        found = [r for r in rows if r["status"] == status]
        if found:
            however.append(words[status].format(units=_names(found)))
    return {"overall": overall, "however": however}


def _item_changes(
    summary: Mapping[str, Any], before: Mapping[str, UnitScores], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """By unit, the checklist items met now and not before, and the other way round."""
    labels: dict[str, str] = {}
    now: dict[str, dict[str, str]] = {}
    for section in summary["sections"]:
        for f in section["fields"]:
            if f["kind"] != "checklist":
                continue
            name = f"{section['key']}.{f['key']}"
            labels[name] = f["label"]
            for uid, value in f["result"]["per_unit"].items():
                now.setdefault(uid, {})[name] = value["status"]
    changes = []
    for row in rows:
        if row["status"] != "compared":
            continue
        was = before[row["id"]].statuses
        is_ = now.get(row["id"], {})
        up = [labels[n] for n in labels if was.get(n) not in (None, "yes") and is_.get(n) == "yes"]
        down = [labels[n] for n in labels if was.get(n) == "yes" and is_.get(n) not in (None, "yes")]
        if up or down:
            changes.append({"unit": row["name"], "up": up, "down": down})
    return changes


def _recommendations(
    ctx: Context,
    previous: Doc,
    rows: list[dict[str, Any]],
    follow_ups: Mapping[str, Mapping[str, Any]],
    language: str,
    words: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Per unit, what became of the previous round's recommendations (dropped ones left out):
    the counts by the unit's answer, and the texts of those not done yet."""
    by_unit: dict[str, list[Doc]] = {}
    for _, rec in ctx.store.list(recommendations_path(previous["id"])):
        if rec.get("status") != "dropped":
            by_unit.setdefault(str(rec.get("unit_id")), []).append(rec)
    out = []
    for row in rows:
        recs = sorted(by_unit.get(row["id"], []), key=lambda r: (r.get("created_at"), r.get("id")))
        if not recs:
            continue
        answers = follow_ups.get(row["id"]) or {}
        counts = dict.fromkeys(FOLLOW_UP_STATES, 0)
        still_open = []
        for rec in recs:
            answer = answers.get(rec["id"]) or {}
            state = answer.get("status") or ("done" if rec.get("status") in CLOSED else "no_answer")
            counts[state if state in counts else "no_answer"] += 1
            if state != "done":
                due = rec.get("due_date")
                still_open.append(
                    {
                        "text": loc(rec.get("text"), language),
                        "state": words.get(f"rec_{state}", state),
                        "note": answer.get("note"),
                        "due": words["due"].format(date=_day(due)) if due else None,
                    }
                )
        out.append(
            {"unit": row["name"], "counts": counts, "line": words["rec_line"].format(**counts), "open": still_open}
        )
    return out


def _day(iso: str) -> str:
    year, month, day = str(iso).split("-")
    return f"{day}/{month}/{year}"


def _series_table(
    ctx: Context, chain: list[Doc], summary: Mapping[str, Any], zone: Any, language: str
) -> list[dict[str, Any]]:
    """On-time reporting in each round of the series, oldest first (the current one from its
    summary)."""
    table = []
    for number, doc in enumerate(chain, start=1):
        counts = summary["participation"] if doc["id"] == chain[-1]["id"] else _participation(ctx, doc)
        table.append(
            {
                "number": number,
                "title": loc(doc.get("title"), language),
                "period": f"{local_time(doc.get('opens_at'), zone, '%d/%m/%Y')} – "
                f"{local_time(doc.get('closes_at'), zone, '%d/%m/%Y')}",
                **{key: counts[key] for key in ("total", "submitted", "on_time", "late", "missing")},
            }
        )
    return table


def _trend(
    ctx: Context,
    chain: list[Doc],
    summary: Mapping[str, Any],
    scorer: Scorer,
    before: Mapping[str, UnitScores],
    language: str,
) -> list[dict[str, Any]]:
    """Per cluster of the current round: each unit's total in every round of the series."""
    totals: list[Mapping[str, float | None]] = []
    for doc in chain[:-2]:
        totals.append(_totals_of(ctx, doc, scorer))
    totals.append({uid: s.total_score for uid, s in before.items() if s.total_score is not None})
    totals.append({row["id"]: row["total_score"] for row in summary["units"] if row["reported"]})
    top = float(summary["form"].get("max_score") or 0) or max(
        (float(v) for t in totals for v in t.values() if v is not None), default=1.0
    )
    by_cluster: dict[str, list[Mapping[str, Any]]] = {}
    for row in summary["units"]:
        by_cluster.setdefault(row["cluster"], []).append(row)
    charts = []
    for cluster_id, members in sorted(by_cluster.items()):
        lines = []
        for index, row in enumerate(members):
            values = [t.get(row["id"]) for t in totals]
            lines.append({"name": row["name"], "colour": PALETTE[index % len(PALETTE)], "totals": values})
        charts.append(
            {
                "name": members[0]["cluster_name"] or cluster_id or "—",
                "svg": trend_svg([(line["totals"], line["colour"]) for line in lines], top, language),
                "lines": [
                    {
                        **line,
                        "swatch": swatch_svg(line["colour"]),
                        "shown": [format_number(v, 1, language) for v in line["totals"]],
                    }
                    for line in lines
                ],
            }
        )
    return charts


def _check_colour(colour: str) -> str:
    if colour not in PALETTE:
        raise ValueError(f"not a chart colour: {colour!r}")
    return colour


def trend_svg(lines: list[tuple[list[float | None], str]], top: float, language: str) -> str:
    """A line chart as a ``data:`` URI of an SVG image, 440 × 170 pt: one line per unit across
    the rounds (gaps where a unit did not report), a dot per value, the y axis in points over
    the band the totals span (:func:`_y_range`).

    Only numbers (formatted here) and the palette's colours go into the SVG, never a name or any
    other text a person typed; the legend is HTML beside it.
    """
    width, height, left, right, top_pad, bottom = 440, 170, 34, 12, 8, 22
    rounds = max((len(values) for values, _ in lines), default=1)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    low, high = _y_range([v for values, _ in lines for v in values if v is not None], top)

    def x(i: int) -> float:
        return left + (plot_w * i / (rounds - 1) if rounds > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - (max(low, min(float(v), high)) - low) / (high - low))

    frame = f'x="{left}" y="{top_pad}" width="{plot_w}" height="{plot_h}"'
    parts = [f'<rect {frame} fill="none" stroke="#999" stroke-width="0.5"/>']
    span = high - low
    # Gridlines at round numbers: every 10 points on a band of up to 50, every 20 up to 100.
    step = 10.0 if span <= 50 else 20.0 if span <= 100 else span / 5
    for index in range(int(span // step) + 1):
        value = low + step * index
        gy = y(value)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{gy + 3:.1f}" font-size="8" text-anchor="end" fill="#555">'
            f"{format_number(value, 0, language)}</text>"
        )
    for i in range(rounds):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" font-size="8" text-anchor="middle" fill="#555">{i + 1}</text>'
        )
    for values, colour in lines:
        colour = _check_colour(colour)
        segment: list[str] = []
        for i, total in enumerate(values):
            if total is None:
                if len(segment) > 1:
                    parts.append(_polyline(segment, colour))
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(total):.1f}")
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(total):.1f}" r="2.2" fill="{colour}"/>')
        if len(segment) > 1:
            parts.append(_polyline(segment, colour))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans">' + "".join(parts) + "</svg>"
    )
    return "data:image/svg+xml," + quote(svg)


def _y_range(values: list[float], top: float) -> tuple[float, float]:
    """The totals' band, widened to tens (at least 20 points, within 0 and the form's maximum):
    units a few points apart stay apart instead of sharing one line at the top of 0–100."""
    if not values:
        return 0.0, top or 1.0
    low = max(0.0, float(math.floor((min(values) - 5) / 10) * 10))
    high = float(math.ceil((max(values) + 5) / 10) * 10)
    if top > 0:
        high = min(high, top)
    if high - low < 20:
        low = max(0.0, high - 20)
        high = min(low + 20, top) if top > 0 else low + 20
    if high <= low:
        high = low + 1
    return low, float(high)


def _polyline(points: list[str], colour: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.2"/>'


def swatch_svg(colour: str) -> str:
    """A small line in a unit's colour, for the chart's legend."""
    colour = _check_colour(colour)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="14pt" height="6pt" viewBox="0 0 14 6">'
        f'<line x1="0" x2="14" y1="3" y2="3" stroke="{colour}" stroke-width="1.6"/>'
        f'<circle cx="7" cy="3" r="2.2" fill="{colour}"/></svg>'
    )
    return "data:image/svg+xml," + quote(svg)
