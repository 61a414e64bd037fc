"""One place each for reading a localised text, picking a catalogue's language and the default
time zone (checkround.formats.text and .zones), and nothing else in the package doing it again."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checkround.formats.text import LANGUAGES, in_language, localized
from checkround.formats.zones import DEFAULT_ZONE, zone_of

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "checkround"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ({"vi": "Đơn vị", "en": "Unit"}, "en", "Unit"),
        ({"vi": "Đơn vị", "en": "Unit"}, "vi", "Đơn vị"),
        ({"vi": "Đơn vị", "en": ""}, "en", "Đơn vị"),  # an empty translation falls back
        ({"vi": "Đơn vị"}, "fr", "Đơn vị"),
        ({"en": "Unit"}, "vi", "Unit"),  # no Vietnamese: any language it has
        ({}, "vi", ""),
        ("plain", "en", "plain"),
        (None, "vi", ""),
        (38, "vi", "38"),
    ],
)
def test_a_localised_text_is_read_in_the_language_asked_then_vietnamese(text, language, expected) -> None:
    assert localized(text, language) == expected


def test_a_catalogue_speaks_the_language_asked_or_vietnamese() -> None:
    catalogue = {"vi": {"ok": "Đạt"}, "en": {"ok": "Passed"}}
    assert in_language(catalogue, "en") == {"ok": "Passed"}
    assert in_language(catalogue, "de") == {"ok": "Đạt"}
    assert LANGUAGES == ("vi", "en")


def test_a_round_without_a_zone_is_shown_in_the_default_one() -> None:
    moment = datetime(2026, 1, 1, 17, 30, tzinfo=UTC)
    assert moment.astimezone(zone_of({})).hour == 0  # UTC+7
    assert zone_of({"time_zone": None}).key == DEFAULT_ZONE
    assert zone_of({"time_zone": "Europe/Paris"}).key == "Europe/Paris"


def _sources() -> dict[str, str]:
    return {
        path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
        for path in PACKAGE.rglob("*.py")
        if path.parts[-2] != "formats" or path.name not in ("text.py", "zones.py")
    }


def test_no_module_names_the_default_zone_itself() -> None:
    offenders = [name for name, source in _sources().items() if DEFAULT_ZONE in source]
    assert offenders == []


def test_no_module_reads_a_localised_text_or_a_catalogue_by_hand() -> None:
    """``x.get(lang) or x.get("vi")`` and ``X.get(lang, X["vi"])`` are what localized() and
    in_language() are for."""
    by_hand = re.compile(r"""\.get\("vi"\)|\[["']vi["']\]\)""")
    offenders = {name: by_hand.findall(source) for name, source in _sources().items() if by_hand.search(source)}
    assert offenders == {}
