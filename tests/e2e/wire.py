"""A connection between a browser context and the local stack that a test can cut.

Chromium's offline emulation (``BrowserContext.set_offline``) is what a page *believes*
(``navigator.onLine``, the ``online`` and ``offline`` events); it is not a cut wire. It is set
per DevTools target (the page, each service worker) and is not airtight: after the service
worker is stopped and started again, a page reloaded "offline" reads ``navigator.onLine ==
True`` and the form's script sends the report it keeps, and whether that request is then held
depends on how Playwright's interception and Chromium's throttling were set up for the targets
involved. A test that asserts "nothing reached the server while the phone was offline" needs a
wire no request can pass, whichever part of the browser makes it.

:class:`Wire` is that wire: a small HTTP proxy given to the browser context
(``new_context(proxy=wire.proxy)``), so every request of the context, its pages' and its
service worker's alike, goes through it. While it is cut, a request is answered by closing the
connection without a byte (a reset), as a lost connection fails; nothing is forwarded. It
keeps a list of what it forwarded and what it refused, so a test can say which requests met the
cut and that the report reached the stack exactly once.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

# Headers that belong to one hop (RFC 9110 section 7.6.1), not to the request or the answer.
_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding"}


@dataclass(frozen=True)
class Passed:
    """One request as the wire saw it: what it was, and whether it went through."""

    method: str
    path: str
    action: str | None  # the form post's ``action`` (submit, draft, …), None for anything else
    forwarded: bool


class Wire:
    """An HTTP proxy to the stack that can be cut and restored (use it as a context manager)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cut = False
        self.seen: list[Passed] = []
        wire = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive with the browser, as a real hop does

            def do_GET(self) -> None:
                wire._handle(self)

            do_POST = do_HEAD = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test reads Wire.seen

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="wire", daemon=True)

    @property
    def proxy(self) -> dict[str, str]:
        """Playwright's ``proxy`` option for a context. Playwright sends loopback through a
        context's proxy unless told otherwise, so the stack on 127.0.0.1 is reached this way."""
        return {"server": f"http://127.0.0.1:{self._server.server_address[1]}"}

    def __enter__(self) -> Wire:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def cut(self) -> None:
        with self._lock:
            self._cut = True

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def posts(self, action: str, *, forwarded: bool) -> list[Passed]:
        """The form posts with this ``action`` that went through (or met the cut)."""
        with self._lock:
            return [p for p in self.seen if p.action == action and p.forwarded == forwarded]

    # -- one request -------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        target = urlsplit(handler.path)  # a proxy is asked for the absolute URL
        action = None
        if handler.command == "POST" and "urlencoded" in (handler.headers.get("Content-Type") or ""):
            action = parse_qs(body.decode("utf-8", "replace")).get("action", [""])[-1]
        with self._lock:
            refused = self._cut
            self.seen.append(Passed(handler.command, target.path, action, not refused))
        if refused:
            # A reset, not an answer: the browser sees a lost connection (a fetch that rejects,
            # a navigation that fails), never a page or a status it could take for the server's.
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        upstream = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port or 80, timeout=120)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP}
            upstream.request(handler.command, target.path + (f"?{target.query}" if target.query else ""), body, headers)
            answer = upstream.getresponse()
            content = answer.read()
            handler.send_response_only(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP and name.lower() != "content-length":
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(content)
        finally:
            upstream.close()
