"""Load the seed round through the admin API: the form, the 7 units and an open round.

Idempotent: on a restart with imported data, what exists is left alone.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from .client import ApiError, Client

SEED_FORM = "kiem-tra-6-thang-2019.yaml"


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_units(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ensure_form(admin: Client, definition: dict[str, Any]) -> int:
    """Create and publish the form unless it exists; return its latest version."""
    try:
        form = admin.call("GET", f"/forms/{definition['id']}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        admin.call("POST", "/forms", definition)
        form = admin.call("GET", f"/forms/{definition['id']}")
    if not form["latest_version"]:
        return int(admin.call("POST", f"/forms/{definition['id']}/versions")["version"])
    return int(form["latest_version"])


# Who gets the admins' messages on the local stack (summary ready, digests), unless set.
LOCAL_ADMIN_RECIPIENTS = ["van-phong@tinh-doan.example.org"]


def ensure_units(admin: Client, units: list[dict[str, str]]) -> list[str]:
    for unit in units:
        body: dict[str, Any] = {
            "name": unit["name_vi"],
            "name_en": unit["name_en"],
            "cluster": unit["cluster"],
            "kind": unit["kind"],
        }
        contact = {part: unit.get(f"contact_{part}") for part in ("name", "email", "phone")}
        if contact["name"]:
            body["contacts"] = [{key: value for key, value in contact.items() if value}]
        admin.call("PUT", f"/units/{unit['id']}", body)
    if not admin.call("GET", "/notifications/recipients")["admin_emails"]:
        admin.call("PUT", "/notifications/recipients", {"admin_emails": LOCAL_ADMIN_RECIPIENTS})
    return [unit["id"] for unit in units]


def round_body(template: dict[str, Any], unit_ids: list[str], round_id: str, now: datetime) -> dict[str, Any]:
    """The seed round's text and roster, with its week-long window moved to start now.

    The real round ran 12–20 June 2019; a window in the past could take no submissions.
    """
    body = {k: v for k, v in template.items() if k not in ("opens_at", "closes_at")}
    body.update(
        id=round_id,
        unit_ids=unit_ids,
        opens_at=now.astimezone(UTC).isoformat(),
        closes_at=(now + timedelta(days=8)).astimezone(UTC).isoformat(),
    )
    return body


def seed(admin: Client, schemas_dir: Path, now: datetime | None = None, round_id: str | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    definition = load_yaml(schemas_dir / SEED_FORM)
    version = ensure_form(admin, definition)
    unit_ids = ensure_units(admin, read_units(schemas_dir / "seed" / "units.csv"))
    template = load_yaml(schemas_dir / "seed" / "round.yaml")
    round_id = round_id or template["id"]
    try:
        round_doc = admin.call("GET", f"/rounds/{round_id}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        admin.call("POST", "/rounds", round_body(template, unit_ids, round_id, now))
        admin.call("POST", f"/rounds/{round_id}/open")
        round_doc = admin.call("GET", f"/rounds/{round_id}")
    return {"form_id": definition["id"], "form_version": version, "round": round_doc, "unit_ids": unit_ids}
