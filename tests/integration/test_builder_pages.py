"""The form builder's pages through the admin console's entry point on the emulator, posted the
way a browser without JavaScript posts them: the page's own inputs, read from its HTML.

The editor's template is held to the reader (a page posted as drawn is the same definition),
its buttons edit the form, errors come back at the input they are about, a save that lost a
race shows what the other admin changed and keeps both admins' edits, and publishing shows the
change list and the rounds in progress before it asks."""

from __future__ import annotations

import copy
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin

import functions_framework
import pytest

from checkround import wiring
from checkround.forms import service as forms
from checkround.forms.definition import check_definition
from checkround.rounds import service as rounds
from checkround.rounds.admin_sessions import issue_sign_in_link
from tests.support import seed_form, small_form

pytestmark = pytest.mark.integration

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture(scope="module")
def console_app():
    return functions_framework.create_app(target="admin_console", source=str(MAIN))


class FormInputs(HTMLParser):
    """The pairs a browser posts for the form ``form_id`` of a page (a submit button's own pair
    is added by the caller)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.pairs.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def inputs(html: str, form_id: str = "builder") -> list[tuple[str, str]]:
    parser = FormInputs(form_id)
    parser.feed(html)
    assert parser.pairs, html[:3000]
    return parser.pairs


def replaced(pairs, **values):
    """``pairs`` with the values of some names replaced (names with dots as ``__``)."""
    wanted = {name.replace("__", "."): value for name, value in values.items()}
    return [(name, wanted.get(name, value)) for name, value in pairs]


def signed_in(console_app, who: str = "Quản trị A"):
    client = console_app.test_client()
    secret = issue_sign_in_link(wiring.context(), who)
    assert client.get("/admin_console/sign-in", query_string={"t": secret}).status_code == 303
    return client


def editor_html(client, form_id: str, query: str = "") -> str:
    page = client.get(f"/admin_console/forms/{form_id}/edit{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    return page.get_data(as_text=True)


def post(client, form_id: str, pairs, op: str, path: str = "edit"):
    body = urlencode([*pairs, ("op", op)])
    return client.post(
        f"/admin_console/forms/{form_id}/{path}", data=body, content_type="application/x-www-form-urlencoded"
    )


def assert_strict(response, frame: str = "'none'") -> None:
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert f"frame-ancestors {frame}" in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), "an inline script"
    assert not re.search(r"\sstyle=", html)


def test_the_seed_form_drawn_by_the_editor_posts_back_as_itself(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, seed_form())
    client = signed_in(console_app)
    html = editor_html(client, "kiem-tra-6-thang-2019")
    page = client.get("/admin_console/forms/kiem-tra-6-thang-2019/edit")
    assert_strict(page)
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    # Every rule of the seed form is said in words beside it.
    assert "hiện khi Đơn vị có quản lý nguồn vốn vay ủy thác" in html
    response = post(client, "kiem-tra-6-thang-2019", inputs(html), "save")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    saved = forms.get_form(ctx, "kiem-tra-6-thang-2019")["draft"]
    assert saved == check_definition(seed_form())


def test_build_check_fix_save_and_publish_without_javascript(project, console_app):
    ctx = wiring.context()
    client = signed_in(console_app)
    created = client.post(
        "/admin_console/forms",
        data={"csrf": csrf(client.get("/admin_console/forms")), "new_id": "mau-moi", "new_title": "Mẫu mới"},
    )
    assert created.status_code == 303
    assert created.headers["Location"] == "forms/mau-moi/edit?created=1"
    html = editor_html(client, "mau-moi")
    # A checklist item, then a select: each button redraws the page with the new field.
    pairs = replaced(inputs(html), sections__0__new_type="checklist")
    html = post(client, "mau-moi", pairs, "add_field:sections.0").get_data(as_text=True)
    assert 'name="sections.0.fields.1.max_score"' in html
    pairs = replaced(inputs(html), sections__0__new_type="select_one")
    html = post(client, "mau-moi", pairs, "add_field:sections.0").get_data(as_text=True)
    # The new fields have no labels yet: the page says so at each label and will not save.
    pairs = inputs(html)
    response = post(client, "mau-moi", pairs, "save")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html
    assert 'href="#e-sections-0-fields-1-label-vi"' in html
    assert 'id="e-sections-0-fields-1-label-vi-error"' in html
    assert forms.get_form(ctx, "mau-moi")["draft"]["sections"][0]["fields"][-1]["type"] == "text"  # nothing saved
    # Fixed: labels given, a rule built from conditions, a number read the Vietnamese way.
    pairs = replaced(
        pairs,
        sections__0__fields__1__label__vi="Mục kiểm tra",
        sections__0__fields__1__max_score="12,5",
        sections__0__fields__2__label__vi="Tần suất",
        sections__0__fields__2__choices__0__label__vi="Hằng tháng",
        sections__0__fields__2__choices__1__label__vi="Hằng quý",
    )
    pairs += [
        ("sections.0.fields.0.relevant.mode", "builder"),
        ("sections.0.fields.0.relevant.c.0.field", "phan_1.select_one_2"),
        ("sections.0.fields.0.relevant.c.0.op", "=="),
        ("sections.0.fields.0.relevant.c.0.value", "b"),
    ]
    pairs = [(n, v) for n, v in pairs if n != "sections.0.fields.0.relevant.mode" or v == "builder"]
    response = post(client, "mau-moi", pairs, "save")
    assert response.status_code == 303, response.get_data(as_text=True)[:4000]
    draft = forms.get_form(ctx, "mau-moi")["draft"]
    fields = draft["sections"][0]["fields"]
    assert fields[1]["max_score"] == 12.5
    assert fields[0]["relevant"] == {"==": [{"var": ["phan_1.select_one_2", ""]}, "b"]}
    html = editor_html(client, "mau-moi", "?saved=1")
    assert "hiện khi Tần suất là “Hằng quý”" in html
    assert 'id="publish-link"' in html
    # Publishing: the change list, then the version.
    publish_page = client.get("/admin_console/forms/mau-moi/publish")
    text = publish_page.get_data(as_text=True)
    assert "Đây là phiên bản đầu tiên" in text
    published = client.post(
        "/admin_console/forms/mau-moi/publish", data={"csrf": csrf(publish_page), "etag": etag_of(text)}
    )
    assert published.status_code == 303
    assert published.headers["Location"] == "../../forms/mau-moi/versions/1?published=1"
    assert forms.get_form(ctx, "mau-moi")["latest_version"] == 1


def csrf(response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True))
    assert found
    return found.group(1)


def etag_of(html: str) -> str:
    found = re.search(r'name="etag" value="([^"]+)"', html)
    assert found, html[:3000]
    return found.group(1)


def test_two_admins_on_one_draft_the_second_sees_the_change_and_loses_nothing(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    first, second = signed_in(console_app, "Quản trị A"), signed_in(console_app, "Quản trị B")
    first_pairs = inputs(editor_html(first, "mau-nho"))
    second_pairs = inputs(editor_html(second, "mau-nho"))
    # A raises a.so's maximum and saves; B, who opened the same draft, changes b.ten's length.
    assert post(first, "mau-nho", replaced(first_pairs, sections__0__fields__2__max="50"), "save").status_code == 303
    response = post(second, "mau-nho", replaced(second_pairs, sections__1__fields__0__max_length="30"), "save")
    assert response.status_code == 412
    html = response.get_data(as_text=True)
    assert 'id="conflict"' in html
    assert "Quản trị A" in html
    assert "Quản trị A đã lưu lúc" in html
    assert "Sửa Số lượng (a.so): Lớn nhất" in html  # what A changed, in words
    # The page holds B's edit on top of A's draft; saving it keeps both.
    pairs = inputs(html)
    assert ("sections.1.fields.0.max_length", "30") in pairs
    assert ("sections.0.fields.2.max", "50") in pairs
    assert post(second, "mau-nho", pairs, "save").status_code == 303
    draft = forms.get_form(ctx, "mau-nho")["draft"]
    assert draft["sections"][0]["fields"][2]["max"] == 50
    assert draft["sections"][1]["fields"][0]["max_length"] == 30


def test_two_admins_change_one_fields_choices_both_kept_the_clash_shown_at_the_choice(project, console_app, admin):
    """A saves through the API (PUT with If-Match); B, who opened the editor before, changes the
    same field's choices: what does not meet merges, the one choice both relabelled is shown at
    that choice with both labels, B's in the box; B's save keeps everything, A's stale one is 412."""
    etag = admin("POST", "/forms", small_form()).json["etag"]
    second = signed_in(console_app, "Quản trị B")
    second_pairs = inputs(editor_html(second, "mau-nho"))
    theirs = check_definition(small_form())
    tan_suat = theirs["sections"][0]["fields"][6]["choices"]
    tan_suat.append({"value": "tuan", "label": {"vi": "Hằng tuần", "en": "Weekly"}})
    tan_suat[1]["label"]["vi"] = "Mỗi quý"
    theirs["sections"][0]["fields"][7]["choices"][0]["label"]["en"] = "In person"
    saved = admin("PUT", "/forms/mau-nho/draft", theirs, headers={"If-Match": etag})
    assert saved.status_code == 200
    # A stale If-Match is refused, and what changed since is named choice by choice.
    assert admin("PUT", "/forms/mau-nho/draft", small_form(), headers={"If-Match": etag}).status_code == 412
    since = admin("GET", f"/forms/mau-nho/draft/changes?since={etag}").json["changes"]
    assert {"change": "choice_added", "field": "a.tan_suat", "value": "tuan"} in since
    assert {"change": "choice_changed", "field": "a.tan_suat", "value": "quy"} in since
    assert {"change": "choice_changed", "field": "a.hinh_thuc", "value": "truc_tiep"} in since
    pairs = replaced(
        second_pairs,
        sections__0__fields__6__choices__0__label__vi="Mỗi tháng",
        sections__0__fields__6__choices__1__label__vi="Quý một lần",
        sections__0__fields__7__choices__0__label__vi="Gặp mặt",
    )
    response = post(second, "mau-nho", pairs, "save")
    assert response.status_code == 412
    html = response.get_data(as_text=True)
    assert "Thêm lựa chọn “tuan” ở Tần suất (a.tan_suat)" in html
    # The one clash, at the choice's row: both labels, B's in the box.
    note = re.search(r'<div class="b-clash" id="e-sections-0-fields-6-choices-1-clash"[^>]*>(.*?)</div>', html, re.S)
    assert note, html[:4000]
    said = "Nhãn · Tiếng Việt: admin cũng đã sửa thành “Mỗi quý”; ô đang giữ bản của bạn, “Quý một lần”"
    assert said in note.group(1)
    assert html.count('class="b-clash"') == 1
    assert 'href="#e-sections-0-fields-6-choices-1-clash"' in html
    pairs = inputs(html)
    assert ("sections.0.fields.6.choices.0.label.vi", "Mỗi tháng") in pairs
    assert ("sections.0.fields.6.choices.1.label.vi", "Quý một lần") in pairs
    assert ("sections.0.fields.6.choices.2.value", "tuan") in pairs
    assert ("sections.0.fields.7.choices.0.label.en", "In person") in pairs
    # Any other button draws the note again while it stands; taking their label settles it.
    again = post(second, "mau-nho", pairs, "check")
    assert again.status_code == 200
    assert 'id="e-sections-0-fields-6-choices-1-clash"' in again.get_data(as_text=True)
    settled = replaced(inputs(again.get_data(as_text=True)), sections__0__fields__6__choices__1__label__vi="Mỗi quý")
    html = post(second, "mau-nho", settled, "check").get_data(as_text=True)
    assert 'class="b-clash"' not in html
    assert 'id="conflict"' in html  # what they changed is still listed until the save
    pairs = replaced(inputs(html), sections__0__fields__6__choices__1__label__vi="Quý một lần")
    assert post(second, "mau-nho", pairs, "save").status_code == 303
    draft = admin("GET", "/forms/mau-nho").json["draft"]
    assert draft["sections"][0]["fields"][6]["choices"] == [
        {"value": "thang", "label": {"vi": "Mỗi tháng", "en": "Monthly"}},
        {"value": "quy", "label": {"vi": "Quý một lần", "en": "Quarterly"}},
        {"value": "tuan", "label": {"vi": "Hằng tuần", "en": "Weekly"}},
    ]
    assert draft["sections"][0]["fields"][7]["choices"][0]["label"] == {"vi": "Gặp mặt", "en": "In person"}
    # A, still on the etag of their own save, cannot overwrite B's merge.
    assert admin("PUT", "/forms/mau-nho/draft", theirs, headers={"If-Match": saved.json["etag"]}).status_code == 412


def test_a_shared_list_both_changed_is_noted_at_its_choice(project, console_app, admin):
    """The form's shared choice lists merge by choice too: a choice both relabelled is noted at
    its row in the (opened) list; a choice one added is there; a field using the list follows."""
    form = small_form()
    form["choice_sets"] = {
        "muc_do": [{"value": "tot", "label": {"vi": "Tốt"}}, {"value": "kha", "label": {"vi": "Khá"}}]
    }
    del form["sections"][0]["fields"][6]["choices"]
    form["sections"][0]["fields"][6]["choice_set"] = "muc_do"
    etag = admin("POST", "/forms", form).json["etag"]
    second = signed_in(console_app, "Quản trị B")
    second_pairs = inputs(editor_html(second, "mau-nho"))
    form["choice_sets"]["muc_do"][1]["label"]["vi"] = "Khá tốt"
    form["choice_sets"]["muc_do"].append({"value": "yeu", "label": {"vi": "Yếu"}})
    assert admin("PUT", "/forms/mau-nho/draft", form, headers={"If-Match": etag}).status_code == 200
    response = post(
        second, "mau-nho", replaced(second_pairs, choice_sets__0__choices__1__label__vi="Trung bình"), "save"
    )
    assert response.status_code == 412
    html = response.get_data(as_text=True)
    assert '<details class="b-sets" id="e-choice_sets" open>' in html
    note = re.search(r'<div class="b-clash" id="e-choice_sets-0-choices-1-clash"[^>]*>(.*?)</div>', html, re.S)
    assert note, html[:4000]
    assert "“Khá tốt”" in note.group(1)
    assert "“Trung bình”" in note.group(1)
    # One conflict, listed once and noted once: the field that uses the list is none of its own.
    assert html.count('class="b-clash"') == 1
    assert html.count('-clash">') == 1
    pairs = inputs(html)
    assert ("choice_sets.0.choices.2.value", "yeu") in pairs
    assert post(second, "mau-nho", pairs, "save").status_code == 303
    draft = admin("GET", "/forms/mau-nho").json["draft"]
    assert [c["label"]["vi"] for c in draft["choice_sets"]["muc_do"]] == ["Tốt", "Trung bình", "Yếu"]
    assert draft["sections"][0]["fields"][6]["choices"] == draft["choice_sets"]["muc_do"]


def test_a_key_renamed_on_the_page_takes_the_other_admins_edits_along(project, console_app, admin):
    """B renames a.so and relabels it while A raises its maximum: one field, both edits, no note."""
    etag = admin("POST", "/forms", small_form()).json["etag"]
    second = signed_in(console_app, "Quản trị B")
    second_pairs = inputs(editor_html(second, "mau-nho"))
    theirs = check_definition(small_form())
    theirs["sections"][0]["fields"][2]["max"] = 50
    assert admin("PUT", "/forms/mau-nho/draft", theirs, headers={"If-Match": etag}).status_code == 200
    pairs = replaced(
        second_pairs, sections__0__fields__2__key="so_luong", sections__0__fields__2__label__vi="Số lượng (cái)"
    )
    response = post(second, "mau-nho", pairs, "save")
    assert response.status_code == 412
    html = response.get_data(as_text=True)
    assert 'class="b-clash"' not in html
    assert post(second, "mau-nho", inputs(html), "save").status_code == 303
    fields = admin("GET", "/forms/mau-nho").json["draft"]["sections"][0]["fields"]
    assert [f["key"] for f in fields][:4] == ["ck1", "ck2", "so_luong", "tien"]
    assert (fields[2]["label"]["vi"], fields[2]["max"]) == ("Số lượng (cái)", 50)


def test_the_preview_is_the_web_forms_page_for_what_the_editor_holds(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    pairs = replaced(inputs(editor_html(client, "mau-nho")), sections__0__fields__2__label__vi="Số công trình")
    response = post(client, "mau-nho", replaced(pairs, preview_lang="en"), "preview", path="preview")
    assert response.status_code == 200
    assert_strict(response, frame="'self'")
    html = response.get_data(as_text=True)
    assert 'id="rules"' in html
    assert "form.js" in html
    assert "Số công trình" in html
    assert '<html lang="en">' in html
    src = re.search(r'src="([^"]*/form\.js[^"]*)"', html).group(1)
    script = client.get(urljoin("/admin_console/forms/mau-nho/preview", src))
    assert script.status_code == 200
    broken = replaced(pairs, sections__0__fields__2__key="Sai khóa")
    html = post(client, "mau-nho", broken, "preview", path="preview").get_data(as_text=True)
    assert 'id="preview-errors"' in html


def test_the_forms_list_and_a_round_started_from_a_version(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    rounds.put_unit(ctx, "u1", {"name": "Đơn vị 1"})
    client = signed_in(console_app)
    listed = client.get("/admin_console/forms").get_data(as_text=True)
    assert 'data-form="mau-nho"' in listed
    assert "Đã công bố" in listed
    page = client.get("/admin_console/forms/mau-nho/versions/1/round")
    assert page.status_code == 200
    response = client.post(
        "/admin_console/forms/mau-nho/versions/1/round",
        data={
            "csrf": csrf(page),
            "id": "dot-1",
            "title_vi": "Đợt 1",
            "opens": "12/06/2019",
            "closes": "20/06/2019",
            "unit_ids": "u1",
            "open_now": "1",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert rounds.get_round_doc(ctx, "dot-1")["form_version"] == 1
    listed = client.get("/admin_console/forms").get_data(as_text=True)
    assert "Đợt 1 (phiên bản 1)" in listed
    edited = copy.deepcopy(small_form())
    edited["sections"][0]["fields"][6]["choices"].pop()
    forms.put_draft(ctx, "mau-nho", edited, forms.get_form(ctx, "mau-nho")["etag"])
    publish = client.get("/admin_console/forms/mau-nho/publish").get_data(as_text=True)
    assert "Bỏ lựa chọn “quy” ở Tần suất (a.tan_suat)" in publish
    assert 'id="rounds-in-progress"' in publish
    assert "Đợt 1" in publish


def test_a_version_is_viewed_and_compared_with_another(project, console_app):
    ctx = wiring.context()
    created = forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    edited = copy.deepcopy(small_form())
    edited["sections"][0]["fields"][2].update(key="so_luong", renamed_from="so", max=50)
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    forms.publish_version(ctx, "mau-nho")
    client = signed_in(console_app)
    page = client.get("/admin_console/forms/mau-nho/versions/2?with=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Khác biệt từ phiên bản 1 đến phiên bản 2" in html
    assert "Đổi mã a.so thành Số lượng (a.so_luong)" in html
    assert client.get("/admin_console/forms/mau-nho/versions/3").status_code == 404
    # ?with= is the client's: a number of thousands of digits is no version (int() refused it, a 500).
    odd = client.get("/admin_console/forms/mau-nho/versions/2?with=" + "1" * 5000)
    assert odd.status_code == 200
    assert "Khác biệt từ phiên bản" not in odd.get_data(as_text=True)


def test_the_editor_speaks_english_errors_included(project, console_app):
    forms.create_form(wiring.context(), small_form())
    client = signed_in(console_app)
    html = client.get("/admin_console/forms/mau-nho/edit?lang=en").get_data(as_text=True)
    assert "Save the draft" in html
    pairs = [p for p in inputs(html) if not p[0].startswith("sections.0.fields.6.choices.")]
    response = post(client, "mau-nho", replaced(pairs, sections__0__fields__3__min="1,5"), "save")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A choice field needs at least one choice." in html
    assert 'href="#e-sections-0-fields-6-choices"' in html
    # "1,5" is no English number, but reads one way as Vietnamese: 1.5, shown back the English way.
    assert 'name="sections.0.fields.3.min" value="1.5"' in html


def test_a_form_goes_out_as_a_workbook_and_comes_back_as_a_new_form(project, console_app):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    listed = client.get("/admin_console/forms")
    workbook = client.get("/admin_console/forms/mau-nho/draft.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"] == 'attachment; filename="mau-nho-draft.xlsx"'
    token = csrf(listed)
    imported = client.post(
        "/admin_console/forms/import",
        data={"csrf": token, "import_id": "mau-chep", "workbook": (io.BytesIO(workbook.data), "mau.xlsx")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 303, imported.get_data(as_text=True)[:3000]
    copied = forms.get_form(ctx, "mau-chep")["draft"]
    assert copied["sections"] == forms.get_form(ctx, "mau-nho")["draft"]["sections"]
    refused = client.post(
        "/admin_console/forms/import",
        data={"csrf": token, "workbook": (io.BytesIO(b"not a workbook"), "sai.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert 'id="import-problems"' in refused.get_data(as_text=True)


def test_after_a_button_the_keyboard_is_where_it_was(project, console_app):
    forms.create_form(wiring.context(), small_form())
    client = signed_in(console_app)
    pairs = inputs(editor_html(client, "mau-nho"))
    html = post(client, "mau-nho", pairs, "up:sections.0.fields.3").get_data(as_text=True)
    assert re.search(r'<button[^>]*value="up:sections\.0\.fields\.2"[^>]*autofocus', html)
    html = post(client, "mau-nho", inputs(html), "add_field:sections.1").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="sections\.1\.fields\.3\.label\.vi"[^>]*autofocus', html)


@pytest.mark.parametrize(
    ("extra", "op"),
    [
        ([("sections.0.relevant.json", "[" * 990 + "]" * 990)], "save"),  # parses, too deep to check
        ([("sections.0.relevant.json", "[" * 100_000)], "save"),  # too deep for the parser
        ([("sections." + "9" * 5000 + ".key", "x")], "save"),  # past int()'s 4300 digits
        ([], "remove:sections.0.fields." + "9" * 5000),
    ],
)
def test_an_absurd_editor_post_redraws_the_page_not_a_500(project, console_app, extra, op):
    ctx = wiring.context()
    forms.create_form(ctx, small_form())
    client = signed_in(console_app)
    form_id = small_form()["id"]
    html = editor_html(client, form_id)
    before = forms.get_form(ctx, form_id)["etag"]
    names = {name for name, _ in extra}
    pairs = [(n, v) for n, v in inputs(html) if n not in names and n != "sections.0.relevant.mode"]
    response = post(client, form_id, [*pairs, ("sections.0.relevant.mode", "json"), *extra], op)
    if extra and "json" in extra[0][0]:
        # The rule is refused at its input; nothing saved.
        assert response.status_code == 422, response.get_data(as_text=True)[:2000]
        assert forms.get_form(ctx, form_id)["etag"] == before
    else:
        # An input or button no page draws: ignored (the page redrawn, or the rest saved).
        assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
