"""The field-type registry is complete: every registered type has every part it names, in Python,
in the templates and in the browser script.

A type added to ``checkround.forms.fieldtypes.REGISTRY`` without one of its parts fails here,
not as a 500 or a silent fallback later. Each type is exercised through its fixed example
(``tests/fieldtype_cases.py``): defined, compiled, answered, read from an empty post, drawn by
the web form in each language, aggregated, displayed, exported and drawn in the summary.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jinja2
import pytest
from marshmallow import fields
from werkzeug.datastructures import MultiDict

from checkround.config import settings
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import FieldDefSchema, check_definition
from checkround.forms.fieldtypes import REGISTRY, Build
from checkround.forms.formdata import read_field
from checkround.forms.messages import LANGUAGES, messages
from checkround.forms.validate import check_answers
from checkround.http.webform import render as webform_render
from checkround.reports import kinds
from checkround.reports.aggregate import aggregate
from checkround.reports.blank import blank_view
from checkround.reports.columns import Column
from checkround.reports.render import render_blank_html, render_html
from tests.fieldtype_cases import CASES, example_field

TYPES = sorted(REGISTRY)
TEMPLATES = settings().templates_dir


def example_form(type_name: str) -> dict[str, Any]:
    """A checked form holding the type's example field alone."""
    form = {
        "id": "vi-du",
        "title": {"vi": "Ví dụ", "en": "Example"},
        "sections": [{"key": "s", "title": {"vi": "Phần", "en": "Part"}, "fields": [example_field(type_name)]}],
    }
    return check_definition(form)


def example_answers(type_name: str) -> dict[str, Any]:
    answer = CASES[type_name].answer
    return {"s": {} if answer is None else {"vidu": copy.deepcopy(answer)}}


def macros(template: str) -> set[str]:
    """The names of the macros a template defines."""
    env = jinja2.Environment(autoescape=True)
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    return {node.name for node in env.parse(source).find_all(jinja2.nodes.Macro)}


def browser_readers() -> set[str]:
    """The keys of form.js's READERS object."""
    script = (TEMPLATES / "webform" / "static" / "form.js").read_text(encoding="utf-8")
    body = re.search(r"^( *)var READERS = \{\n(.*?)\n\1\};", script, re.S | re.M)
    assert body is not None, "form.js has no READERS object"
    return set(re.findall(rf"^{body.group(1)}  ([a-z_]+):", body.group(2), re.M))


class RecordingMessages(dict[str, str]):
    """The message catalogue of a language, noting which keys are read."""

    def __init__(self, language: str) -> None:
        super().__init__(messages(language))
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.used.add(key)
        return super().__getitem__(key)


def test_every_registered_type_has_a_test_case():
    assert sorted(CASES) == TYPES


# -- Python ---------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", TYPES)
def test_options_are_declared_by_the_meta_schema(type_name):
    declared = {field.data_key or name for name, field in FieldDefSchema().fields.items()}
    assert REGISTRY[type_name].options <= declared
    example_form(type_name)  # the example's options pass the type's own checks


@pytest.mark.parametrize("type_name", TYPES)
def test_messages_are_declared_and_written_in_every_language(type_name):
    kind = REGISTRY[type_name]
    field = example_form(type_name)["sections"][0]["fields"][0]
    for language in LANGUAGES:
        assert kind.messages <= messages(language).keys(), language
        recorded = RecordingMessages(language)
        made = kind.make({**field, "required": True}, Build(recorded, False, lambda members: fields.Raw()))
        assert isinstance(made, fields.Field)
        assert recorded.used <= kind.messages, f"{type_name} uses undeclared messages"


@pytest.mark.parametrize("type_name", TYPES)
def test_the_example_answer_is_accepted_and_an_empty_post_is_no_answer(type_name):
    definition = example_form(type_name)
    checked = check_answers(definition, compile_schema(definition, "en"), example_answers(type_name), "en")
    assert ("vidu" in checked.answers["s"]) == (CASES[type_name].answer is not None or REGISTRY[type_name].computed)
    assert read_field(MultiDict(), "s.vidu", definition["sections"][0]["fields"][0]) is None


@pytest.mark.parametrize("type_name", TYPES)
def test_report_parts_aggregate_display_and_export_the_example(type_name):
    definition = example_form(type_name)
    field = definition["sections"][0]["fields"][0]
    kind = kinds.KINDS[REGISTRY[type_name].report]
    answers = check_answers(definition, compile_schema(definition, "vi"), example_answers(type_name)).answers
    value = answers["s"].get("vidu")
    accumulator = kind.accumulator(field)
    accumulator.add("u1", value)
    assert isinstance(accumulator.result(), dict)
    for language in LANGUAGES:
        assert kinds.display_value(field, value, language)
        columns = kinds.field_columns("s", field, "s.", language)
        assert columns
        assert all(isinstance(column, Column) for column in columns)


# -- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", TYPES)
def test_the_summary_has_the_macros_of_the_report_kind(type_name):
    kind = kinds.KINDS[REGISTRY[type_name].report]
    assert {kind.summary} | ({kind.table} if kind.table else set()) <= macros("report/summary.html.j2")
    definition = example_form(type_name)
    answers = check_answers(definition, compile_schema(definition, "vi"), example_answers(type_name)).answers
    round_doc = {"id": "r1", "unit_ids": ["u1"], "language": "vi"}
    for language in LANGUAGES:
        summary = aggregate({**round_doc, "language": language}, definition, {}, iter([("u1", {"answers": answers})]))
        summary["generated_at"] = "—"
        label = example_field(type_name)["label"][language]
        # Drawn by the kind's macro among the results, and again in the annex of answers.
        assert render_html(summary, TEMPLATES).count(label) >= 2


@pytest.mark.parametrize("type_name", TYPES)
def test_the_blank_paper_form_draws_the_widget_in_every_language(type_name):
    widget = REGISTRY[type_name].widget
    assert f"paper_{widget}" in macros("report/blank.html.j2")
    for language in LANGUAGES:
        html = render_blank_html(blank_view(example_form(type_name), 1, language), TEMPLATES)
        label = example_field(type_name)["label"][language]
        assert html.count(label) >= 1
        assert 'class="field' in html


@pytest.mark.parametrize("type_name", TYPES)
def test_the_web_form_has_the_widget_and_its_text_in_every_language(type_name):
    widget = REGISTRY[type_name].widget
    assert f"widget_{widget}" in macros("webform/widgets.html.j2")
    env = webform_render._env(str(TEMPLATES))
    texts = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    field = example_form(type_name)["sections"][0]["fields"][0]
    for language in LANGUAGES:
        page = {"lang": language, "T": texts[language], "returned_comments": {}, "not_relevant": set()}
        page |= {"calculated": {}, "blanks": {}}
        for readonly in (False, True):
            widgets = env.get_template("webform/widgets.html.j2").make_module(page | {"readonly": readonly})
            # Undefined text (a T key missing in this language) raises: the environment is strict.
            html = str(widgets.field(field, "s.vidu", "f-s-vidu", CASES[type_name].answer, None))
            assert 'data-path="s.vidu"' in html
            assert str(widgets.field(field, "s.vidu", "f-s-vidu", None, ["!"])).count('role="alert"') == 1


# -- browser script -------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", TYPES)
def test_the_browser_script_has_the_reader_the_type_names(type_name):
    assert REGISTRY[type_name].browser_reader in browser_readers()


def test_the_checks_read_the_real_files():
    # Guards the parsers above: an empty result would make every check pass.
    assert {"text", "number", "rows"} <= browser_readers()
    assert {"field", "widget_text"} <= macros("webform/widgets.html.j2")
    assert isinstance(TEMPLATES, Path)
    assert (TEMPLATES / "report" / "summary.html.j2").is_file()
