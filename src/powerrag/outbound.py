"""Outgoing requests (webhooks, LLM judges) go only where the operator allows (`outbound_allowed`).

Every address the host name resolves to must be allowed, at each redirect too: a
webhook cannot be bounced to the cloud metadata service (169.254.169.254) by a 302.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
CLASSES = ("public", "private", "loopback")
MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0


class RefusedDestinationError(Exception):
    """The destination is not allowed; retrying will not change that."""


class DeliveryError(Exception):
    """The destination did not take the request (connection error or non-2xx answer)."""


class Destinations:
    """The parsed `outbound_allowed` setting."""

    def __init__(self, spec: str) -> None:
        self.classes: set[str] = set()
        self.networks: list[IPNetwork] = []
        self.hosts: set[str] = set()
        for token in (t.strip().lower() for t in spec.split(",")):
            if not token:
                continue
            if token in CLASSES:
                self.classes.add(token)
                continue
            try:
                self.networks.append(ipaddress.ip_network(token, strict=False))
            except ValueError:
                self.hosts.add(token)

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be requested, or None when it may."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return f"{url!r} is not an http(s) URL"
        try:
            infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            reason = self._address_refusal(host, address)
            if reason:
                return reason
        return None

    def _address_refusal(self, host: str, address: IPAddress) -> str | None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in self.networks):
            return None
        kind = _kind(address)
        if kind == "link-local" or kind == "special":
            return f"{host} resolves to {address}, a {kind} address, which is refused"
        if host in self.hosts or kind in self.classes:
            return None
        return f"{host} resolves to {address}, a {kind} address, not in outbound_allowed"


def _kind(address: IPAddress) -> str:
    if address.is_link_local:
        return "link-local"
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "special"
    if address.is_private:
        return "private"
    return "public"


def send(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    allowed: Destinations,
    timeout: float = TIMEOUT_SECONDS,
) -> httpx.Response:
    """POST `body`, following at most 3 redirects to allowed places; the final answer,
    whatever its status.

    RefusedDestinationError for a refused place, DeliveryError when no answer came.
    """
    with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            reason = allowed.refusal(url)
            if reason:
                raise RefusedDestinationError(reason)
            try:
                response = client.post(url, content=body, headers=dict(headers))
            except httpx.HTTPError as exc:
                raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = urljoin(url, location)
                continue
            return response
    raise DeliveryError(f"more than {MAX_REDIRECTS} redirects")


def post(url: str, body: bytes, headers: Mapping[str, str], allowed: Destinations) -> int:
    """POST `body` (see `send`); the 2xx status, or DeliveryError for any other answer."""
    response = send(url, body, headers, allowed)
    if response.is_success:
        return response.status_code
    raise DeliveryError(f"HTTP {response.status_code} from {urlsplit(str(response.url)).netloc}")
