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


class Bilingual(str):
    """A sentence the code says in each language, which is its English text as a ``str``.

    Services build their messages before they know who reads them (meta-validation errors are
    built deep inside marshmallow); as a ``str`` this reads as English, so code and clients that
    expect English keep working, and :func:`in_language_tree` picks the reader's language.
    """

    vi: str

    def __new__(cls, vi: str, en: str) -> Bilingual:
        made = super().__new__(cls, en)
        made.vi = vi
        return made

    def in_language(self, language: str) -> str:
        return self.vi if language == "vi" else str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Bilingual, (self.vi, str.__str__(self)))


def in_language_tree(value: Any, language: str) -> Any:
    """A nested error tree (dicts and lists of messages) with every :class:`Bilingual` message
    in ``language``; other values as they are."""
    if isinstance(value, Bilingual):
        return value.in_language(language)
    if isinstance(value, dict):
        return {key: in_language_tree(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [in_language_tree(item, language) for item in value]
    return value
