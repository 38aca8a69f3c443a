"""Which Host headers name this PowerRAG, for pages that act before anyone signs in.

A web page on another site can make a browser send requests to a local PowerRAG by
pointing its own domain at 127.0.0.1 (DNS rebinding); the browser then sends that
domain as the Host. The first-admin set-up accepts only the names PowerRAG is known
by: the public URL's host, the address it listens on, localhost, and IP addresses
(a rebinding attack always arrives under a domain name) (issue 19, M6).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from powerrag.config import Settings


def _hostname(host_header: str) -> str:
    """The name part of a Host header: no port, no brackets, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def known_host(settings: Settings, host_header: str) -> bool:
    """True when the Host header names this PowerRAG rather than someone else's domain."""
    name = _hostname(host_header)
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    names = {"localhost", settings.host.lower()}
    if settings.public_url:
        names.add((urlsplit(settings.public_url).hostname or "").lower())
    return name in names
