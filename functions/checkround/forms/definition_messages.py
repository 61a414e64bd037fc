"""What meta-validation says about an admin's definition, in Vietnamese and English.

Every message the form checks write is :func:`said` from :data:`_SAID`: a
:class:`~checkround.formats.text.Bilingual` string, English as a ``str`` (what the API has
always returned) that also knows its Vietnamese. marshmallow's own messages (a missing key, a
wrong type, a length) are English only; :func:`bilingual_errors` gives them their Vietnamese
from :data:`_DEFAULTS`, so an error tree of ``check_definition`` can be shown entirely in the
admin's language (``in_language_tree``). The catalogue of the unit's answer messages is
:mod:`.messages`.
"""

from __future__ import annotations

import re
from typing import Any

from checkround.formats.text import Bilingual

_SAID: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "not_object": ("Định nghĩa biểu mẫu phải là một đối tượng JSON.", "A form definition must be a JSON object."),
    "too_big": (
        "Định nghĩa biểu mẫu dài tối đa {limit} byte; bản này dài {size} byte.",
        "A form definition may be at most {limit} bytes; this one is {size}.",
    ),
    "wrong_id": ("Mã của biểu mẫu phải là {form_id!r}.", "The definition's id must be {form_id!r}."),
    "too_many_fields": (
        "Một biểu mẫu có tối đa {limit} trường; biểu mẫu này có {count}.",
        "A form may have at most {limit} fields; this one has {count}.",
    ),
    "required_shape": (
        "“Bắt buộc” phải là có, không, hoặc một quy tắc JSON Logic.",
        "required must be true, false or a JSON Logic rule.",
    ),
    "option_not_for_type": (
        "Tùy chọn {option!r} không dùng được cho loại {type!r}.",
        "Option {option!r} does not apply to type {type!r}.",
    ),
    "role_needs_text": (
        "Chỉ trường văn bản mới có thể đưa vào phần ưu điểm, hạn chế, đề xuất của báo cáo tổng hợp.",
        "Only text fields can have a role in the summary.",
    ),
    "nested_repeat": (
        "Một nhóm lặp không thể chứa nhóm lặp khác.",
        "A repeat group cannot hold another repeat group.",
    ),
    "message_needs_constraint": (
        "Chỉ có thể ghi thông báo khi có điều kiện (constraint).",
        "constraint_message needs a constraint.",
    ),
    "filled_by_in_group": (
        "Các trường của nhóm lặp do người điền nhóm điền: hãy đặt filled_by cho cả nhóm.",
        "A repeat group's fields are filled by whoever fills the group: set filled_by on the group.",
    ),
    "shown_to_unit_section": (
        "shown_to_unit chỉ dùng cho phần do Đoàn kiểm tra điền (filled_by: reviewer).",
        "shown_to_unit applies to a section filled_by: reviewer.",
    ),
    "shown_to_unit_field": (
        "shown_to_unit chỉ dùng cho trường do Đoàn kiểm tra điền (filled_by: reviewer).",
        "shown_to_unit applies to a field filled_by: reviewer.",
    ),
    "self_assessment_needs_reviewer": (
        "self_assessment chỉ dùng cho tiêu chí chấm điểm do Đoàn kiểm tra chấm (filled_by: reviewer).",
        "self_assessment applies to a checklist item filled_by: reviewer.",
    ),
    "self_assessment_shown": (
        "Tiêu chí đơn vị tự đánh giá thì đơn vị phải nhìn thấy: bỏ shown_to_unit: false.",
        "A self-assessed item is filled by the unit, so its form shows it.",
    ),
    "duplicate_field_key": ("Mã trường {key!r} bị trùng.", "Duplicate field key {key!r}."),
    "duplicate_section_key": ("Mã phần {key!r} bị trùng.", "Duplicate section key {key!r}."),
    "low_above_high": ("{low} ({lo}) lớn hơn {high} ({hi}).", "{low} ({lo}) is greater than {high} ({hi})."),
    "choices_or_set": (
        "Chỉ ghi danh sách lựa chọn hoặc bộ lựa chọn dùng chung, không ghi cả hai.",
        "Give either choices or choice_set, not both.",
    ),
    "no_choices": ("Trường lựa chọn cần ít nhất một lựa chọn.", "A choice field needs at least one choice."),
    "duplicate_choice": ("Giá trị lựa chọn {value!r} bị trùng.", "Duplicate choice value {value!r}."),
    "duplicate_in_set": ("Bộ lựa chọn này có giá trị bị trùng.", "Duplicate choice values in this set."),
    "unknown_choice_set": ("Không có bộ lựa chọn {name!r}.", "Unknown choice set {name!r}."),
    "needs_max_score": ("Mục kiểm tra cần có điểm tối đa (max_score).", "A checklist item needs max_score."),
    "positive_max_score": ("Điểm tối đa phải là một số dương.", "max_score must be a positive number."),
    "repeat_needs_field": ("Nhóm lặp cần ít nhất một trường.", "A repeat group needs at least one field."),
    "needs_calculate": (
        "Trường tính toán cần một quy tắc tính (calculate).",
        "A calculated field needs a calculate rule.",
    ),
    "reads_unknown": (
        "Quy tắc đọc {read!r}, không phải một trường của biểu mẫu này.",
        "The rule reads {read!r}, which is not a field of this form.",
    ),
    "reads_whole_group": (
        "Quy tắc của một trường trong nhóm lặp đọc cả nhóm {read!r}: mỗi dòng sẽ duyệt lại mọi dòng. "
        "Hãy đọc các trường của chính dòng đó bằng {item}.<mã>.",
        "A rule of a repeat group's field reads the whole group {read!r}: it would go over "
        "every row once per row. Read the row's own fields with {item}.<key>.",
    ),
    "calculation_loop": (
        "Các phép tính phụ thuộc vòng tròn vào nhau: {loop}.",
        "Calculations depend on each other in a loop: {loop}.",
    ),
    "type_changed": (
        "Không thể đổi loại của một trường đã công bố ({old} → {new}); hãy dùng một mã mới.",
        "The type of a published field cannot change ({old} → {new}); use a new key instead.",
    ),
    "rule_too_deep": (
        "Quy tắc lồng nhau sâu quá {limit} tầng.",
        "The rule is nested deeper than {limit} levels.",
    ),
    "one_operator": (
        "Mỗi đối tượng của quy tắc phải có đúng một phép toán.",
        "Each rule object must have exactly one operator.",
    ),
    "unknown_operator": (
        "Phép toán {operator!r} không có hoặc không được hỗ trợ.",
        "Unknown or unsupported operator {operator!r}.",
    ),
    "reduce_doubles": (
        "Một phép reduce nối giá trị tích lũy với chính nó (cat hoặc merge) nên tăng gấp đôi ở mỗi mục. "
        "Hãy đọc giá trị tích lũy một lần.",
        "A reduce joins its accumulator with itself (cat or merge): it doubles at every item. "
        "Read the accumulator once.",
    ),
    "var_literal": ("Đường dẫn của var phải là một chuỗi cố định.", "A var path must be a literal string."),
    "rule_not_json": ("Quy tắc phải là JSON.", "A rule must be JSON."),
    "rule_too_long": ("Quy tắc quá dài.", "The rule is too long."),
    "rule_too_many_parts": ("Quy tắc có hơn {limit} phần.", "The rule has more than {limit} parts."),
    "rule_engine": ("Quy tắc không hợp lệ: {message} (tại {pointer})", "{message} (at {pointer})"),
    "rule_unreadable": ("Không đọc được quy tắc: {message}", "The rule cannot be read: {message}"),
    # A relevant or calculate rule runs in the page too (forms.rule_types): where the server's
    # engine and the browser's would compute different things.
    "rule_needs_default": (
        "Phép {op} đọc một trường có thể chưa được trả lời: hãy cho giá trị mặc định, "
        'ví dụ {{"var": ["phan.truong", 0]}} (máy chủ và trình duyệt hiểu ô trống khác nhau).',
        "The {op} reads a field that may be unanswered: give it a default, for example "
        '{{"var": ["section.field", 0]}} (the server and the browser read an empty answer differently).',
    ),
    "rule_not_number": (
        "Phép {op} chỉ dùng với số (ở đây có {kind}).",
        "The {op} takes numbers only (here: {kind}).",
    ),
    "rule_not_text": ("Phép cat chỉ nối văn bản.", "cat joins text only."),
    "rule_divisor": (
        "Phép {op} phải chia cho một số khác 0 viết trong quy tắc.",
        "The {op} must divide by a number other than 0 written in the rule.",
    ),
    "rule_mixed_comparison": (
        "Phép so sánh {op} phải so hai giá trị cùng loại: số, văn bản hoặc có/không (ở đây: {kinds}).",
        "The comparison {op} must compare two values of one type: numbers, text or yes/no (here: {kinds}).",
    ),
    "rule_null_comparison": (
        "Đừng so sánh {op} với null: hãy dùng missing, hoặc đọc trường với giá trị mặc định.",
        "Do not compare {op} with null: use missing, or read the field with a default.",
    ),
    "rule_arity": (
        "Phép {op} có số giá trị không đúng (so sánh: hai giá trị; trừ, chia, chia lấy dư: một hoặc hai).",
        "The {op} has the wrong number of values (a comparison two; -, / and % one or two).",
    ),
    "rule_empty_extreme": ("Phép {op} cần ít nhất một giá trị.", "The {op} needs at least one value."),
    "rule_reads_section": (
        "Quy tắc không đọc được cả phần {section!r}: hãy đọc từng trường của phần đó "
        "(máy chủ và trình duyệt hiểu một phần trống khác nhau).",
        "A rule cannot read the whole section {section!r}: read its fields one by one "
        "(the server and the browser read an empty section differently).",
    ),
    "rule_default_kind": (
        "Giá trị mặc định của {read!r} phải cùng loại với câu trả lời ({kind}), không phải null hay một đối tượng "
        "(máy chủ và trình duyệt hiểu các giá trị ấy khác nhau).",
        "The default of {read!r} must be of its answer's type ({kind}), not null or an object "
        "(the server and the browser read those differently).",
    ),
    "rule_not_list": (
        "Phép {op} cần một danh sách: một trường nhiều lựa chọn, một nhóm lặp, hoặc một danh sách viết "
        "trong quy tắc (ở đây có {kind}).",
        "The {op} needs a list: a select_multiple, a repeat group, or a list written in the rule (here: {kind}).",
    ),
    "rule_item_reads": (
        "Bên trong map, filter, all, none, some, reduce, quy tắc chỉ đọc mục đang xét: các trường của nó "
        'theo mã, chính nó là "", và trong reduce là current và accumulator ({read!r} không phải; '
        "missing cũng không dùng ở đây). Máy chủ và trình duyệt tìm những giá trị khác ở những chỗ khác nhau.",
        "Inside map, filter, all, none, some and reduce a rule reads only the item: its fields by their keys, "
        'the item itself as "", and in reduce current and accumulator ({read!r} is none of them; nor is '
        "missing used there). The server and the browser look for anything else in different places.",
    ),
    "rule_in": (
        "Phép in tìm một văn bản trong một văn bản viết trong quy tắc (không rỗng), hoặc một giá trị trong "
        "danh sách; cả hai phải có giá trị "
        '(đọc trường với giá trị mặc định, ví dụ {{"var": ["phan.truong", ""]}}).',
        "The in looks for text in a text written in the rule (not empty), or for a value in a list; both must "
        'have a value (read a field with a default, for example {{"var": ["section.field", ""]}}).',
    ),
    "rule_substr": (
        'Phép substr cắt một văn bản có giá trị (đọc với mặc định "") theo những số nguyên viết trong quy tắc.',
        'The substr cuts text that has a value (read with the default "") at whole numbers written in the rule.',
    ),
    "rule_reads_moment": (
        "Quy tắc chỉ hỏi được giờ hoặc ngày giờ {read!r} đã được trả lời hay chưa: trang web đọc nó như khi "
        "gõ (8:30), máy chủ như khi lưu (08:30:00).",
        "A rule may only ask whether the time {read!r} is answered: the page reads it as typed (8:30), the "
        "server as stored (08:30:00).",
    ),
}


def said(message: str, /, **params: Any) -> Bilingual:
    """The message ``message`` of :data:`_SAID` with ``params``, in both languages."""
    vi, en = _SAID[message]
    return Bilingual(vi.format(**params), en.format(**params))


# marshmallow's default messages (fields and validators) that a definition can meet, with their
# Vietnamese; ``{x}`` matches what marshmallow filled in.
_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("Missing data for required field.", "Thiếu mục bắt buộc này."),
    ("Field may not be null.", "Mục này không được để trống (null)."),
    ("Unknown field.", "Mục này không có trong ngôn ngữ biểu mẫu."),
    ("Invalid input type.", "Phải là một đối tượng."),
    ("Invalid value.", "Giá trị không hợp lệ."),
    ("Not a valid string.", "Phải là văn bản."),
    ("Not a valid integer.", "Phải là một số nguyên."),
    ("Not a valid number.", "Phải là một số."),
    ("Number too large.", "Số quá lớn."),
    ("Special numeric values (nan or infinity) are not permitted.", "Không nhận NaN hoặc vô cực."),
    ("Not a valid list.", "Phải là một danh sách."),
    ("Not a valid mapping type.", "Phải là một bảng tên → giá trị."),
    ("Not a valid date.", "Phải là một ngày (YYYY-MM-DD)."),
    ("Not a valid boolean.", "Phải là có hoặc không."),
    (
        "String does not match expected pattern.",
        "Chỉ dùng chữ thường không dấu, chữ số và dấu _, bắt đầu bằng một chữ cái.",
    ),
    ("Must be one of: {x}.", "Phải là một trong: {x}."),
    ("Shorter than minimum length {x}.", "Phải có ít nhất {x} phần tử hoặc ký tự."),
    ("Longer than maximum length {x}.", "Không được quá {x} phần tử hoặc ký tự."),
    ("Length must be between {x} and {y}.", "Phải có từ {x} đến {y} phần tử hoặc ký tự."),
    ("Length must be {x}.", "Phải có đúng {x} phần tử hoặc ký tự."),
    ("Must be greater than or equal to {x} and less than or equal to {y}.", "Phải từ {x} đến {y}."),
    ("Must be greater than or equal to {x}.", "Phải từ {x} trở lên."),
    ("Must be less than or equal to {x}.", "Không được quá {x}."),
)


def _pattern(english: str) -> re.Pattern[str]:
    escaped = re.escape(english).replace(r"\{x\}", "(?P<x>.*?)").replace(r"\{y\}", "(?P<y>.*?)")
    return re.compile(escaped)


_DEFAULT_PATTERNS = tuple((_pattern(en), vi) for en, vi in _DEFAULTS)


def _bilingual(message: str) -> str:
    if isinstance(message, Bilingual):
        return message
    for pattern, vi in _DEFAULT_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return Bilingual(vi.format(**match.groupdict()), message)
    return message


def bilingual_errors(tree: Any) -> Any:
    """An error tree of meta-validation with marshmallow's English messages made bilingual."""
    if isinstance(tree, str):
        return _bilingual(tree)
    if isinstance(tree, dict):
        return {key: bilingual_errors(item) for key, item in tree.items()}
    if isinstance(tree, list):
        return [bilingual_errors(item) for item in tree]
    return tree
