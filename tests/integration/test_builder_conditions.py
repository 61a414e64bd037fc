"""The condition builder's groups through the admin console on the emulator, posted the way a
browser without JavaScript posts them (the page's own inputs, read from its HTML): "A and (B or
C)" built with the page's buttons, said in words, saved, drawn again and posted back as itself;
a group removed; a group deeper than the builder draws, or a post naming rows a hundred thousand
levels deep, refused at the rule with a message in the admin's language, never a 500."""

from __future__ import annotations

import re

import functions_framework
import pytest

from checkround import wiring
from checkround.forms import service as forms
from checkround.forms.editing import MAX_GROUP_DEPTH
from tests.integration.test_builder_pages import (
    MAIN,
    editor_html,
    inputs,
    post,
    replaced,
    signed_in,
)
from tests.support import small_form

pytestmark = pytest.mark.integration

FORM_ID = small_form()["id"]
RULE = "sections.1.fields.2.relevant"  # "Hạn chế", shown when ...
A_AND_B_OR_C = {
    "and": [
        {">": [{"var": ["a.so", 0]}, 0]},
        {"or": [{"==": [{"var": ["a.tan_suat", ""]}, "quy"]}, {"in": ["truc_tuyen", {"var": "a.hinh_thuc"}]}]},
    ]
}


@pytest.fixture(scope="module")
def console_app():
    return functions_framework.create_app(target="admin_console", source=str(MAIN))


WORDS = "hiện khi Số lượng &gt; 0 và (Tần suất là “Hằng quý” hoặc Hình thức có chọn “Trực tuyến”)"


def press(client, html: str, op: str, status: int = 200, **values: str) -> str:
    """Post the page as drawn (with ``values`` typed in) by the button ``op``; the page drawn."""
    response = post(client, FORM_ID, replaced(inputs(html), **values), op)
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def name(path: str) -> str:
    return path.replace(".", "__")


def test_a_and_b_or_c_built_with_the_buttons_saved_and_drawn_again(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    html = editor_html(client, FORM_ID)
    html = press(client, html, f"add_cond:{RULE}")
    a = f"{RULE}.c.0"
    # The keyboard is at the new row (the page is drawn again, without a script too).
    assert re.search(rf'<select id="[^"]+" name="{re.escape(a)}\.field" autofocus>', html)
    html = press(
        client, html, f"add_group:{RULE}", **{name(f"{a}.field"): "a.so", name(f"{a}.op"): ">", name(f"{a}.value"): "0"}
    )
    # The new group joins the other way ("any of"), with a row for its first condition.
    group = f"{RULE}.c.1"
    join = rf'<select id="e-{group.replace(".", "-")}-join"[^>]*>\s*<option value="and">[^<]*</option>'
    assert re.search(join + '<option value="or" selected', html)
    b = f"{group}.c.0"
    assert re.search(rf'<select id="[^"]+" name="{re.escape(b)}\.field" autofocus>', html)
    html = press(client, html, f"add_cond:{group}", **{name(f"{b}.field"): "a.tan_suat", name(f"{b}.value"): "quy"})
    # A group of one condition is still a group: its "add a condition" row is drawn inside it.
    assert f'name="{group}.c.1.field"' in html
    c = f"{group}.c.1"
    html = press(
        client,
        html,
        "check",
        **{name(f"{c}.field"): "a.hinh_thuc", name(f"{c}.op"): "chosen", name(f"{c}.value"): "truc_tuyen"},
    )
    assert WORDS in html
    press(client, html, "save", status=303)
    assert forms.get_form(ctx, FORM_ID)["draft"]["sections"][1]["fields"][2]["relevant"] == A_AND_B_OR_C
    # Drawn again from the saved draft, the page posts the same rule back (the template and the
    # reader agree), and the group can be removed with its button.
    html = editor_html(client, FORM_ID)
    assert WORDS in html
    assert f'value="drop_cond:{group}"' in html
    press(client, html, "save", status=303)
    assert forms.get_form(ctx, FORM_ID)["draft"]["sections"][1]["fields"][2]["relevant"] == A_AND_B_OR_C
    html = press(client, editor_html(client, FORM_ID), f"drop_cond:{group}")
    assert "hiện khi Số lượng &gt; 0</strong>" in html
    assert f'name="{group}.join"' not in html
    press(client, html, "save", status=303)
    assert forms.get_form(ctx, FORM_ID)["draft"]["sections"][1]["fields"][2]["relevant"] == {
        ">": [{"var": ["a.so", 0]}, 0]
    }


def test_groups_deeper_than_the_builder_draws_are_refused_in_words_not_a_500(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    before = forms.get_form(ctx, FORM_ID)["etag"]
    html = editor_html(client, FORM_ID)
    deepest = RULE + ".c.0" * (MAX_GROUP_DEPTH - 1)
    # The deepest group has no "add a group" button; a post asking for one anyway is told why.
    refused = press(client, html, f"add_group:{deepest}")
    assert "Các nhóm điều kiện lồng nhau tối đa 3 tầng" in refused
    assert f'name="{deepest}.c.0.join"' not in refused
    # Rows posted a hundred thousand groups deep: read to the limit, refused at the rule on save.
    pairs = [(n, v) for n, v in inputs(html) if not n.startswith(RULE)]
    pairs += [(f"{RULE}.mode", "builder"), (RULE + ".c.0" * 100_000 + ".field", "a.so")]
    response = post(client, FORM_ID, pairs, "save")
    assert response.status_code == 422, response.get_data(as_text=True)[:3000]
    assert "Các nhóm điều kiện lồng nhau tối đa 3 tầng" in response.get_data(as_text=True)
    assert forms.get_form(ctx, FORM_ID)["etag"] == before
    # A remove button naming no row: the page is drawn again.
    press(client, html, f"drop_cond:{RULE}.c.{'9' * 5000}")


@pytest.mark.parametrize("operator", ["and", "!"])
def test_a_typed_rule_nested_deep_is_refused_and_the_page_drawn(project, console_app, operator):
    # Typed as JSON Logic: parsed, then too deep to say in words or to read as conditions; the
    # page says why at the rule instead of failing while it draws the rule's words.
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    before = forms.get_form(ctx, FORM_ID)["etag"]
    deep = '{"var": ["a.so", 0]}'
    for _ in range(900):
        deep = f'{{"and": [{deep}, true]}}' if operator == "and" else f'{{"!": {deep}}}'
    pairs = [(n, v) for n, v in inputs(editor_html(client, FORM_ID)) if not n.startswith(RULE)]
    response = post(client, FORM_ID, [*pairs, (f"{RULE}.mode", "json"), (f"{RULE}.json", deep)], "save")
    assert response.status_code == 422, response.get_data(as_text=True)[:3000]
    assert forms.get_form(ctx, FORM_ID)["etag"] == before
