"""What changed between two revisions, field by field, shown as the reports show answers."""

from __future__ import annotations

import copy

from checkround.forms.definition import check_definition
from checkround.reports.history import compare
from tests.support import small_form

REPEAT = {
    "key": "cong_trinh",
    "type": "repeat",
    "label": {"vi": "Công trình", "en": "Projects"},
    "fields": [
        {"key": "ten", "type": "text", "label": {"vi": "Tên", "en": "Name"}},
        {"key": "gia_tri", "type": "decimal", "label": {"vi": "Giá trị", "en": "Value"}},
    ],
}

BEFORE = {
    "a": {"ck1": {"status": "partial", "score": 7.0, "note": "Chưa sơ kết"}, "so": 12, "tan_suat": "quy"},
    "b": {"ten": "Cũ", "cong_trinh": [{"ten": "Đường", "gia_tri": 1500.5}]},
}


def definition():
    form = small_form()
    form["sections"][1]["fields"].append(copy.deepcopy(REPEAT))
    return check_definition(form)


def test_changes_are_listed_in_form_order_as_the_reports_show_them():
    after = copy.deepcopy(BEFORE)
    after["a"]["ck1"] = {"status": "yes", "score": 10.0}
    after["a"]["tien"] = 2500.25
    del after["a"]["tan_suat"]
    after["b"]["cong_trinh"].append({"ten": "Cầu", "gia_tri": 20})
    changes = compare(definition(), BEFORE, after, "vi")
    assert [(c.name, c.change) for c in changes] == [
        ("a.ck1", "changed"),
        ("a.tien", "added"),
        ("a.tan_suat", "removed"),
        ("b.cong_trinh.1.ten", "added"),
        ("b.cong_trinh.1.gia_tri", "added"),
    ]
    first = changes[0]
    assert (first.before, first.after) == ("Đạt một phần · 7/10 · Chưa sơ kết", "Đạt · 10/10")
    assert (changes[1].before, changes[1].after) == ("—", "2.500,25")  # Vietnamese numbers
    assert changes[2].before == "Hằng quý"  # a choice by its label
    assert changes[3].label == "Công trình › Mục 2 › Tên"
    assert changes[0].section == "Phần A"


def test_english_and_nothing_changed():
    assert compare(definition(), BEFORE, copy.deepcopy(BEFORE), "en") == []
    after = copy.deepcopy(BEFORE)
    after["b"]["cong_trinh"][0]["gia_tri"] = 1600
    (change,) = compare(definition(), BEFORE, after, "en")
    assert (change.label, change.before, change.after) == ("Projects › Item 1 › Value", "1,500.5", "1,600")
    # An empty answer and a missing one are the same: no change.
    blank = copy.deepcopy(BEFORE)
    blank["b"]["ten_extra"] = ""
    blank["a"]["hinh_thuc"] = []
    assert compare(definition(), BEFORE, blank, "en") == []
