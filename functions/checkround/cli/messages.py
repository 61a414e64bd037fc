"""The CLI's own messages in Vietnamese and English (``--lang``; the API's follow Accept-Language).

Result lines that scripts read (``created <id>``, ``published <id> version <n>``, the change
lines, ``imported <n> units``, the ``line <n> (<id>): <path>: <message>`` lines of a units
import, ``opened <id>``, ``closed <id>``, ``revoked <n> links``, a round's board, the paths of
downloaded files) are a fixed output format and stay the same in both languages; only the sentences
meant for a person are translated here.
"""

from __future__ import annotations

from checkround.formats.text import in_language

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
        "unpacks_too_big": "error: {file} giải nén ra hơn {limit} byte nên không được mở (giới hạn như máy chủ).",
        "too_many_rows": "error: {file} có hơn {limit} dòng đơn vị (giới hạn như máy chủ).",
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
        # units import / list
        "not_utf8": "error: {file} không phải văn bản UTF-8 (dòng {line}). "
        'Trong Excel, hãy lưu tệp dưới dạng "CSV UTF-8 (Comma delimited)".',
        "bad_csv": "error: {file}: dòng {line}: CSV không hợp lệ: {detail}",
        "no_header": "error: {file} trống; dòng đầu tiên phải là tên các cột: {columns}.",
        "unknown_columns": "error: {file}: cột không xác định {columns}; các cột được nhận: {known}.",
        "not_commas": "Tệp có vẻ được phân cách bằng dấu ';' hoặc tab; hãy lưu dưới dạng CSV phân cách bằng dấu phẩy.",
        "column_twice": "error: {file}: cột {first!r} và cột {second!r} là cùng một trường; chỉ giữ một cột.",
        "missing_column": "error: {file}: dòng tiêu đề thiếu cột {column}; các cột được nhận: {columns}.",
        "unnamed_cell": "error: {file}: dòng {line} có giá trị ở cột thứ {column}, "
        "nhưng dòng tiêu đề không đặt tên cho cột này.",
        "no_units": "error: {file}: không có đơn vị nào dưới dòng tiêu đề.",
        "repeated_id": "error: {file}: mã đơn vị {unit_id!r} xuất hiện ở nhiều dòng: {lines}.",
        "importing": "Đang nhập {count} đơn vị",
        "no_unit_id": "thiếu mã đơn vị",
        "bad_unit_id": "mã đơn vị chỉ gồm chữ thường không dấu, chữ số và '-', "
        "bắt đầu bằng một chữ cái, tối đa 63 ký tự",
        "for_example": "{message} (ví dụ {example!r})",
        "rows_refused": "error: {refused}/{total} dòng không được nhập (đã nhập {imported} đơn vị còn lại):",
        "rows_would_be_refused": "error: {refused}/{total} dòng sẽ bị từ chối (chạy thử: chưa gửi gì):",
        "stopped_at": "Đã dừng ở dòng {line} ({unit_id}); {imported} đơn vị ở các dòng trước đã được nhập. "
        "Có thể chạy lại lệnh: các đơn vị đó chỉ được ghi lại, không sinh bản trùng.",
        # rounds, tokens, summary, export
        "round_not_mapping": "error: {file} phải chứa một đợt kiểm tra (một ánh xạ khóa: giá trị).",
        "parts_not_mapping": "error: {file} phải chứa các phần của văn bản (một ánh xạ khóa: giá trị).",
        "unwritable": "error: không ghi được {file}: {detail}",
        "cut_off": "tải xuống bị ngắt giữa chừng",
        "tokens_once": "Lưu ý: {count} mã truy cập chỉ hiển thị một lần, máy chủ không lưu lại. "
        "Hãy giữ tệp cẩn thận; nếu mất, phát lại bằng: tokens issue --revoke-previous.",
        "tokens_revoked": "Đã thu hồi {count} đường dẫn cũ.",
        "admin_token_once": "Mã quản trị {id} chỉ hiển thị một lần; hết hạn lúc {expires}. "
        "Thu hồi bằng: admin-tokens revoke {id}.",
        "tokens_lost": "Các mã đã được phát nhưng không lưu được: phát lại bằng tokens issue --revoke-previous "
        "(các mã vừa phát sẽ ngừng hoạt động).",
        "group_needs_csv": "--group chỉ dùng với --format csv.",
        "downloading": "Đang tải xuống {file}",
        "waiting_summary": "Đang chờ báo cáo tổng hợp của {round_id}",
        "summary_failed": "Dựng báo cáo tổng hợp thất bại: {error}. "
        "Máy chủ có thể thử lại; chạy lại lệnh này sau, hoặc dùng summary render.",
        "summary_never": "Chưa có báo cáo tổng hợp: đợt đang ở trạng thái {status}. "
        "Báo cáo được dựng khi đóng đợt (rounds close) hoặc bằng summary render.",
        "summary_timeout": "Sau {seconds} giây báo cáo tổng hợp vẫn chưa xong (trạng thái {state}). "
        "Chạy lại với --wait dài hơn.",
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
        "unpacks_too_big": "error: {file} unpacks to more than {limit} bytes: not opened (the server's limit).",
        "too_many_rows": "error: {file} has more than {limit} unit rows (the server's limit).",
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
        # units import / list
        "not_utf8": "error: {file} is not UTF-8 text (line {line}). "
        'In Excel, save it as "CSV UTF-8 (Comma delimited)".',
        "bad_csv": "error: {file}: line {line}: invalid CSV: {detail}",
        "no_header": "error: {file} is empty; the first line must name the columns: {columns}.",
        "unknown_columns": "error: {file}: unknown column {columns}; the columns are {known}.",
        "not_commas": "The file seems to be separated by ';' or tabs; save it as comma-separated CSV.",
        "column_twice": "error: {file}: the columns {first!r} and {second!r} are the same field; keep one.",
        "missing_column": "error: {file}: the header has no {column} column; the columns are {columns}.",
        "unnamed_cell": "error: {file}: line {line} has a value in column {column}, which the header does not name.",
        "no_units": "error: {file}: no units under the header.",
        "repeated_id": "error: {file}: the unit id {unit_id!r} is on more than one line: {lines}.",
        "importing": "Importing {count} units",
        "no_unit_id": "the unit id is missing",
        "bad_unit_id": "a unit id is lowercase letters without accents, digits and '-', "
        "starting with a letter, at most 63 characters",
        "for_example": "{message} (for example {example!r})",
        "rows_refused": "error: {refused} of {total} rows were not imported (the other {imported} were):",
        "rows_would_be_refused": "error: {refused} of {total} rows would be refused (dry run: nothing was sent):",
        "stopped_at": "Stopped at line {line} ({unit_id}); the {imported} units on the lines before it were imported. "
        "Running the import again is safe: it only writes them again.",
        # rounds, tokens, summary, export
        "round_not_mapping": "error: {file} must hold one round (a mapping of keys to values).",
        "parts_not_mapping": "error: {file} must hold the document's parts (a mapping of keys to values).",
        "unwritable": "error: cannot write {file}: {detail}",
        "cut_off": "the download broke off",
        "tokens_once": "Note: the {count} tokens are shown this once; the server does not keep them. "
        "Keep the file safe; if it is lost, issue new links with: tokens issue --revoke-previous.",
        "tokens_revoked": "Revoked {count} earlier links.",
        "admin_token_once": "Admin token {id} is shown this once; it expires at {expires}. "
        "Revoke it with: admin-tokens revoke {id}.",
        "tokens_lost": "The tokens were issued but could not be saved: issue them again with "
        "tokens issue --revoke-previous (the ones just issued then stop working).",
        "group_needs_csv": "--group works with --format csv only.",
        "downloading": "Downloading {file}",
        "waiting_summary": "Waiting for the summary of {round_id}",
        "summary_failed": "The summary render failed: {error}. "
        "The server may retry it; run this command again later, or use summary render.",
        "summary_never": "There is no summary yet: the round is {status}. "
        "It is rendered when the round closes (rounds close) or by summary render.",
        "summary_timeout": "No summary after {seconds} seconds (state {state}). Run again with a longer --wait.",
    },
}


def text(lang: str, key: str, /, **params: object) -> str:
    """The message ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    return in_language(_TEXTS, lang)[key].format(**params)
