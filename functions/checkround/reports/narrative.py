"""The narrative the product writes from a round's data, for the committee to start from.

Four parts, as the Standing Committee's report has them: "Nhìn chung" (overall), "Tuy nhiên"
(however), "Phương hướng" (the direction for the coming months) and the closing paragraph.
Each is prose made of the summary's figures (participation, scores with the units that scored
highest and lowest, items every unit met, items not fully met with the units named once), not
the units' paragraphs pasted one after another: their own words, and the inspection team's
remarks on each unit, are in the annex, which the prose refers to. The committee edits any part
of a draft (:mod:`.document`); a part it has not edited is written again from the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkround.formats.numbers import format_number

_SAY: dict[str, dict[str, str]] = {
    "vi": {
        "took_part": "Đợt kiểm tra {title} được tiến hành từ ngày {a} đến ngày {b}.",
        "reported": "{submitted}/{total} đơn vị đã gửi báo cáo theo phiếu kiểm tra",
        "late": ", trong đó {late} đơn vị gửi muộn",
        "missing": "; {names} chưa gửi báo cáo",
        "scores_reviewer": "Theo kết quả chấm của Đoàn kiểm tra",
        "scores_unit": "Theo điểm các đơn vị tự chấm",
        "scores": "{source}, điểm bình quân của {n} đơn vị là {mean}/{max} điểm; "
        "cao nhất là {best} ({best_score} điểm), thấp nhất là {worst} ({worst_score} điểm).",
        "score_one": "{source}, {best} đạt {best_score}/{max} điểm.",
        "met_by_all": "Tất cả các đơn vị được kiểm tra đều đạt các nội dung: {items}.",
        "remarks_reviewer": "Những kết quả nổi bật của từng đơn vị được Đoàn kiểm tra ghi nhận tại Phụ lục 1.",
        "remarks_unit": "Những kết quả nổi bật do từng đơn vị nêu được tổng hợp tại Phụ lục 1.",
        "gap": "{item}: {parts}.",
        "gap_partial": "{n} đơn vị mới đạt một phần ({names})",
        "gap_no": "{n} đơn vị chưa đạt ({names})",
        "no_gaps": "Các đơn vị đã báo cáo đều đạt đầy đủ các nội dung được kiểm tra.",
        "details_reviewer": "Hạn chế cụ thể và đề nghị của Đoàn kiểm tra đối với từng đơn vị được nêu tại Phụ lục 1.",
        "details_unit": "Hạn chế, khó khăn và đề xuất do từng đơn vị nêu được tổng hợp tại Phụ lục 1.",
        "direction": "Trong thời gian tới, các đơn vị tập trung khắc phục những nội dung chưa đạt nêu trên, "
        "trước hết là: {items}; tiếp tục duy trì, phát huy những kết quả đã đạt được.",
        "direction_none": "Trong thời gian tới, các đơn vị tiếp tục duy trì, phát huy những kết quả đã đạt được.",
        "direction_missing": "{names} khẩn trương hoàn thành và gửi báo cáo.",
        "closing": "Trên đây là báo cáo kết quả đợt kiểm tra {title}. {body} thông báo để các đơn vị biết, "
        "thực hiện./.",
        "and": " và ",
    },
    "en": {
        "took_part": "The round {title} ran from {a} to {b}.",
        "reported": "{submitted} of {total} units sent their report on the checklist",
        "late": ", {late} of them late",
        "missing": "; {names} did not report",
        "scores_reviewer": "As the inspection team scored them",
        "scores_unit": "As the units scored themselves",
        "scores": "{source}, the {n} units averaged {mean} of {max} points; the highest was {best} ({best_score}), "
        "the lowest {worst} ({worst_score}).",
        "score_one": "{source}, {best} scored {best_score} of {max} points.",
        "met_by_all": "Every unit inspected met: {items}.",
        "remarks_reviewer": "The inspection team's notes on each unit's strengths are in Annex 1.",
        "remarks_unit": "The strengths each unit reports are in Annex 1.",
        "gap": "{item}: {parts}.",
        "gap_partial": "{n} partly met ({names})",
        "gap_no": "{n} not met ({names})",
        "no_gaps": "Every reporting unit fully met every item inspected.",
        "details_reviewer": "The inspection team's findings and recommendations for each unit are in Annex 1.",
        "details_unit": "The shortcomings, difficulties and proposals each unit reports are in Annex 1.",
        "direction": "In the coming months the units will remedy the items not met above, first of all: {items}; "
        "and keep up what they have achieved.",
        "direction_none": "In the coming months the units will keep up what they have achieved.",
        "direction_missing": "{names} should complete and send their report without delay.",
        "closing": "This is the report on the round {title}. {body} informs the units for their action.",
        "and": " and ",
    },
}


def _names(names: list[str], say: Mapping[str, str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + say["and"] + names[-1]


def _num(value: float, language: str) -> str:
    return format_number(value, language, 2 if value != int(value) else 0)


def write(summary: Mapping[str, Any]) -> dict[str, str]:
    """The four parts of the narrative, each a text whose paragraphs a blank line separates."""
    language = summary["language"]
    say = _SAY["en" if language == "en" else "vi"]
    rnd, part = summary["round"], summary["participation"]
    title = f"“{rnd['title']}”"
    reviewer = summary.get("score_source") == "reviewer"

    overall: list[str] = []
    line = say["reported"].format(**part)
    if part["late"]:
        line += say["late"].format(late=part["late"])
    if part["missing_units"]:
        line += say["missing"].format(names=_names(part["missing_units"], say))
    overall.append(say["took_part"].format(title=title, a=rnd["opens_on"], b=rnd["closes_on"]) + " " + line + ".")
    scored = sorted(
        (u for u in summary["units"] if u.get("total_score") is not None), key=lambda u: -float(u["total_score"])
    )
    if scored and summary["form"]["max_score"]:
        mean = sum(float(u["total_score"]) for u in scored) / len(scored)
        # One unit scored: its score, not an average with itself as highest and lowest.
        overall.append(
            say["scores" if len(scored) > 1 else "score_one"].format(
                source=say["scores_reviewer" if reviewer else "scores_unit"],
                n=len(scored),
                mean=format_number(mean, language, 1),
                max=_num(summary["form"]["max_score"], language),
                best=scored[0]["name"],
                best_score=_num(scored[0]["total_score"], language),
                worst=scored[-1]["name"],
                worst_score=_num(scored[-1]["total_score"], language),
            )
        )
    if summary.get("met_by_all"):
        overall.append(say["met_by_all"].format(items="; ".join(summary["met_by_all"])))
    if summary.get("strengths"):
        overall.append(say["remarks_reviewer" if reviewer else "remarks_unit"])

    however: list[str] = []
    ranked_gaps = sorted(summary.get("gaps") or [], key=lambda g: -len(g["units"]))
    for gap in summary.get("gaps") or []:
        pieces = []
        for status, key in (("partial", "gap_partial"), ("no", "gap_no")):
            names = [u["unit"] for u in gap["units"] if u["status"] == status]
            if names:
                pieces.append(say[key].format(n=len(names), names=_names(names, say)))
        however.append(say["gap"].format(item=gap["label"], parts="; ".join(pieces)))
    if not however:
        however.append(say["no_gaps"])
    if summary.get("shortcomings") or summary.get("proposals"):
        however.append(say["details_reviewer" if reviewer else "details_unit"])

    direction = [
        say["direction"].format(items="; ".join(g["label"] for g in ranked_gaps[:3]))
        if ranked_gaps
        else say["direction_none"]
    ]
    if part["missing_units"]:
        direction.append(say["direction_missing"].format(names=_names(part["missing_units"], say)))

    body = rnd.get("issuing_body") or ""
    closing = say["closing"].format(title=title, body=body).replace(" .", ".").strip()
    return {
        "overall": "\n\n".join(overall),
        "however": "\n\n".join(however),
        "direction": "\n\n".join(direction),
        "closing": closing,
    }
