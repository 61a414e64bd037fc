"""Start, reset, export and stop Google's Firestore emulator (a child ``java`` process).

The emulator runs in its own process group, so stopping it stops the wrapper script and its
java child together, and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

EMULATOR_BIN = os.environ.get(
    "CHECKROUND_EMULATOR_BIN",
    "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
)


class PortInUse(RuntimeError):
    pass


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _request(method: str, url: str, body: Any = None, timeout: float = 30) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        payload: bytes = response.read()
        return payload


def latest_export(folder: Path) -> Path | None:
    """The ``.overall_export_metadata`` file of an export folder, if there is one."""
    found = sorted(folder.glob("*/*.overall_export_metadata")) if folder.is_dir() else []
    return found[-1] if found else None


class Emulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        functions_emulator: str | None = None,
        import_from: Path | None = None,
        log_file: Path | None = None,
        rules: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.functions_emulator = functions_emulator
        self.import_from = import_from
        self.log_file = log_file
        # Security rules to enforce on client (non-admin) requests, e.g. firestore.rules; the
        # server client libraries the functions use bypass them, as they do in the cloud.
        self.rules = rules
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"

    def start(self, timeout: float = 90) -> None:
        if not Path(EMULATOR_BIN).exists():
            raise RuntimeError(f"Firestore emulator not found at {EMULATOR_BIN} (set CHECKROUND_EMULATOR_BIN)")
        if not port_is_free(self.host, self.port):
            raise PortInUse(f"port {self.port} on {self.host} is in use; set CHECKROUND_EMULATOR_PORT to another port")
        args = [EMULATOR_BIN, "--host", self.host, "--port", str(self.port)]
        if self.functions_emulator:
            args += ["--functions_emulator", self.functions_emulator]
        if self.rules:
            args += ["--rules", str(self.rules)]
        metadata = latest_export(self.import_from) if self.import_from else None
        if metadata:
            args += ["--import-data", str(metadata)]
        if self.log_file:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "ab") if self.log_file else tempfile.TemporaryFile()  # noqa: SIM115
        self._proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the Firestore emulator exited with code {self._proc.returncode}")
            try:
                if _request("GET", self.base_url + "/", timeout=2).strip() == b"Ok":
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("the Firestore emulator did not start in time")

    def env(self) -> dict[str, str]:
        return {"FIRESTORE_EMULATOR_HOST": self.address}

    def reset(self, project: str) -> None:
        _request("DELETE", f"{self.base_url}/emulator/v1/projects/{project}/databases/(default)/documents")

    def register_trigger(self, project: str, trigger_id: str, document: str, event_type: str) -> None:
        _request(
            "POST",
            f"{self.base_url}/emulator/v1/projects/{project}/eventarcTrigger?eventarcTriggerId={trigger_id}",
            {
                "eventType": event_type,
                "database": "(default)",
                "namespace": "(default)",
                "document": {"value": document, "matchType": "PATH_PATTERN"},
            },
        )

    def export(self, project: str, folder: Path) -> Path | None:
        """Export ``project`` into ``folder``, replacing an older export only once this one is whole."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
        try:
            _request(
                "POST",
                f"{self.base_url}/emulator/v1/projects/{project}:export",
                {"database": f"projects/{project}/databases/(default)", "export_directory": str(staging)},
                timeout=120,
            )
            if latest_export(staging) is None:
                return None
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
            return latest_export(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # Our own process group only: the wrapper script and its java child.
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            # The java child may outlive the wrapper by a moment; wait for the whole group.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                try:
                    os.killpg(proc.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
