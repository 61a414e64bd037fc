"""Validation messages for units' answers, in Vietnamese and English.

marshmallow's defaults are English; the compiler hands these to each field so that
``error.fields`` follows ``Accept-Language`` like the rest of the error body.
"""

from __future__ import annotations

from checkround.formats.text import LANGUAGES, in_language

_MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        "required": "Hãy trả lời câu hỏi này.",
        "null": "Hãy trả lời câu hỏi này.",
        # What to do when an answer is missing, one message per kind of question (the registry's
        # ``asks``); "required" stays for what has no kind.
        "answer_text": "Nhập câu trả lời cho câu hỏi này.",
        "answer_email": "Nhập địa chỉ thư điện tử, ví dụ ten@donvi.vn.",
        "answer_phone": "Nhập số điện thoại, ví dụ 0912 345 678.",
        "answer_number": "Nhập một số.",
        "answer_rating": "Chọn một mức từ 1 đến {max}.",
        "answer_boolean": "Chọn “Có” hoặc “Không”.",
        "answer_date": "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/06/2019.",
        "answer_time": "Nhập giờ theo dạng giờ:phút, ví dụ 09:30.",
        "answer_datetime": "Nhập ngày và giờ.",
        "answer_choice": "Chọn một câu trả lời.",
        "answer_choices": "Chọn ít nhất một câu trả lời.",
        "answer_rows": "Thêm ít nhất một mục.",
        "invalid": "Giá trị không hợp lệ.",
        "invalid_integer": "Phải là một số nguyên.",
        "invalid_number": "Phải là một số.",
        "invalid_string": "Phải là văn bản.",
        "invalid_boolean": "Phải là có hoặc không.",
        "invalid_date": "Phải là một ngày hợp lệ (YYYY-MM-DD).",
        "invalid_list": "Phải là một danh sách.",
        "invalid_object": "Phải là một nhóm giá trị (object).",
        "too_large": "Số quá lớn.",
        "special": "Không nhận NaN hoặc vô cực.",
        "unknown": "Biểu mẫu không có câu hỏi này.",
        "min": "Nhập một số từ {min} trở lên.",
        "max": "Nhập một số không quá {max}.",
        "range": "Nhập một số từ {min} đến {max}.",
        "min_length": "Phải có ít nhất {min} ký tự.",
        "max_length": "Không được quá {max} ký tự.",
        "length": "Phải có từ {min} đến {max} ký tự.",
        "one_of": "Phải là một trong các lựa chọn: {choices}.",
        "contains_only": "Có lựa chọn không nằm trong danh sách: {choices}.",
        "repeated_choice": "Mỗi lựa chọn chỉ được chọn một lần.",
        "min_items": "Phải chọn ít nhất {min} mục.",
        "max_items": "Không được chọn quá {max} mục.",
        "items": "Phải chọn từ {min} đến {max} mục.",
        "invalid_time": "Phải là giờ hợp lệ (HH:MM).",
        "invalid_datetime": "Phải là thời điểm hợp lệ, có múi giờ (ví dụ 2019-06-14T09:30+07:00).",
        "email": "Địa chỉ thư điện tử không hợp lệ.",
        "phone": "Số điện thoại không hợp lệ.",
        "constraint": "Giá trị không thỏa điều kiện của biểu mẫu.",
        "unreadable_date": "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/06/2019.",
        "date_range": "Hãy chọn một ngày từ {min} đến {max}.",
        "date_min": "Hãy chọn một ngày từ {min} trở đi.",
        "date_max": "Hãy chọn một ngày không muộn hơn {max}.",
        # A checklist item's parts: which one is wrong, and what to do.
        "checklist_required": "Chọn kết quả và nhập điểm cho mục này.",
        "status_required": "Chọn kết quả cho mục này.",
        "score_required": "Nhập điểm cho mục này.",
        "score_range": "Nhập điểm từ {min} đến {max}.",
        "score_yes": "Kết quả “Đạt” thì điểm phải lớn hơn 0 và không quá {max}.",
        "score_partial": "Kết quả “Đạt một phần” thì điểm phải lớn hơn 0 và nhỏ hơn {max}.",
        "score_no": "Kết quả “Chưa đạt” thì điểm phải là 0.",
        "reviewer_only": "Mục này do Đoàn kiểm tra nhập khi duyệt báo cáo; đơn vị không gửi câu trả lời cho mục này.",
        "unreadable_number": "Chưa đọc được số này. Hãy nhập một số, ví dụ 1.265,5 hoặc 2,5.",
        "unreadable_integer": "Hãy nhập một số nguyên, không có phần thập phân, ví dụ 2.340 hoặc 15.",
        "ambiguous_number": (
            "Chưa rõ “{text}” là {first} hay {second}: hãy nhập lại đúng số cần ghi, {first} hoặc {second}."
        ),
    },
    "en": {
        "required": "Answer this question.",
        "null": "Answer this question.",
        "answer_text": "Type an answer to this question.",
        "answer_email": "Enter an e-mail address, such as name@unit.vn.",
        "answer_phone": "Enter a phone number, such as 0912 345 678.",
        "answer_number": "Enter a number.",
        "answer_rating": "Choose a level from 1 to {max}.",
        "answer_boolean": "Choose “Yes” or “No”.",
        "answer_date": "Enter a date as day/month/year, such as 14/06/2019.",
        "answer_time": "Enter a time as hours:minutes, such as 09:30.",
        "answer_datetime": "Enter a date and a time.",
        "answer_choice": "Choose an answer.",
        "answer_choices": "Choose at least one answer.",
        "answer_rows": "Add at least one entry.",
        "invalid": "Invalid value.",
        "invalid_integer": "Must be a whole number.",
        "invalid_number": "Must be a number.",
        "invalid_string": "Must be text.",
        "invalid_boolean": "Must be yes or no.",
        "invalid_date": "Must be a valid date (YYYY-MM-DD).",
        "invalid_list": "Must be a list.",
        "invalid_object": "Must be a group of values (an object).",
        "too_large": "Number too large.",
        "special": "NaN and infinity are not allowed.",
        "unknown": "The form has no such question.",
        "min": "Enter a number of at least {min}.",
        "max": "Enter a number of at most {max}.",
        "range": "Enter a number from {min} to {max}.",
        "min_length": "Must be at least {min} characters long.",
        "max_length": "Must be at most {max} characters long.",
        "length": "Must be between {min} and {max} characters long.",
        "one_of": "Must be one of: {choices}.",
        "contains_only": "Some choices are not in the list: {choices}.",
        "repeated_choice": "Each choice may be picked once only.",
        "min_items": "Choose at least {min}.",
        "max_items": "Choose at most {max}.",
        "items": "Choose between {min} and {max}.",
        "invalid_time": "Must be a valid time (HH:MM).",
        "invalid_datetime": "Must be a valid date and time with an offset (e.g. 2019-06-14T09:30+07:00).",
        "email": "Not a valid e-mail address.",
        "phone": "Not a valid phone number.",
        "constraint": "This value does not meet the form's condition.",
        "unreadable_date": "Type the date as day/month/year, for example 14/06/2019.",
        "date_range": "Choose a date from {min} to {max}.",
        "date_min": "Choose a date on or after {min}.",
        "date_max": "Choose a date on or before {max}.",
        "checklist_required": "Choose a result and enter a score for this item.",
        "status_required": "Choose a result for this item.",
        "score_required": "Enter a score for this item.",
        "score_range": "Enter a score from {min} to {max}.",
        "score_yes": "A “met” result needs a score above 0 and at most {max}.",
        "score_partial": "A “partly met” result needs a score above 0 and below {max}.",
        "score_no": "A “not met” result scores 0.",
        "reviewer_only": "The inspection team fills this in when it reviews the report; a unit does not answer it.",
        "unreadable_number": "This is not a number we can read. Type a number such as 1,265.5 or 2.5.",
        "unreadable_integer": "Type a whole number, without decimals, such as 2,340 or 15.",
        "ambiguous_number": (
            "“{text}” could be {first} or {second}: type the number you mean again, as {first} or {second}."
        ),
    },
}


def messages(language: str) -> dict[str, str]:
    return in_language(_MESSAGES, language)


def pick_language(accept_language: str | None, default: str = "vi") -> str:
    """The best of our languages for an ``Accept-Language`` header (q-values respected)."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
