"""Localised text: the languages the project speaks, reading a ``{vi, en}`` text, and picking a
language's half of a catalogue.

A text a user wrote in several languages (a form's labels, a round's title) is a dict
``{"vi": ..., "en": ...}``; :func:`localized` reads it in one language, falling back to
Vietnamese, the language every text has first. The sentences the code itself says live in
catalogues keyed by language (errors: :data:`checkround.errors.CATALOG`; validation messages:
:mod:`checkround.forms.messages`; reports: :mod:`checkround.reports.labels`; the web form:
``templates/webform/text.html.j2``; the admin CLI: :mod:`checkround.cli.messages`), and
:func:`in_language` picks one language's half of any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

T = TypeVar("T")


def localized(text: Any, language: str) -> str:
    """``text`` in ``language``: a ``{vi, en}`` dict read in that language, else in Vietnamese,
    else in any language it has; a plain value as a string; nothing (``""``) for no text."""
    if isinstance(text, Mapping):
        found = text.get(language) or text.get(DEFAULT_LANGUAGE) or next((v for v in text.values() if v), "")
        return str(found)
    return "" if text is None else str(text)


def in_language(catalogue: Mapping[str, T], language: str) -> T:
    """One language's half of a catalogue keyed by language (Vietnamese for any other)."""
    return catalogue.get(language, catalogue[DEFAULT_LANGUAGE])
