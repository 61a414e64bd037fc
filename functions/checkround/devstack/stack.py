"""The whole local stack: emulator + functions host + Eventarc triggers + a scheduler tick +
an SMTP server that keeps every message under ``.local/mail/``."""

from __future__ import annotations

import contextlib
import os
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from checkround import wiring
from checkround.config import settings

from .emulator import Emulator, PortInUse, free_port, port_is_free
from .host import EVENT_FUNCTIONS, Host
from .mail import MailServer


@dataclass
class Stack:
    project: str
    port: int
    emulator_port: int
    data_dir: Path | None = None  # export on stop, import on start; None keeps nothing
    host: str = "127.0.0.1"
    scheduler_seconds: float | None = 60.0
    emulator: Emulator | None = None
    functions: Host | None = None
    # The local SMTP server: started unless CHECKROUND_SMTP_HOST names a real one; on
    # CHECKROUND_SMTP_PORT if set, else on a free port (several stacks run side by side).
    mail: MailServer | None = None
    mail_dir: Path | None = None
    _stop_tick: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        if not port_is_free(self.host, self.port):
            raise PortInUse(f"port {self.port} is in use; set CHECKROUND_PORT to a free port (or stop what uses it)")
        self.emulator = Emulator(
            host=self.host,
            port=self.emulator_port,
            functions_emulator=f"{self.host}:{self.port}",
            import_from=self.data_dir,
            log_file=(self.data_dir.parent / "emulator.log") if self.data_dir else None,
        )
        self.emulator.start()
        try:
            self._start_mail()
        except BaseException:
            self.stop(export=False)
            raise
        # The functions read their configuration from the environment, as in the cloud.
        os.environ.update(self.emulator.env())
        os.environ["CHECKROUND_PROJECT"] = self.project
        os.environ["CHECKROUND_PORT"] = str(self.port)
        wiring.reset()
        try:
            self.functions = Host(self.host, self.port)
            self.functions.start()
            for name, trigger in EVENT_FUNCTIONS.items():
                self.emulator.register_trigger(self.project, name, trigger["document"], trigger["event_type"])
        except BaseException:
            self.stop(export=False)
            raise
        if self.scheduler_seconds:
            threading.Thread(target=self._tick, name="scheduler", daemon=True).start()

    def _start_mail(self) -> None:
        if os.environ.get("CHECKROUND_SMTP_HOST"):
            return  # a real SMTP server is configured: the functions send there
        wanted = os.environ.get("CHECKROUND_SMTP_PORT")
        port = int(wanted) if wanted else free_port(self.host)
        if wanted and not port_is_free(self.host, port):
            raise PortInUse(f"port {port} is in use; set CHECKROUND_SMTP_PORT to a free port (or stop what uses it)")
        folder = self.mail_dir or (self.data_dir.parent / "mail" if self.data_dir else settings().local_dir / "mail")
        self.mail = MailServer(folder, host=self.host, port=port)
        self.mail.start()
        os.environ["CHECKROUND_SMTP_PORT"] = str(port)

    def _tick(self) -> None:
        """Call ``close_due_rounds`` as Cloud Scheduler would."""
        assert self.scheduler_seconds
        while not self._stop_tick.wait(self.scheduler_seconds):
            # A failed tick is retried by the next one, as Cloud Scheduler would.
            with contextlib.suppress(OSError):
                request = urllib.request.Request(f"{self.base_url}/close_due_rounds/", method="POST", data=b"")
                urllib.request.urlopen(request, timeout=60).read()

    def stop(self, export: bool = True) -> None:
        self._stop_tick.set()
        if self.emulator is not None and export and self.data_dir is not None:
            self.emulator.export(self.project, self.data_dir)
        if self.functions is not None:
            self.functions.stop()
            self.functions = None
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None
        if self.mail is not None:
            self.mail.stop()
            self.mail = None


def default_stack() -> Stack:
    config = settings()
    return Stack(
        project=config.project,
        port=config.port,
        emulator_port=config.emulator_port,
        data_dir=config.local_dir / "firestore",
    )
