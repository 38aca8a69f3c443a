"""DNS rebinding: the connection goes to the address that was checked, at every hop.

The resolver is stubbed at the process edge (`socket.getaddrinfo`): `rebind.test` answers
an allowed address (127.0.0.1) the first time and a refused one (127.0.0.2, loopback but
not in `127.0.0.1/32`) after that. A receiver listens on each, on the same port.
"""

from __future__ import annotations

import datetime
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from powerrag.outbound import (
    DeliveryError,
    Destinations,
    RefusedDestinationError,
    post,
    send,
)
from tests.support.lifecycle import Receiver, receiver

ALLOWED = Destinations("127.0.0.1/32")
_real_getaddrinfo = socket.getaddrinfo


class Resolver:
    """Names -> the address of each successive lookup (the last one repeats)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups.append(host)
        seen = self.lookups.count(host)
        address = self.answers[host][min(seen, len(self.answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    stub = Resolver({"rebind.test": ["127.0.0.1", "127.0.0.2"], "elsewhere.test": ["127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    return stub


@pytest.fixture
def pair() -> Iterator[tuple[Receiver, Receiver]]:
    """The allowed receiver and, on the same port, the one that must never be reached."""
    with receiver("127.0.0.1") as good, receiver("127.0.0.2", good.port) as bad:
        yield good, bad


def test_a_name_that_answers_differently_the_second_time_reaches_only_the_checked_address(
    rebinding: Resolver, pair: tuple[Receiver, Receiver]
) -> None:
    good, bad = pair
    assert post(f"http://rebind.test:{good.port}/hook", b"{}", {}, ALLOWED) == 200
    assert (len(good.received), bad.received) == (1, [])
    headers, body = good.received[0]
    assert (headers["host"], body) == (f"rebind.test:{good.port}", b"{}")
    assert rebinding.lookups == ["rebind.test"]  # resolved once, when checked
    # The next request resolves again, is refused, and nothing is sent.
    with pytest.raises(
        RefusedDestinationError, match=re.escape("resolves to 127.0.0.2, a loopback")
    ):
        post(f"http://rebind.test:{good.port}/hook", b"{}", {}, ALLOWED)
    assert (len(good.received), bad.received) == (1, [])


def test_each_redirect_hop_is_checked_and_pinned(
    rebinding: Resolver, pair: tuple[Receiver, Receiver]
) -> None:
    good, bad = pair
    good.location = f"http://elsewhere.test:{good.port}/next"
    with pytest.raises(
        RefusedDestinationError, match=re.escape("elsewhere.test resolves to 127.0.0.2")
    ):
        post(f"http://rebind.test:{good.port}/hook", b"{}", {}, ALLOWED)
    assert (len(good.received), bad.received) == (1, [])
    # A redirect to the same name is resolved again: now to the refused address.
    good.location = f"http://rebind.test:{good.port}/again"
    with pytest.raises(
        RefusedDestinationError, match=re.escape("rebind.test resolves to 127.0.0.2")
    ):
        send(f"http://127.0.0.1:{good.port}/hook", b"{}", {}, ALLOWED)
    assert (len(good.received), bad.received) == (2, [])


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rebind.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("rebind.test")]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_over_tls_the_host_name_is_kept_for_sni_and_the_certificate_check(
    rebinding: Resolver, tmp_path: Path
) -> None:
    """The connection goes to 127.0.0.1, but the TLS handshake names rebind.test; the
    self-signed certificate is refused, as it must be (no trust was given to it)."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(*_certificate(tmp_path))
    names: list[str | None] = []

    def record(_sock: Any, name: str | None, _ctx: Any) -> None:
        names.append(name)

    server.sni_callback = record
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept_one() -> None:
        conn, _ = listener.accept()
        try:
            server.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            conn.close()

    thread = threading.Thread(target=accept_one, daemon=True)
    thread.start()
    try:
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            post(f"https://rebind.test:{port}/hook", b"{}", {}, ALLOWED)
        thread.join(timeout=10)
    finally:
        listener.close()
    assert names == ["rebind.test"]
    assert rebinding.lookups == ["rebind.test"]
