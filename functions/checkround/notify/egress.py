"""Where a webhook may be sent: an address on the public internet, or one of the networks the
configuration allows (``Settings.webhook_private_networks``: the local stack's loopback, nothing
in the cloud).

An admin types a webhook's URL, and the dispatcher then posts to it from inside the project's
network, where the metadata server (169.254.169.254) hands out the function's credentials and
private addresses reach internal services: a URL naming one of them would make the dispatcher
forge requests there (server-side request forgery). So the host is resolved when the message is
sent (not only when the URL is registered: a name can resolve elsewhere by then, DNS
rebinding), every address it resolves to is checked, and the connection is then made to the
checked address itself, so that no second lookup can lead anywhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# socket.getaddrinfo's signature, so that tests can resolve a name as DNS would at that moment.
Resolver = Callable[..., list[tuple[Any, Any, Any, Any, Any]]]

# IPv6 prefixes that carry an IPv4 address in their last 32 bits and that a router may translate
# to it (RFC 6052's NAT64 well-known prefix): judged by the IPv4 address they lead to.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# IPv6 ranges that Python 3.11's is_global counts as global but that stand for, or may be
# translated or routed to, an address inside the network: IPv4-compatible addresses
# (``::169.254.169.254``, deprecated), IPv4-translated ones (SIIT), the local-use NAT64 prefix
# (RFC 8215, whose embedded address depends on the prefix length) and site-local (deprecated).
_NEVER = tuple(
    ipaddress.IPv6Network(network) for network in ("::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "fec0::/10")
)


class Refused(Exception):
    """The URL's host is, or resolves to, an address a webhook may not reach."""


class Unresolved(Exception):
    """The URL's host does not resolve now (it may later)."""


def networks(allowed: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network) for network in allowed)


def _inner(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for, when it stands for one (mapped, 6to4, Teredo,
    NAT64): a check of the outer address alone would let ``::ffff:127.0.0.1`` through."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def allowed_address(address: IPAddress, allowed: Sequence[IPNetwork]) -> bool:
    """A public unicast address (and so is the IPv4 one it stands for, if any), or one inside a
    network the configuration allows."""
    if any(address.version == network.version and address in network for network in allowed):
        return True
    if any(address.version == 6 and address in network for network in _NEVER):
        return False
    inner = _inner(address)
    # is_global leaves out loopback, link-local, private, shared (100.64/10), documentation and
    # reserved ranges; multicast and the unspecified address are left out here too.
    return all(a.is_global and not a.is_multicast and not a.is_unspecified for a in {address, inner})


def literal(host: str) -> IPAddress | None:
    """The address a URL's host names directly (``10.0.0.1``, ``[::1]``), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int, allowed: Sequence[IPNetwork], getaddrinfo: Resolver = socket.getaddrinfo) -> str:
    """The address to connect to for ``host``: refused (:class:`Refused`) when any address the
    name resolves to is not allowed, since the system's resolver may hand out another of them
    to a later connection, and :class:`Unresolved` when it resolves to nothing."""
    address = literal(host)
    if address is not None:
        found = [address]
    else:
        try:
            infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise Unresolved(f"{host}: {exc}") from None
        # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not found:
            raise Unresolved(f"{host}: no address")
    refused = sorted({str(a) for a in found if not allowed_address(a, allowed)})
    if refused:
        raise Refused(f"{host} is or resolves to an address webhooks may not reach ({', '.join(refused)})")
    return str(found[0])
