"""The client's address behind the proxies a deployment trusts.

Rate limits count per client address, so the address must be one a client cannot choose.
``X-Forwarded-For`` is believed only when the connection comes from a configured proxy
(CIVICLOOP_TRUSTED_PROXIES, addresses or networks; none by default), and then only as far
as the chain of trusted proxies reaches: walking it from the right, the first address that
is not a trusted proxy is the client's. Whatever a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()
        )

    @classmethod
    def parse(cls, setting: str) -> TrustedProxies:
        """From CIVICLOOP_TRUSTED_PROXIES: addresses or CIDR networks, comma separated."""
        return cls(setting.split(","))

    def trusts(self, address: str) -> bool:
        if not self.networks:
            return False  # the default: no address is parsed for nothing on every request
        parsed = _address(address)
        return parsed is not None and any(parsed in n for n in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """The client's address: ``peer`` itself unless it is a trusted proxy, else the first
        untrusted hop of ``forwarded_for`` (the header's values, in order) from the right."""
        if peer is None or not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        nearest = peer
        for hop in reversed(hops):
            if _address(hop) is None:
                return nearest  # not an address: a trusted proxy never writes that
            if not self.trusts(hop):
                return hop.strip("[]")
            nearest = hop
        return nearest
