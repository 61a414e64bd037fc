"""A roster upload: a CSV or XLSX file of units (with their clusters and contacts) read into the
changes it would make to the units (added, changed, removed), kept aside as a staged upload,
then applied when the admin confirms.

The file's columns are those of the CLI's ``units import`` (``docs/cli.md``): ``id``, ``name``
(or ``name_vi``), ``name_en``, ``cluster``, ``kind``, ``contact_name``, ``contact_email``,
``contact_phone``, ``contact2_…`` up to ``contact5_…``. Each row is checked as ``PUT
/units/{id}`` checks it (:class:`~.inputs.UnitInput`); a row that is refused is listed with its
line and spoils nothing else, but an upload with refused rows cannot be applied (an admin fixes
the file and uploads it again, rather than applying half of it).

Applying checks that the units are still as they were when the preview was drawn (a digest of
them): if someone changed the roster since, nothing is written and the admin is shown the new
preview. "Removed" units (in the roster, not in the file) are removed only when the admin asks,
and never one that a round lists (its board and summary need it): those are kept and named.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import zipfile
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError

from checkround.context import Context
from checkround.errors import AppError
from checkround.formats.text import in_language
from checkround.forms.definition import ID_PATTERN
from checkround.storage.ports import Doc, Transaction

from . import audit, roster_snapshot
from .inputs import MAX_CONTACTS, UnitInput

UPLOADS = "roster_uploads"
UPLOAD_HOURS = 24  # a preview older than this is gone: upload the file again
MAX_ROWS = 2000
STAGED_BYTES = 900_000  # under Firestore's 1 MiB per document, with room for its overhead
# Header -> field of the unit (name_vi: the seed file's spelling of name).
COLUMNS = {"id": "id", "name": "name", "name_vi": "name", "name_en": "name_en", "cluster": "cluster", "kind": "kind"}
CONTACT_PARTS = ("name", "email", "phone")
UNIT_FIELDS = ("name", "name_en", "cluster", "kind", "contacts")
_UPLOAD = {"vi": "bản xem trước danh sách đơn vị", "en": "Roster preview"}

_WORDS = {
    "vi": {
        "empty": "Tệp không có dòng tiêu đề hoặc không có đơn vị nào.",
        "not_utf8": "Tệp CSV phải được lưu dạng UTF-8 (trong Excel: CSV UTF-8); dòng {line} không đọc được.",
        "bad_csv": "Tệp CSV lỗi ở dòng {line}.",
        "bad_xlsx": "Không đọc được tệp Excel (.xlsx).",
        "kind": "Chỉ nhận tệp .csv hoặc .xlsx.",
        "unknown_columns": "Cột không dùng được: {columns}. Các cột: id, name, name_en, cluster, kind, contact_name, "
        "contact_email, contact_phone, contact2_…",
        "missing_columns": "Thiếu cột bắt buộc: {columns}.",
        "too_many": "Tệp có quá {n} đơn vị.",
        "too_big": "Tệp quá lớn để xem trước một lần; hãy chia thành nhiều tệp nhỏ hơn.",
        "bad_id": "Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu '-', bắt đầu bằng chữ.",
        "repeated": "Mã đơn vị này đã có ở dòng {line}.",
        "stale": "Danh sách đơn vị đã bị thay đổi sau khi xem trước; đây là bản xem trước mới, chưa có gì được ghi.",
        "stale_partial": "Danh sách đơn vị đã bị thay đổi trong lúc đang ghi; {written} đơn vị đầu đã được ghi. "
        "Hãy tải tệp lên lại để xem phần còn lại.",
        "has_errors": "Tệp còn dòng bị từ chối; hãy sửa tệp rồi tải lên lại.",
    },
    "en": {
        "empty": "The file has no header row or no units.",
        "not_utf8": "A CSV file must be saved as UTF-8 (in Excel: CSV UTF-8); line {line} cannot be read.",
        "bad_csv": "The CSV file is broken at line {line}.",
        "bad_xlsx": "The Excel file (.xlsx) cannot be read.",
        "kind": "Only .csv and .xlsx files are taken.",
        "unknown_columns": "Columns that cannot be used: {columns}. The columns: id, name, name_en, cluster, kind, "
        "contact_name, contact_email, contact_phone, contact2_…",
        "missing_columns": "Required columns are missing: {columns}.",
        "too_many": "The file has more than {n} units.",
        "too_big": "The file is too large to preview at once; split it into smaller files.",
        "bad_id": "A unit id holds lowercase letters without accents, digits and '-', and starts with a letter.",
        "repeated": "This unit id is already on line {line}.",
        "stale": "The roster was changed after the preview; this is a new preview, nothing was written.",
        "stale_partial": "The roster was changed while it was being written; the first {written} units were "
        "written. Upload the file again to see what is left.",
        "has_errors": "Some rows are refused; correct the file and upload it again.",
    },
}


def _refuse(language: str, key: str, **params: Any) -> AppError:
    return AppError(
        "validation_failed", fields={"file": [in_language(_WORDS, language)[key].format(**params)]}, subject="roster"
    )


def _contact_column(number: int, part: str) -> str:
    return f"contact{number if number > 1 else ''}_{part}"


_CONTACT_COLUMNS = {_contact_column(n, part) for n in range(1, MAX_CONTACTS + 1) for part in CONTACT_PARTS}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number Excel stored as a number
    return str(value).strip()


# What a roster workbook may unpack to: a roster of MAX_ROWS units is well under 5 MB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _unpacked_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return 0  # not a zip: openpyxl refuses it below


def _records(filename: str, data: bytes, language: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of the file with the line (CSV) or row (XLSX) each starts on."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook  # only for workbooks

        if _unpacked_size(data) > MAX_UNPACKED_BYTES:
            # A zip bomb (a sheet of millions of blank rows packs into a few kB) would keep the
            # read-only reader busy for minutes: refused before it is opened, as XLSForm does.
            raise _refuse(language, "bad_xlsx")

        # A zip that is no workbook fails deep inside openpyxl, when it loads or (read-only: the
        # sheet is parsed lazily) while its rows are read, with whatever its XML or zip reader
        # raises (lxml's XMLSyntaxError, ElementTree's ParseError, IndexError, ValueError...):
        # the client sent it, so it is their 422, never our 500.
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise _refuse(language, "bad_xlsx") from exc
        try:
            rows = []
            for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
                cells = [_cell(value) for value in row]
                if any(cells):
                    rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        except Exception as exc:
            raise _refuse(language, "bad_xlsx") from exc
        finally:
            book.close()
    if not name.endswith(".csv"):
        raise _refuse(language, "kind")
    try:
        source = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise _refuse(language, "not_utf8", line=data[: exc.start].count(b"\n") + 1) from exc
    reader = csv.reader(io.StringIO(source, newline=""), strict=True)
    records = []
    start = 1
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if any(stripped):
                records.append((start, stripped))
            if len(records) > MAX_ROWS + 1:
                break
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse(language, "bad_csv", line=reader.line_num) from exc
    return records


def _string_keys(messages: Any) -> Any:
    """marshmallow keys a list's errors by index (an int); a staged upload is a Firestore
    document, whose field names are strings."""
    if isinstance(messages, dict):
        return {str(key): _string_keys(value) for key, value in messages.items()}
    return messages


def read_roster(filename: str, data: bytes, language: str) -> tuple[dict[str, Doc], list[Doc]]:
    """``(units by id, refused rows)`` of a roster file; each refused row is ``{line, id,
    fields: {field: [messages]}}``. A file that cannot be used as a whole is a 422 with the
    reason under ``fields.file``."""
    records = _records(filename, data, language)
    if len(records) < 2:
        raise _refuse(language, "empty")
    (_, header), body = records[0], records[1:]
    if len(body) > MAX_ROWS:
        raise _refuse(language, "too_many", n=MAX_ROWS)
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name and name not in COLUMNS and name not in _CONTACT_COLUMNS]
    if unknown:
        raise _refuse(language, "unknown_columns", columns=", ".join(unknown))
    missing = [n for n in ("id", "name") if n not in {COLUMNS.get(name) for name in names}]
    if missing:
        raise _refuse(language, "missing_columns", columns=", ".join(missing))
    units: dict[str, Doc] = {}
    lines: dict[str, int] = {}
    refused: list[Doc] = []
    words = in_language(_WORDS, language)
    for line, cells in body:
        values = {names[i]: cell for i, cell in enumerate(cells) if i < len(names) and names[i] and cell}
        unit_id = values.pop("id", "")
        fields: dict[str, Any] = {}
        if not re.fullmatch(ID_PATTERN, unit_id):
            fields["id"] = [words["bad_id"]]
        elif unit_id in lines:
            fields["id"] = [words["repeated"].format(line=lines[unit_id])]
        unit: Doc = {COLUMNS[key]: value for key, value in values.items() if key in COLUMNS}
        contacts = []
        for number in range(1, MAX_CONTACTS + 1):
            contact = {
                p: values[_contact_column(number, p)] for p in CONTACT_PARTS if _contact_column(number, p) in values
            }
            if contact:
                contacts.append(contact)
        if contacts:
            unit["contacts"] = contacts
        try:
            loaded = UnitInput().load(unit)
        except ValidationError as exc:
            fields.update(_string_keys(exc.normalized_messages()))  # type: ignore[no-untyped-call]
            loaded = {}
        if fields:
            refused.append({"line": line, "id": unit_id, "fields": fields})
            continue
        lines[unit_id] = line
        units[unit_id] = loaded
    return units, refused


def _comparable(unit: Mapping[str, Any]) -> Doc:
    return {key: unit.get(key) or None for key in UNIT_FIELDS}


def _digest(current: Mapping[str, Doc]) -> str:
    """What the preview was drawn against: every unit's fields, in a few bytes."""
    canonical = json.dumps({uid: _comparable(doc) for uid, doc in sorted(current.items())}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rounds_using(ctx: Context) -> dict[str, list[str]]:
    """unit id -> the rounds that list it."""
    used: dict[str, list[str]] = {}
    for round_id, doc in ctx.store.list("rounds"):
        for unit_id in doc.get("unit_ids") or []:
            used.setdefault(unit_id, []).append(round_id)
    return used


def _changes(current: Mapping[str, Doc], units: Mapping[str, Doc], used: Mapping[str, list[str]]) -> Doc:
    added = [{"id": uid, **_comparable(unit)} for uid, unit in units.items() if uid not in current]
    changed = []
    for uid, unit in units.items():
        if uid in current:
            before, after = _comparable(current[uid]), _comparable(unit)
            diff = {
                key: {"before": before[key], "after": after[key]} for key in UNIT_FIELDS if before[key] != after[key]
            }
            if diff:
                changed.append({"id": uid, "name": after["name"], "changes": diff})
    removed = [
        {"id": uid, "name": doc.get("name"), "rounds": sorted(used.get(uid, []))}
        for uid, doc in current.items()
        if uid not in units
    ]
    unchanged = len(units) - len(added) - len(changed)
    return {"added": added, "changed": changed, "removed": removed, "unchanged": unchanged}


def _current(ctx: Context) -> dict[str, Doc]:
    return {uid: doc for uid, doc in ctx.store.list("units")}


def stage_roster(ctx: Context, filename: str, data: bytes, actor: str, language: str) -> Doc:
    """Read a roster file and keep it aside; answers the preview: ``{upload_id, added, changed,
    removed, unchanged, refused}``. Nothing is written to the units."""
    units, refused = read_roster(filename, data, language)
    current = _current(ctx)
    upload_id = secrets.token_hex(8)
    now = ctx.clock.now()
    staged = {
        "filename": filename[:200],
        "units": units,
        "refused": refused,
        "digest": _digest(current),
        "by": actor,
        "at": now,
        "expires_at": now + timedelta(hours=UPLOAD_HOURS),
    }
    # A staged upload is one document, and Firestore's documents hold at most 1 MiB.
    if len(json.dumps(staged, default=str, ensure_ascii=False).encode()) > STAGED_BYTES:
        raise _refuse(language, "too_big")
    ctx.store.set(f"{UPLOADS}/{upload_id}", staged)
    return {
        "upload_id": upload_id,
        "filename": staged["filename"],
        "refused": refused,
        **_changes(current, units, _rounds_using(ctx)),
    }


def _staged(ctx: Context, upload_id: str) -> Doc:
    doc = ctx.store.get(f"{UPLOADS}/{upload_id}") if re.fullmatch(r"[0-9a-f]{16}", upload_id) else None
    if doc is None or doc["expires_at"] <= ctx.clock.now():
        raise AppError("not_found", what=_UPLOAD)
    return doc


def preview(ctx: Context, upload_id: str) -> Doc:
    """The preview of a staged upload, against the units as they are now."""
    staged = _staged(ctx, upload_id)
    current = _current(ctx)
    changes = _changes(current, staged["units"], _rounds_using(ctx))
    return {"upload_id": upload_id, "filename": staged["filename"], "refused": staged["refused"], **changes}


def apply_roster(ctx: Context, upload_id: str, remove_missing: bool, actor: str, language: str) -> Doc:
    """Write a staged upload: its units added or replaced, and (``remove_missing``) the units
    it does not list removed, except those a round lists. Refused when the upload has refused
    rows, or when the roster changed since the preview (409 ``invalid_state``, with the words
    of ``stale``): nothing is written then. A unit written by someone else while a large roster
    is being written stops it at the next transaction (``stale_partial``: what was written stays)."""
    staged = _staged(ctx, upload_id)
    if staged["refused"]:
        raise AppError("invalid_state", detail=in_language(_WORDS, language)["has_errors"])
    # The snapshot's version is read before the units are listed, and each transaction below
    # checks it is still the one expected: a unit written between this listing and the write
    # (by another admin, the CLI) would otherwise be overwritten with the file's older line.
    seen = roster_snapshot.version(ctx)
    current = _current(ctx)
    if _digest(current) != staged["digest"]:
        raise AppError("invalid_state", detail=in_language(_WORDS, language)["stale"])
    changes = _changes(current, staged["units"], _rounds_using(ctx))
    now = ctx.clock.now()
    writes = [(uid, {"id": uid, **unit, "updated_at": now}) for uid, unit in staged["units"].items()]
    written = {c["id"] for c in changes["added"]} | {c["id"] for c in changes["changed"]}
    removable = [r["id"] for r in changes["removed"] if not r["rounds"]] if remove_missing else []
    kept = [r["id"] for r in changes["removed"] if r["rounds"]] if remove_missing else []
    # A unit is written (a doc) or removed (None), with the roster snapshot in the same
    # transaction, so that the units and the snapshot change together or not at all.
    todo: list[tuple[str, Doc | None]] = [(uid, doc) for uid, doc in writes if uid in written]
    todo += [(uid, None) for uid in removable]

    def batch(items: list[tuple[str, Doc | None]], expected: int, written: int, last: bool) -> Any:
        def write(tx: Transaction) -> None:
            pending = roster_snapshot.read_for_update(tx)
            if pending.version != expected:
                words = in_language(_WORDS, language)
                detail = words["stale_partial"].format(written=written) if written else words["stale"]
                raise AppError("invalid_state", detail=detail)
            for uid, doc in items:
                if doc is None:
                    tx.delete(f"units/{uid}")
                else:
                    tx.set(f"units/{uid}", doc)
            roster_snapshot.write(tx, pending, dict(items), now)
            if last:
                audit.record(
                    tx,
                    ctx,
                    None,
                    "roster_applied",
                    actor,
                    filename=staged["filename"],
                    added=len(changes["added"]),
                    changed=len(changes["changed"]),
                    removed=removable,
                )
                tx.update(f"{UPLOADS}/{upload_id}", {"applied_at": now, "expires_at": now})

        return write

    # A transaction takes at most 500 writes: a large roster is written in several (400 units,
    # the snapshot's head and the chunks they fall in), the last one with the audit event and
    # the upload marked as used (applying it twice does nothing). A failure between two leaves
    # the earlier ones written; the next preview of the same file shows what is left.
    chunks = [todo[i : i + 400] for i in range(0, len(todo), 400)] or [[]]
    done = 0
    for index, chunk in enumerate(chunks):
        # Each transaction moves the version by one (roster_snapshot.write).
        ctx.store.transaction(batch(chunk, seen + index, done, index == len(chunks) - 1))
        done += len(chunk)
    return {
        "added": len(changes["added"]),
        "changed": len(changes["changed"]),
        "removed": removable,
        "kept": kept,
        "unchanged": changes["unchanged"],
    }
