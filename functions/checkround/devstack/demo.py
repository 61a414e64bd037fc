"""The scripted demo: a complete round driven through the HTTP API only.

Six of the seven seed units submit their answers from ``schemas/seed/answers``, one does not;
the inspection team enters its assessment of each (the official results and scores, its remarks
in section 9) from ``schemas/seed/assessments``; the round closes, and the draft report that the
Firestore event produced is downloaded; the committee edits its narrative and issues it, and the
issued PDF (the path returned) and DOCX are downloaded beside the draft.
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


def run_demo(
    base_url: str,
    admin_token: str,
    schemas_dir: Path,
    out_dir: Path,
    say: Callable[[str], None] = print,
    timeout: float = 180,
    mail_dir: Path | None = None,
) -> Path:
    admin = Client(base_url, admin_token)
    definition = load_yaml(schemas_dir / SEED_FORM)
    ensure_form(admin, definition)
    # The official document's parts (header, number, place, signer, Nơi nhận) for the organisation.
    admin.call("PUT", "/document-settings", load_yaml(schemas_dir / "seed" / "document.yaml"))
    unit_ids = ensure_units(admin, read_units(schemas_dir / "seed" / "units.csv"))
    round_id = f"demo-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"
    template = load_yaml(schemas_dir / "seed" / "round.yaml")
    admin.call("POST", "/rounds", round_body(template, unit_ids, round_id, datetime.now(UTC)))
    admin.call("POST", f"/rounds/{round_id}/open")
    say(f"round {round_id} is open for {len(unit_ids)} units")
    links = admin.call("POST", f"/rounds/{round_id}/tokens", {})["tokens"]

    answers_dir = schemas_dir / "seed" / "answers"
    for unit_id in unit_ids:
        path = answers_dir / f"{unit_id}.yaml"
        if not path.exists():
            say(f"  {unit_id}: does not report")
            continue
        unit = Client(base_url, links[unit_id]["token"], function="unit_api")
        result: dict[str, Any] = unit.call(
            "POST",
            f"/rounds/{round_id}/submission",
            {"answers": load_yaml(path)},
            headers={"Idempotency-Key": f"demo-{unit_id}"},
        )
        say(f"  {unit_id}: submitted revision {result['revision']} ({result['submission_id']})")

    for path in sorted((schemas_dir / "seed" / "assessments").glob("*.yaml")):
        unit_id = path.stem
        if unit_id in links and (answers_dir / f"{unit_id}.yaml").exists():
            saved = admin.call("PUT", f"/rounds/{round_id}/assessments/{unit_id}", {"answers": load_yaml(path)})
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
