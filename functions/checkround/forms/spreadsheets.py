"""Forms in and out of XLSForm workbooks: an import creates a form or replaces its draft, an
export lays out a draft or a published version (the workbook itself: :mod:`.xlsform`)."""

from __future__ import annotations

from typing import Any

from checkround.context import Context

from . import service
from .xlsform.convert import definition_from_workbook, workbook_from_definition


def import_workbook(
    ctx: Context,
    data: bytes,
    language: str,
    form_id: str | None = None,
    if_match: str | None = None,
    actor: str = "admin",
) -> tuple[bool, dict[str, Any]]:
    """Create the form the workbook describes, or with ``if_match`` replace its draft.

    The form is the settings sheet's ``form_id``, or ``form_id`` when given. Returns whether it
    was created, and ``{id, etag, ignored}``; a workbook with any problem stores nothing
    (``invalid_xlsform``, every problem by sheet, row and column)."""
    imported = definition_from_workbook(data, language, form_id, ctx.settings.max_form_fields)
    definition_id = str(imported.definition["id"])
    if if_match:
        result = service.put_draft(ctx, definition_id, imported.raw, if_match, actor)
    else:
        result = service.create_form(ctx, imported.raw, actor)
    return not if_match, {"id": definition_id, "etag": result["etag"], "ignored": imported.ignored}


def draft_workbook(ctx: Context, form_id: str) -> bytes:
    return workbook_from_definition(service.get_form(ctx, form_id)["draft"])


def version_workbook(ctx: Context, form_id: str, version: int) -> bytes:
    return workbook_from_definition(service.get_version(ctx, form_id, version), version)
