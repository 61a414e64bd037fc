"""Webhooks reach public addresses only (server-side request forgery): the address policy, the
check when the URL is registered, and the check when each message is sent, against a real
receiver on the loopback interface, as a cloud instance (no private network allowed) and as the
local stack (its loopback allowed by the configuration)."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from checkround.config import LOCAL_WEBHOOK_NETWORKS, settings
from checkround.notify import egress
from checkround.notify.channels import Permanent, Transient, WebhookSender
from checkround.notify.settings import WebhookInput
from tests.integration.notify_support import Receiver

PUBLIC = "93.184.215.14"
SENT_AT = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.stop()


def dns(*answers: list[str]):
    """A resolver that answers each lookup with the next list of addresses, as a name whose
    records change between two lookups (DNS rebinding); it counts the lookups it answered."""
    pending = list(answers)

    def getaddrinfo(host, port, *args, **kwargs):
        addresses = pending.pop(0)
        getaddrinfo.lookups.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    getaddrinfo.lookups = []
    return getaddrinfo


def sender(cloud: bool, getaddrinfo=socket.getaddrinfo) -> WebhookSender:
    config = dataclasses.replace(
        settings(), webhook_per_second=0, webhook_private_networks=() if cloud else LOCAL_WEBHOOK_NETWORKS
    )
    return WebhookSender(config, getaddrinfo)


def send(hooks: WebhookSender, url: str) -> str:
    return hooks.send(url, "whsec_" + "A" * 32, "msg-1", SENT_AT, {"type": "checkround.link"})


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "0.0.0.0",  # noqa: S104 (an address refused, not one bound)
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
    ],
)
def test_internal_addresses_are_refused_in_the_cloud_and_outside_loopback_locally(address):
    ip = ipaddress.ip_address(address)
    assert not egress.allowed_address(ip, ())
    local = egress.networks(LOCAL_WEBHOOK_NETWORKS)
    loopback = address in ("127.0.0.1", "127.8.9.10", "::1")
    assert egress.allowed_address(ip, local) is loopback


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert egress.allowed_address(ipaddress.ip_address(address), ())


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/computeMetadata/v1/",
        "https://10.0.0.7/hook",
        "https://[::1]:8443/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://127.0.0.1:8088/admin_api/units",
    ],
)
def test_an_internal_address_is_refused_when_the_url_is_registered_in_the_cloud(url):
    with pytest.raises(ValidationError) as caught:
        WebhookInput(True, ()).load({"url": url})
    assert caught.value.messages == {"url": ["The URL must name a public address, not an internal one."]}


def test_the_local_stack_may_register_its_own_receiver_and_nothing_else_internal():
    local = WebhookInput(False, LOCAL_WEBHOOK_NETWORKS)
    assert local.load({"url": "http://127.0.0.1:9000/hook"}) == {"url": "http://127.0.0.1:9000/hook"}
    with pytest.raises(ValidationError):
        local.load({"url": "http://169.254.169.254/computeMetadata/v1/"})


def test_the_cloud_sends_nothing_to_an_internal_address(receiver):
    with pytest.raises(Permanent, match=r"127\.0\.0\.1"):
        send(sender(cloud=True), receiver.url)
    assert receiver.requests == []


def test_a_name_that_resolves_elsewhere_when_the_message_is_sent_is_refused_then(receiver):
    """DNS rebinding: the name was public when the URL was registered, loopback by the send."""
    port = receiver.server.server_address[1]
    url = f"https://hooks.example.test:{port}/hook"
    lookup = dns([PUBLIC], ["127.0.0.1"])
    # Registration does not resolve names (they are checked at each send): the first answer
    # stands for what a check at registration would have seen.
    assert egress.resolve("hooks.example.test", port, (), lookup) == PUBLIC
    assert WebhookInput(True, ()).load({"url": url}) == {"url": url}
    with pytest.raises(Permanent, match=r"hooks\.example\.test"):
        send(sender(cloud=True, getaddrinfo=lookup), url)
    assert receiver.requests == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(receiver):
    port = receiver.server.server_address[1]
    lookup = dns([PUBLIC, "169.254.169.254"])
    with pytest.raises(Permanent, match=r"169\.254\.169\.254"):
        send(sender(cloud=True, getaddrinfo=lookup), f"http://hooks.example.test:{port}/hook")
    assert receiver.requests == []


def test_the_message_goes_to_the_checked_address_with_its_host_name(receiver):
    """One lookup, and the connection made to its answer: the request reaches the receiver on
    the address that was checked, carrying the URL's host name."""
    port = receiver.server.server_address[1]
    lookup = dns(["127.0.0.1"])
    assert send(sender(cloud=False, getaddrinfo=lookup), f"http://hooks.example.test:{port}/hook?k=1") == "HTTP 204"
    assert lookup.lookups == ["hooks.example.test"]
    [(headers, _)] = receiver.requests
    assert headers["host"] == f"hooks.example.test:{port}"
    assert headers["webhook-id"] == "msg-1"


def test_a_name_that_does_not_resolve_is_tried_again_later(receiver):
    def nowhere(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(Transient, match="DNS"):
        send(sender(cloud=True, getaddrinfo=nowhere), "https://nowhere.example.test/hook")


def test_a_redirect_is_an_answer_not_followed(receiver):
    receiver.status = 302
    with pytest.raises(Permanent, match="HTTP 302"):
        send(sender(cloud=False), receiver.url)
    assert len(receiver.requests) == 1
    receiver.status = 429
    with pytest.raises(Transient, match="HTTP 429"):
        send(sender(cloud=False), receiver.url)


@pytest.mark.parametrize(
    "address",
    [
        "::7f00:1",  # IPv4-compatible ::127.0.0.1 (deprecated; ::/96 carries an IPv4 address)
        "::a9fe:a9fe",  # ::169.254.169.254
        "::ffff:0:a9fe:a9fe",  # IPv4-translated (SIIT, ::ffff:0:0:0/96)
        "64:ff9b:1::a9fe:a9fe",  # the local-use NAT64 prefix (RFC 8215), which a network may translate
        "fec0::1",  # site-local (deprecated, but routed inside a site)
    ],
)
def test_ipv6_forms_that_carry_or_reach_an_internal_address_are_refused(address):
    """Python 3.11's is_global calls these global; each stands for (or may be translated to)
    an address inside the network."""
    assert not egress.allowed_address(ipaddress.ip_address(address), ())
    assert not egress.allowed_address(ipaddress.ip_address(address), egress.networks(LOCAL_WEBHOOK_NETWORKS))


def test_a_host_name_beyond_ascii_is_sent_as_its_ascii_form(receiver):
    """An internationalised domain name ("hộiđoàn.vn") goes on the wire as its IDNA form in
    the Host header, as http.client does for a URL it is given (latin-1 cannot encode "ộ")."""
    port = receiver.server.server_address[1]
    lookup = dns(["127.0.0.1"])
    assert send(sender(cloud=False, getaddrinfo=lookup), f"http://hộiđoàn.example:{port}/hook") == "HTTP 204"
    [(headers, _)] = receiver.requests
    assert headers["host"] == f"{'hộiđoàn.example'.encode('idna').decode()}:{port}"
