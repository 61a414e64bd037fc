"""Helpers of the notification tests: a local SMTP server and a webhook receiver on free
ports, the dispatcher's Firestore event as Eventarc delivers it, and moving the functions'
clock."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google.events.cloud.firestore import Document, DocumentEventData, Value

from checkround import wiring
from checkround.context import SystemClock
from checkround.devstack.emulator import free_port
from checkround.devstack.mail import MailServer
from checkround.storage.ports import Where

CONTACTS = {
    "hai-quan": [
        {"name": "Nguyễn Văn An", "email": "an@haiquan.example.vn"},
        {"name": "Trần Thị Bình", "email": "binh@haiquan.example.vn", "phone": "0912345678"},
    ],
    "cong-an": [{"name": "Lê Văn Cường", "email": "cuong@congan.example.vn"}],
    "ba-che": [{"name": "Phạm Dung", "phone": "0203 3888 111"}],  # no e-mail: webhooks only
}


def start_mail(folder: Path, port: int | None = None) -> MailServer:
    server = MailServer(folder, port=port or free_port())
    server.start()
    return server


class Receiver:
    """A webhook endpoint: keeps each request (headers and body); ``status`` is its answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _ in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def created_event(project: str, doc_id: str, event_id: str) -> tuple[bytes, dict[str, str]]:
    """Firestore's ``document.v1.created`` for ``outbox/{doc_id}``, as Eventarc posts it."""
    name = f"projects/{project}/databases/(default)/documents/outbox/{doc_id}"
    data = DocumentEventData(value=Document(name=name, fields={"state": Value(string_value="pending")}))
    headers = {
        "ce-id": event_id,
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.created",
        "ce-source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "ce-subject": f"documents/outbox/{doc_id}",
        "Content-Type": "application/protobuf",
    }
    return DocumentEventData.serialize(data), headers


def outbox(state: str | None = None, kind: str | None = None) -> dict[str, dict[str, Any]]:
    where = [Where("state", "==", state)] if state else None
    docs = dict(wiring.context().store.list("outbox", where=where))
    return {key: doc for key, doc in docs.items() if kind is None or doc.get("type") == kind}


def deliver_events(app: Any, project: str) -> int:
    """Deliver the created event of every pending outbox document, as Eventarc would, until
    none is left (a request's expansion creates messages, whose events come next)."""
    delivered: set[str] = set()
    while True:
        todo = [doc_id for doc_id in outbox("pending") if doc_id not in delivered]
        if not todo:
            return len(delivered)
        for doc_id in todo:
            body, headers = created_event(project, doc_id, f"evt-{doc_id}")
            response = app.test_client().post("/", data=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            delivered.add(doc_id)


class Clock:
    """The functions' clock (SystemClock), moved by the test instead of slept on."""

    def __init__(self, monkeypatch: Any) -> None:
        self.now = datetime.now(UTC)
        monkeypatch.setattr(SystemClock, "now", lambda _self: self.now)

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def to(self, moment: datetime) -> None:
        self.now = moment


def link_of(text: str) -> str:
    return next(word for word in text.split() if "/web_form/r/" in word)


def secret_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


def body_json(raw: bytes) -> Any:
    return json.loads(raw.decode())
