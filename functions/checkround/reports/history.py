"""A unit's revisions in a round, and what changed between two of them, field by field.

Every submission is kept (``rounds/{id}/submissions/{unit}-{revision}``); the review reads
their list without the answers, one revision whole, and the changes between two: the form's
fields in form order (:func:`checkround.forms.walk.walk`), each answer shown as the reports show
it (:func:`checkround.reports.kinds.display_value`), so a checklist reads "Met · 7/8 · note"
here as in the PDF. A repeat group is compared record by record, sub-field by sub-field. A
revision made under an earlier form version is read under the newer one's keys
(:class:`checkround.forms.versions.VersionMapper`), so a renamed field is one row, not a removal
and an addition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.formats.text import in_language
from checkround.forms.fieldtypes import FieldDef
from checkround.forms.service import get_version
from checkround.forms.versions import VersionMapper
from checkround.forms.walk import Path, walk
from checkround.rounds.service import UNIT_NOUN, get_round_doc, round_path
from checkround.storage.ports import Doc, Where

from .display import loc
from .kinds import display_value
from .labels import EXPORT_LABELS

_REVISION = {"vi": "lần gửi", "en": "Revision"}
# What the list of revisions carries of each (the answers are read one revision at a time).
_LISTED = ("submission_id", "revision", "submitted_at", "late", "form_version", "entered_by")


def _check_unit(round_doc: Doc, unit_id: str) -> None:
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)


def _all(ctx: Context, round_id: str, unit_id: str) -> list[Doc]:
    where = [Where("unit_id", "==", unit_id)]
    found = [doc for _, doc in ctx.store.list(f"{round_path(round_id)}/submissions", where=where)]
    return sorted(found, key=lambda doc: int(doc.get("revision") or 0))


def list_revisions(ctx: Context, round_id: str, unit_id: str) -> list[Doc]:
    """Every revision the unit sent (newest first), without the answers; ``entered_by`` names
    the admin who entered one on the unit's behalf (absent when the unit sent it)."""
    _check_unit(get_round_doc(ctx, round_id), unit_id)
    listed = [{key: doc.get(key) for key in _LISTED if key in doc} for doc in _all(ctx, round_id, unit_id)]
    return listed[::-1]


def get_revision(ctx: Context, round_id: str, unit_id: str, revision: int) -> Doc:
    _check_unit(get_round_doc(ctx, round_id), unit_id)
    doc = ctx.store.get(f"{round_path(round_id)}/submissions/{unit_id}-{revision:04d}")
    if doc is None or doc.get("unit_id") != unit_id:
        raise AppError("not_found", what=_REVISION)
    return doc


@dataclass(frozen=True)
class Change:
    """One answer that differs: ``name`` is the web form's dotted name of the field
    (``section.field`` or ``section.group.index.sub``), ``label`` the path a reader follows."""

    name: str
    section: str
    label: str
    before: str
    after: str
    change: str  # "added", "removed" or "changed"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _order(definition: Mapping[str, Any]) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Where each field and sub-field stands in the form, to sort places of two walks by."""
    order: dict[tuple[str, ...], tuple[int, ...]] = {}
    for s_index, section in enumerate(definition["sections"]):
        for f_index, field in enumerate(section["fields"]):
            order[(section["key"], field["key"])] = (s_index, f_index)
            for sub_index, sub in enumerate(field.get("fields") or []):
                order[(section["key"], field["key"], sub["key"])] = (s_index, f_index, sub_index)
    return order


def _pairs(
    definition: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], language: str
) -> Iterator[tuple[str, str, str, FieldDef, Any, Any]]:
    """``(name, section title, label, field, old value, new value)`` for every answer place of
    either revision, in form order: the two answer sets walked (:func:`walk`) and paired by
    path; a repeat group is compared through its records' sub-fields."""
    record_word = in_language(EXPORT_LABELS, language)["record"]
    olds = {place.path: place for place in walk(definition, before) if not place.type.container}
    news = {place.path: place for place in walk(definition, after) if not place.type.container}
    order = _order(definition)
    groups = {(s["key"], f["key"]): f for s in definition["sections"] for f in s["fields"]}

    def position(path: Path) -> tuple[int, ...]:
        if len(path) == 2:
            return (*order[(str(path[0]), str(path[1]))], -1, -1)
        s_index, f_index, sub_index = order[(str(path[0]), str(path[1]), str(path[3]))]
        return (s_index, f_index, int(path[2]), sub_index)

    for path in sorted({*olds, *news}, key=position):
        old, new = olds.get(path), news.get(path)
        place = new or old
        assert place is not None
        label = loc(place.field["label"], language)
        if len(path) > 2:
            group = loc(groups[(str(path[0]), str(path[1]))]["label"], language)
            label = f"{group} › {record_word.format(n=int(path[2]) + 1)} › {label}"
        title = loc(place.section["title"], language)
        yield place.name, title, label, place.field, old.value if old else None, new.value if new else None


def compare(
    definition: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], language: str
) -> list[Change]:
    """The answers that differ between two sets of answers under one definition, in form order."""
    changes = []
    for name, section, label, field, old, new in _pairs(definition, before, after, language):
        if old == new or (_empty(old) and _empty(new)):
            continue
        kind = "added" if _empty(old) else "removed" if _empty(new) else "changed"
        shown_old, shown_new = display_value(field, old, language), display_value(field, new, language)
        changes.append(Change(name, section, label, shown_old, shown_new, kind))
    return changes


def revision_changes(
    ctx: Context, round_id: str, unit_id: str, older: int | None, newer: int | None, language: str
) -> Doc:
    """What changed from revision ``older`` to ``newer`` (default: the last two; ``older`` 0:
    from nothing, so every answer of the first revision is "added")."""
    round_doc = get_round_doc(ctx, round_id)
    _check_unit(round_doc, unit_id)
    revisions = {int(doc["revision"]): doc for doc in _all(ctx, round_id, unit_id)}
    if not revisions:
        raise AppError("not_found", what=_REVISION)
    new_number = newer if newer is not None else max(revisions)
    old_number = older if older is not None else new_number - 1
    if new_number not in revisions or (old_number != 0 and old_number not in revisions):
        raise AppError("not_found", what=_REVISION)
    if old_number >= new_number:
        raise AppError(
            "bad_request",
            detail={
                "vi": "'from' phải là một lần sửa trước 'to'",
                "en": "'from' must be an earlier revision than 'to'",
            },
        )
    new_doc = revisions[new_number]
    old_doc = revisions.get(old_number) or {"answers": {}, "form_version": new_doc.get("form_version")}
    form_id = str(round_doc["form_id"])
    target = int(new_doc.get("form_version") or round_doc["form_version"])
    definition = get_version(ctx, form_id, target)
    mapper = VersionMapper(lambda version: get_version(ctx, form_id, version), target)
    old_answers = mapper.answers(old_doc.get("answers") or {}, old_doc.get("form_version"))
    changes = compare(definition, old_answers, new_doc.get("answers") or {}, language)
    return {
        "unit_id": unit_id,
        "from": old_number,
        "to": new_number,
        "changes": [asdict(change) for change in changes],
    }


def answer_rows(definition: Mapping[str, Any], answers: Mapping[str, Any], language: str) -> list[Doc]:
    """Every section with each field's dotted ``name`` (what a return's comments and the web
    form's inputs are keyed by), label, hint and shown answer (``—`` where unanswered; a repeat
    group's records one line each): what a page shows of a submission, read-only."""
    sections: list[Doc] = []
    for section in definition["sections"]:
        holder = answers.get(section["key"])
        values = holder if isinstance(holder, Mapping) else {}
        rows = [
            {
                "name": f"{section['key']}.{field['key']}",
                "key": field["key"],
                "type": field["type"],
                "label": loc(field["label"], language),
                "hint": loc(field.get("hint"), language) if field.get("hint") else "",
                "value": display_value(field, values.get(field["key"]), language),
                "field": field,
            }
            for field in section["fields"]
        ]
        sections.append({"key": section["key"], "title": loc(section["title"], language), "rows": rows})
    return sections
