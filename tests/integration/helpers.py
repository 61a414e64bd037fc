"""Building a seed round through the admin API, for the integration tests."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.support import SCHEMAS, seed_form, seed_round_template


def setup_seed_round(admin, round_id="kt-6-thang-2019", unit_ids=None, open_it=True):
    form = seed_form()
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", f"/forms/{form['id']}/versions").status_code == 201
    with (SCHEMAS / "seed" / "units.csv").open(encoding="utf-8") as handle:
        units = list(csv.DictReader(handle))
    for unit in units:
        body = {"name": unit["name_vi"], "name_en": unit["name_en"], "cluster": unit["cluster"], "kind": unit["kind"]}
        assert admin("PUT", f"/units/{unit['id']}", body).status_code == 200
    return create_round(admin, round_id, unit_ids or [u["id"] for u in units], open_it)


def create_round(admin, round_id, unit_ids, open_it=True, closes_in=timedelta(days=7), **extra):
    """An open round that opened an hour ago and closes ``closes_in`` from now (``extra``: more
    of its body); its unit tokens."""
    now = datetime.now(UTC)
    body = {k: v for k, v in seed_round_template().items() if k not in ("opens_at", "closes_at")}
    body.update(extra)
    body.update(
        id=round_id,
        unit_ids=unit_ids,
        opens_at=(now - timedelta(hours=1)).isoformat(),
        closes_at=(now + closes_in).isoformat(),
    )
    response = admin("POST", "/rounds", body)
    assert response.status_code == 201, response.json
    if open_it:
        assert admin("POST", f"/rounds/{round_id}/open").json == {"status": "open"}
    tokens = admin("POST", f"/rounds/{round_id}/tokens", {}).json["tokens"]
    return Tokens(tokens)


class Tokens(dict):
    """Each unit's API token by unit id; ``links[unit]``: the secret of its web form link (the
    ``t`` of its ``form_url``), which is not the API token."""

    def __init__(self, issued):
        super().__init__({unit_id: entry["token"] for unit_id, entry in issued.items()})
        self.links = {unit_id: link_secret(entry["form_url"]) for unit_id, entry in issued.items()}


def link_secret(form_url):
    return parse_qs(urlsplit(form_url).query)["t"][0]
