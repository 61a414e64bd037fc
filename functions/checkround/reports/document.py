"""The committee's official document: the administrative layout, the draft and its issue.

**Layout.** The report follows the layout of the Youth Union's administrative documents: the
header block (the parent organisation, ĐOÀN TNCS HỒ CHÍ MINH, above the issuing body's name and
its rule; the number ``Số: 15-BC/TĐTN`` under them), the place and date line, the title block
(the kind, BÁO CÁO, and its subject), the body, the signature block (``T/M BAN THƯỜNG VỤ``, the
signer's title and name) and ``Nơi nhận``. Each part is set for the organisation
(``settings/document``, ``PUT /document-settings``), for a round (its ``document`` field) or on
the round's draft, the later over the earlier; a part set nowhere takes :data:`DEFAULTS` (or,
for the body's name and the subject, the round's own issuing body and title).

**Lifecycle.** When a round closes its report is a *draft* (``documents/{roundId}``, one per
close: the round's close number is the draft's generation). The committee edits the draft's
narrative, which starts as the prose :mod:`.narrative` writes from the data, and its parts;
previews it; and *issues* it: the final PDF and the DOCX of the same document are rendered with
the number and date, stored under names never used again, and listed in ``issued`` with their
SHA-256 and who issued them, in the same transaction as the audit event. An issued draft takes
no more edits (409); reopening and closing the round again makes a new draft (the next
generation) that starts from the new data, and the issued files stay as they were.

The number is the next of the year for the organisation (``document_numbers/{year}``, the
register: ``last`` and the ``void`` numbers), unless the committee gives the one from its
register. It is drawn in the transaction that claims the draft for the issue (``issuing``), so
a second issue of the same draft meanwhile is refused (409) before it draws a number, and edits
wait. An issue that fails after its claim releases it: its number goes back to the register if
no later one was drawn (the next issue reuses it), else it is listed there as void.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.formats.dates import official_date
from checkround.formats.text import localized
from checkround.formats.zones import zone_of
from checkround.inputs_common import load
from checkround.rounds import audit
from checkround.rounds.document_inputs import (
    NARRATIVE_PARTS,
    DocumentEditInput,
    DocumentSettingsInput,
    IssueInput,
)
from checkround.rounds.service import ROUND_NOUN, get_round_doc, round_path
from checkround.storage.ports import Doc, Transaction

from . import narrative

log = logging.getLogger(__name__)

SETTINGS_PATH = "settings/document"
_DOCUMENT = {"vi": "văn bản báo cáo", "en": "Document"}

DEFAULTS: dict[str, Any] = {
    "parent_body": {"vi": "ĐOÀN TNCS HỒ CHÍ MINH", "en": "HO CHI MINH COMMUNIST YOUTH UNION"},
    "number_suffix": "BC",
    "kind": {"vi": "BÁO CÁO", "en": "REPORT"},
    "on_behalf": {"vi": "T/M BAN THƯỜNG VỤ", "en": "FOR THE STANDING COMMITTEE"},
    "recipients": [],
}


def document_path(round_id: str) -> str:
    return f"documents/{round_id}"


# -- the document as the templates draw it (pure) ---------------------------------------------


def effective_parts(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """:data:`DEFAULTS` overlaid with each layer's parts in turn (organisation, round, draft)."""
    parts: dict[str, Any] = dict(DEFAULTS)
    for layer in layers:
        parts.update({key: value for key, value in (layer or {}).items() if value is not None})
    return parts


def view(
    summary: Mapping[str, Any],
    parts: Mapping[str, Any] | None = None,
    edits: Mapping[str, Any] | None = None,
    number: int | None = None,
    issued_on: dt.date | None = None,
) -> dict[str, Any]:
    """What the PDF and the DOCX print of the document: every part as text in the summary's
    language, the narrative as paragraphs (the committee's edits over the generated prose), and
    whether it is final (issued: numbered and dated) or a draft."""
    language = summary["language"]
    parts = effective_parts(parts)
    rnd = summary["round"]

    def text(key: str, fallback: str = "") -> str:
        return localized(parts.get(key), language) or fallback

    issuing_body = text("issuing_body", (rnd.get("issuing_body") or "").upper())
    suffix = parts.get("number_suffix") or "BC"
    written = narrative.write(summary)
    stories = {key: (edits or {}).get(key) or written[key] for key in NARRATIVE_PARTS}
    number_word = "No." if language == "en" else "Số:"
    return {
        "final": number is not None,
        "parent_body": text("parent_body"),
        "issuing_body": issuing_body,
        "number": f"{number_word} {number}-{suffix}" if number is not None else f"{number_word} …-{suffix}",
        "place_date": official_date(text("place"), issued_on, language),
        "kind": text("kind"),
        "subject": text("subject", rnd.get("title") or ""),
        "on_behalf": text("on_behalf"),
        "signer_title": text("signer_title"),
        "signer_name": parts.get("signer_name") or "",
        "recipients": [localized(line, language) for line in parts.get("recipients") or []],
        "narrative": {key: [p.strip() for p in value.split("\n\n") if p.strip()] for key, value in stories.items()},
        "edited": sorted(key for key in NARRATIVE_PARTS if (edits or {}).get(key)),
    }


# -- settings ---------------------------------------------------------------------------------


def get_settings(ctx: Context) -> Doc:
    doc = ctx.store.get(SETTINGS_PATH) or {}
    return {"parts": doc.get("parts") or {}, "defaults": DEFAULTS}


def put_settings(ctx: Context, body: Any, actor: str) -> Doc:
    data = load(DocumentSettingsInput(), body, "document")

    parts = _set(data["parts"])

    def write(tx: Transaction) -> Doc:
        doc = {"parts": parts, "updated_at": ctx.clock.now(), "updated_by": actor}
        tx.set(SETTINGS_PATH, doc)
        audit.record(tx, ctx, None, "document_settings", actor)
        return {"parts": parts, "defaults": DEFAULTS}

    return ctx.store.transaction(write)


def _set(parts: Mapping[str, Any]) -> dict[str, Any]:
    """The parts set at a level (a part given as null is not: the level below applies)."""
    return {key: value for key, value in parts.items() if value is not None}


def put_round_parts(ctx: Context, round_id: str, body: Any, actor: str) -> Doc:
    """Set the round's parts (its ``document``), whatever its state: they apply to its drafts
    (an issued document keeps the files it was issued with)."""
    data = load(DocumentSettingsInput(), body, "document")
    parts = _set(data["parts"])

    def write(tx: Transaction) -> Doc:
        if tx.get(round_path(round_id)) is None:
            raise AppError("not_found", what=ROUND_NOUN)
        tx.update(round_path(round_id), {"document": parts})
        audit.record(tx, ctx, round_id, "document_round", actor)
        return {"parts": parts}

    return ctx.store.transaction(write)


def part_layers(ctx: Context, round_doc: Mapping[str, Any] | None, doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parts set at each level, lowest first: the product's defaults, the organisation's,
    the round's and the draft's (the console shows where each printed part comes from)."""
    settings = ctx.store.get(SETTINGS_PATH) or {}
    return {
        "defaults": DEFAULTS,
        "organisation": settings.get("parts") or {},
        "round": (round_doc or {}).get("document") or {},
        "draft": (doc or {}).get("parts") or {},
    }


# -- the draft --------------------------------------------------------------------------------


def _generation(round_doc: Mapping[str, Any]) -> int:
    if round_doc["status"] != "closed" and not round_doc.get("close_count"):
        raise AppError("round_not_closed")
    return int(round_doc.get("close_count") or 1)


def ensure_draft(ctx: Context, round_id: str) -> Doc:
    """The document of the round's latest close: its draft, made when the close is newer than
    the document held (a reopened round's next close), or the issued one."""
    round_doc = get_round_doc(ctx, round_id)
    generation = _generation(round_doc)
    current = ctx.store.get(document_path(round_id))
    if current is not None and int(current.get("generation") or 0) >= generation:
        return current

    def write(tx: Transaction) -> Doc:
        held = tx.get(document_path(round_id))
        if held is not None and int(held.get("generation") or 0) >= generation:
            return held
        doc = {
            "round_id": round_id,
            "generation": generation,
            "state": "draft",
            # The parts set on an earlier draft still hold; the narrative starts again from the data.
            "parts": (held or {}).get("parts") or {},
            "narrative": {},
            "issued": (held or {}).get("issued") or [],
            "drafted_at": ctx.clock.now(),
        }
        tx.set(document_path(round_id), doc)
        return doc

    return ctx.store.transaction(write)


def _layers(ctx: Context, round_doc: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    settings = ctx.store.get(SETTINGS_PATH) or {}
    return effective_parts(settings.get("parts"), round_doc.get("document"), doc.get("parts"))


def document_of(ctx: Context, round_id: str, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's view for a render of ``summary`` (the summary job's, a preview)."""
    round_doc = get_round_doc(ctx, round_id)
    doc = ensure_draft(ctx, round_id)
    return view(summary, _layers(ctx, round_doc, doc), doc.get("narrative"))


def _public(ctx: Context, round_id: str, doc: Mapping[str, Any]) -> Doc:
    base = f"{ctx.settings.public_base_url}/admin_api/rounds/{round_id}/document"
    return {
        "state": doc["state"],
        "generation": doc["generation"],
        "preview_pdf_url": f"{base}/preview.pdf",
        "preview_docx_url": f"{base}/preview.docx",
        "issued": [
            {
                **{
                    key: item.get(key)
                    for key in ("seq", "number", "label", "issued_on", "issued_at", "by", "generation")
                },
                "sha256_pdf": item.get("sha256_pdf"),
                "sha256_docx": item.get("sha256_docx"),
                "pdf_url": f"{base}/issued/{item['seq']}.pdf",
                "docx_url": f"{base}/issued/{item['seq']}.docx",
            }
            for item in doc.get("issued") or []
        ],
    }


def get_document(ctx: Context, round_id: str) -> Doc:
    """The draft as the committee edits it: its parts, its narrative (edited or written from
    the data, and which parts were edited), its state and every document issued."""
    from .service import build_summary

    doc = ensure_draft(ctx, round_id)
    round_doc = get_round_doc(ctx, round_id)
    parts = _layers(ctx, round_doc, doc)
    shown = view(build_summary(ctx, round_id), parts, doc.get("narrative"))
    return {
        **_public(ctx, round_id, doc),
        "parts": parts,
        "narrative": {key: "\n\n".join(shown["narrative"][key]) for key in NARRATIVE_PARTS},
        "edited": shown["edited"],
    }


def edit(ctx: Context, round_id: str, body: Any, actor: str) -> Doc:
    data = load(DocumentEditInput(), body, "document")
    ensure_draft(ctx, round_id)

    def write(tx: Transaction) -> None:
        doc = tx.get(document_path(round_id))
        assert doc is not None
        if doc["state"] != "draft":
            raise AppError(
                "invalid_state",
                detail={
                    "vi": "báo cáo này đã được ban hành và không bao giờ bị thay đổi; "
                    "hãy mở lại đợt để có bản dự thảo mới",
                    "en": "this report has been issued and is never changed; reopen the round for a new draft",
                },
            )
        if _live(doc.get("issuing"), ctx):
            raise AppError(
                "invalid_state",
                detail={
                    "vi": "bản dự thảo này đang được ban hành; hãy xem lại sau",
                    "en": "this draft is being issued right now; look at it again afterwards",
                },
            )
        parts = {**(doc.get("parts") or {}), **data.get("parts", {})}
        parts = _set(parts)  # null: back to the round's or the organisation's part
        story = dict(doc.get("narrative") or {})
        for key, value in (data.get("narrative") or {}).items():
            if value is None or not value.strip():
                story.pop(key, None)  # back to the text written from the data
            else:
                story[key] = value.strip()
        tx.update(
            document_path(round_id),
            {"parts": parts, "narrative": story, "edited_at": ctx.clock.now(), "edited_by": actor},
        )
        audit.record(tx, ctx, round_id, "document_edit", actor, generation=doc["generation"])

    ctx.store.transaction(write)
    return get_document(ctx, round_id)


def preview(ctx: Context, round_id: str, kind: str) -> bytes:
    """The draft as it stands, as a PDF (marked as a draft) or a DOCX."""
    from .service import build_summary

    summary = build_summary(ctx, round_id)
    summary["document"] = document_of(ctx, round_id, summary)
    return _render(ctx, summary, kind)


def _render(ctx: Context, summary: dict[str, Any], kind: str) -> bytes:
    if kind == "docx":
        from .docx_export import render_docx  # python-docx: only when a DOCX is asked for

        return render_docx(summary)
    from .render import render_pdf  # heavy: only when a report is printed

    return render_pdf(summary, ctx.settings.templates_dir)


# How long an issue holds its draft: longer than admin_api's and admin_console's timeout
# (infra/functions.tf), so a claim older than this is an issue that died mid-way.
ISSUE_CLAIM_SECONDS = 600


def _numbers_path(year: int) -> str:
    return f"document_numbers/{year}"


def _voided(register: Mapping[str, Any], claim: Mapping[str, Any], reason: str, at: dt.datetime) -> dict[str, Any]:
    """The register with the claim's number given back when nothing was drawn after it (the
    next issue reuses it), else with it recorded as void: either way no silent gap."""
    if int(register.get("last") or 0) == claim["number"]:
        return {**register, "last": int(claim["previous_last"])}
    if claim.get("given"):
        return dict(register)  # the office's own number, from its register: the office may give it again
    entry = {"number": claim["number"], "round_id": claim["round_id"], "reason": reason, "at": at}
    return {**register, "void": [*(register.get("void") or []), entry]}


def _live(claim: Mapping[str, Any] | None, ctx: Context) -> bool:
    """Whether an issue holds the draft (a claim older than the timeout is one that died)."""
    if not claim:
        return False
    age: dt.timedelta = ctx.clock.now() - claim["at"]
    return age.total_seconds() < ISSUE_CLAIM_SECONDS


def _claim(ctx: Context, round_id: str, generation: int, year: int, given: int | None, actor: str) -> Doc:
    """In one transaction: claim the draft for this issue and draw its number. A draft another
    issue holds is refused (409) before any number is drawn; a claim older than
    :data:`ISSUE_CLAIM_SECONDS` (an issue that died) is taken over, its number voided."""
    path = _numbers_path(year)

    def write(tx: Transaction) -> Doc:
        current = tx.get(document_path(round_id))
        register = tx.get(path) or {}
        if current is None or current["state"] != "draft" or current["generation"] != generation:
            raise AppError(
                "invalid_state",
                detail={
                    "vi": "bản dự thảo này vừa được ban hành hoặc thay thế",
                    "en": "this draft was issued or replaced meanwhile",
                },
            )
        held = current.get("issuing")
        if held and _live(held, ctx):
            raise AppError(
                "invalid_state",
                detail={
                    "vi": f"bản dự thảo này đang được {held['by']} ban hành",
                    "en": f"this draft is being issued by {held['by']} right now",
                },
            )
        if held and int(held["year"]) == year:
            register = _voided(register, held, "abandoned", ctx.clock.now())
        elif held:
            other = _numbers_path(int(held["year"]))
            tx.set(other, _voided(tx.get(other) or {}, held, "abandoned", ctx.clock.now()))
        last = int(register.get("last") or 0)
        number = given if given is not None else last + 1
        tx.set(path, {**register, "last": max(last, number), "year": year})
        claim = {
            "token": secrets.token_hex(8),
            "by": actor,
            "at": ctx.clock.now(),
            "number": number,
            "year": year,
            "previous_last": last,
            "given": given is not None,
            "round_id": round_id,
        }
        tx.update(document_path(round_id), {"issuing": claim})
        return {**current, "issuing": claim}

    return ctx.store.transaction(write)


def _release(ctx: Context, round_id: str, claim: Mapping[str, Any], reason: str) -> None:
    """An issue that failed after its claim: the draft is free again and its number reused or
    voided (:func:`_voided`)."""
    path = _numbers_path(int(claim["year"]))

    def write(tx: Transaction) -> None:
        current = tx.get(document_path(round_id)) or {}
        register = tx.get(path) or {}
        if (current.get("issuing") or {}).get("token") == claim["token"]:
            tx.update(document_path(round_id), {"issuing": None})
        tx.set(path, _voided(register, claim, reason, ctx.clock.now()))

    ctx.store.transaction(write)


def issue(ctx: Context, round_id: str, body: Any, actor: str) -> Doc:
    """Issue the draft: the final PDF and DOCX, numbered and dated, kept for good.

    The draft is claimed and the number drawn in one transaction, so a second issue of the same
    draft meanwhile is refused before it draws one; edits wait for the issue too. If anything
    fails after the claim (the render, the store, the last transaction), the claim is released
    and the number goes back to the register, or is recorded there as void when a later number
    was drawn meanwhile."""
    from .service import build_summary

    data = load(IssueInput(), body if body is not None else {}, "document")
    doc = ensure_draft(ctx, round_id)
    if doc["state"] != "draft":
        raise AppError(
            "invalid_state",
            detail={
                "vi": "báo cáo này đã được ban hành; hãy mở lại đợt để có bản dự thảo mới",
                "en": "this report has already been issued; reopen the round for a new draft",
            },
        )
    round_doc = get_round_doc(ctx, round_id)
    issued_on = data.get("issued_on") or ctx.clock.now().astimezone(zone_of(round_doc)).date()
    doc = _claim(ctx, round_id, int(doc["generation"]), issued_on.year, data.get("number"), actor)
    claim = doc["issuing"]
    try:
        return _issue_claimed(ctx, round_id, round_doc, doc, claim, issued_on, actor, build_summary)
    except Exception as exc:
        try:
            _release(ctx, round_id, claim, exc.code if isinstance(exc, AppError) else "failed")
        except Exception:
            log.exception("document %s: releasing issue claim %s failed", round_id, claim["token"])
        raise


def _issue_claimed(
    ctx: Context,
    round_id: str,
    round_doc: Doc,
    doc: Doc,
    claim: Mapping[str, Any],
    issued_on: dt.date,
    actor: str,
    build_summary: Any,
) -> Doc:
    number = int(claim["number"])
    summary = build_summary(ctx, round_id)
    summary["document"] = view(summary, _layers(ctx, round_doc, doc), doc.get("narrative"), number, issued_on)
    pdf = _render(ctx, summary, "pdf")
    docx = _render(ctx, summary, "docx")
    stem = f"documents/{round_id}/issued-{doc['generation']}-{number}-{secrets.token_hex(4)}"
    ctx.blobs.put(f"{stem}.pdf", pdf, "application/pdf")
    ctx.blobs.put(f"{stem}.docx", docx, DOCX_TYPE)

    def write(tx: Transaction) -> Doc:
        current = tx.get(document_path(round_id))
        assert current is not None
        if (current.get("issuing") or {}).get("token") != claim["token"] or current["state"] != "draft":
            raise AppError(
                "invalid_state",
                detail={
                    "vi": "bản dự thảo này vừa được ban hành hoặc thay thế",
                    "en": "this draft was issued or replaced meanwhile",
                },
            )
        issued = list(current.get("issued") or [])
        entry = {
            "seq": len(issued) + 1,
            "number": number,
            "label": summary["document"]["number"],
            "issued_on": issued_on.isoformat(),
            "issued_at": ctx.clock.now(),
            "by": actor,
            "generation": current["generation"],
            "pdf": f"{stem}.pdf",
            "docx": f"{stem}.docx",
            "sha256_pdf": hashlib.sha256(pdf).hexdigest(),
            "sha256_docx": hashlib.sha256(docx).hexdigest(),
        }
        tx.update(document_path(round_id), {"state": "issued", "issued": [*issued, entry], "issuing": None})
        audit.record(
            tx, ctx, round_id, "issue", actor, number=number, generation=current["generation"], seq=entry["seq"]
        )
        return {**current, "state": "issued", "issued": [*issued, entry]}

    return _public(ctx, round_id, ctx.store.transaction(write))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def issued_file(ctx: Context, round_id: str, seq: int, kind: str) -> bytes:
    get_round_doc(ctx, round_id)
    doc = ctx.store.get(document_path(round_id)) or {}
    for item in doc.get("issued") or []:
        if item.get("seq") == seq:
            data = ctx.blobs.get(item[kind])
            if data is not None:
                return data
    raise AppError("not_found", what=_DOCUMENT)
