"""Addresses a server listens on and names a request may give it: IPv4 and IPv6, loopback
in every spelling (``127.1``, ``0x7f000001``, ``::1``, ``::ffff:127.0.0.1``, ``localhost``)."""

from __future__ import annotations

import contextlib
import ipaddress
import socket

#: Names that always mean this machine.
_LOCAL_NAMES = frozenset({"localhost"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host is written as, in any spelling the system accepts for one
    (``127.1`` and ``0x7f000001`` are 127.0.0.1, as inet_aton reads them); None for a name."""
    bare = text.strip().removeprefix("[").removesuffix("]")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(bare.split("%")[0])
    with contextlib.suppress(OSError, ValueError):
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) can be reached only from this machine."""
    address = address_of(host)
    if address is None:
        name = host.strip().rstrip(".").lower()
        return name in _LOCAL_NAMES or name.endswith(".localhost")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def listen_spec(host: str, port: int) -> str:
    """``host:port`` as waitress reads it (an IPv6 address in brackets)."""
    address = address_of(host)
    if isinstance(address, ipaddress.IPv6Address) or (address is None and ":" in host):
        return f"[{host.strip('[]')}]:{port}"
    return f"{address if address is not None else host}:{port}"


def shown(host: str) -> str:
    """A host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def host_names(host: str) -> frozenset[str]:
    """The names a request's Host header may give a server listening on ``host``, besides
    its addresses: localhost; the name it was given; this machine's names when it listens
    on every address."""
    names = set(_LOCAL_NAMES)
    if address_of(host) is None and host:
        names.add(host.rstrip(".").lower())
    if host in _WILDCARDS:
        names |= {n.lower() for n in (socket.gethostname(), socket.getfqdn()) if n}
    return frozenset(names)


def names_this_server(header: str, names: frozenset[str]) -> bool:
    """Whether a Host header (``name:port``, ``[v6]:port``, an address) names this server:
    any IP address does (a page elsewhere reaches it by an address only if it is already
    allowed to), and of names only those in ``names``, so that a name an attacker controls,
    pointed at this machine (DNS rebinding), is refused."""
    value = header.strip()
    if value.startswith("["):
        inside, closed, rest = value[1:].partition("]")
        return bool(closed) and address_of(inside) is not None and (rest == "" or (rest[:1] == ":" and rest[1:].isdigit()))
    name, colon, port = value.rpartition(":")
    if not colon:
        name = value
    elif not port.isdigit():
        return False
    if address_of(name) is not None:
        return True
    return name.rstrip(".").lower() in names
