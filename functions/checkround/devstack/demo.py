"""The scripted demo: two rounds of a series driven through the HTTP API only.

Round 1 is the seed round: six of the seven seed units submit their answers from
``schemas/seed/answers``, one does not; the inspection team enters its assessment of each (the
official results and scores, its remarks in section 9) from ``schemas/seed/assessments``; the
round closes, and the draft report that the Firestore event produced is downloaded; the
committee edits its narrative and issues it, and the issued PDF and DOCX are downloaded beside
the draft. The Standing Committee then records its recommendations to the units, the form gets
a newer version that renames an item, and round 2 follows round 1
(``schemas/seed/series.yaml``): the units answer what became of the recommendations, the team
scores them again, and round 2's report, issued the same way, compares with round 1 (its issued
PDF is the path returned).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .client import Client
from .seed import SEED_FORM, ensure_form, ensure_units, load_yaml, read_units, round_body
from .series import follow_up_body, load_series, renamed_version, second_answers


def run_demo(
    base_url: str,
    admin_token: str,
    schemas_dir: Path,
    out_dir: Path,
    say: Callable[[str], None] = print,
    timeout: float = 180,
    mail_dir: Path | None = None,
) -> Path:
    """Both rounds; returns round 2's PDF (round 1's is said on the way)."""
    first, second = run_series(base_url, admin_token, schemas_dir, out_dir, say, timeout, mail_dir)
    say(f"PDF summary of round 1: {first}")
    return second


def run_series(
    base_url: str,
    admin_token: str,
    schemas_dir: Path,
    out_dir: Path,
    say: Callable[[str], None] = print,
    timeout: float = 180,
    mail_dir: Path | None = None,
) -> tuple[Path, Path]:
    admin = Client(base_url, admin_token)
    definition = load_yaml(schemas_dir / SEED_FORM)
    ensure_form(admin, definition)
    # The official document's parts (header, number, place, signer, Nơi nhận) for the organisation.
    admin.call("PUT", "/document-settings", load_yaml(schemas_dir / "seed" / "document.yaml"))
    series = load_series(schemas_dir)
    base_version, next_version = _versions(admin, definition, series["renames"])
    unit_ids = ensure_units(admin, read_units(schemas_dir / "seed" / "units.csv"))
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"
    template = load_yaml(schemas_dir / "seed" / "round.yaml")

    answers_dir = schemas_dir / "seed" / "answers"
    answers = {path.stem: load_yaml(path) for path in sorted(answers_dir.glob("*.yaml")) if path.stem in unit_ids}
    scores = {
        path.stem: load_yaml(path)
        for path in sorted((schemas_dir / "seed" / "assessments").glob("*.yaml"))
        if path.stem in answers
    }
    round_1 = f"demo-{stamp}"
    body = {**round_body(template, unit_ids, round_1, datetime.now(UTC)), "form_version": base_version}
    first = _run_round(admin, base_url, body, answers, scores, {}, out_dir, say, timeout, mail_dir)

    recs: dict[str, list[str]] = {}
    for rec in series["recommendations"]:
        made = admin.call("POST", f"/rounds/{round_1}/recommendations", rec)
        recs.setdefault(rec["unit_id"], []).append(made["id"])
    say(f"{len(series['recommendations'])} recommendations recorded after {round_1}")

    round_2 = f"demo-{stamp}-2"
    body = {
        **round_body(template, unit_ids, round_2, datetime.now(UTC)),
        "title": series["title"],
        "form_version": next_version,
        "previous_round_id": round_1,
    }
    reporting = series["reporting"]
    answers_2 = {unit: second_answers(series, answers, unit) for unit in reporting}
    scores_2 = {unit: second_answers(series, scores, unit) for unit in reporting}
    follow_ups = {unit: follow_up_body(series, unit, recs.get(unit, [])) for unit in reporting}
    second = _run_round(admin, base_url, body, answers_2, scores_2, follow_ups, out_dir, say, timeout, mail_dir)
    return first, second


def _versions(admin: Client, definition: dict[str, Any], renames: dict[str, str]) -> tuple[int, int]:
    """The form version with the seed's keys (round 1) and the newer one that renames them
    (round 2), publishing the newer one the first time."""
    form = admin.call("GET", f"/forms/{definition['id']}")
    moved = {f"{old.split('.', 1)[0]}.{new}" for old, new in renames.items()}
    base = newer = None
    for version in sorted(form["versions"], reverse=True):
        frozen = admin.call("GET", f"/forms/{definition['id']}/versions/{version}")
        names = {f"{section['key']}.{field['key']}" for section in frozen["sections"] for field in section["fields"]}
        if moved <= names:
            newer = newer or version
        elif base is None:
            base = version
            break
    assert base is not None, "the form has no version with the seed's keys"
    if newer is None or newer < base:
        renamed = renamed_version(admin.call("GET", f"/forms/{definition['id']}/versions/{base}"), renames)
        admin.call("PUT", f"/forms/{definition['id']}/draft", renamed, headers={"If-Match": form["etag"]})
        newer = int(admin.call("POST", f"/forms/{definition['id']}/versions")["version"])
    return base, newer


def _run_round(
    admin: Client,
    base_url: str,
    body: dict[str, Any],
    answers: dict[str, Any],
    scores: dict[str, Any],
    follow_ups: dict[str, Any],
    out_dir: Path,
    say: Callable[[str], None],
    timeout: float,
    mail_dir: Path | None,
) -> Path:
    """Create and open a round, let the units in ``answers`` submit, score them, close it and
    download its summary."""
    round_id = body["id"]
    unit_ids = body["unit_ids"]
    admin.call("POST", "/rounds", body)
    admin.call("POST", f"/rounds/{round_id}/open")
    follows = f", following {body['previous_round_id']}" if body.get("previous_round_id") else ""
    say(f"round {round_id} is open for {len(unit_ids)} units (form version {body['form_version']}{follows})")
    links = admin.call("POST", f"/rounds/{round_id}/tokens", {})["tokens"]

    for unit_id in unit_ids:
        if unit_id not in answers:
            say(f"  {unit_id}: does not report")
            continue
        unit = Client(base_url, links[unit_id]["token"], function="unit_api")
        sent: dict[str, Any] = {"answers": answers[unit_id]}
        if follow_ups.get(unit_id):
            sent["follow_up"] = follow_ups[unit_id]
        result: dict[str, Any] = unit.call(
            "POST", f"/rounds/{round_id}/submission", sent, headers={"Idempotency-Key": f"demo-{unit_id}"}
        )
        answered = f", answering {len(sent['follow_up'])} recommendations" if "follow_up" in sent else ""
        say(f"  {unit_id}: submitted revision {result['revision']} ({result['submission_id']}){answered}")

    for unit_id, assessment in scores.items():
        if unit_id in links and unit_id in answers:
            saved = admin.call("PUT", f"/rounds/{round_id}/assessments/{unit_id}", {"answers": assessment})
            say(f"  {unit_id}: scored by the inspection team (assessment {saved['revision']})")

    admin.call("POST", f"/rounds/{round_id}/close")
    say("round closed; waiting for the summary that the Firestore event renders...")
    deadline = time.monotonic() + timeout
    while True:
        summary = admin.call("GET", f"/rounds/{round_id}/summary")
        if summary["state"] == "ready":
            break
        if summary["state"] == "failed":
            raise RuntimeError(f"the summary failed: {summary.get('error')}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no summary after {timeout:.0f}s (state {summary['state']})")
        time.sleep(0.5)
    pdf = admin.call("GET", f"/rounds/{round_id}/summary.pdf")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{round_id}-draft.pdf").write_bytes(pdf)
    say(f"draft: {out_dir / f'{round_id}-draft.pdf'}")

    # The committee starts from the prose written from the data, adds its own sentence, and issues.
    draft = admin.call("GET", f"/rounds/{round_id}/document")
    overall = COMMITTEE_OPENING + "\n\n" + draft["narrative"]["overall"]
    admin.call("PATCH", f"/rounds/{round_id}/document", {"narrative": {"overall": overall}})
    issued = admin.call("POST", f"/rounds/{round_id}/document/issue", {})["issued"][-1]
    say(f"issued {issued['label']} on {issued['issued_on']}")
    docx = admin.call("GET", f"/rounds/{round_id}/document/issued/{issued['seq']}.docx")
    (out_dir / f"{round_id}-issued.docx").write_bytes(docx)
    say(f"DOCX: {out_dir / f'{round_id}-issued.docx'}")
    final = admin.call("GET", f"/rounds/{round_id}/document/issued/{issued['seq']}.pdf")
    path = out_dir / f"{round_id}.pdf"
    path.write_bytes(final)
    show_messages(admin, round_id, say, mail_dir, deadline)
    return path


def show_messages(
    admin: Client, round_id: str, say: Callable[[str], None], mail_dir: Path | None, deadline: float
) -> None:
    """The round's messages once none is waiting (the links sent when it opened, the
    summary's to the admins), each with the .eml file the local SMTP server kept."""
    while True:
        listed = admin.call("GET", f"/rounds/{round_id}/messages")
        waiting = [m for m in listed["messages"] if m["state"] in ("pending", "sending")]
        if (not waiting and not listed["pending_requests"]) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    say(f"messages of {round_id}:")
    for message in listed["messages"]:
        where = ""
        if mail_dir is not None and message["channel"] == "email":
            found = sorted(mail_dir.glob(f"{message['id']}@*.eml"))
            where = f"  {found[0]}" if found else ""
        unit = message.get("unit_id") or "admins"
        say(f"  {message['kind']:<8} {unit:<16} {message['to']:<40} {message['state']}{where}")


COMMITTEE_OPENING = (
    "Các đơn vị đã chuẩn bị chu đáo báo cáo, chuyên đề, hồ sơ, sổ sách phục vụ Đoàn kiểm tra; phần lớn các "
    "đơn vị mời đại diện cấp ủy cùng cấp dự, triệu tập đúng thành phần. Chương trình công tác năm 2019 được "
    "xây dựng bám sát chương trình của Tỉnh đoàn và chủ đề năm."
)
