"""Units: the roster with its clusters; adding and editing a unit; uploading a CSV or XLSX
roster, seeing the changes it would make, then applying them (:mod:`checkround.rounds.roster`).

An edit carries a stamp of the unit as the page showed it: if someone changed the unit since,
nothing is written and the page shows the unit as it is now. Refusals are shown next to their
fields, in the admin's language, with what was typed kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.definition import ID_PATTERN
from checkround.rounds import roster
from checkround.rounds import service as rounds
from checkround.rounds.inputs import MAX_CONTACTS
from checkround.storage.ports import Doc

from .render import text
from .shell import Console, Page

FIELDS = ("name", "name_en", "cluster", "kind")
PARTS = ("name", "email", "phone")


def register(console: Console) -> None:
    console.add_nav("units", "units", "nav_units", 20)
    console.page("/units", ("GET",), nav="units")(unit_list)
    console.page("/units/new", ("GET", "POST"), nav="units")(new_unit)
    console.page("/units/<id:unit_id>/edit", ("GET", "POST"), nav="units")(edit_unit)
    console.page("/units/upload", ("GET", "POST"), nav="units")(upload)
    console.page("/units/upload/<upload_id>", ("GET", "POST"), nav="units")(upload_preview)


def stamp(doc: Doc | None) -> str:
    """A digest of the unit as the page showed it: any change to it changes the stamp."""
    shown = {key: (doc or {}).get(key) for key in (*FIELDS, "contacts")}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def unit_list(page: Page) -> Response:
    units = sorted(rounds.list_units(page.ctx), key=lambda u: (str(u.get("cluster") or "~"), str(u.get("name"))))
    clusters: dict[str, list[Doc]] = {}
    for unit in units:
        clusters.setdefault(str(unit.get("cluster") or ""), []).append(unit)
    applied = {key: page.args.get(key, "") for key in ("added", "changed", "removed", "kept")}
    return page.render(
        "console/units.html.j2",
        clusters=clusters,
        count=len(units),
        saved=page.args.get("saved", ""),
        applied=applied if page.args.get("applied") == "1" else None,
    )


def _values(doc: Doc | None) -> dict[str, str]:
    """A unit as the form's inputs hold it."""
    doc = doc or {}
    values = {key: str(doc.get(key) or "") for key in FIELDS}
    contacts = list(doc.get("contacts") or [])
    for number in range(1, MAX_CONTACTS + 1):
        contact = contacts[number - 1] if number <= len(contacts) else {}
        for part in PARTS:
            values[f"contact{number}_{part}"] = str(contact.get(part) or "")
    return values


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {key: values[key].strip() for key in FIELDS if values.get(key, "").strip()}
    contacts = []
    for number in range(1, MAX_CONTACTS + 1):
        contact = {part: values.get(f"contact{number}_{part}", "").strip() for part in PARTS}
        contact = {part: value for part, value in contact.items() if value}
        if contact:
            contacts.append(contact)
    if contacts:
        body["contacts"] = contacts
    return body


def _posted(page: Page) -> dict[str, str]:
    return {key: page.form.get(key, "") for key in _values(None)} | {"id": page.form.get("id", "").strip()}


# The service's checks speak English (marshmallow's messages); the page says each refusal in
# the admin's language, by the field it concerns.
_SAID = {
    "name": "units_err_name",
    "name_en": "units_err_long",
    "kind": "units_err_long",
    "cluster": "units_err_cluster",
    "email": "units_err_email",
    "phone": "units_err_phone",
    "_schema": "units_err_contact",
    "contacts": "units_err_contacts",
}


def said(key: str, T: dict[str, Any]) -> str:
    return str(T[_SAID.get(key, "units_err_field")])


def _errors(exc: AppError, T: dict[str, Any]) -> dict[str, str]:
    """The service's field errors, keyed by the form's inputs, in the page's language."""
    found: dict[str, str] = {}
    for key, messages in (exc.fields or {}).items():
        if key == "contacts" and isinstance(messages, dict):
            for index, parts in messages.items():
                for part in parts if isinstance(parts, dict) else {"_schema": parts}:
                    name = f"contact{int(index) + 1}_{part if part in PARTS else 'name'}"
                    found[name] = said(str(part), T)
        elif key in FIELDS:
            found[key] = said(key, T)
        else:
            found["name"] = said(str(key), T)
    return found or {"name": exc.message()}


def _form(
    page: Page,
    values: dict[str, str],
    errors: dict[str, str],
    new: bool,
    doc_stamp: str,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "console/unit-form.html.j2",
        status=status,
        values=values,
        errors=errors,
        new=new,
        stamp=doc_stamp,
        notice=notice,
        contacts=range(1, MAX_CONTACTS + 1),
    )


def new_unit(page: Page) -> Response:
    T = text(page.rc)
    if page.rc.request.method == "GET":
        return _form(page, {"id": "", **_values(None)}, {}, True, "")
    values = _posted(page)
    errors: dict[str, str] = {}
    if not re.fullmatch(ID_PATTERN, values["id"]):
        errors["id"] = T["units_err_id"]
    elif page.ctx.store.get(f"units/{values['id']}") is not None:
        errors["id"] = T["units_err_id_taken"]
    if not values["name"].strip():
        errors["name"] = T["units_err_name"]
    if errors:
        return _form(page, values, errors, True, "", status=422)
    try:
        rounds.put_unit(page.ctx, values["id"], _body(values))
    except AppError as exc:
        if exc.code != "validation_failed":
            raise
        return _form(page, values, _errors(exc, T), True, "", status=exc.status)
    return page.redirect("units", saved=values["id"])


def edit_unit(page: Page, unit_id: str) -> Response:
    T = text(page.rc)
    doc = page.ctx.store.get(f"units/{unit_id}")
    if doc is None:
        raise AppError("not_found", what=rounds.UNIT_NOUN)
    if page.rc.request.method == "GET":
        return _form(page, {"id": unit_id, **_values(doc)}, {}, False, stamp(doc))
    values = {**_posted(page), "id": unit_id}
    if page.form.get("stamp") != stamp(doc):
        # Someone saved the unit since this page was drawn: show it as it is now.
        return _form(page, {"id": unit_id, **_values(doc)}, {}, False, stamp(doc), T["units_stale"], 409)
    if not values["name"].strip():
        return _form(page, values, {"name": T["units_err_name"]}, False, stamp(doc), status=422)
    try:
        rounds.put_unit(page.ctx, unit_id, _body(values))
    except AppError as exc:
        if exc.code != "validation_failed":
            raise
        return _form(page, values, _errors(exc, T), False, stamp(doc), status=exc.status)
    return page.redirect("units", saved=unit_id)


def upload(page: Page) -> Response:
    if page.rc.request.method == "GET":
        return page.render("console/units-upload.html.j2", errors={})
    file = page.files.get("roster")
    if file is None or not file.filename:
        return page.render(
            "console/units-upload.html.j2", status=422, errors={"roster": text(page.rc)["units_err_file"]}
        )
    data = file.read()
    try:
        staged = roster.stage_roster(page.ctx, file.filename, data, page.actor, page.lang)
    except AppError as exc:
        if exc.code != "validation_failed":
            raise
        why = " ".join((exc.fields or {}).get("file") or [exc.message(page.lang)])
        return page.render("console/units-upload.html.j2", status=422, errors={"roster": why})
    return page.redirect(f"units/upload/{staged['upload_id']}")


def upload_preview(page: Page, upload_id: str) -> Response:
    if page.rc.request.method == "POST":
        try:
            done = roster.apply_roster(
                page.ctx, upload_id, page.form.get("remove_missing") == "1", page.actor, page.lang
            )
        except AppError as exc:
            if exc.code != "invalid_state":
                raise
            return _preview(page, upload_id, notice=exc.message(page.lang), status=409)
        return page.redirect(
            "units",
            applied="1",
            added=str(done["added"]),
            changed=str(done["changed"]),
            removed=str(len(done["removed"])),
            kept=", ".join(done["kept"]),
        )
    return _preview(page, upload_id)


def _flat(messages: Any, T: dict[str, Any], where: str = "") -> list[str]:
    """Nested field errors (a contact's e-mail: ``contacts.0.email``) as "where: message" lines,
    in the page's language (a unit id's refusal is the roster's own, already in it)."""
    if isinstance(messages, dict):
        return [
            line for key, value in messages.items() for line in _flat(value, T, f"{where}.{key}" if where else str(key))
        ]
    leaf = where.rsplit(".", 1)[-1]
    if leaf == "id":
        return [f"{where}: {' '.join(str(m) for m in messages) if isinstance(messages, list) else messages}"]
    return [f"{where.replace('._schema', '')}: {said(leaf, T)}"]


def _preview(page: Page, upload_id: str, notice: str | None = None, status: int = 200) -> Response:
    shown = roster.preview(page.ctx, upload_id)
    T = text(page.rc)
    shown["refused"] = [{**row, "lines": _flat(row["fields"], T)} for row in shown["refused"]]
    return page.render(
        "console/units-preview.html.j2", status=status, p=shown, notice=notice, fields=roster.UNIT_FIELDS
    )
