"""The parts of the committee's document in the console (reports/document.py): the header block,
the number's suffix, the place, the title, the signature block and Nơi nhận, set at one of three
levels on one page each:

- the organisation's (``document-settings``): every round's document, unless set lower down;
- this round's (``rounds/{id}/document/round-parts``): its drafts, before or after the close;
- this draft's (``rounds/{id}/document/parts``): the document about to be issued.

Every part is a plain field holding what is set at that level; an empty field sets nothing
there, and the field says what the document prints then and where that comes from (the level
below, or the product's default). The page shows the header and signature as the issued
document will print them, and links to the draft's PDF preview when the round has one. The
text is edited in the language the document prints in (the round's; the organisation's page
edits Vietnamese or English, ``?text=en``), the other language's text is kept. Each save goes
through the same service as the API and is audited under the admin's name.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.formats.text import LANGUAGES, in_language_tree, localized
from checkround.forms.definition_messages import bilingual_errors
from checkround.forms.editing import flat_errors
from checkround.reports import document
from checkround.rounds import service as rounds

from .rounds import round_values
from .shell import Console, Page

# The parts in the order the document prints them; each is a line, except the recipients.
PARTS = (
    "parent_body",
    "issuing_body",
    "number_suffix",
    "place",
    "kind",
    "subject",
    "on_behalf",
    "signer_title",
    "signer_name",
    "recipients",
)
# Parts that are one text for every language.
PLAIN = ("number_suffix", "signer_name")
LEVELS = ("organisation", "round", "draft")


def register(console: Console) -> None:
    console.page("/document-settings", ("GET", "POST"), nav="rounds")(organisation_parts)
    console.page("/rounds/<id:round_id>/document/round-parts", ("GET", "POST"), nav="rounds")(round_parts)
    console.page("/rounds/<id:round_id>/document/parts", ("GET", "POST"), nav="rounds")(draft_parts)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(value: Any, lang: str) -> str:
    """A part's text in ``lang`` exactly (no fallback: a field shows what is set in it)."""
    if isinstance(value, dict):
        return str(value.get(lang) or "")
    return "" if value is None else str(value)


def field_values(parts: dict[str, Any], lang: str) -> dict[str, str]:
    """The fields of one level: what is set there, in the text's language."""
    shown = {key: _text(parts.get(key), lang) for key in PARTS if key != "recipients"}
    shown["recipients"] = "\n".join(_text(line, lang) for line in parts.get("recipients") or [])
    return shown


def _in_language(held: Any, typed: str, lang: str) -> dict[str, str]:
    """``held`` (a ``{vi, en}`` text or nothing) with ``lang``'s text ``typed``; the other
    language's is kept (Vietnamese, which is required, takes ``typed`` when absent)."""
    value = {k: v for k, v in held.items() if v} if isinstance(held, dict) else {}
    value[lang] = typed
    value.setdefault("vi", typed)
    return value


def typed_parts(form: Any, held: dict[str, Any], lang: str) -> dict[str, Any]:
    """The parts the form changed at its level: a new value, or ``None`` for a field emptied
    (nothing set there any more). A field left as shown is not a change, so the other
    language's text of a part is never lost by a save in one language."""
    shown = field_values(held, lang)
    changed: dict[str, Any] = {}
    for key in PARTS:
        if key not in form:
            continue
        if key == "recipients":
            lines = _lines(form.get(key) or "")
            if lines != _lines(shown[key]):
                old = held.get(key) or []
                changed[key] = [
                    _in_language(old[i] if i < len(old) else None, line, lang) for i, line in enumerate(lines)
                ] or None
            continue
        typed = " ".join((form.get(key) or "").split())
        if typed == " ".join(shown[key].split()):
            continue
        if not typed:
            changed[key] = None
        elif key in PLAIN:
            changed[key] = typed
        else:
            changed[key] = _in_language(held.get(key), typed, lang)
    return changed


def _below(level: str, layers: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The levels under ``level``, nearest first, with the product's defaults last."""
    order = list(LEVELS[: LEVELS.index(level)])
    return [(name, layers[name]) for name in reversed(order)] + [("defaults", layers["defaults"])]


def fallbacks(level: str, layers: dict[str, Any], round_doc: dict[str, Any] | None, lang: str) -> dict[str, Any]:
    """For each part, what the document prints when this level's field is empty, and where that
    comes from (``organisation``, ``round``, ``defaults``, ``round_data`` or ``nothing``)."""
    found: dict[str, Any] = {}
    for key in PARTS:
        for name, parts in _below(level, layers):
            value = parts.get(key)
            if value:
                text = (
                    "\n".join(localized(line, lang) for line in value)
                    if key == "recipients"
                    else localized(value, lang)
                )
                found[key] = {"text": text, "source": name}
                break
        else:
            text = _from_round(key, round_doc, lang)
            each_round = round_doc is None and key in ("issuing_body", "subject")
            found[key] = {"text": text, "source": "each_round" if each_round else "round_data" if text else "nothing"}
    return found


def _from_round(key: str, round_doc: dict[str, Any] | None, lang: str) -> str:
    """The parts the round itself gives when no level sets them (as ``document.view`` does)."""
    if round_doc is None:
        return ""
    if key == "issuing_body":
        return localized(round_doc.get("issuing_body"), lang).upper()
    if key == "subject":
        return localized(round_doc.get("title"), lang)
    return ""


def printed(fields: dict[str, str], below: dict[str, Any], lang: str) -> dict[str, Any]:
    """The header and signature as the document prints them with these fields."""
    out: dict[str, Any] = {}
    for key in PARTS:
        typed = fields.get(key) or ""
        out[key] = typed if typed.strip() else below[key]["text"]
    out["recipients"] = _lines(out["recipients"])
    out["number"] = f"{'No.' if lang == 'en' else 'Số:'} …-{out['number_suffix'] or 'BC'}"
    return out


def _save(page: Page, level: str, round_id: str | None, held: dict[str, Any], lang: str) -> None:
    changed = typed_parts(page.form, held, lang)
    if level == "draft":
        assert round_id is not None
        document.edit(page.ctx, round_id, {"parts": changed}, page.actor)
        return
    parts = {**held, **changed}
    if level == "organisation":
        document.put_settings(page.ctx, {"parts": parts}, page.actor)
    else:
        assert round_id is not None
        document.put_round_parts(page.ctx, round_id, {"parts": parts}, page.actor)


def _errors(exc: AppError, lang: str) -> dict[str, str]:
    """The refusal's messages by field, in the page's language."""
    tree = in_language_tree(bilingual_errors(exc.fields), lang)
    parts = tree.get("parts") if isinstance(tree, dict) else None
    errors: dict[str, str] = {}
    for path, messages in flat_errors(parts).items():
        key = path.split(".")[0]
        key = key if key in PARTS else "parent_body"
        errors[key] = " ".join([errors[key], *messages]) if key in errors else " ".join(messages)
    return errors


def _page(page: Page, level: str, round_doc: dict[str, Any] | None, doc: dict[str, Any] | None, lang: str) -> Response:
    round_id = round_doc["id"] if round_doc else None
    layers = document.part_layers(page.ctx, round_doc, doc)
    held = dict(layers[level])
    status, errors, notice = 200, {}, None
    fields = field_values(held, lang)
    if page.rc.request.method == "POST":
        try:
            _save(page, level, round_id, held, lang)
        except AppError as exc:
            status, notice = exc.status, exc.message(page.lang)
            errors = _errors(exc, page.lang)
            fields = {key: page.form.get(key, fields[key]) for key in PARTS}
        else:
            query = {"done": "saved", **({"text": lang} if level == "organisation" else {})}
            return page.redirect(_target(level, round_id), **query)
    below = fallbacks(level, layers, round_doc, lang)
    values: dict[str, Any] = round_values(round_doc) if round_doc else {"round": None}
    return page.render(
        "console/document-parts.html.j2",
        status=status,
        tab="document",
        level=level,
        text_lang=lang,
        fields=fields,
        below=below,
        printed=printed(fields, below, lang),
        parts_order=PARTS,
        errors=errors,
        notice=notice,
        done=page.args.get("done") == "saved",
        has_draft=doc is not None,
        doc_state=(doc or {}).get("state"),
        target=_target(level, round_id),
        **values,
    )


def _target(level: str, round_id: str | None) -> str:
    if level == "organisation":
        return "document-settings"
    return f"rounds/{round_id}/document/{'round-parts' if level == 'round' else 'parts'}"


def _draft(page: Page, round_doc: dict[str, Any]) -> dict[str, Any] | None:
    if round_doc["status"] != "closed" and not round_doc.get("close_count"):
        return None
    return document.ensure_draft(page.ctx, round_doc["id"])


def organisation_parts(page: Page) -> Response:
    lang = page.args.get("text") if page.args.get("text") in LANGUAGES else "vi"
    return _page(page, "organisation", None, None, str(lang))


def round_parts(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    return _page(page, "round", round_doc, _draft(page, round_doc), str(round_doc.get("language") or "vi"))


def draft_parts(page: Page, round_id: str) -> Response:
    round_doc = rounds.get_round_doc(page.ctx, round_id)
    doc = _draft(page, round_doc)
    if doc is None:
        raise AppError("round_not_closed")
    if doc["state"] != "draft" and page.rc.request.method == "POST":
        raise AppError(
            "invalid_state",
            detail={
                "vi": "báo cáo này đã được ban hành và không bao giờ bị thay đổi",
                "en": "this report has been issued and is never changed",
            },
        )
    return _page(page, "draft", round_doc, doc, str(round_doc.get("language") or "vi"))
