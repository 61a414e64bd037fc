"""The channels against real servers on free ports, without Firestore: an SMTP server that
wants a login (aiosmtpd's authenticator), and the per-instance rate limit."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from checkround.config import settings
from checkround.devstack.emulator import free_port
from checkround.notify import channels

pytestmark = [
    pytest.mark.integration,
    # A test server on the loopback: AUTH without TLS is what it is there to show.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


class Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 OK"


def checker(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"checkround" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.fixture
def smtp_with_login():
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=checker, auth_required=True, auth_require_tls=False
    )
    controller.start()
    yield controller, inbox
    controller.stop()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "checkround@example.org"
    mail["To"] = "an@example.org"
    mail["Subject"] = "x"
    mail["Message-ID"] = "<m1@example.org>"
    mail.set_content("x")
    return mail


def sender(controller, **changes):
    config = dataclasses.replace(settings(), smtp_host="127.0.0.1", smtp_port=controller.port, **changes)
    return channels.SmtpSender(config)


def test_the_smtp_sender_logs_in_with_the_configured_user(smtp_with_login):
    controller, inbox = smtp_with_login
    assert sender(controller, smtp_user="checkround", smtp_password="s3cret").send(message())
    assert len(inbox.received) == 1


def test_without_a_login_the_server_refuses_for_good(smtp_with_login):
    controller, inbox = smtp_with_login
    # Without a login this server refuses the sender with a 5xx: recorded, not retried.
    with pytest.raises(channels.Permanent, match="530"):
        sender(controller, smtp_user=None).send(message())
    assert inbox.received == []


def test_starttls_against_a_server_without_it_is_transient():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with pytest.raises(channels.Transient, match="STARTTLS"):
            sender(controller, smtp_starttls=True).send(message())
    finally:
        controller.stop()


def test_the_rate_limit_spaces_the_sends_of_one_instance(monkeypatch):
    now = [100.0]
    waits: list[float] = []
    monkeypatch.setattr(channels.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(channels.time, "sleep", lambda seconds: waits.append(seconds))
    limit = channels.RateLimit(4)  # four a second: one every 0.25 s
    for _ in range(5):
        limit.wait()
    assert waits == [0.25, 0.5, 0.75, 1.0]  # all asked at once: each waits its turn
    now[0] += 10
    limit.wait()
    assert len(waits) == 4  # after a pause the next goes at once
    unlimited = channels.RateLimit(0)
    unlimited.wait()
    unlimited.wait()
    assert len(waits) == 4
