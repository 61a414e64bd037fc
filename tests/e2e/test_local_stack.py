"""``make run`` and ``make demo`` as a newcomer runs them: real processes, real emulator events."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from checkround.devstack.emulator import free_port, port_is_free
from checkround.devstack.mail import read_eml
from tests.support import ROOT, UNIT_NAMES

pytestmark = pytest.mark.e2e

READY = "Ctrl-C stops everything"


class RunningStack:
    def __init__(self, local_dir: Path, port: int, emulator_port: int) -> None:
        self.local_dir, self.port, self.emulator_port = local_dir, port, emulator_port
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "functions"),
            "CHECKROUND_LOCAL_DIR": str(local_dir),
            "CHECKROUND_PORT": str(port),
            "CHECKROUND_EMULATOR_PORT": str(emulator_port),
        }
        self.env.pop("FIRESTORE_EMULATOR_HOST", None)
        self.proc: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self, timeout: float = 120) -> str:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "checkround.devstack", "run"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        lines = []
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                break
            lines.append(line)
            if READY in line:
                self.output = "".join(lines)
                return self.output
        self.stop()
        raise AssertionError("the stack did not come up:\n" + "".join(lines))

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = self.proc.wait(timeout=90)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.stdout.close() if self.proc.stdout else None
        return code

    def command(self, name: str) -> subprocess.CompletedProcess[str]:
        """Run ``python -m checkround.devstack NAME`` to the end."""
        return subprocess.run(
            [sys.executable, "-m", "checkround.devstack", name],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture
def stack(tmp_path):
    running = RunningStack(tmp_path / "local", free_port(), free_port())
    yield running
    if running.proc is not None and running.proc.poll() is None:
        running.stop()


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def wait_for(found, count, timeout=60.0):
    """What ``found()`` returns once it holds ``count`` items (messages go out on events)."""
    deadline = time.monotonic() + timeout
    while len(items := found()) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(items) == count, items
    return items


def test_run_demo_restart(stack):
    output = stack.start()
    base = f"http://127.0.0.1:{stack.port}"
    token = (stack.local_dir / "admin-token").read_text().strip()
    assert f"admin token        : {token}" in output
    for name in ("admin_api", "unit_api", "web_form", "close_due_rounds"):
        assert f"{base}/{name}/" in output
    for unit_id in UNIT_NAMES:
        assert f"{unit_id}" in output
        assert f"{base}/web_form/r/kt-6-thang-2019?t=" in output
    seed = requests.get(
        f"{base}/admin_api/rounds/kt-6-thang-2019", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert seed.json()["status"] == "open"
    assert len(seed.json()["board"]) == 7

    # The web form link opens the form for that unit.
    link = next(line.split()[-1] for line in output.splitlines() if line.strip().startswith("tien-yen "))
    page = requests.get(link, timeout=30)
    assert page.status_code == 200
    assert "Phiếu kiểm tra công tác Đoàn" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"

    # The seed round's opening sent each unit's contact a link, through the emulator's real
    # create events of the outbox and the local SMTP server, which keeps them in .local/mail.
    mail_dir = stack.local_dir / "mail"
    assert f"every message kept as .eml in {mail_dir}/" in output
    mails = wait_for(lambda: sorted(mail_dir.glob("link.kt-6-thang-2019.*.eml")), 7)
    message = read_eml(mails[0])
    mailed = next(word for word in message.get_body(("plain",)).get_content().split() if "/web_form/r/" in word)
    assert requests.get(mailed, timeout=30).status_code == 200

    # make demo against this stack: the close goes through the emulator's real Firestore event.
    # Two rounds of a series: round 1 (Ba Chẽ does not report), then round 2 on the form's
    # newer version (Công an does not report), whose report compares with round 1.
    demo = stack.command("demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"using the stack running at {base}" in demo.stdout
    lines = demo.stdout.strip().splitlines()
    first = Path(lines[-2].removeprefix("PDF summary of round 1: "))
    assert "BTV Huyện Đoàn Ba Chẽ chưa gửi báo cáo" in pdf_text(first)
    pdf = Path(lines[-1].removeprefix("PDF summary: "))
    text = pdf_text(pdf)
    for name in UNIT_NAMES.values():
        assert name in text
    assert "6/7 đơn vị đã nộp báo cáo" in text
    assert "Đoàn TN Công an tỉnh chưa gửi báo cáo" in text
    assert "So sánh với đợt kiểm tra trước" in text
    # The demo issues the committee's draft: the issued document is numbered and signed.
    assert re.search(r"Số: \d+-BC/TĐTN", text)
    assert "T/M BAN THƯỜNG VỤ" in text
    assert (pdf.parent / f"{pdf.stem}-draft.pdf").exists()
    assert (pdf.parent / f"{pdf.stem}-issued.docx").exists()
    round_id = pdf.stem
    # ...and it listed its round's messages: a link per unit, the summary to the admins.
    shown = demo.stdout.split(f"messages of {round_id}:", 1)[1].splitlines()
    assert sum(1 for line in shown if line.split()[:1] == ["link"] and " sent " in line) == 7
    (summary,) = [line for line in shown if line.split()[:2] == ["summary", "admins"]]
    assert "van-phong@tinh-doan.example.org" in summary
    assert read_eml(Path(summary.split()[-1]))["Subject"].endswith("Báo cáo tổng hợp đã sẵn sàng")

    # Ctrl-C stops everything, the emulator's java child included, and keeps the data.
    assert stack.stop() == 0
    assert port_is_free("127.0.0.1", stack.emulator_port)
    assert port_is_free("127.0.0.1", stack.port)
    assert list((stack.local_dir / "firestore").glob("*/*.overall_export_metadata"))

    output = stack.start()
    assert f"admin token        : {token}" in output
    again = requests.get(
        f"{base}/admin_api/rounds/{round_id}/summary", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert again.json()["state"] == "ready"
    stack.stop()


def test_port_in_use_is_a_clear_message(stack):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", stack.port))
        busy.listen()
        result = stack.command("run")
    assert result.returncode == 2
    assert f"port {stack.port} is in use; set CHECKROUND_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_starts_its_own_stack_when_none_runs(stack):
    demo = stack.command("demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "no stack running; starting one for the demo" in demo.stdout
    pdf = Path(demo.stdout.strip().splitlines()[-1].removeprefix("PDF summary: "))
    assert pdf.exists()
    assert "6/7 đơn vị đã nộp báo cáo" in pdf_text(pdf)
    assert port_is_free("127.0.0.1", stack.emulator_port)
