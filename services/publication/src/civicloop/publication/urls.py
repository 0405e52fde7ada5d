"""Where webhooks may point: https, and never an address inside the city's own network
(loopback, private, link-local), checked at registration and at every delivery, so that a
registered URL cannot be turned against internal services."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from civicloop.platform.errors import InvalidArgument

URL_MAX = 2048


class UrlRefused(InvalidArgument):
    pass


class UrlPolicy:
    def __init__(self, *, allow_private: bool) -> None:
        # Development and tests deliver to receivers on this machine, over plain http.
        self.allow_private = allow_private

    async def check(self, url: str, field_name: str) -> httpx.URL:
        if not url or len(url) > URL_MAX:
            raise UrlRefused.of(field_name, f"is required, at most {URL_MAX} characters")
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise UrlRefused.of(field_name, "is not a URL") from None
        schemes = ("https", "http") if self.allow_private else ("https",)
        if parsed.scheme not in schemes or not parsed.host:
            raise UrlRefused.of(field_name, "must be an absolute https URL")
        if parsed.userinfo:
            raise UrlRefused.of(field_name, "must not carry credentials")
        if not self.allow_private:
            for address in await _addresses(parsed.host, parsed.port or 443):
                ip = ipaddress.ip_address(address)
                if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved:
                    raise UrlRefused.of(
                        field_name, "must not resolve to a loopback, private or link-local address"
                    )
        return parsed


async def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UrlRefused.of("url", f"host {host!r} does not resolve") from None
    return sorted({str(info[4][0]) for info in infos})
