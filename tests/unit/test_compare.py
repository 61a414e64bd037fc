"""The comparison's pure parts (reports/compare.py): signed changes in the committee's
notation, the cluster ranking, the trend chart's band and what goes into its SVG."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from checkround.reports.compare import PALETTE, _ranks, _y_range, signed, trend_svg


def test_changes_are_signed_with_a_true_minus_and_the_languages_decimal_comma():
    assert signed(2, "vi") == "+2"
    assert signed(-1.5, "vi") == "\u22121,5"
    assert signed(-1.5, "en") == "\u22121.5"
    assert signed(0.0, "vi") == "0"
    assert signed(None, "vi") == "—"


def test_ties_share_a_rank_and_the_next_rank_skips():
    names = {"a": "A", "b": "B", "c": "C", "d": "D"}
    assert _ranks({"a": 80, "b": 90, "c": 80, "d": 70}, names) == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_the_band_is_in_tens_within_the_maximum_and_at_least_twenty_points():
    assert _y_range([75, 86, 83], 100) == (70.0, 100.0)
    assert _y_range([98, 99], 100) == (80.0, 100.0)
    assert _y_range([3, 4], 100) == (0.0, 20.0)
    assert _y_range([], 100) == (0.0, 100)


def test_the_chart_holds_numbers_and_palette_colours_only():
    svg = unquote(trend_svg([([75.0, None, 83.0], PALETTE[0]), ([86.0, 80.0, 81.0], PALETTE[1])], 100, "vi"))
    assert svg.count("<polyline") == 1  # the first unit's line breaks where it did not report
    assert svg.count("<circle") == 5
    with pytest.raises(ValueError, match="not a chart colour"):
        trend_svg([([1.0, 2.0], "red;<script>")], 100, "vi")


def _store_round(ctx, round_id, totals, previous=None, status="closed"):
    """A round of the small form whose units scored ``totals`` (ck1 carries the points), on the
    memory store; None: the unit did not report."""
    from datetime import timedelta

    from tests.support import T0

    doc = {"id": round_id, "title": {"vi": f"Đợt {round_id}"}, "form_id": "mau-nho", "form_version": 1,
           "unit_ids": list(totals), "status": status, "language": "vi", "time_zone": "Asia/Ho_Chi_Minh",
           "opens_at": T0, "closes_at": T0 + timedelta(days=7)}  # fmt: skip
    if previous:
        doc["previous_round_id"] = previous
    ctx.store.set(f"rounds/{round_id}", doc)
    for unit_id, total in totals.items():
        if total is None:
            continue
        answers = {"a": {"ck1": {"status": "yes" if total >= 8 else "partial", "score": total}}}
        ctx.store.set(f"rounds/{round_id}/entries/{unit_id}", {"state": "submitted", "submission_id": f"{unit_id}-1"})
        ctx.store.set(
            f"rounds/{round_id}/submissions/{unit_id}-1",
            {"answers": answers, "form_id": "mau-nho", "form_version": 1, "late": False, "revision": 1},
        )
    return doc


def test_three_rounds_trend_and_the_units_missing_from_one(tmp_path):
    """Round 1's totals come from what its summary stored, round 2's are scored from its
    submissions (no kept numbers), round 3 is the summary at hand; a unit that did not report
    in round 2 is a gap in its line and is not compared."""
    from checkround.forms.definition import check_definition
    from checkround.reports import compare as compare_module
    from checkround.reports.aggregate import aggregate
    from tests.support import memory_context, small_form

    ctx = memory_context(tmp_path)
    definition = check_definition(small_form())
    ctx.store.set("forms/mau-nho/versions/1", {"definition": definition})
    units = {"u1": {"name": "Một", "cluster": "c"}, "u2": {"name": "Hai", "cluster": "c"}}
    _store_round(ctx, "r1", {"u1": 5, "u2": 9})
    ctx.store.set("summaries/r1", {"state": "ready", "unit_totals": {"u1": 4.0, "u2": 9.0}})  # as printed then
    _store_round(ctx, "r2", {"u1": 6, "u2": None}, previous="r1")
    current = _store_round(ctx, "r3", {"u1": 8, "u2": 7}, previous="r2")
    stream = ((uid, ctx.store.get(f"rounds/r3/submissions/{uid}-1")) for uid in ("u1", "u2"))
    summary = aggregate(current, definition, units, stream)
    result = compare_module.compare(ctx, current, summary, units, {})
    assert result is not None
    (chart,) = result["trend"]
    assert [(line["name"], line["totals"]) for line in chart["lines"]] == [
        ("Một", [4.0, 6.0, 8.0]),
        ("Hai", [9.0, None, 7.0]),
    ]
    assert [row["number"] for row in result["series"]] == [1, 2, 3]
    assert [(row["submitted"], row["missing"]) for row in result["series"]] == [(2, 0), (1, 1), (2, 0)]
    rows = {row["id"]: row for row in result["units"]}
    assert (rows["u1"]["status"], rows["u1"]["change"], rows["u1"]["move_text"]) == (
        "compared",
        "+2",
        "giữ nguyên",
    )
    assert (rows["u2"]["status"], rows["u2"]["before"], rows["u2"]["delta"]) == ("missing_before", None, None)
    assert result["narrative"]["however"][-1] == "Hai chưa nộp báo cáo ở đợt trước nên không so sánh."
    # Round 1's stored totals drew the chart, not its submissions (u1 scored 5 there).
    assert "4" in chart["lines"][0]["shown"][0]
