"""The builder's words: every option the editor shows and every registered field type has its
name in both languages, so a new option or type cannot reach the page without them."""

from __future__ import annotations

from checkround.config import settings
from checkround.forms.editing import FORM_SELECTS, OPERATORS, options_of
from checkround.forms.fieldtypes import REGISTRY
from checkround.http.console.render import catalogue


def test_every_option_and_type_has_its_words_in_both_languages():
    texts = catalogue(settings().templates_dir)
    options = {name for entry in REGISTRY.values() for name, _ in options_of({"type": entry.name})}
    for language in ("vi", "en"):
        words = texts[language]
        assert options - words["b_options"].keys() == set(), language
        assert set(REGISTRY) - words["b_types"].keys() == set(), language
        assert set(OPERATORS) - words["b_ops"].keys() == set(), language
        assert {"buttons", "list"} <= words["b_appearance"].keys()
        for name, values in FORM_SELECTS.items():
            assert set(values) <= words["b_form_values"][name].keys(), (language, name)
            assert name in words["b_form_options"]
