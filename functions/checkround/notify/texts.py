"""The fixed wording of every message, in Vietnamese and English: the templates in
``templates/notify/`` say nothing in a language of their own, they read this catalogue
(``t``), so that a language's text lives in one place."""

from __future__ import annotations

from typing import Any

from checkround.formats.text import in_language

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "hello": "Kính gửi {name},",
        "hello_admin": "Kính gửi quản trị viên,",
        "link_opened": "Đợt kiểm tra «{round}» đã mở. Đề nghị {unit} gửi báo cáo trước {deadline}.",
        "link_again": "Đây là đường dẫn mới để {unit} báo cáo trong đợt kiểm tra «{round}» (hạn chót {deadline}).",
        "link_intro": "Mở đường dẫn sau để điền và gửi báo cáo:",
        "link_personal": "Đường dẫn này dành riêng cho {name}; xin đừng chuyển tiếp cho người khác.",
        "reminder_before": "{unit} chưa gửi báo cáo đợt kiểm tra «{round}». Hạn chót là {deadline}.",
        "reminder_grace": (
            "Đã quá hạn {closes} mà {unit} chưa gửi báo cáo đợt kiểm tra «{round}». "
            "Báo cáo vẫn được nhận (là báo cáo muộn) đến {deadline}."
        ),
        "returned": "Báo cáo của {unit} trong đợt kiểm tra «{round}» được trả lại để bổ sung, sửa chữa.",
        "returned_comments": "Ý kiến của người kiểm tra:",
        "returned_message": "Lời nhắn:",
        "returned_again": "Sửa theo ý kiến trên rồi gửi lại trước {deadline}.",
        "accepted": "Báo cáo của {unit} trong đợt kiểm tra «{round}» đã được chấp nhận (lần gửi thứ {revision}).",
        "accepted_pdf": "Bản báo cáo đã được chấp nhận được gửi kèm (PDF).",
        "summary": "Báo cáo tổng hợp đợt kiểm tra «{round}» đã sẵn sàng: {reported}/{total} đơn vị đã báo cáo.",
        "summary_link": "Tải báo cáo tổng hợp (cần đăng nhập quản trị):",
        "digest": "Báo cáo mới trong đợt kiểm tra «{round}» từ {since}:",
        "digest_late": "muộn",
        "digest_total": "Đã có {reported}/{total} đơn vị báo cáo.",
        "footer": "Thư này được gửi tự động từ Checkround; xin đừng trả lời thư này.",
        "subject_link": "[{round}] Đường dẫn báo cáo của {unit}",
        "subject_reminder": "[{round}] Nhắc: {unit} chưa gửi báo cáo (hạn {deadline})",
        "subject_returned": "[{round}] Báo cáo của {unit} được trả lại",
        "subject_accepted": "[{round}] Báo cáo của {unit} đã được chấp nhận",
        "subject_summary": "[{round}] Báo cáo tổng hợp đã sẵn sàng",
        "subject_digest": "[{round}] {count} báo cáo mới",
    },
    "en": {
        "hello": "Dear {name},",
        "hello_admin": "Dear administrator,",
        "link_opened": "The round “{round}” is open. {unit} is asked to report by {deadline}.",
        "link_again": "Here is a new link for {unit} to report in the round “{round}” (deadline {deadline}).",
        "link_intro": "Open this link to fill in and send the report:",
        "link_personal": "This link is for {name} only; please do not forward it.",
        "reminder_before": "{unit} has not yet reported in the round “{round}”. The deadline is {deadline}.",
        "reminder_grace": (
            "The deadline {closes} has passed and {unit} has not reported in the round “{round}”. "
            "A report is still accepted (as late) until {deadline}."
        ),
        "returned": "The report of {unit} in the round “{round}” was returned for changes.",
        "returned_comments": "The inspectors' comments:",
        "returned_message": "Message:",
        "returned_again": "Make the changes and send it again by {deadline}.",
        "accepted": "The report of {unit} in the round “{round}” was accepted (submission {revision}).",
        "accepted_pdf": "The accepted report is attached (PDF).",
        "summary": "The summary of the round “{round}” is ready: {reported} of {total} units reported.",
        "summary_link": "Download the summary (admin sign-in needed):",
        "digest": "New reports in the round “{round}” since {since}:",
        "digest_late": "late",
        "digest_total": "{reported} of {total} units have reported.",
        "footer": "This message was sent by Checkround; please do not reply to it.",
        "subject_link": "[{round}] The reporting link of {unit}",
        "subject_reminder": "[{round}] Reminder: {unit} has not reported (deadline {deadline})",
        "subject_returned": "[{round}] The report of {unit} was returned",
        "subject_accepted": "[{round}] The report of {unit} was accepted",
        "subject_summary": "[{round}] The summary is ready",
        "subject_digest": "[{round}] {count} new reports",
    },
}


class Texts:
    """One language's half of the catalogue, as templates use it: ``t('hello', name=…)``."""

    def __init__(self, language: str) -> None:
        self._texts = in_language(TEXTS, language)

    def __call__(self, key: str, **params: Any) -> str:
        return self._texts[key].format(**params)
