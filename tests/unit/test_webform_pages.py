"""A form of one section per page (``appearance: pages``): a page's post names the page to open
next, and is saved as a draft on the way (forms.webform.read_post)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from checkround.forms.definition import check_definition
from checkround.forms.webform import read_post
from tests.support import small_form


def test_going_to_another_page_saves_a_draft_and_names_the_page():
    definition = check_definition(small_form(appearance="pages"))
    post = read_post(definition, MultiDict([("b.ten", "Chi đoàn 1"), ("action", "goto:check")]))
    assert (post.action, post.goto) == ("draft", "check")
    assert post.answers["b"]["ten"] == "Chi đoàn 1"
    # A draft or a submit goes nowhere else; a goto without a page is no action of this page.
    assert read_post(definition, MultiDict([("action", "draft")])).goto is None
    assert read_post(definition, MultiDict([("action", "goto:")])).action == "redraw"
