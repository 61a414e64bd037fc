"""What the form builder shows about forms as a whole: the forms list and a publish preview.

The list gives each form its draft's state (never published, unchanged since the latest
version, or changed since), its published versions and the rounds that pin each of them. The
preview is what publishing the current draft would do: its change list against the latest
version, whether it can be published at all, and what it means for rounds in progress (they
keep the version they pinned; only rounds created afterwards can use the new one).
"""

from __future__ import annotations

from typing import Any

from checkround.context import Context
from checkround.errors import AppError

from .definition import check_definition
from .diff import diff_definitions
from .references import portability_errors
from .service import get_form, get_version

# A round in one of these states still takes answers or will: it matters to a publisher.
IN_PROGRESS = ("draft", "open")


def _rounds_by_form(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for round_id, doc in ctx.store.list("rounds"):
        if not doc.get("form_id"):
            continue
        found.setdefault(doc["form_id"], []).append(
            {
                "id": round_id,
                "title": doc.get("title"),
                "status": doc.get("status"),
                "form_version": doc.get("form_version"),
                "closes_at": doc.get("closes_at"),
            }
        )
    return found


def rounds_of(ctx: Context, form_id: str) -> list[dict[str, Any]]:
    """The rounds that pin a version of ``form_id``, newest version first."""
    rounds = _rounds_by_form(ctx).get(form_id, [])
    return sorted(rounds, key=lambda r: (-(r["form_version"] or 0), r["id"]))


def draft_state(ctx: Context, doc: dict[str, Any]) -> str:
    """``new`` (never published), ``published`` (the draft is the latest version) or
    ``changed`` (edited since the latest version)."""
    latest = doc.get("latest_version")
    if not latest:
        return "new"
    if "published_revision" in doc:
        return "published" if doc["published_revision"] == doc["draft_revision"] else "changed"
    # Forms published before the revision was recorded: compare the definitions themselves.
    return "published" if get_version(ctx, doc["id"], latest) == doc["draft"] else "changed"


def rules_differ(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    """Where a form's stored definitions fail today's check of their rules (forms.rule_types):
    ``draft`` (whether the draft does: it cannot be published as it is) and ``versions`` (those
    that do: no round can be created or opened on them). Definitions saved before the check,
    or before it grew, are stored as they were; this is where an admin finds them."""
    versions = [v for v in doc.get("versions") or [] if portability_errors(get_version(ctx, doc["id"], v))]
    return {"draft": bool(portability_errors(doc["draft"])), "versions": versions}


def list_forms(ctx: Context) -> list[dict[str, Any]]:
    """Every form, by id: its title, draft state, versions and the rounds using each version,
    and where its rules fail today's check (:func:`rules_differ`)."""
    rounds = _rounds_by_form(ctx)
    forms = []
    for form_id, doc in ctx.store.list("forms"):
        used = sorted(rounds.get(form_id, []), key=lambda r: (-(r["form_version"] or 0), r["id"]))
        forms.append(
            {
                "id": form_id,
                "title": doc["draft"].get("title"),
                "state": draft_state(ctx, doc),
                "etag": doc["etag"],
                "draft_revision": doc["draft_revision"],
                "updated_at": doc.get("updated_at"),
                "updated_by": doc.get("updated_by"),
                "versions": doc.get("versions") or [],
                "latest_version": doc.get("latest_version"),
                "rounds": used,
                "rules_differ": rules_differ(ctx, {**doc, "id": form_id}),
            }
        )
    return forms


def publish_preview(ctx: Context, form_id: str) -> dict[str, Any]:
    """What publishing the current draft would do, before anything is written."""
    form = get_form(ctx, form_id)
    latest = form["latest_version"]
    previous = get_version(ctx, form_id, latest) if latest else None
    errors: Any = None
    try:
        check_definition(form["draft"], ctx.settings.max_form_fields, form_id=form_id)
    except AppError as exc:
        errors = exc.fields
    changes = diff_definitions(previous, form["draft"])
    blocked = [c for c in changes if c["change"] == "type_changed"]
    in_progress = [r for r in rounds_of(ctx, form_id) if r["status"] in IN_PROGRESS]
    return {
        "form_id": form_id,
        "etag": form["etag"],
        "against_version": latest,
        "next_version": (latest or 0) + 1,
        "changes": changes,
        "unchanged": latest is not None and not changes and previous == form["draft"],
        "errors": errors,
        "type_changes": blocked,
        "publishable": errors is None and not blocked,
        # Rounds pin their version: these keep theirs, and their units' answers stay valid.
        "rounds_in_progress": in_progress,
    }
