"""The channels against real servers on free ports, without Firestore: an SMTP server that
wants a login (aiosmtpd's authenticator), one that wants STARTTLS first (a certificate from a
throwaway CA made by trustme), and the per-instance rate limit."""

from __future__ import annotations

import dataclasses
import ssl
from email.message import EmailMessage

import pytest
import trustme
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
        # Per message: whether it came over TLS (aiosmtpd sets session.ssl after STARTTLS).
        self.encrypted: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        self.encrypted.append(session.ssl is not None)
        return "250 OK"


def checker(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"checkround" and auth_data.password == b"s3cret"
    # handled=False: aiosmtpd answers a refusal with its 535. AuthResult's default (handled=True)
    # says the authenticator already replied, so the server would send nothing and the client
    # would wait out its timeout: why a wrong-password test once hung.
    return AuthResult(success=ok, handled=False)


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


def test_a_wrong_password_is_refused_for_good_without_waiting(smtp_with_login):
    controller, inbox = smtp_with_login
    # 535 is a 5xx: recorded as permanent, not retried. A short timeout: a sender that waited
    # on the server after the refusal would fail here as Transient (a timeout), not hang.
    with pytest.raises(channels.Permanent, match="535"):
        sender(controller, smtp_user="checkround", smtp_password="wrong", smtp_timeout=5).send(message())
    assert inbox.received == []


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def smtp_with_starttls(ca, tmp_path):
    """A server that takes no command but EHLO/STARTTLS in clear, and AUTH only after it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=checker,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, inbox, str(ca_file)
    controller.stop()


def test_starttls_with_the_configured_ca_sends_encrypted(smtp_with_starttls):
    controller, inbox, ca_file = smtp_with_starttls
    config = {"smtp_starttls": True, "smtp_ca_file": ca_file, "smtp_user": "checkround", "smtp_password": "s3cret"}
    assert sender(controller, **config).send(message())
    assert len(inbox.received) == 1
    assert inbox.encrypted == [True]


def test_starttls_checks_the_certificate_against_the_system_cas_by_default(smtp_with_starttls):
    controller, inbox, _ = smtp_with_starttls
    # The throwaway CA is in no system store: the certificate is refused, nothing is sent.
    config = {"smtp_starttls": True, "smtp_ca_file": None, "smtp_user": "checkround", "smtp_password": "s3cret"}
    with pytest.raises(channels.Transient, match="CERTIFICATE_VERIFY_FAILED"):
        sender(controller, **config).send(message())
    assert inbox.received == []


def test_without_starttls_a_server_that_requires_it_gets_nothing_in_clear(smtp_with_starttls):
    controller, inbox, _ = smtp_with_starttls
    # The product not configured for STARTTLS: the server offers no AUTH in clear, so smtplib
    # stops before the password leaves; without a login the server refuses MAIL (530).
    with pytest.raises(channels.Transient, match="AUTH extension not supported"):
        sender(controller, smtp_starttls=False, smtp_user="checkround", smtp_password="s3cret").send(message())
    with pytest.raises(channels.Permanent, match="530"):
        sender(controller, smtp_starttls=False, smtp_user=None).send(message())
    assert inbox.received == []


def test_starttls_against_a_server_without_it_is_transient():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        # Configured to require STARTTLS, the sender stops there: the message is not sent in clear.
        with pytest.raises(channels.Transient, match="STARTTLS"):
            sender(controller, smtp_starttls=True).send(message())
        assert inbox.received == []
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
