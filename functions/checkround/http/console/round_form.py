"""The create-a-round form: what it shows, and reading a post of it into the body
:class:`~checkround.rounds.inputs.RoundInput` loads.

Dates and times are typed in the round's own time zone (``14/06/2019`` and ``17:00``), as the
admin thinks of them; units are picked one by one or a whole emulation cluster at a time. What
cannot be read is reported next to its input in the admin's language, and everything typed is
drawn back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from werkzeug.datastructures import MultiDict

from checkround.formats.dates import DateError, format_local, parse_date
from checkround.formats.zones import DEFAULT_ZONE
from checkround.inputs_common import PATH_ID
from checkround.rounds import roster_snapshot
from checkround.storage.ports import Doc

from .shell import Page

ZONES = (DEFAULT_ZONE, "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "UTC")
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:h.]([0-5][0-9])")
# A refusal of the service, by the body's key, is shown at this input.
SERVICE_FIELDS = {
    "id": "id",
    "title": "title_vi",
    "form_id": "form",
    "form_version": "form",
    "unit_ids": "units",
    "opens_at": "opens_date",
    "closes_at": "closes_date",
    "grace_minutes": "grace_minutes",
    "time_zone": "time_zone",
    "language": "language",
    "issuing_body": "issuing_body_vi",
    "theme": "theme_vi",
    "inspection_team": "team_vi",
    "clusters": "units",
    "contact": "contact_name",
}


@dataclass
class Choices:
    """What the form offers: published form versions, units by cluster, cluster names."""

    forms: list[dict[str, Any]]
    units: list[Doc]
    clusters: dict[str, Any]
    latest: Doc = field(default_factory=dict)

    def by_cluster(self) -> list[tuple[str | None, list[Doc]]]:
        groups: dict[str | None, list[Doc]] = {}
        for unit in self.units:
            groups.setdefault(unit.get("cluster"), []).append(unit)
        return sorted(groups.items(), key=lambda item: (item[0] is None, str(item[0])))


def choices(page: Page) -> Choices:
    ctx = page.ctx
    forms = []
    for form_id, doc in ctx.store.list("forms"):
        for version in sorted(doc.get("versions") or [], reverse=True):
            forms.append(
                {"value": f"{form_id}@{version}", "form_id": form_id, "version": version, "title": _title(doc)}
            )
    # Names and clusters are all the picker shows: the roster snapshot, not every unit document.
    units = sorted(roster_snapshot.current(ctx).values(), key=lambda unit: str(unit.get("name")))
    clusters: dict[str, Any] = {}
    rounds = sorted((doc for _, doc in ctx.store.list("rounds")), key=lambda doc: str(doc.get("created_at") or ""))
    for doc in rounds:  # the latest round's names win
        clusters.update(doc.get("clusters") or {})
    return Choices(forms, units, clusters, rounds[-1] if rounds else {})


def _title(form_doc: Doc) -> Any:
    draft = form_doc.get("draft") or {}
    return draft.get("title") or form_doc.get("id")


def defaults(page: Page, found: Choices) -> dict[str, Any]:
    """What the form holds when it opens: a week from now, the last round's issuing body and team."""
    now = page.ctx.clock.now()
    opens = format_local(now, DEFAULT_ZONE)
    closes = format_local((now + timedelta(days=7)), DEFAULT_ZONE)
    latest = found.latest
    team = latest.get("inspection_team") or []
    return {
        "opens_date": opens[0],
        "opens_time": "08:00",
        "closes_date": closes[0],
        "closes_time": "17:00",
        "time_zone": latest.get("time_zone") or DEFAULT_ZONE,
        "grace_minutes": "0",
        "language": "vi",
        "form": found.forms[0]["value"] if found.forms else "",
        "issuing_body_vi": (latest.get("issuing_body") or {}).get("vi", ""),
        "issuing_body_en": (latest.get("issuing_body") or {}).get("en", ""),
        "theme_vi": "",
        "theme_en": "",
        "team_vi": "\n".join(str(member.get("vi", "")) for member in team),
        "team_en": "\n".join(str(member.get("en", "")) for member in team),
        "units": [],
        "clusters": [],
    }


def values_of(form: MultiDict[str, str]) -> dict[str, Any]:
    """The post as the form draws it back (every text as typed)."""
    singles = {key: form.get(key, "") for key in form if key not in ("units", "clusters", "csrf")}
    return {**singles, "units": form.getlist("units"), "clusters": form.getlist("clusters")}


def _moment(date_text: str, time_text: str, zone: str) -> datetime:
    day = parse_date(date_text)
    found = _TIME.fullmatch(time_text.strip())
    if found is None:
        raise ValueError(time_text)
    return datetime(day.year, day.month, day.day, int(found.group(1)), int(found.group(2)), tzinfo=ZoneInfo(zone))


def _minutes(text: Any) -> int | None:
    """A grace period in minutes (0 to 30 days), or None; ASCII digits only ("²" is a digit to
    ``isdigit`` that ``int`` refuses)."""
    typed = str(text or "0").strip() or "0"
    if typed.isascii() and typed.isdigit() and len(typed) <= 6 and int(typed) <= 60 * 24 * 30:
        return int(typed)
    return None


def _localized(values: Mapping[str, Any], prefix: str) -> dict[str, str] | None:
    vi, en = str(values.get(f"{prefix}_vi", "")).strip(), str(values.get(f"{prefix}_en", "")).strip()
    if not vi and not en:
        return None
    return {"vi": vi or en, **({"en": en} if en else {})}


def read(values: Mapping[str, Any], found: Choices, T: Mapping[str, Any]) -> tuple[Doc, dict[str, str]]:
    """The body for the round service, and the inputs that could not be read (input → message)."""
    errors: dict[str, str] = {}
    body: Doc = {}
    round_id = str(values.get("id", "")).strip()
    if round_id:
        if re.fullmatch(PATH_ID, round_id) and round_id[0].isalnum() and "_" not in round_id:
            body["id"] = round_id
        else:
            errors["id"] = T["err_id"]
    title = _localized(values, "title")
    if title is None or not str(values.get("title_vi", "")).strip():
        errors["title_vi"] = T["err_title"]
    else:
        body["title"] = title
    chosen = {form["value"]: form for form in found.forms}.get(str(values.get("form", "")))
    if chosen is None:
        errors["form"] = T["err_form"]
    else:
        body["form_id"], body["form_version"] = chosen["form_id"], chosen["version"]
    clusters = set(values.get("clusters") or [])
    known = {unit["id"]: unit for unit in found.units}
    unit_ids = [uid for uid in known if uid in set(values.get("units") or []) or known[uid].get("cluster") in clusters]
    if not unit_ids:
        errors["units"] = T["err_units"]
    body["unit_ids"] = unit_ids
    zone = str(values.get("time_zone") or DEFAULT_ZONE)
    if zone not in available_timezones():
        errors["time_zone"] = T["err_zone"]
        zone = DEFAULT_ZONE
    body["time_zone"] = zone
    for which in ("opens", "closes"):
        try:
            body[f"{which}_at"] = _moment(
                str(values.get(f"{which}_date", "")), str(values.get(f"{which}_time", "")), zone
            )
        except (DateError, ValueError):
            errors[f"{which}_date"] = T["err_when"]
    if "opens_at" in body and "closes_at" in body and body["closes_at"] <= body["opens_at"]:
        errors["closes_date"] = T["err_window"]
    grace = _minutes(values.get("grace_minutes"))
    if grace is None:
        errors["grace_minutes"] = T["err_grace"]
    else:
        body["grace_minutes"] = grace
    language = values.get("language")
    body["language"] = language if language in ("vi", "en") else "vi"
    for name in ("issuing_body", "theme"):
        text = _localized(values, name)
        if text is not None:
            body[name] = text
    team_vi = [line.strip() for line in str(values.get("team_vi", "")).splitlines() if line.strip()]
    team_en = [line.strip() for line in str(values.get("team_en", "")).splitlines() if line.strip()]
    if team_vi:
        body["inspection_team"] = [
            {"vi": vi, **({"en": team_en[n]} if n < len(team_en) else {})} for n, vi in enumerate(team_vi)
        ]
    named = {str(unit.get("cluster")) for uid, unit in known.items() if uid in unit_ids and unit.get("cluster")}
    if named & set(found.clusters):
        body["clusters"] = {key: found.clusters[key] for key in sorted(named & set(found.clusters))}
    contact = {key: str(values.get(f"contact_{key}", "")).strip() for key in ("name", "phone", "email")}
    if any(contact.values()):
        body["contact"] = {key: value for key, value in contact.items() if value}
    for key in ("opens_at", "closes_at"):
        if key in body:
            body[key] = body[key].isoformat()
    return body, errors


def read_deadline(values: Mapping[str, Any], zone: str, T: Mapping[str, Any]) -> tuple[Doc, dict[str, str]]:
    """A new deadline (reopening a round): ``closes_at`` and ``grace_minutes``, or the inputs in error."""
    errors: dict[str, str] = {}
    body: Doc = {}
    try:
        body["closes_at"] = _moment(
            str(values.get("closes_date", "")), str(values.get("closes_time", "")), zone
        ).isoformat()
    except (DateError, ValueError):
        errors["closes_date"] = T["err_when"]
    grace = _minutes(values.get("grace_minutes"))
    if grace is None:
        errors["grace_minutes"] = T["err_grace"]
    else:
        body["grace_minutes"] = grace
    return body, errors


def service_errors(fields: Mapping[str, Any] | None, T: Mapping[str, Any]) -> dict[str, str]:
    """A refusal of the round service, each at its input, in the admin's language."""
    errors: dict[str, str] = {}
    for key in fields or {}:
        target = SERVICE_FIELDS.get(str(key), "form_top")
        errors.setdefault(target, T["field_errors"].get(target, T["err_invalid"]))
    return errors
