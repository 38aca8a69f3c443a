"""Outgoing requests (webhooks, LLM judges) go only where the operator allows (`outbound_allowed`).

Every address the host name resolves to must be allowed, at each redirect too: a
webhook cannot be bounced to the cloud metadata service (169.254.169.254) by a 302.
The host is resolved once per hop, and the connection goes to the address that was
checked: the URL is sent to that address with the host name kept in the Host header and,
over TLS, in SNI and the certificate check (httpx's `sni_hostname` request extension,
https://www.python-httpx.org/advanced/extensions/#sni_hostname). Resolving again to
connect would let a name that answers differently the second time (DNS rebinding) reach
an address that was never checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
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

    def check(self, url: str) -> Destination:
        """Where `url` may be requested: its host resolved once, every address allowed;
        RefusedDestinationError saying why not."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise RefusedDestinationError(f"{url!r} is not an http(s) URL")
        try:
            addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        except OSError as exc:
            raise RefusedDestinationError(f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise RefusedDestinationError(f"cannot resolve {host}: no address")
        for address in addresses:
            reason = self._address_refusal(host, address)
            if reason:
                raise RefusedDestinationError(reason)
        return Destination(url, addresses[0])

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be requested, or None when it may."""
        try:
            self.check(url)
        except RefusedDestinationError as exc:
            return str(exc)
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


@dataclass(frozen=True, slots=True)
class Destination:
    """A URL that was checked and the address its connection must go to."""

    url: str
    address: IPAddress

    def pinned(self) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
        """The URL aimed at the checked address, the Host header and the TLS name to keep."""
        asked = httpx.URL(self.url)
        host = asked.netloc.decode("ascii")
        return asked.copy_with(host=str(self.address)), {"host": host}, {"sni_hostname": asked.host}


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, in the resolver's order (the process edge)."""
    found: list[IPAddress] = []
    for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


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
            target, host, tls = allowed.check(url).pinned()
            try:
                response = client.post(
                    target, content=body, headers={**headers, **host}, extensions=tls
                )
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
    host = response.request.headers.get("host", urlsplit(url).netloc)
    raise DeliveryError(f"HTTP {response.status_code} from {host}")
