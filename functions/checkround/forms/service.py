"""Form service: create a form, edit its draft under an etag, publish immutable versions.

Every saved draft is also kept as ``forms/{id}/drafts/{revision}``, so that an admin whose save
was refused because another admin saved in between can be shown what that admin changed since
the draft they started from (:mod:`.drafts`)."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.storage.ports import Doc, Transaction

from .definition import check_definition
from .definition_messages import said
from .diff import diff_definitions
from .references import portability_errors

_FORM = {"vi": "biểu mẫu", "en": "Form"}
_VERSION = {"vi": "phiên bản biểu mẫu", "en": "Form version"}


def _etag(definition: Any, revision: int) -> str:
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"{revision}-{digest[:16]}"


def _form_path(form_id: str) -> str:
    return f"forms/{form_id}"


def _version_path(form_id: str, version: int) -> str:
    return f"forms/{form_id}/versions/{version}"


def revision_path(form_id: str, revision: int) -> str:
    return f"forms/{form_id}/drafts/{revision}"


# More digits than any count of a draft's saves.
_REVISION_DIGITS = 12


def revision_of(etag: str) -> int | None:
    """The draft revision an etag names (etags are ``{revision}-{digest}``), or None. The etag
    is the client's: a number longer than any count of saves names none (thousands of digits are
    past what int() reads, and a long one past Firestore's document ids)."""
    head = etag.strip().strip('"').split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and len(head) <= _REVISION_DIGITS else None


def _revision_doc(definition: Any, etag: str, actor: str, now: Any) -> dict[str, Any]:
    return {"definition": definition, "etag": etag, "saved_by": actor, "saved_at": now}


def create_form(ctx: Context, raw: Any, actor: str = "admin") -> dict[str, Any]:
    definition = check_definition(raw, ctx.settings.max_form_fields)
    now = ctx.clock.now()
    etag = _etag(definition, 1)
    form_id = definition["id"]
    doc = {
        "id": form_id,
        "draft": definition,
        "draft_revision": 1,
        "etag": etag,
        "versions": [],
        "latest_version": None,
        "created_at": now,
        "updated_at": now,
        "updated_by": actor,
    }

    def write(tx: Transaction) -> None:
        if tx.get(_form_path(form_id)) is not None:
            raise AppError("already_exists", what=_FORM)
        tx.create(_form_path(form_id), doc)
        tx.set(revision_path(form_id, 1), _revision_doc(definition, etag, actor, now))

    ctx.store.transaction(write)
    return {"id": form_id, "etag": etag}


def get_form(ctx: Context, form_id: str) -> Doc:
    doc = ctx.store.get(_form_path(form_id))
    if doc is None:
        raise AppError("not_found", what=_FORM)
    return {
        "id": doc["id"],
        "draft": doc["draft"],
        "etag": doc["etag"],
        "versions": doc["versions"],
        "latest_version": doc["latest_version"],
    }


def put_draft(ctx: Context, form_id: str, raw: Any, if_match: str | None, actor: str = "admin") -> dict[str, Any]:
    """Replace the draft if ``if_match`` is the current etag; a stale etag is 412."""
    if isinstance(raw, dict):
        raw.setdefault("id", form_id)
    definition = check_definition(raw, ctx.settings.max_form_fields, form_id=form_id)
    if not if_match:
        raise AppError("bad_request", detail={"vi": "cần header If-Match", "en": "If-Match header is required"})
    expected = if_match.strip().strip('"')

    def write(tx: Transaction) -> str:
        doc = tx.get(_form_path(form_id))
        if doc is None:
            raise AppError("not_found", what=_FORM)
        if doc["etag"] != expected:
            raise AppError("version_conflict")
        revision = int(doc["draft_revision"]) + 1
        etag = _etag(definition, revision)
        now = ctx.clock.now()
        tx.update(
            _form_path(form_id),
            {"draft": definition, "draft_revision": revision, "etag": etag, "updated_at": now, "updated_by": actor},
        )
        tx.set(revision_path(form_id, revision), _revision_doc(definition, etag, actor, now))
        return etag

    return {"etag": ctx.store.transaction(write)}


def publish_version(ctx: Context, form_id: str) -> dict[str, Any]:
    """Freeze the draft as the next immutable version and report what changed. The draft is
    checked again first: a draft saved before a check grew (the rules' portability) is held to
    today's, as the publish preview shows it, and refused whole (422) at the paths it names."""

    def write(tx: Transaction) -> dict[str, Any]:
        doc = tx.get(_form_path(form_id))
        if doc is None:
            raise AppError("not_found", what=_FORM)
        check_definition(copy.deepcopy(doc["draft"]), ctx.settings.max_form_fields, form_id=form_id)
        latest = doc["latest_version"]
        previous = tx.get(_version_path(form_id, latest)) if latest else None
        version = (latest or 0) + 1
        changes = diff_definitions(previous["definition"] if previous else None, doc["draft"])
        retyped = [c for c in changes if c["change"] == "type_changed"]
        if retyped:
            raise AppError(
                "invalid_definition",
                fields={c["field"]: [said("type_changed", old=c["from"], new=c["to"])] for c in retyped},
            )
        tx.create(
            _version_path(form_id, version),
            {"form_id": form_id, "version": version, "definition": doc["draft"], "published_at": ctx.clock.now()},
        )
        tx.update(
            _form_path(form_id),
            {
                "latest_version": version,
                "versions": [*doc["versions"], version],
                "updated_at": ctx.clock.now(),
                # The draft as it was published: the forms list tells a draft with changes since.
                "published_revision": doc["draft_revision"],
            },
        )
        return {"version": version, "changes": changes}

    return ctx.store.transaction(write)


def diff_against_latest(ctx: Context, form_id: str, raw: Any) -> dict[str, Any]:
    """What publishing ``raw`` would change against the latest published version."""
    if isinstance(raw, dict):
        raw.setdefault("id", form_id)
    definition = check_definition(raw, ctx.settings.max_form_fields, form_id=form_id)
    doc = ctx.store.get(_form_path(form_id))
    latest = doc["latest_version"] if doc else None
    previous = get_version(ctx, form_id, latest) if latest else None
    return {"against_version": latest, "changes": diff_definitions(previous, definition)}


# Published versions never change, so a process keeps the ones it read, per store: the most
# recently used VERSIONS_KEPT of them (a definition may be up to a megabyte, and every version
# of every form would otherwise stay for the life of the instance).
VERSIONS_KEPT = 32
_VERSIONS: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, int], dict[str, Any]]] = weakref.WeakKeyDictionary()
_VERSIONS_LOCK = threading.Lock()


def check_version_rules(ctx: Context, form_id: str, version: int) -> None:
    """Refuse (422 ``rules_differ``) a version whose rules today's check says the page and the
    server would compute differently: a round must not start on it. A version published before
    the check (or before it grew) is stored as it was; this is where it meets the check."""
    errors = portability_errors(get_version(ctx, form_id, version))
    if errors:
        raise AppError("rules_differ", fields=errors, form_id=form_id, version=version)


def get_version(ctx: Context, form_id: str, version: int) -> dict[str, Any]:
    """The frozen definition; callers must not modify it (it is shared)."""
    key = (form_id, version)
    with _VERSIONS_LOCK:
        cached = _VERSIONS.setdefault(ctx.store, OrderedDict())
        if key in cached:
            cached.move_to_end(key)
            return cached[key]
    doc = ctx.store.get(_version_path(form_id, version))
    if doc is None:
        raise AppError("not_found", what=_VERSION)
    with _VERSIONS_LOCK:
        # One object per version, even if two requests read it at once: compiled schemas are
        # cached against the definition object they were compiled from.
        definition: dict[str, Any] = cached.setdefault(key, doc["definition"])
        while len(cached) > VERSIONS_KEPT:
            cached.popitem(last=False)
    return definition
