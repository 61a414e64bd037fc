"""The error catalogue: every error a client can see, with its HTTP status and its message.

Services raise :class:`AppError` with a code from :data:`CATALOG`; the HTTP layer maps it to a
response in one place. Validation errors carry marshmallow's nested ``field -> messages`` shape
unchanged under ``fields``, and name what was refused (``subject``: a unit, a round, a report…)
in their message, while the code stays ``validation_failed`` for clients that branch on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .formats.text import in_language_tree, localized


@dataclass(frozen=True)
class ErrorKind:
    status: int
    vi: str
    en: str
    # What was refused -> its (vi, en) sentence, for a kind whose own sentence cannot say it.
    subjects: Mapping[str, tuple[str, str]] = field(default_factory=dict)


CATALOG: dict[str, ErrorKind] = {
    "bad_request": ErrorKind(400, "Yêu cầu không hợp lệ: {detail}", "Bad request: {detail}"),
    "too_deep": ErrorKind(
        400,
        "Nội dung JSON lồng nhau quá sâu (tối đa {limit} tầng).",
        "The JSON body is nested too deeply (at most {limit} levels).",
    ),
    "unauthenticated": ErrorKind(401, "Thiếu hoặc sai mã truy cập.", "Missing or invalid access token."),
    "token_expired": ErrorKind(
        401,
        "Đường dẫn đã hết hạn vì đợt kiểm tra đã kết thúc.",
        "This link has expired: the round has ended.",
    ),
    "forbidden": ErrorKind(
        403, "Mã truy cập không có quyền với tài nguyên này.", "This token may not access this resource."
    ),
    "not_found": ErrorKind(404, "Không tìm thấy {what}.", "{what} not found."),
    "method_not_allowed": ErrorKind(405, "Phương thức không được hỗ trợ.", "Method not allowed."),
    "already_exists": ErrorKind(409, "{what} đã tồn tại.", "{what} already exists."),
    "round_not_open": ErrorKind(
        409, "Đợt kiểm tra chưa mở hoặc chưa đến thời gian nhận báo cáo.", "The round is not open."
    ),
    "round_closed": ErrorKind(409, "Đợt kiểm tra đã kết thúc, không nhận thêm báo cáo.", "The round is closed."),
    "invalid_state": ErrorKind(409, "Không thể thực hiện: {detail}", "Not possible: {detail}"),
    "idempotency_conflict": ErrorKind(
        409,
        "Khóa Idempotency-Key đã được dùng cho một nội dung khác.",
        "This Idempotency-Key was already used with a different body.",
    ),
    "version_conflict": ErrorKind(
        412,
        "Bản nháp đã bị người khác sửa; hãy tải lại rồi sửa tiếp.",
        "The draft was changed by someone else; reload it and try again.",
    ),
    "too_large": ErrorKind(
        413, "Nội dung gửi lên quá lớn (tối đa {limit} byte).", "Request body too large (at most {limit} bytes)."
    ),
    "unsupported_media_type": ErrorKind(
        415, "Chỉ nhận nội dung JSON (application/json).", "Only application/json is accepted."
    ),
    "invalid_definition": ErrorKind(422, "Định nghĩa biểu mẫu có lỗi.", "The form definition has errors."),
    "rules_differ": ErrorKind(
        422,
        "Phiên bản {version} của biểu mẫu {form_id} có quy tắc mà trang web và máy chủ sẽ tính khác nhau "
        "(quy tắc được kiểm tra kỹ hơn từ sau khi phiên bản này được phát hành; xem từng quy tắc bên dưới). "
        "Hãy sửa bản nháp, phát hành phiên bản mới và dùng phiên bản đó. Chưa có gì được lưu.",
        "Version {version} of form {form_id} has rules that the web page and the server would compute "
        "differently (rules are checked more closely since it was published; each is named below). Correct "
        "the draft, publish a new version and use that one. Nothing was stored.",
    ),
    "invalid_xlsform": ErrorKind(
        422,
        "Bảng tính biểu mẫu có lỗi (theo trang, dòng và cột bên dưới); chưa có gì được lưu.",
        "The form's spreadsheet has errors (by sheet, row and column below); nothing was stored.",
    ),
    "validation_failed": ErrorKind(
        422,
        "Nội dung gửi lên có trường chưa hợp lệ.",
        "Some fields are not valid.",
        subjects={
            "answers": ("Báo cáo có trường chưa hợp lệ.", "Some answers are not valid."),
            "unit": ("Thông tin đơn vị có trường chưa hợp lệ.", "Some of the unit's fields are not valid."),
            "round": ("Thông tin đợt kiểm tra có trường chưa hợp lệ.", "Some of the round's fields are not valid."),
            "reopen": (
                "Yêu cầu mở lại đợt kiểm tra có trường chưa hợp lệ.",
                "Some fields of the request to reopen the round are not valid.",
            ),
            "links": (
                "Yêu cầu cấp hoặc thu hồi đường dẫn có trường chưa hợp lệ.",
                "Some fields of the request for the units' links are not valid.",
            ),
            "admin_token": (
                "Yêu cầu cấp mã quản trị có trường chưa hợp lệ.",
                "Some fields of the request for an admin token are not valid.",
            ),
            "document": (
                "Yêu cầu về văn bản báo cáo có trường chưa hợp lệ; chưa có gì được lưu.",
                "Some fields of the request about the report document are not valid; nothing was stored.",
            ),
            "assessment": (
                "Đánh giá của Đoàn kiểm tra có trường chưa hợp lệ; chưa có gì được lưu.",
                "Some fields of the inspection team's assessment are not valid; nothing was stored.",
            ),
            "return": (
                "Yêu cầu trả lại báo cáo có trường chưa hợp lệ.",
                "Some fields of the request to return the report are not valid.",
            ),
            "notifications": (
                "Thiết lập gửi thông báo có trường chưa hợp lệ.",
                "Some of the notification settings are not valid.",
            ),
            "webhook": ("Thông tin webhook có trường chưa hợp lệ.", "Some of the webhook's fields are not valid."),
            "message_template": (
                "Mẫu thư không dùng được: mẫu chỉ được dùng các giá trị của thư.",
                "The message template cannot be used: a template may only use the message's values.",
            ),
            "accept": (
                "Yêu cầu duyệt báo cáo có trường chưa hợp lệ.",
                "Some fields of the request to accept the report are not valid.",
            ),
            "roster": (
                "Tệp danh sách đơn vị không dùng được.",
                "The roster file cannot be used.",
            ),
            "recommendation": (
                "Kiến nghị có trường chưa hợp lệ.",
                "Some of the recommendation's fields are not valid.",
            ),
        },
    ),
    "rules_too_costly": ErrorKind(
        422,
        "Các quy tắc của biểu mẫu cần quá nhiều phép tính với những câu trả lời này nên không kiểm tra "
        "được; chưa có gì được lưu. Hãy bớt số dòng hoặc độ dài câu trả lời, hoặc báo người quản trị biểu mẫu.",
        "The form's rules need too much computation for these answers, so they could not be checked; "
        "nothing was stored. Send fewer rows or shorter answers, or tell the form's administrator.",
    ),
    "busy": ErrorKind(
        503,
        "Hệ thống đang bận vì nhiều người gửi cùng lúc; vui lòng gửi lại sau giây lát. Chưa có gì được lưu.",
        "Too many requests at once; nothing was stored, please send again in a moment.",
    ),
    "unavailable": ErrorKind(
        503,
        "Cơ sở dữ liệu không phản hồi nên chưa rõ nội dung đã được lưu hay chưa; vui lòng gửi lại "
        "(gửi lại cùng một báo cáo với cùng Idempotency-Key chỉ được lưu một lần).",
        "The database did not answer, so this may or may not have been stored; please send it again "
        "(sent again with the same Idempotency-Key, it is stored once).",
    ),
    "submission_accepted": ErrorKind(
        409,
        "Báo cáo đã được duyệt (chấp nhận) nên không sửa hay gửi lại được nữa. Nếu cần sửa, hãy đề nghị "
        "người quản lý đợt kiểm tra trả lại báo cáo; chưa có gì được lưu.",
        "The submission has been accepted, so it can no longer be changed or sent again. If it must be "
        "corrected, ask the round's organisers to return it; nothing was stored.",
    ),
    "revision_changed": ErrorKind(
        409,
        "Đơn vị đã gửi lần {revision} sau khi trang này được mở; hãy xem lại lần gửi mới trước. Chưa có gì được lưu.",
        "The unit has sent revision {revision} since this page was opened; look at it first. Nothing was stored.",
    ),
    "round_not_closed": ErrorKind(
        409,
        "Chỉ ghi kiến nghị khi đợt kiểm tra đã kết thúc.",
        "Recommendations are recorded once the round has closed.",
    ),
    "summary_not_ready": ErrorKind(409, "Báo cáo tổng hợp chưa sẵn sàng.", "The summary is not ready yet."),
}


class AppError(Exception):
    """An error a client caused or may see; ``code`` is a key of :data:`CATALOG`."""

    def __init__(
        self,
        code: str,
        fields: dict[Any, Any] | None = None,
        subject: str | None = None,
        **params: Any,
    ) -> None:
        if code not in CATALOG:
            raise KeyError(f"unknown error code {code!r}")
        if subject is not None and subject not in CATALOG[code].subjects:
            raise KeyError(f"error code {code!r} has no subject {subject!r}")
        super().__init__(code)
        self.code = code
        self.fields = fields
        self.subject = subject
        self.params = params

    @property
    def status(self) -> int:
        return CATALOG[self.code].status

    def message(self, language: str = "vi") -> str:
        kind = CATALOG[self.code]
        vi, en = kind.subjects[self.subject] if self.subject is not None else (kind.vi, kind.en)
        template = en if language == "en" else vi
        # A parameter may itself be bilingual ({"vi": ..., "en": ...}) so that nouns translate too.
        params = {
            key: localized(value, language) if isinstance(value, dict) else value for key, value in self.params.items()
        }
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template

    def to_body(self, language: str = "vi") -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message(language)}
        if self.fields is not None:
            # Messages built in both languages (meta-validation's) are given in the reader's.
            error["fields"] = in_language_tree(self.fields, language)
        return {"error": error}
