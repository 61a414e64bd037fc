"""The two channels a message leaves by: e-mail over SMTP (smtplib) and webhooks signed by the
Standard Webhooks convention (the ``standardwebhooks`` package signs; ``webhook-id`` is the
message's id, so a receiver drops a redelivery by it).

A webhook reaches only public addresses in the cloud (:mod:`.egress`, checked when it is sent).

Each sender answers by raising :class:`Transient` (try again later: a connection refused, a
4xx SMTP reply, a 5xx or 429 webhook answer) or :class:`Permanent` (do not: a 5xx SMTP reply,
a 4xx webhook answer), or by returning what the other side said. Each channel has a rate
limit per instance (:class:`RateLimit`).
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import threading
import time
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import urllib3
from standardwebhooks.webhooks import Webhook

from checkround.config import Settings

from . import egress


class Transient(Exception):
    """The message may go through later."""


class Permanent(Exception):
    """The other side refused the message for good."""


class RateLimit:
    """At most ``per_second`` sends from this instance: each caller waits its turn."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class SmtpSender:
    def __init__(self, config: Settings) -> None:
        self.config = config
        self.limit = RateLimit(config.smtp_per_second)

    def send(self, message: EmailMessage) -> str:
        self.limit.wait()
        config = self.config
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout) as smtp:
                if config.smtp_starttls:
                    # Certificate and host name checked (against the configured CAs or the system's).
                    smtp.starttls(context=ssl.create_default_context(cafile=config.smtp_ca_file))
                if config.smtp_user:
                    smtp.login(config.smtp_user, config.smtp_password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _by_replies(list(exc.recipients.values())) from None
        except smtplib.SMTPResponseException as exc:
            raise _by_replies([(exc.smtp_code, exc.smtp_error)]) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from None
        if refused:  # some recipients refused, the others took it: one recipient per message here
            raise _by_replies(list(refused.values()))
        return "accepted by the SMTP server"


def _by_replies(replies: list[tuple[int, bytes | str]]) -> Exception:
    """The server's replies as one error: permanent if any is a 5xx (RFC 5321), else transient."""
    text = "; ".join(
        f"SMTP {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
        for code, reply in replies
    )
    return Permanent(text) if any(500 <= code < 600 for code, _ in replies) else Transient(text)


class WebhookSender:
    """Posts signed messages to webhooks, each to the address its host resolves to at that
    moment, once that address is checked (:mod:`.egress`): urllib3 connects to the checked
    address and gives the host name as the Host header and for TLS (SNI and the certificate's
    check, urllib3's documented ``server_hostname`` and ``assert_hostname``), so no second lookup
    takes place. A redirect is an answer, not somewhere to post the message again."""

    def __init__(self, config: Settings, getaddrinfo: egress.Resolver = socket.getaddrinfo) -> None:
        self.limit = RateLimit(config.webhook_per_second)
        self.allowed = egress.networks(config.webhook_private_networks)
        self.getaddrinfo = getaddrinfo

    def send(self, url: str, secret: str, message_id: str, timestamp: datetime, body: dict[str, Any]) -> str:
        self.limit.wait()
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # a URL that will not become usable
            raise Permanent(f"{type(exc).__name__}: {exc}") from None
        host = parts.hostname
        if parts.scheme not in ("https", "http") or not host:
            raise Permanent("not an http(s) URL")  # the API refuses others; a stored one is refused here too
        try:
            # An internationalised name goes on the wire (Host, SNI, the certificate's check) in
            # its IDNA form, as http.client writes it for a URL it is given.
            host = host if host.isascii() else host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise Permanent(f"{type(exc).__name__}: {exc}") from None
        try:
            address = egress.resolve(host, port, self.allowed, self.getaddrinfo)
        except egress.Refused as exc:
            raise Permanent(str(exc)) from None
        except egress.Unresolved as exc:
            raise Transient(f"DNS: {exc}") from None
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
        signature = Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=payload)
        named = f"[{host}]" if ":" in host else host
        headers = {
            "Host": named if parts.port is None else f"{named}:{parts.port}",
            "Content-Type": "application/json",
            "User-Agent": "checkround-webhooks",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }
        timeout = urllib3.Timeout(connect=10, read=15)
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, port, timeout=timeout, retries=False, server_hostname=host, assert_hostname=host
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            with pool:
                response = pool.urlopen(
                    "POST",
                    target,
                    body=payload.encode(),
                    headers=headers,
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                )
                status = response.status
                response.drain_conn()
        except urllib3.exceptions.LocationValueError as exc:  # a URL http.client cannot use
            raise Permanent(f"{type(exc).__name__}: {exc}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from None
        if 200 <= status < 300:
            return f"HTTP {status}"
        # 408 and 429 ask to come back later; another 4xx (and a redirect) refuses for good.
        if 300 <= status < 500 and status not in (408, 429):
            raise Permanent(f"HTTP {status}")
        raise Transient(f"HTTP {status}")
