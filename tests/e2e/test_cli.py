"""The ``checkround`` admin CLI as a user runs it: real processes against a real local stack.

One stack serves the whole module (it takes most of the time); every test uses its own form
ids, so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests

from checkround.devstack.emulator import free_port
from tests.e2e.conftest import failed, serving, write_yaml
from tests.e2e.conftest import run_cli as checkround
from tests.e2e.test_local_stack import RunningStack
from tests.support import small_form

pytestmark = pytest.mark.e2e


def ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_push_diff_publish(stack: RunningStack, tmp_path: Path) -> None:
    form = small_form(id="cli-luong")
    path = write_yaml(tmp_path / "form.yaml", form)
    assert ok(checkround(stack, "forms", "push", str(path))) == ["created cli-luong"]
    before_any_version = ok(checkround(stack, "forms", "diff", str(path)))
    assert "+ field a.ck1 (checklist)" in before_any_version
    assert len(before_any_version) == 11
    published = ok(checkround(stack, "forms", "publish", "cli-luong"))
    assert published[0] == "published cli-luong version 1"
    assert published[1:] == before_any_version
    assert ok(checkround(stack, "forms", "diff", str(path))) == ["no changes against version 1"]

    fields = form["sections"][0]["fields"]
    fields[0]["label"] = {"vi": "Mục một", "en": "Item one"}
    fields.append({"key": "moi", "type": "integer", "label": {"vi": "Mới"}})
    fields[6]["choices"].append({"value": "nam", "label": {"vi": "Hằng năm"}})
    del form["sections"][1]["fields"][0]
    write_yaml(path, form)
    assert ok(checkround(stack, "forms", "push", str(path))) == ["draft of cli-luong updated"]
    changes = [
        '~ relabelled a.ck1: "Mục 1" → "Mục một"',
        "+ field a.moi (integer)",
        "+ choice a.tan_suat: nam",
        "- field b.ten",
    ]
    assert ok(checkround(stack, "forms", "diff", str(path))) == changes
    # Labels follow --lang, falling back to Vietnamese where a label has no English.
    english = ok(checkround(stack, "--lang", "en", "forms", "diff", str(path)))
    assert english[0] == '~ relabelled a.ck1: "Mục 1" → "Item one"'
    raw = json.loads(checkround(stack, "forms", "diff", "--json", str(path)).stdout)
    assert raw["against_version"] == 1
    assert {change["change"] for change in raw["changes"]} == {
        "relabelled",
        "field_added",
        "choice_added",
        "field_removed",
    }
    assert ok(checkround(stack, "forms", "publish", "cli-luong")) == ["published cli-luong version 2", *changes]
    assert ok(checkround(stack, "forms", "diff", str(path))) == ["no changes against version 2"]


def test_a_json_file_works_too(stack: RunningStack, tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    form = small_form(id="cli-json")
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    assert ok(checkround(stack, "forms", "push", str(path))) == ["created cli-json"]
    form["title"]["vi"] = "Mẫu JSON"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    assert ok(checkround(stack, "forms", "push", str(path))) == ["draft of cli-json updated"]
    published = json.loads("\n".join(ok(checkround(stack, "forms", "publish", "--json", "cli-json"))))
    assert published["version"] == 1
    got = requests.get(
        f"http://127.0.0.1:{stack.port}/admin_api/forms/cli-json",
        headers={"Authorization": f"Bearer {admin_token(stack)}"},
        timeout=30,
    ).json()
    assert got["latest_version"] == 1
    assert got["draft"]["title"]["vi"] == "Mẫu JSON"


def admin_token(stack: RunningStack) -> str:
    return (stack.local_dir / "admin-token").read_text().strip()


def test_an_invalid_definition_exits_1_with_each_path(stack: RunningStack, tmp_path: Path) -> None:
    form = small_form(id="cli-sai")
    form["sections"][0]["fields"][2]["max"] = "nhiều"
    form["sections"][1]["fields"][0]["type"] = "slider"
    path = write_yaml(tmp_path / "sai.yaml", form)
    stderr = failed(checkround(stack, "forms", "push", str(path)), 1)
    lines = stderr.splitlines()
    assert lines[0] == "error: invalid_definition: Định nghĩa biểu mẫu có lỗi."
    assert any(line.startswith("  sections.0.fields.2.max: ") for line in lines), stderr
    assert any(line.startswith("  sections.1.fields.0.type: ") for line in lines), stderr
    english = failed(checkround(stack, "--lang", "en", "forms", "push", str(path)), 1)
    assert english.startswith("error: invalid_definition: The form definition has errors.\n")
    # Nothing was created.
    assert failed(checkround(stack, "forms", "publish", "cli-sai"), 1).startswith("error: not_found: ")


def test_files_that_cannot_be_read_exit_2(stack: RunningStack, tmp_path: Path) -> None:
    broken = tmp_path / "hong.yaml"
    broken.write_text("id: hong\nsections: [a\n", encoding="utf-8")
    stderr = failed(checkround(stack, "forms", "push", str(broken)), 2)
    assert f"{broken} không phải YAML hợp lệ: line 3, column 1: " in stderr
    broken_json = tmp_path / "hong.json"
    broken_json.write_text('{"id": "hong",', encoding="utf-8")
    assert "is not valid JSON: " in failed(checkround(stack, "--lang", "en", "forms", "diff", str(broken_json)), 2)
    no_id = write_yaml(tmp_path / "no-id.yaml", {"title": {"vi": "Không có id"}})
    assert "'id'" in failed(checkround(stack, "forms", "push", str(no_id)), 2)
    text_file = tmp_path / "form.txt"
    text_file.write_text("id: x\n", encoding="utf-8")
    assert ".yaml, .yml" in failed(checkround(stack, "forms", "push", str(text_file)), 2)
    assert "does not exist" in failed(checkround(stack, "forms", "push", str(tmp_path / "missing.yaml")), 2)


def test_forms_export_and_import_xlsform_workbooks(stack: RunningStack, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tests.unit.test_xlsform import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY, workbook

    form = small_form(id="cli-bang-tinh")
    ok(checkround(stack, "forms", "push", str(write_yaml(tmp_path / "form.yaml", form))))
    ok(checkround(stack, "forms", "publish", "cli-bang-tinh"))
    draft = tmp_path / "draft.xlsx"
    assert ok(checkround(stack, "forms", "export", "cli-bang-tinh", "-o", str(draft))) == [str(draft)]
    assert load_workbook(draft)["settings"]["A2"].value == "cli-bang-tinh"
    version = tmp_path / "v1.xlsx"
    assert ok(checkround(stack, "forms", "export", "cli-bang-tinh", "--version", "1", "-o", str(version))) == [
        str(version)
    ]
    # Imported under another id it is a new form; imported again, its draft is replaced.
    assert ok(checkround(stack, "forms", "import", str(version), "--id", "cli-ban-sao")) == ["created cli-ban-sao"]
    assert ok(checkround(stack, "forms", "import", str(draft))) == ["draft of cli-bang-tinh updated"]
    # A workbook made elsewhere: the appearances it has of another tool are listed.
    kobo = tmp_path / "kobo.xlsx"
    kobo.write_bytes(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    assert ok(checkround(stack, "--lang", "en", "forms", "import", str(kobo), "--id", "cli-kobo")) == [
        "created cli-kobo",
        "left out: survey row 2, appearance: field-list",
        "left out: survey row 7, appearance: horizontal",
    ]
    # A refused workbook: exit 1, one line per cell, nothing stored.
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["type", "name", "label"], ["note", "n", "N"]], settings_rows=[["form_id"], ["cli-sai"]]))
    err = failed(checkround(stack, "--lang", "en", "forms", "import", str(bad)), 1)
    assert "error: invalid_xlsform:" in err
    assert "survey.2.type: The type 'note' has no counterpart in this product" in err
    assert "not_found" in failed(checkround(stack, "forms", "export", "cli-sai"), 1)


def test_a_wrong_token_exits_1(stack: RunningStack) -> None:
    stderr = failed(checkround(stack, "--token", "sai-ma", "forms", "publish", "cli-luong"), 1)
    assert stderr == "error: unauthenticated: Thiếu hoặc sai mã truy cập.\n"
    stderr = failed(checkround(stack, "--lang", "en", "forms", "publish", "x", env={"CHECKROUND_TOKEN": "wrong"}), 1)
    assert stderr == "error: unauthenticated: Missing or invalid access token.\n"


def test_no_token_at_all_exits_2(stack: RunningStack, tmp_path: Path) -> None:
    stderr = failed(checkround(stack, "forms", "publish", "x", env={"CHECKROUND_LOCAL_DIR": str(tmp_path)}), 2)
    assert str(tmp_path / "admin-token") in stderr


def test_an_unreachable_server_exits_3(stack: RunningStack) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    stderr = failed(checkround(stack, "--url", url, "forms", "publish", "x"), 3)
    assert f"{url}/admin_api" in stderr
    assert "Connection refused" in stderr
    stderr = failed(checkround(stack, "--lang", "en", "forms", "publish", "x", env={"CHECKROUND_URL": url}), 3)
    assert stderr.startswith(f"error: cannot reach the admin API at {url}/admin_api/forms/x/versions")


class _Meddler(BaseHTTPRequestHandler):
    """Forwards to the stack; right after the CLI reads a form (and its etag), another admin
    saves that form's draft, so the CLI's write comes second, as in a real race."""

    target = ""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        upstream = requests.request(
            self.command, self.target + self.path, data=self.rfile.read(length), headers=headers, timeout=30
        )
        if self.command == "GET" and upstream.status_code == 200:
            doc = upstream.json()
            doc["draft"]["title"]["vi"] = "Bản của người khác"
            other = {"Authorization": headers["Authorization"], "If-Match": doc["etag"]}
            requests.put(f"{self.target}{self.path}/draft", json=doc["draft"], headers=other, timeout=30)
        self.send_response(upstream.status_code)
        self.send_header("Content-Type", upstream.headers["Content-Type"])
        self.send_header("Content-Length", str(len(upstream.content)))
        self.end_headers()
        self.wfile.write(upstream.content)

    do_GET = do_PUT = do_POST = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_draft_changed_meanwhile_is_a_clear_412(stack: RunningStack, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "form.yaml", small_form(id="cli-dua"))
    ok(checkround(stack, "forms", "push", str(path)))
    handler = type("Meddler", (_Meddler,), {"target": f"http://127.0.0.1:{stack.port}"})
    with serving(handler) as url:
        stderr = failed(checkround(stack, "--lang", "en", "--url", url, "forms", "push", str(path)), 1)
    lines = stderr.splitlines()
    assert lines[0] == "error: version_conflict: The draft was changed by someone else; reload it and try again."
    assert lines[1].startswith("Someone else changed the draft of cli-dua while this push ran; nothing was written.")
    got = requests.get(
        f"http://127.0.0.1:{stack.port}/admin_api/forms/cli-dua",
        headers={"Authorization": f"Bearer {admin_token(stack)}"},
        timeout=30,
    ).json()
    assert got["draft"]["title"]["vi"] == "Bản của người khác"


def test_the_console_script_documents_its_exit_codes() -> None:
    script = Path(sys.executable).parent / "checkround"
    assert script.exists(), "no console script: run scripts/setup.sh (it installs the project with pip -e)"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    for line in (
        "0  success",
        "1  the API refused the request",
        "2  usage error",
        "3  the admin API cannot be reached",
    ):
        assert line in result.stdout
    assert subprocess.run([str(script), "forms", "nope"], capture_output=True, timeout=60, check=False).returncode == 2


def test_admin_tokens_issue_list_revoke(stack: RunningStack) -> None:
    issued = checkround(stack, "--lang", "en", "admin-tokens", "issue", "nightly export", "--days", "3")
    assert issued.returncode == 0, issued.stderr
    (token,) = issued.stdout.splitlines()
    assert "is shown this once" in issued.stderr
    token_id = issued.stderr.split("Admin token ", 1)[1].split()[0]
    with_token = {"CHECKROUND_TOKEN": token}
    listed = ok(checkround(stack, "admin-tokens", "list", env=with_token))  # the new token works
    assert listed[0].split() == ["ID", "STATE", "EXPIRES", "ISSUED_BY", "NAME"]
    (row,) = [line for line in listed if line.startswith(token_id)]
    assert row.split()[1] == "active"
    assert row.endswith("nightly export")
    assert ok(checkround(stack, "admin-tokens", "revoke", token_id)) == [f"revoked {token_id}"]
    assert "unauthenticated" in failed(checkround(stack, "units", "list", env=with_token), 1)
    (row,) = [line for line in ok(checkround(stack, "admin-tokens", "list")) if line.startswith(token_id)]
    assert row.split()[1] == "revoked"
    assert "not_found" in failed(checkround(stack, "admin-tokens", "revoke", "a0000000000000000"), 1)
