"""What a refused workbook is told, in Vietnamese and English, and the collector of problems.

Every problem is addressed to a cell: :class:`Problems` gathers them as
``{sheet: {row: {column: [message, ...]}}}`` (marshmallow's nested shape, rows numbered as the
spreadsheet numbers them), so all of a workbook's problems are reported at once.
"""

from __future__ import annotations

from typing import Any

from checkround.formats.text import in_language

# key: (Vietnamese, English)
_SAID: dict[str, tuple[str, str]] = {
    "not_workbook": (
        "Tệp gửi lên không phải bảng tính XLSX đọc được.",
        "The file is not an XLSX workbook that can be read.",
    ),
    "too_big": (
        "Bảng tính khi giải nén lớn hơn {limit} byte.",
        "The workbook is larger than {limit} bytes once unpacked.",
    ),
    "too_many_rows": ("Trang tính có quá {limit} dòng.", "The sheet has more than {limit} rows."),
    "too_many_columns": ("Trang tính có quá {limit} cột.", "The sheet has more than {limit} columns."),
    "no_survey": ("Bảng tính không có trang “survey”.", "The workbook has no 'survey' sheet."),
    "no_fields": ("Trang “survey” không có trường nào.", "The 'survey' sheet has no fields."),
    "needs_form_id": (
        "Cần mã biểu mẫu: ghi vào cột form_id của trang “settings” hoặc gửi kèm ?id=.",
        "A form id is needed: in the settings sheet's form_id column, or as ?id=.",
    ),
    "unsupported_column": (
        "Cột {column!r} không được hỗ trợ; hãy xóa nội dung của cột này.",
        "The column {column!r} is not supported; empty it or remove it.",
    ),
    "unsupported_language": (
        "Ngôn ngữ {language!r} không phải ngôn ngữ của biểu mẫu (Tiếng Việt (vi), English (en)).",
        "The language {language!r} is not one of the form's (Tiếng Việt (vi), English (en)).",
    ),
    "not_for_group": (
        "Cột {column!r} không dùng cho nhóm.",
        "The column {column!r} does not apply to a group.",
    ),
    "unknown_type": (
        "Loại {type!r} không có trong sản phẩm này; hãy đổi sang loại khác hoặc xóa dòng.",
        "The type {type!r} has no counterpart in this product; change it or delete the row.",
    ),
    "needs_type": ("Dòng có nội dung nhưng chưa có loại (type).", "The row has content but no type."),
    "select_needs_list": (
        "Cần tên danh sách lựa chọn sau {type!r}, ví dụ “{type} ten_danh_sach”.",
        "A list name must follow {type!r}, as in '{type} list_name'.",
    ),
    "unknown_list": (
        "Trang “choices” không có danh sách {list!r}.",
        "The choices sheet has no list {list!r}.",
    ),
    "needs_name": ("Cần tên (name).", "A name is needed."),
    "needs_label": ("Cần nhãn (label).", "A label is needed."),
    "ambiguous_name": (
        "Có nhiều trường tên {name!r}; hãy viết ${{phan.{name}}} để chỉ rõ.",
        "More than one field is named {name!r}; write ${{section.{name}}} to say which.",
    ),
    "unmatched_end": ("{type!r} không khớp với nhóm nào đang mở.", "{type!r} closes no open group."),
    "unclosed": ("Nhóm này chưa được đóng bằng {end!r}.", "This group is not closed by {end!r}."),
    "nested_repeat": (
        "Nhóm lặp không thể nằm trong nhóm lặp khác.",
        "A repeat group cannot be inside another repeat group.",
    ),
    "calculation_needs_calculate": (
        "Chỉ dòng loại calculate mới có cột calculation.",
        "Only a row of type calculate may have a calculation.",
    ),
    "bad_integer": ("Cần một số nguyên.", "A whole number is needed."),
    "bad_number": ("Cần một số.", "A number is needed."),
    "bad_boolean": ("Cần “yes” hoặc “no”.", "'yes' or 'no' is needed."),
    "bad_date": ("Cần một ngày (yyyy-mm-dd).", "A date (yyyy-mm-dd) is needed."),
    "bad_json": ("Nội dung JSON không đọc được.", "The JSON cannot be read."),
    "bad_text": ("Cần một đoạn văn bản.", "A text is needed."),
    "duplicate_choice_list": (
        "Danh sách {list!r} được dùng như bộ lựa chọn dùng chung nhưng không có trong trang “choices”.",
        "The list {list!r} is named a shared set but the choices sheet has no such list.",
    ),
    # expressions (.expressions.ExpressionError keys)
    "syntax": (
        "Không đọc được biểu thức ở ký tự thứ {column}.",
        "The expression cannot be read at character {column}.",
    ),
    "unknown_name": ("Không có trường nào tên {name!r}.", "No field is named {name!r}."),
    "unknown_function": (
        "Hàm {function}() không được hỗ trợ; xem các hàm được hỗ trợ trong tài liệu.",
        "The function {function}() is not supported; see the supported ones in the documentation.",
    ),
    "arity": ("Hàm {function}() cần {count} tham số.", "{function}() takes {count} arguments."),
    "length_alone": (
        "string-length() chỉ dùng để so sánh với một số nguyên, ví dụ string-length(.) <= 100.",
        "string-length() can only be compared with a whole number, as in string-length(.) <= 100.",
    ),
    "length_compare": (
        "string-length() chỉ so sánh được với một số nguyên dương.",
        "string-length() can only be compared with a positive whole number.",
    ),
    "needs_field": (
        "Tham số đầu tiên của {function}() phải là một trường, ví dụ ${{ten_truong}}.",
        "The first argument of {function}() must be a field, as in ${{field}}.",
    ),
    "needs_choice_field": (
        "{function}() chỉ dùng với trường lựa chọn.",
        "{function}() only applies to a choice field.",
    ),
    "selected_value": (
        "Tham số thứ hai của selected() phải là giá trị của một lựa chọn.",
        "The second argument of selected() must be a choice's value.",
    ),
    "coalesce_default": (
        "Tham số thứ hai của coalesce() phải là một giá trị cố định.",
        "The second argument of coalesce() must be a literal.",
    ),
    "no_current": (
        "Dấu chấm (.) chỉ dùng trong quy tắc của một trường.",
        "A dot (.) can only be used in a field's rule.",
    ),
}


def said(key: str, language: str, /, **params: Any) -> str:
    vi, en = _SAID[key]
    return in_language({"vi": vi, "en": en}, language).format(**params)


def keys() -> frozenset[str]:
    return frozenset(_SAID)


class Problems:
    """Problems by sheet, row and column, in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.tree: dict[str, dict[int, dict[str, list[Any]]]] = {}

    def add(self, sheet: str, row: int, column: str, key: str, /, **params: Any) -> None:
        self.put(sheet, row, column, said(key, self.language, **params))

    def put(self, sheet: str, row: int, column: str, message: Any) -> None:
        messages = self.tree.setdefault(sheet, {}).setdefault(row, {}).setdefault(column, [])
        if message not in messages:
            messages.append(message)

    def rows_with_problems(self, sheet: str) -> set[int]:
        return set(self.tree.get(sheet, {}))

    def __bool__(self) -> bool:
        return bool(self.tree)
