"""One local WSGI host for every function, as Cloud Functions would serve them one URL each.

``/<function>/...`` goes to that function's functions-framework app; the emulator's Eventarc
calls (``/functions/projects/{p}/triggers/{name}``) are decoded (the emulator base64-encodes
the protobuf body) and handed to the CloudEvent function exactly as Eventarc would post it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import functions_framework
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from checkround.storage.firestore_events import maybe_base64

log = logging.getLogger("checkround.devstack.host")

SOURCE = Path(__file__).resolve().parents[2] / "main.py"
HTTP_FUNCTIONS = ("admin_api", "unit_api", "web_form", "admin_console", "close_due_rounds")
EVENT_FUNCTIONS = {
    "on_round_closed": {"document": "rounds/{roundId}", "event_type": "google.cloud.firestore.document.v1.updated"},
    "on_outbox_created": {"document": "outbox/{docId}", "event_type": "google.cloud.firestore.document.v1.created"},
}


def build_app(source: Path = SOURCE) -> Any:
    functions = {
        name: functions_framework.create_app(target=name, source=str(source), signature_type="http")
        for name in HTTP_FUNCTIONS
    }
    events = {
        name: functions_framework.create_app(target=name, source=str(source), signature_type="cloudevent")
        for name in EVENT_FUNCTIONS
    }
    routes = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/healthz", endpoint="health"),
            Rule("/functions/projects/<project>/triggers/<name>", endpoint="trigger", methods=["POST"]),
        ]
    )

    @Request.application
    def root(request: Request) -> Response:
        adapter = routes.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except Exception:
            return Response(
                json.dumps({"error": {"code": "not_found", "message": "Not found."}}),
                404,
                content_type="application/json",
            )
        if endpoint == "trigger":
            return _deliver(events, args["name"], request)
        body = {"status": "ok", "functions": [f"/{name}/" for name in HTTP_FUNCTIONS]}
        return Response(json.dumps(body), 200, content_type="application/json")

    return DispatcherMiddleware(root, {f"/{name}": app for name, app in functions.items()})


def _deliver(events: dict[str, Any], name: str, request: Request) -> Response:
    app = events.get(name)
    if app is None:
        return Response("unknown trigger", 404)
    body = maybe_base64(request.get_data())
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("ce-")}
    headers["Content-Type"] = request.headers.get("Content-Type", "application/protobuf")
    with app.test_client() as client:
        result = client.post("/", data=body, headers=headers)
    log.info("delivered %s %s to %s: %s", headers.get("ce-type"), headers.get("ce-subject"), name, result.status_code)
    return Response(result.get_data(), result.status_code)


class Host:
    """The host in a background thread (tests and ``make run`` both use it).

    waitress, not werkzeug's development server: that one answers every request with
    ``Connection: close`` (so each call paid a TCP handshake and a new thread), whereas Cloud
    Functions' front end keeps connections open and a worker pool serves them, as here."""

    THREADS = 16  # requests served at once; more wait in waitress's queue
    DRAIN_SECONDS = 30.0  # how long stopping waits for the requests under way

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        # The loop's socket map, ours (create_server's documented ``map``), so that the serving
        # thread never reads the server's private attributes.
        self._map: dict[int, Any] = {}
        # Held by stop() while it asks the loop to end and wakes it, and by the loop before it
        # closes its channels: the wake-up channel is among them, and waking a closed one fails.
        self._wake_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._stopping.clear()
        self._map = {}
        server = create_server(
            build_app(),
            map=self._map,
            host=self.host,
            port=self.port,
            threads=self.THREADS,
            ident="checkround",
            # X-Forwarded-* pass through untouched, as with werkzeug and behind Cloud Functions'
            # front end (the web form reads X-Forwarded-Proto behind an HTTPS tunnel).
            clear_untrusted_proxy_headers=False,
        )
        if not isinstance(server, BaseWSGIServer):
            # A name with several addresses (localhost: ::1 and 127.0.0.1) gets a socket each.
            server.close()
            raise ValueError(f"the local host listens on one address; give an IP address, not {self.host!r}")
        self._server = server
        self._thread = threading.Thread(target=self._serve, args=(server,), name="functions-host", daemon=True)
        self._thread.start()

    def _serve(self, server: Any) -> None:
        # waitress's own run() loops until every connection is gone; this loop also stops when
        # asked. Everything below runs on this, the loop's own thread.
        while not self._stopping.is_set():
            wasyncore.loop(timeout=1.0, map=self._map, use_poll=True, count=1)
        with self._wake_lock:
            self._drain(server)

    def _drain(self, server: Any) -> None:
        # No new connections; the requests under way finish and their answers go out, and each
        # connection is closed once it is idle.
        server.accepting = False
        server.del_channel()
        server.socket.close()
        deadline = time.monotonic() + self.DRAIN_SECONDS
        while time.monotonic() < deadline:
            channels = list(server.active_channels.values())
            busy = [channel for channel in channels if channel.requests or channel.total_outbufs_len]
            for channel in channels:
                if channel not in busy:
                    channel.close()
            if not busy:
                break
            wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        for channel in list(self._map.values()):
            channel.close()
        server.task_dispatcher.shutdown(timeout=self.DRAIN_SECONDS)

    def stop(self) -> None:
        if self._server is not None:
            with self._wake_lock:
                self._stopping.set()
                self._server.pull_trigger()  # wakes the loop at once
            if self._thread is not None:
                self._thread.join(timeout=2 * self.DRAIN_SECONDS)
            self._server = None
