"""``checkround rounds|tokens|summary|export`` as a user runs them: real processes against a
real local stack, a round from its file to its summary PDF and exports.

One stack serves the whole module; the rounds here have ids of their own, so the seed round
and the other modules' data do not matter. The summary is the one the stack's Firestore event
renders when the round closes, as in production.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from checkround.devstack.emulator import free_port
from tests.e2e.conftest import failed, write_yaml
from tests.e2e.conftest import run_cli as checkround
from tests.e2e.test_local_stack import RunningStack
from tests.support import SCHEMAS, SEED_UNITS, UNIT_NAMES, seed_answers

pytestmark = pytest.mark.e2e

SEED_FORM = "kiem-tra-6-thang-2019"
BOM = b"\xef\xbb\xbf"


def mailed_units(stack: RunningStack, round_id: str) -> set[str]:
    """The units the round's messages so far went to (``checkround messages --json``)."""
    listing = json.loads("\n".join(ok(checkround(stack, "messages", round_id, "--json"))))
    return {row["unit_id"] for row in listing["messages"] if row.get("unit_id")}


def ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines()


def round_body(round_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "id": round_id,
        "title": {"vi": "Đợt kiểm tra qua CLI", "en": "A round through the CLI"},
        "form_id": SEED_FORM,
        "unit_ids": SEED_UNITS,
        # datetime objects: yaml.safe_dump writes them as YAML timestamps, which the CLI must
        # turn back into ISO strings for the API.
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "time_zone": "Asia/Ho_Chi_Minh",
    }


def test_a_round_from_its_file_to_the_summary_and_exports(stack: RunningStack, tmp_path: Path) -> None:
    round_id = "cli-dot"
    reported = ("tien-yen", "mong-cai")  # seed units with answers in schemas/seed/answers
    source = write_yaml(tmp_path / "round.yaml", round_body(round_id))
    assert "opens_at: 20" in source.read_text(encoding="utf-8")  # a timestamp, not a quoted string
    assert ok(checkround(stack, "rounds", "create", str(source))) == [round_id]
    assert ok(checkround(stack, "rounds", "open", round_id)) == [f"opened {round_id}"]

    # The links, as Excel opens them: a BOM, then CSV with one row per unit.
    links_file = tmp_path / "links.csv"
    issued = checkround(stack, "tokens", "issue", round_id, "-o", str(links_file))
    assert ok(issued) == [str(links_file)]
    assert "7" in issued.stderr  # the tokens are shown once: the warning says how to recover
    assert "--revoke-previous" in issued.stderr
    raw = links_file.read_bytes()
    assert raw.startswith(BOM)
    assert raw.count(b"\r\n") == 8  # CRLF, as Excel writes CSV: a header and 7 rows
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["unit_id", "unit_name", "form_url", "token"]
    assert [row[0] for row in rows[1:]] == SEED_UNITS
    assert all(row[1] == UNIT_NAMES[row[0]] for row in rows[1:])
    assert links_file.stat().st_mode & 0o077 == 0  # live tokens: readable by the owner only
    links = {row[0]: row for row in rows[1:]}
    page = requests.get(links["tien-yen"][2], allow_redirects=False, timeout=30)
    assert page.status_code == 303  # the web form takes the token and sets its session cookie

    base = f"http://127.0.0.1:{stack.port}"
    for unit_id in reported:
        answer = requests.post(
            f"{base}/unit_api/rounds/{round_id}/submission",
            json={"answers": seed_answers(unit_id)},
            headers={"Authorization": f"Bearer {links[unit_id][3]}"},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text

    board = ok(checkround(stack, "rounds", "status", round_id))
    assert board[0] == "Đợt kiểm tra qua CLI: open; 7 units: submitted 2, accepted 0, returned 0, draft 0, missing 5"
    assert board[1].split() == ["UNIT", "NAME", "STATE", "SUBMITTED", "(Asia/Ho_Chi_Minh)", "REV", "LATE"]
    state_at = board[1].index("STATE")  # aligned by display width, Vietnamese names included
    states = {line.split()[0]: line[state_at:].split()[0] for line in board[2:]}
    assert states == {unit_id: "submitted" if unit_id in reported else "missing" for unit_id in SEED_UNITS}
    submitted = [line for line in board[2:] if line.split()[0] in reported]
    assert board[2:4] == submitted  # the submitted units come first
    assert all(re.search(r"submitted  +\d{4}-\d\d-\d\d \d\d:\d\d  +1  +no$", line) for line in submitted), submitted
    assert "BTV Huyện Đoàn Tiên Yên" in submitted[0] + submitted[1]
    english = ok(checkround(stack, "--lang", "en", "rounds", "status", round_id))
    assert english[0].startswith("A round through the CLI: open; ")
    as_json = json.loads(checkround(stack, "rounds", "status", "--json", round_id).stdout)
    assert sorted(row["state"] for row in as_json["board"]) == ["missing"] * 5 + ["submitted"] * 2

    assert ok(checkround(stack, "rounds", "close", round_id)) == [f"closed {round_id}"]
    assert ok(checkround(stack, "rounds", "close", round_id)) == [f"{round_id} was already closed"]

    # The render that the close's Firestore event started: waited for, then downloaded.
    pdf = tmp_path / "x.pdf"
    got = checkround(stack, "summary", "get", round_id, "-o", str(pdf), "--wait", "50")
    assert ok(got) == [str(pdf)]
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".*.part"))

    exported = tmp_path / "out.csv"
    result = checkround(stack, "export", round_id, "--format", "csv", "-o", str(exported))
    assert ok(result) == [str(exported)]
    assert result.stderr.startswith("Đang tải xuống")  # the progress bar's label (no terminal: no bar)
    table = list(csv.reader(io.StringIO(exported.read_bytes().decode("utf-8-sig"), newline="")))
    assert table[0][0] == "unit_id"
    assert sorted(row[0] for row in table[2:]) == sorted(reported)  # rows 1-2: keys, labels
    workbook = tmp_path / "out.xlsx"
    assert ok(checkround(stack, "export", round_id, "--format", "xlsx", "-o", str(workbook))) == [str(workbook)]
    assert workbook.read_bytes().startswith(b"PK\x03\x04")  # XLSX is a zip


def test_a_round_that_never_closed_has_no_summary_to_wait_for(stack: RunningStack, tmp_path: Path) -> None:
    body = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in round_body("").items()}
    del body["id"]  # the server makes one up
    source = tmp_path / "round.json"
    source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    (round_id,) = ok(checkround(stack, "rounds", "create", str(source)))
    assert round_id.startswith("round-")
    stderr = failed(checkround(stack, "--lang", "en", "summary", "get", round_id, "-o", str(tmp_path / "s.pdf")), 1)
    assert stderr.startswith("error: summary_not_ready: There is no summary yet: the round is draft.")
    assert not (tmp_path / "s.pdf").exists()
    # Reissuing to stdout: still CSV with a BOM, and the warning on stderr.
    ok(checkround(stack, "rounds", "open", round_id))
    # Opening the round mails each unit's contacts (every seed unit has one) a link of its own
    # (docs/notifications.md). The dispatcher issues those links on the outbox's Firestore event,
    # so wait until every unit's message is there: the counts below then include them, whatever
    # the event's timing.
    deadline = time.monotonic() + 60
    while len(mailed_units(stack, round_id)) < len(SEED_UNITS):
        assert time.monotonic() < deadline, f"opening messages only for {mailed_units(stack, round_id)}"
        time.sleep(0.2)
    one = checkround(stack, "tokens", "issue", round_id, "--unit", "mong-cai")
    assert one.returncode == 0, one.stderr
    # (run_cli reads text, which turns the CSV's CRLF into "\n"; the file above was checked raw.)
    assert one.stdout.startswith("\ufeffunit_id,unit_name,form_url,token\nmong-cai,")
    assert len(one.stdout.splitlines()) == 2
    again = checkround(stack, "--lang", "en", "tokens", "issue", round_id, "--unit", "mong-cai", "--revoke-previous")
    assert "Revoked 2 earlier links." in again.stderr  # the opening message's and the one above
    # Every unit's opening link, mong-cai's having been replaced by the one issued above.
    assert ok(checkround(stack, "tokens", "revoke", round_id)) == [f"revoked {len(SEED_UNITS)} links"]


def test_refusals_bad_files_and_no_server(stack: RunningStack, tmp_path: Path) -> None:
    assert failed(checkround(stack, "rounds", "status", "khong-co"), 1).startswith("error: not_found: ")
    assert failed(checkround(stack, "summary", "get", "khong-co"), 1).startswith("error: not_found: ")
    links = tmp_path / "links.csv"
    assert failed(checkround(stack, "tokens", "issue", "khong-co", "-o", str(links)), 1).startswith(
        "error: not_found: "
    )
    assert not links.exists()
    assert not list(tmp_path.glob(".*"))  # nothing half-written either
    export_to = tmp_path / "e.csv"
    assert failed(checkround(stack, "export", "khong-co", "--format", "csv", "-o", str(export_to)), 1).startswith(
        "error: not_found: "
    )
    assert not export_to.exists()

    # The server names each invalid field: a window that ends before it starts.
    body = round_body("cli-sai")
    body["closes_at"] = body["opens_at"] - timedelta(days=1)
    stderr = failed(checkround(stack, "rounds", "create", str(write_yaml(tmp_path / "sai.yaml", body))), 1)
    assert stderr.startswith("error: validation_failed: ")
    assert "  closes_at: " in stderr

    broken = tmp_path / "hong.yaml"
    broken.write_text("title: {vi: [\n", encoding="utf-8")
    assert "không phải YAML hợp lệ" in failed(checkround(stack, "rounds", "create", str(broken)), 2)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    assert "must hold one round" in failed(checkround(stack, "--lang", "en", "rounds", "create", str(listed)), 2)
    assert failed(checkround(stack, "export", "r", "--format", "xlsx", "--group", "a.b"), 2)

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    stderr = failed(checkround(stack, "--url", url, "rounds", "status", "cli-dot"), 3)
    assert f"{url}/admin_api/rounds/cli-dot" in stderr
    target = tmp_path / "none.pdf"
    failed(checkround(stack, "--url", url, "export", "cli-dot", "--format", "csv", "-o", str(target)), 3)
    assert not target.exists()


def test_notifications_from_the_terminal(stack: RunningStack) -> None:
    """recipients, webhooks, notify and messages against the seed round, whose opening mailed
    each unit's example contact its link through the stack's SMTP server."""
    assert ok(checkround(stack, "recipients", "set", "Van-Phong@Tinh-Doan.example.org")) == ["1 recipient(s)"]
    assert ok(checkround(stack, "recipients", "show")) == ["Van-Phong@tinh-doan.example.org"]  # domain lower-cased
    added = checkround(stack, "webhooks", "add", "http://127.0.0.1:9/hook", "--kind", "summary")
    (secret,) = ok(added)
    assert secret.startswith("whsec_")
    webhook_id = added.stderr.split()[1]
    listed = ok(checkround(stack, "webhooks", "list"))
    assert any(line.split()[:3] == [webhook_id, "http://127.0.0.1:9/hook", "summary"] for line in listed)
    assert secret not in "\n".join(listed)
    assert ok(checkround(stack, "webhooks", "remove", webhook_id)) == [f"webhook {webhook_id} removed"]
    refused = checkround(stack, "webhooks", "add", "ftp://example.org/hook")
    assert refused.returncode == 1
    assert "url" in refused.stderr

    assert ok(checkround(stack, "notify", "kt-6-thang-2019", "--unit", "hai-quan")) == [
        "sending new links to the contacts of 1 units"
    ]
    deadline = time.monotonic() + 60
    while True:  # the messages go out on the outbox's Firestore events
        rows = ok(checkround(stack, "messages", "kt-6-thang-2019", "--unit", "hai-quan"))
        states = [line.split()[4] for line in rows[1:]]
        if states.count("sent") == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert rows[0].split() == ["KIND", "UNIT", "CHANNEL", "TO", "STATE", "TRIES", "AT", "ERROR"]
    # The opening's link and the one just asked for, to the unit's one contact, both delivered.
    assert [line.split()[:5] for line in rows[1:]] == [
        ["link", "hai-quan", "email", "bi-thu@hai-quan.example.org", "sent"],
        ["link", "hai-quan", "email", "bi-thu@hai-quan.example.org", "sent"],
    ]
    unknown = checkround(stack, "messages", "no-such-round")
    assert unknown.returncode == 1


def test_the_committees_document_from_the_terminal(stack: RunningStack, tmp_path: Path) -> None:
    round_id = "cli-van-ban"
    source = write_yaml(tmp_path / "round.yaml", round_body(round_id))
    ok(checkround(stack, "rounds", "create", str(source)))
    ok(checkround(stack, "rounds", "open", round_id))
    refused = checkround(stack, "document", "show", round_id)
    assert refused.returncode == 1
    assert "round_not_closed" in refused.stderr
    ok(checkround(stack, "rounds", "close", round_id))

    parts = ok(checkround(stack, "document", "settings", str(SCHEMAS / "seed" / "document.yaml")))
    assert any("BC/TĐTN" in line for line in parts)
    own = write_yaml(tmp_path / "round-parts.yaml", {"parts": {"signer_name": "Trần Văn Bình"}})
    assert any(
        "Trần Văn Bình" in line for line in ok(checkround(stack, "document", "settings", str(own), "--round", round_id))
    )
    shown = ok(checkround(stack, "document", "show", round_id))
    assert shown[:2] == ["state: draft (close 1)", "edited: -"]
    assert "[overall]" in shown
    opening = tmp_path / "overall.txt"
    opening.write_text("Các đơn vị chưa gửi báo cáo đúng hạn.\n\nĐoàn kiểm tra đề nghị khắc phục.", encoding="utf-8")
    assert ok(checkround(stack, "document", "edit", round_id, "--overall", str(opening))) == ["edited: overall"]
    draft = tmp_path / "draft.pdf"
    assert ok(checkround(stack, "document", "preview", round_id, "-o", str(draft))) == [str(draft)]
    assert draft.read_bytes().startswith(b"%PDF")

    final = tmp_path / "bao-cao.pdf"
    issued = ok(
        checkround(stack, "document", "issue", round_id, "--number", "12", "--date", "2019-06-25", "-o", str(final))
    )
    assert issued == ["Số: 12-BC/TĐTN", str(final), str(final.with_suffix(".docx"))]
    text = subprocess.run(["pdftotext", str(final), "-"], capture_output=True, text=True, check=True).stdout
    assert "Quảng Ninh, ngày 25 tháng 6 năm 2019" in " ".join(text.split())
    assert "Trần Văn Bình" in text  # the round's signer over the organisation's
    assert final.with_suffix(".docx").read_bytes().startswith(b"PK\x03\x04")
    again = checkround(stack, "document", "edit", round_id, "--reset", "overall")
    assert again.returncode == 1
    assert "invalid_state" in again.stderr
