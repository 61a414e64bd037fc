"""``checkround units import|list`` as a user runs them: real processes against a real local stack.

One stack serves the whole module (starting it is most of the time); the stack's seed already
holds the units of schemas/seed/units.csv, and every test adds units with ids of its own, so
the tests do not depend on their order.
"""

from __future__ import annotations

import json
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from checkround.devstack.emulator import free_port
from tests.e2e.conftest import run_cli as checkround
from tests.e2e.conftest import serving
from tests.e2e.test_local_stack import RunningStack
from tests.support import ROOT

pytestmark = pytest.mark.e2e

SEED_UNITS = ROOT / "schemas" / "seed" / "units.csv"
BAD_ID = "mã đơn vị chỉ gồm chữ thường không dấu, chữ số và '-', bắt đầu bằng một chữ cái, tối đa 63 ký tự"


def imported(result: subprocess.CompletedProcess[str], count: int, label: str) -> None:
    """Exit 0 and the one result line; stderr is not a terminal, so click prints the progress
    bar's label once, without the bar."""
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"imported {count} units\n"
    assert result.stderr == f"{label}\n"


def failed(result: subprocess.CompletedProcess[str], code: int) -> list[str]:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr.splitlines()


def units_on_server(stack: RunningStack) -> dict[str, dict[str, Any]]:
    result = checkround(stack, "units", "list", "--json")
    assert result.returncode == 0, result.stderr
    return {unit["id"]: unit for unit in json.loads(result.stdout)["units"]}


def write_csv(path: Path, content: str, *, bom: bool = False) -> Path:
    # utf-8-sig writes the BOM that Excel's "CSV UTF-8" starts with.
    path.write_text(content, encoding="utf-8-sig" if bom else "utf-8", newline="")
    return path


def test_the_seed_again_then_an_excel_roster(stack: RunningStack, tmp_path: Path) -> None:
    # The stack's seed put these units in already: importing them again is an upsert.
    imported(checkround(stack, "units", "import", str(SEED_UNITS)), 7, "Đang nhập 7 đơn vị")
    assert units_on_server(stack)["ba-che"]["name"] == "BTV Huyện Đoàn Ba Chẽ"

    # As Excel saves it: a BOM, CRLF line ends, columns in another order, empty cells, a
    # capitalised header, a quoted comma, a blank row at the end.
    roster = write_csv(
        tmp_path / "don-vi.csv",
        "ID,cluster,name,name_en,kind\r\n"
        "ha-long,cum-mien-tay,Thành Đoàn Hạ Long,Ha Long City Youth Union,city\r\n"
        "uong-bi,cum-mien-tay,Thành Đoàn Uông Bí,,\r\n"
        'dam-ha,,"Huyện Đoàn Đầm Hà, tỉnh Quảng Ninh",Dam Ha District Youth Union,district\r\n'
        ",,,,\r\n",
        bom=True,
    )
    imported(checkround(stack, "units", "import", str(roster)), 3, "Đang nhập 3 đơn vị")
    units = units_on_server(stack)
    assert units["ha-long"]["name"] == "Thành Đoàn Hạ Long"
    assert units["ha-long"]["cluster"] == "cum-mien-tay"
    assert units["dam-ha"]["name"] == "Huyện Đoàn Đầm Hà, tỉnh Quảng Ninh"
    assert units["dam-ha"]["name_en"] == "Dam Ha District Youth Union"
    # Empty cells were left out of the body, not sent as "".
    assert "name_en" not in units["uong-bi"]
    assert "kind" not in units["uong-bi"]
    assert "cluster" not in units["dam-ha"]

    table = checkround(stack, "units", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "CLUSTER", "KIND", "NAME"]
    name_at = table[0].index("NAME")  # aligned: every name starts under the header
    rows = {line.split()[0]: line for line in table[1:]}
    assert rows["uong-bi"].split()[:3] == ["uong-bi", "cum-mien-tay", "-"]
    assert rows["uong-bi"][name_at:] == "Thành Đoàn Uông Bí"
    assert rows["ba-che"][name_at:] == "BTV Huyện Đoàn Ba Chẽ"
    english = {line.split()[0]: line for line in checkround(stack, "--lang", "en", "units", "list").stdout.splitlines()}
    assert english["ha-long"].endswith("  Ha Long City Youth Union")
    assert english["uong-bi"].endswith("  Thành Đoàn Uông Bí")  # no English name: the Vietnamese one


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "id,name,email\nfile-a,A,a@example.org\n",
            "error: {file}: unknown column 'email'; the columns are id, name (or name_vi), name_en, cluster, "
            "kind, contact_name, contact_email, contact_phone, contact2_….",
            id="unknown column",
        ),
        pytest.param(
            "name_vi,cluster\nA,cum-a\n",
            "error: {file}: the header has no 'id' column; the columns are id, name (or name_vi), "
            "name_en, cluster, kind, contact_name, contact_email, contact_phone, contact2_….",
            id="no id column",
        ),
        pytest.param(
            "id,name_en\nfile-a,A\n",
            "error: {file}: the header has no 'name' (or 'name_vi') column; the columns are id, "
            "name (or name_vi), name_en, cluster, kind, contact_name, contact_email, contact_phone, contact2_….",
            id="no name column",
        ),
        pytest.param(
            "id,name,name_vi\nfile-a,A,A\n",
            "error: {file}: the columns 'name' and 'name_vi' are the same field; keep one.",
            id="name twice",
        ),
        pytest.param(
            "id,name\nfile-a,A\nfile-b,B\nfile-a,A again\n\nfile-b,B again\n",
            "error: {file}: the unit id 'file-a' is on more than one line: 2, 4.\n"
            "error: {file}: the unit id 'file-b' is on more than one line: 3, 6.",
            id="duplicate ids",
        ),
        pytest.param(
            "id,name\nfile-a,A,surplus\n",
            "error: {file}: line 2 has a value in column 3, which the header does not name.",
            id="cell beyond the header",
        ),
        pytest.param("", "error: {file} is empty; the first line must name the columns: ", id="empty"),
    ],
)
def test_a_file_unusable_as_a_whole_exits_2_and_sends_nothing(
    stack: RunningStack, tmp_path: Path, content: str, message: str
) -> None:
    path = write_csv(tmp_path / "roster.csv", content)
    stderr = "\n".join(failed(checkround(stack, "--lang", "en", "units", "import", str(path)), 2))
    assert stderr.startswith(message.format(file=path)), stderr
    assert not {"file-a", "file-b"} & units_on_server(stack).keys()


def test_a_file_that_is_not_utf8_exits_2(stack: RunningStack, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("id,name\nlatin-a,Hà\n".encode("cp1258"))  # Windows' Vietnamese code page
    stderr = failed(checkround(stack, "units", "import", str(path)), 2)
    assert stderr == [
        f"error: {path} không phải văn bản UTF-8 (dòng 2). "
        'Trong Excel, hãy lưu tệp dưới dạng "CSV UTF-8 (Comma delimited)".'
    ]


def test_bad_rows_are_reported_and_the_others_imported(stack: RunningStack, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        "id,name_vi,cluster\n"
        "tot-mot,Đơn vị tốt một,cum-a\n"
        "Ha Noi,Thành Đoàn Hà Nội,cum-a\n"  # not an id: checked by the CLI, never sent
        "tot-hai,Đơn vị tốt hai,\n"
        "cum-sai,Cụm viết sai,Cụm A\n"  # a bad cluster: refused by the API
        "khong-ten,,cum-a\n",  # no name: refused by the API
        bom=True,
    )
    stderr = failed(checkround(stack, "units", "import", str(path)), 1)
    assert stderr[:4] == [
        "Đang nhập 4 đơn vị",
        "error: 3/5 dòng không được nhập (đã nhập 2 đơn vị còn lại):",
        f"line 3 (Ha Noi): id: {BAD_ID} (ví dụ 'ha-noi')",
        "line 5 (cum-sai): cluster: String does not match expected pattern.",
    ]
    assert stderr[4:] == ["line 6 (khong-ten): name: Missing data for required field."]
    units = units_on_server(stack)
    assert units["tot-mot"]["name"] == "Đơn vị tốt một"
    assert units["tot-hai"]["name"] == "Đơn vị tốt hai"
    assert not {"cum-sai", "khong-ten", "ha-noi"} & units.keys()


def test_dry_run_sends_nothing(stack: RunningStack, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        "id,name,name_en,kind\nthu-mot,Thử một,Trial one,\nthu-hai,Thử hai,,district\n",
        bom=True,
    )
    # Nothing listens at this URL and there is no token: a dry run needs neither.
    nowhere = {"CHECKROUND_URL": f"http://127.0.0.1:{free_port()}", "CHECKROUND_LOCAL_DIR": str(tmp_path)}
    result = checkround(stack, "units", "import", "--dry-run", str(path), env=nowhere)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        'PUT /units/thu-mot {"name": "Thử một", "name_en": "Trial one"}',
        'PUT /units/thu-hai {"name": "Thử hai", "kind": "district"}',
        "would import 2 units (dry run: nothing was sent)",
    ]
    assert not {"thu-mot", "thu-hai"} & units_on_server(stack).keys()

    # A bad id fails the dry run as it would fail the import; the other rows are still shown.
    write_csv(path, "id,name\nthu-ba,Thử ba\nThử Bốn,Thử bốn\n")
    result = checkround(stack, "units", "import", "--dry-run", str(path), env=nowhere)
    assert result.returncode == 1, result.stderr
    assert result.stdout == 'PUT /units/thu-ba {"name": "Thử ba"}\n'
    assert result.stderr.splitlines() == [
        "error: 1/2 dòng sẽ bị từ chối (chạy thử: chưa gửi gì):",
        f"line 3 (Thử Bốn): id: {BAD_ID} (ví dụ 'thu-bon')",
    ]
    assert "thu-ba" not in units_on_server(stack)


class _FailingGateway(BaseHTTPRequestHandler):
    """Forwards the first ``allowed`` requests to the stack, then answers as a broken gateway:
    an import cut short half-way."""

    target = ""
    allowed = 0
    seen: ClassVar[list[str]] = []

    def do_PUT(self) -> None:
        self.seen.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if len(self.seen) > self.allowed:
            status, content_type, content = 502, "text/html", b"<h1>502 Bad Gateway</h1>"
        else:
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
            upstream = requests.put(self.target + self.path, data=body, headers=headers, timeout=30)
            status, content_type, content = upstream.status_code, upstream.headers["Content-Type"], upstream.content
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_an_import_cut_short_says_how_far_it_got(stack: RunningStack, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        "id,name,cluster\ncat-mot,Một,\ncat-hai,Hai,Cụm sai\ncat-ba,Ba,\ncat-bon,Bốn,\ncat-nam,Năm,\n",
    )
    handler = type(
        "Gateway", (_FailingGateway,), {"target": f"http://127.0.0.1:{stack.port}", "allowed": 3, "seen": []}
    )
    with serving(handler) as url:
        stderr = failed(checkround(stack, "--lang", "en", "--url", url, "units", "import", str(path)), 3)
    # Nothing after the first failure was tried: the next rows would have met the same gateway.
    assert len(handler.seen) == 4
    assert stderr == [
        "Importing 5 units",
        f"error: {url}/admin_api/units/cat-bon did not answer as Checkround's admin API (HTTP 502). "
        "Check --url or CHECKROUND_URL.",
        "Stopped at line 5 (cat-bon); the 2 units on the lines before it were imported. "
        "Running the import again is safe: it only writes them again.",
        "line 3 (cat-hai): cluster: String does not match expected pattern.",
    ]
    units = units_on_server(stack)
    assert {"cat-mot", "cat-ba"} <= units.keys()
    assert not {"cat-hai", "cat-bon", "cat-nam"} & units.keys()


def test_contacts_travel_from_a_csv_to_the_api_and_back_through_an_xlsx(stack: RunningStack, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "contacts.csv",
        "id,name,contact_name,contact_email,contact2_name,contact2_phone\n"
        "lien-he-a,A,Nguyễn An,An@Example.VN,Trần Bình,0912 345 678\n"
        "lien-he-b,B,Lê Chi,chi@@example.vn,,\n",
    )
    result = checkround(stack, "--lang", "en", "units", "import", str(path))
    lines = failed_rows(result)
    assert lines == ["line 3 (lien-he-b): contacts.0.email: Not a valid e-mail address: " + lines[0].split(": ", 3)[3]]
    assert "lien-he-b" not in units_on_server(stack)
    assert units_on_server(stack)["lien-he-a"]["contacts"] == [
        {"name": "Nguyễn An", "email": "An@example.vn"},
        {"name": "Trần Bình", "phone": "0912 345 678"},
    ]
    exported = tmp_path / "roster.xlsx"
    result = checkround(stack, "units", "export", str(exported))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("exported ")
    again = checkround(stack, "units", "import", "--dry-run", str(exported))
    assert again.returncode == 0, again.stderr
    line = next(line for line in again.stdout.splitlines() if line.startswith("PUT /units/lien-he-a "))
    assert json.loads(line.split(" ", 2)[2])["contacts"][1] == {"name": "Trần Bình", "phone": "0912 345 678"}


def failed_rows(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The per-row refusals of an import that stored the other rows (exit code 1)."""
    assert result.returncode == 1, result.stdout + result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("line ")]
