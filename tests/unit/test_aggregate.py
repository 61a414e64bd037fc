"""Aggregation against a hand-computed fixture: 4 units in 2 clusters, one does not report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checkround.forms.definition import check_definition
from checkround.reports.aggregate import aggregate
from tests.support import small_form

ROUND = {
    "id": "r1",
    "title": {"vi": "Đợt 1", "en": "Round 1"},
    "unit_ids": ["u1", "u2", "u3", "u4"],
    "opens_at": datetime(2019, 6, 11, 17, 0, tzinfo=UTC),
    "closes_at": datetime(2019, 6, 20, 16, 59, tzinfo=UTC),
    "time_zone": "Asia/Ho_Chi_Minh",
    "language": "vi",
    "clusters": {"c1": {"vi": "Cụm 1", "en": "Cluster 1"}},
}
UNITS = {
    "u1": {"name": "Đơn vị Một", "cluster": "c1"},
    "u2": {"name": "Đơn vị Hai", "cluster": "c1"},
    "u3": {"name": "Đơn vị Ba", "cluster": "c2"},
    "u4": {"name": "Đơn vị Bốn", "cluster": "c2"},
}


def sub(answers, late=False):
    return {"answers": answers, "late": late, "submitted_at": datetime(2019, 6, 14, 2, 30, tzinfo=UTC), "revision": 1}


SUBMISSIONS = [
    ("u1", sub({"a": {"ck1": {"status": "yes", "score": 9}, "ck2": {"status": "partial", "score": 3}, "so": 10,
                      "tan_suat": "thang", "hinh_thuc": ["truc_tiep", "truc_tuyen"], "co": True},
                "b": {"uu_diem": "Làm tốt", "han_che": "Họp chưa đều"}})),
    ("u2", sub({"a": {"ck1": {"status": "partial", "score": 7}, "ck2": {"status": "yes", "score": 5}, "so": 4,
                      "tan_suat": "quy", "hinh_thuc": ["truc_tiep"], "co": False}}, late=True)),
    ("u3", sub({"a": {"ck1": {"status": "no", "score": 2}, "so": 7, "tan_suat": "quy"},
                "b": {"uu_diem": "  "}})),
]  # fmt: skip


@pytest.fixture(scope="module")
def summary():
    return aggregate(ROUND, check_definition(small_form()), UNITS, iter(SUBMISSIONS))


def field(summary, key):
    return next(f for s in summary["sections"] for f in s["fields"] if f["key"] == key)


def test_participation(summary):
    assert summary["participation"] == {
        "total": 4, "submitted": 3, "on_time": 2, "late": 1, "missing": 1, "missing_units": ["Đơn vị Bốn"],
    }  # fmt: skip


def test_checklist_counts_and_scores(summary):
    ck1 = field(summary, "ck1")["result"]
    assert ck1["counts"] == {"yes": 1, "partial": 1, "no": 1}
    assert ck1["mean_score"] == pytest.approx(6.0)
    ck2 = field(summary, "ck2")["result"]
    assert ck2["counts"] == {"yes": 1, "partial": 1, "no": 0}
    assert ck2["answered"] == 2


def test_numbers_and_choices(summary):
    so = field(summary, "so")["result"]
    assert (so["count"], so["sum"], so["min"], so["max"]) == (3, 21, 4, 10)
    assert so["mean"] == pytest.approx(7.0)
    tan_suat = field(summary, "tan_suat")["result"]
    assert tan_suat["counts"] == {"thang": 1, "quy": 2}
    assert tan_suat["shares"]["quy"] == pytest.approx(2 / 3)
    assert field(summary, "hinh_thuc")["result"]["counts"] == {"truc_tiep": 2, "truc_tuyen": 1}
    assert field(summary, "co")["result"]["yes"] == 1
    assert field(summary, "co")["result"]["no"] == 1


def test_scores_and_ranking_per_cluster(summary):
    totals = {u["id"]: u["total_score"] for u in summary["units"] if u["reported"]}
    assert totals == {"u1": 12, "u2": 12, "u3": 2}
    clusters = {c["id"]: c for c in summary["clusters"]}
    assert clusters["c1"]["name"] == "Cụm 1"
    # A tie shares the rank; order then follows the name.
    assert [(r["id"], r["rank"]) for r in clusters["c1"]["ranking"]] == [("u2", 1), ("u1", 1)]
    # The unit that did not report is listed in its cluster, unranked, as not reported.
    assert [(r["id"], r["rank"], r["reported"]) for r in clusters["c2"]["ranking"]] == [
        ("u3", 1, True),
        ("u4", None, False),
    ]
    assert summary["form"]["max_score"] == 15


def test_texts_attributed_to_units_and_gaps(summary):
    assert summary["strengths"] == [{"unit_id": "u1", "unit": "Đơn vị Một", "text": "Làm tốt"}]
    assert summary["shortcomings"] == [{"unit_id": "u1", "unit": "Đơn vị Một", "text": "Họp chưa đều"}]
    gaps = {g["label"]: [u["unit"] for u in g["units"]] for g in summary["gaps"]}
    assert gaps == {"Mục 1": ["Đơn vị Hai", "Đơn vị Ba"], "Mục 2": ["Đơn vị Một"]}


def test_times_are_shown_in_the_round_time_zone(summary):
    assert summary["round"]["opens_on"] == "12/06/2019"
    assert summary["round"]["closes_on"] == "20/06/2019"
    assert next(u for u in summary["units"] if u["id"] == "u1")["submitted_at"] == "14/06/2019 09:30"


def test_english_round_uses_english_labels():
    summary = aggregate({**ROUND, "language": "en"}, check_definition(small_form()), UNITS, iter(SUBMISSIONS))
    assert summary["round"]["title"] == "Round 1"
    assert field(summary, "tan_suat")["choice_labels"] == {"thang": "Monthly", "quy": "Quarterly"}


def test_submissions_outside_the_roster_are_ignored():
    stray = [*SUBMISSIONS, ("u9", sub({"a": {"so": 1000}}))]
    summary = aggregate(ROUND, check_definition(small_form()), UNITS, iter(stray))
    assert field(summary, "so")["result"]["sum"] == 21


def test_repeat_groups_count_items_and_sum_numbers():
    definition = check_definition(
        {
            "id": "lap",
            "title": {"vi": "Lặp"},
            "sections": [
                {
                    "key": "a",
                    "title": {"vi": "A"},
                    "fields": [
                        {"key": "ct", "type": "repeat", "label": {"vi": "Công trình"},
                         "fields": [{"key": "ten", "type": "text", "label": {"vi": "Tên"}},
                                    {"key": "gia_tri", "type": "decimal", "label": {"vi": "Giá trị"}}]},
                    ],
                }
            ],
        }
    )  # fmt: skip
    rows = [
        ("u1", sub({"a": {"ct": [{"ten": "A", "gia_tri": 10}, {"ten": "B", "gia_tri": 2.5}]}})),
        ("u2", sub({"a": {"ct": [{"ten": "C"}]}})),
    ]
    summary = aggregate(ROUND, definition, UNITS, iter(rows))
    result = summary["sections"][0]["fields"][0]["result"]
    listed = result.pop("listed")
    assert result == {"units": 2, "items": 3, "per_unit": {"u1": 2, "u2": 1}, "sums": {"gia_tri": 12.5}}
    assert [(unit, record["ten"]) for unit, record in listed] == [("u1", "A"), ("u1", "B"), ("u2", "C")]


def test_figures_name_their_units_and_say_what_adding_them_up_means(summary):
    so = field(summary, "so")
    assert (so["result"]["min"], so["result"]["min_units"]) == (4, ["u2"])
    assert (so["result"]["max"], so["result"]["max_units"]) == (10, ["u1"])
    assert (so["summed"], so["whole"], so["score_total"]) == (True, True, False)  # a count: no decimals


def test_a_computed_total_of_scores_is_not_a_figure_to_add_up():
    raw = small_form()
    raw["sections"][0]["fields"].append(
        {
            "key": "tong",
            "type": "calculated",
            "label": {"vi": "Tổng điểm"},
            "calculate": {"+": [{"var": ["a.ck1.score", 0]}]},
        }
    )
    raw["sections"][0]["fields"].append(
        {
            "key": "nhan_doi",
            "type": "calculated",
            "label": {"vi": "Gấp đôi"},
            "calculate": {"*": [{"var": ["a.so", 0]}, 2]},
        }
    )
    done = aggregate(ROUND, check_definition(raw), UNITS, iter(SUBMISSIONS))
    assert (field(done, "tong")["score_total"], field(done, "tong")["summed"]) == (True, False)
    assert (field(done, "nhan_doi")["score_total"], field(done, "nhan_doi")["summed"]) == (False, False)


def test_repeat_records_are_listed_with_their_unit():
    raw = small_form()
    raw["sections"][1]["fields"].append(
        {
            "key": "ct",
            "type": "repeat",
            "label": {"vi": "Công trình"},
            "fields": [
                {"key": "ten", "type": "text", "label": {"vi": "Tên"}},
                {"key": "gia_tri", "type": "decimal", "label": {"vi": "Giá trị"}, "unit": {"vi": "triệu đồng"}},
            ],
        }
    )
    records = [{"ten": "Đường thanh niên", "gia_tri": 385}, {"ten": "Sân chơi", "gia_tri": 120}]
    done = aggregate(ROUND, check_definition(raw), UNITS, iter([("u1", sub({"b": {"ct": records}}))]))
    result = field(done, "ct")["result"]
    assert result["listed"] == [("u1", records[0]), ("u1", records[1])]
    assert result["sums"] == {"gia_tri": 505}
