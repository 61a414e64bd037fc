"""The local stack's SMTP server (aiosmtpd): every message it accepts is kept as an ``.eml``
file under ``.local/mail/``, named by its Message-ID, so that a message delivered twice (a
dispatcher that died after the server took it) is kept once, as a receiver that honours
Message-ID would; ``deliveries`` counts every DATA it accepted, duplicates included.

Tests make it refuse (``refuse``: an address → an SMTP reply such as ``550 …``) or stop and
start it again on the same port.
"""

from __future__ import annotations

import logging
import re
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def eml_name(message_id: str) -> str:
    """The file a message is kept in: its Message-ID without the angle brackets."""
    return _UNSAFE.sub("_", message_id.strip().strip("<>")) + ".eml"


class _Keeper:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        reply = self.server.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.server.keep(bytes(envelope.original_content or envelope.content))


class MailServer:
    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 8025) -> None:
        self.folder = folder
        self.host = host
        self.port = port
        self.refuse: dict[str, str] = {}
        self.deliveries = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def keep(self, raw: bytes) -> str:
        message = message_from_bytes(raw, policy=policy.default)
        message_id = str(message.get("Message-ID") or "")
        if not message_id:
            return "554 a message needs a Message-ID"
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.deliveries += 1
            path = self.folder / eml_name(message_id)
            if not path.exists():
                staging = path.with_suffix(".part")
                staging.write_bytes(raw)
                staging.replace(path)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        # aiosmtpd logs every session at INFO; the stack's own lines are what a developer reads.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(_Keeper(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        """Every kept message, oldest file first."""
        files = sorted(self.folder.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name))
        return [read_eml(path) for path in files]


def read_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message
