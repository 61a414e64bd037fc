"""The CLI's own messages in Vietnamese and English (``--lang``; the API's follow Accept-Language).

Result lines that scripts read (``created <id>``, ``published <id> version <n>``, the change
lines) are a fixed output format and stay the same in both languages; only the sentences
meant for a person are translated here.
"""

from __future__ import annotations

LANGUAGES = ("vi", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "unreachable": "error: không kết nối được tới admin API tại {url} ({reason}). "
        "Máy chủ có đang chạy không (make run)? Đặt địa chỉ bằng --url hoặc CHECKROUND_URL.",
        "not_api": "error: {url} không trả lời như admin API của Checkround (HTTP {status}). "
        "Kiểm tra --url hoặc CHECKROUND_URL.",
        "bad_url": "error: --url phải là địa chỉ http:// hoặc https://, không phải {url!r}.",
        "bad_config": "error: cấu hình không hợp lệ: {detail}",
        "no_token": "error: chưa có mã quản trị: dùng --token, đặt CHECKROUND_TOKEN, "
        "hoặc chạy máy chủ cục bộ (make run), nó lưu mã tại {path}.",
        "bad_token": "error: mã quản trị không hợp lệ (có khoảng trắng hoặc ký tự ngoài ASCII).",
        "unreadable": "error: không đọc được {file}: {detail}",
        "unparsable": "error: {file} không phải {kind} hợp lệ: {detail}",
        "bad_suffix": "error: {file}: chỉ nhận tệp .yaml, .yml hoặc .json.",
        "not_mapping": "error: {file} phải chứa một định nghĩa biểu mẫu (một ánh xạ khóa: giá trị).",
        "no_id": "error: {file}: định nghĩa biểu mẫu cần có 'id' (chuỗi).",
        "bad_value": "error: {file}: giá trị tại {path} không dùng được trong JSON ({kind}).",
        "bad_key": "error: {file}: khóa {key!r} tại {path} phải là chuỗi (hãy đặt trong dấu nháy).",
        "too_deep": "error: {file}: cấu trúc lồng nhau quá sâu.",
        "draft_conflict": "Bản nháp của {form_id} vừa bị người khác sửa trong lúc đẩy lên; chưa ghi gì. "
        "Chạy lại lệnh push nếu muốn thay bản của họ bằng {file}.",
        "timed_out": "hết thời gian chờ",
        "connection_failed": "kết nối thất bại",
    },
    "en": {
        "unreachable": "error: cannot reach the admin API at {url} ({reason}). "
        "Is the server running (make run)? Set the address with --url or CHECKROUND_URL.",
        "not_api": "error: {url} did not answer as Checkround's admin API (HTTP {status}). "
        "Check --url or CHECKROUND_URL.",
        "bad_url": "error: --url must be an http:// or https:// address, not {url!r}.",
        "bad_config": "error: invalid configuration: {detail}",
        "no_token": "error: no admin token: pass --token, set CHECKROUND_TOKEN, "
        "or start the local stack (make run), which saves one in {path}.",
        "bad_token": "error: the admin token is not valid (it holds spaces or non-ASCII characters).",
        "unreadable": "error: cannot read {file}: {detail}",
        "unparsable": "error: {file} is not valid {kind}: {detail}",
        "bad_suffix": "error: {file}: only .yaml, .yml and .json files are accepted.",
        "not_mapping": "error: {file} must hold one form definition (a mapping of keys to values).",
        "no_id": "error: {file}: the form definition needs an 'id' (a string).",
        "bad_value": "error: {file}: the value at {path} cannot be sent as JSON ({kind}).",
        "bad_key": "error: {file}: the key {key!r} at {path} must be a string (quote it).",
        "too_deep": "error: {file}: nested too deeply.",
        "draft_conflict": "Someone else changed the draft of {form_id} while this push ran; nothing was written. "
        "Run push again to replace their draft with {file}.",
        "timed_out": "timed out",
        "connection_failed": "connection failed",
    },
}


def text(lang: str, key: str, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    return _TEXTS.get(lang, _TEXTS["vi"])[key].format(**params)
