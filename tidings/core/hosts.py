"""Which hosts a source added from outside may point at: public addresses only, unless named.

Why: the crawler runs on the server, inside its network. A source added through the API that
points at loopback, a private network or a link-local address (cloud metadata at
169.254.169.254) would turn internal pages into public articles (SSRF). A host is public only
if *every* address it resolves to is globally routable; an operator who means to crawl an
internal site names it in ``TIDINGS_ALLOW_INTERNAL_HOSTS``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_host_list(value: str | None) -> frozenset[str]:
    """``"intranet.local, 127.0.0.1"`` → the named hosts, lowercased ([] when unset)."""
    return frozenset(h.strip().lower().rstrip(".") for h in (value or "").split(",") if h.strip())


def within_domain(host: str, domain: str) -> bool:
    """True if ``host`` is ``domain`` or a subdomain of it (an empty domain holds no host)."""
    domain = domain.lower().strip(".")
    return bool(domain) and (host == domain or host.endswith(f".{domain}"))


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as the IPv4)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is itself); [] if it does not."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    found: dict[str, IPAddress] = {}
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        found.setdefault(address, ipaddress.ip_address(address))
    return list(found.values())


def refusal(host: str, allowed: Iterable[str] = ()) -> str | None:
    """Why ``host`` may not be crawled for an outside caller, or None if it may."""
    name = host.strip().lower().rstrip(".").strip("[]")
    if name in {a.strip("[]") for a in allowed}:
        return None
    addresses = resolve(name)
    if not addresses:
        return f"host {name!r} does not resolve"
    inner = [str(ip) for ip in addresses if not is_public_address(ip)]
    if inner:
        return (
            f"host {name!r} resolves to a non-public address ({', '.join(inner)}); "
            "name it in TIDINGS_ALLOW_INTERNAL_HOSTS to allow it"
        )
    return None
