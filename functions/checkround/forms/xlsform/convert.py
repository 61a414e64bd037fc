"""The two directions whole: workbook bytes → checked definition, definition → workbook bytes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkround.errors import AppError
from checkround.forms.definition import check_definition

from .build import address_errors, build_definition
from .messages import Problems
from .read import Unreadable, read_workbook
from .write import TooLongForCell, write_workbook

WORKBOOK = "workbook"


@dataclass(frozen=True)
class Imported:
    definition: dict[str, Any]  # checked by check_definition
    ignored: list[dict[str, Any]]  # cells left out (appearances other tools draw)
    raw: dict[str, Any]  # as read, before the check: what the form service takes


def definition_from_workbook(data: bytes, language: str, form_id: str | None = None, max_fields: int = 500) -> Imported:
    """The checked definition of an XLSForm workbook, or ``invalid_xlsform`` with every problem
    by sheet, row and column (the workbook's own, and the meta-validation's put on their cells)."""
    problems = Problems(language)
    try:
        book = read_workbook(data, problems)
    except Unreadable as exc:
        problems.add(WORKBOOK, 0, WORKBOOK, exc.key, **exc.params)
        raise AppError("invalid_xlsform", fields=problems.tree) from None
    built = build_definition(book, problems, form_id)
    if built.definition:
        try:
            definition = check_definition(built.definition, max_fields)
        except AppError as exc:
            if exc.code != "invalid_definition":
                raise
            address_errors(exc.fields or {}, built, problems)
    if problems:
        raise AppError("invalid_xlsform", fields=problems.tree)
    return Imported(definition, built.ignored, built.definition)


def workbook_from_definition(definition: Mapping[str, Any], version: int | None = None) -> bytes:
    """The workbook of a checked definition (a draft's when ``version`` is None)."""
    try:
        return write_workbook(definition, version)
    except TooLongForCell as exc:
        raise AppError(
            "invalid_state",
            detail={
                "vi": f"có một đoạn văn bản dài hơn một ô bảng tính chứa được ({exc})",
                "en": f"a text is longer than a spreadsheet cell holds ({exc})",
            },
        ) from None
