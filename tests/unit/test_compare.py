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
