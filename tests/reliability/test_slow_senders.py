"""Slow senders cannot block ingestion (issue 19, H2): a real server, 130 trickling connections.

The probe: 130 connections sending a body one byte at a time with `Authorization:
Bearer <public key>` (public keys ship in browser bundles) took every admission place
and held it forever, so another project's ingestion answered 503 on every try. Here
the same trickle, from a public key and then from one project's secret key, runs
while another project sends its spans; they must be stored promptly, and each
trickling body must get 408 once its deadline passes.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import orjson

from powerrag.store.database import Store
from tests.support.bodies import JSON, OTLP_PATH, SpanFactory, json_body
from tests.support.project import PUBLIC_KEY, SECRET_KEY
from tests.support.server import ServerProcess

CONNECTIONS = 130  # the probe's count: more than the 128 places of the default settings
READ_SECONDS = 3.0
PUBLIC_READ_SECONDS = 1.5
WAIT_SECONDS = 1.0
TRIES = 5
PROMPT_SECONDS = 2 * WAIT_SECONDS  # an answer after the queue wait would be a 503


class Trickle:
    """Connections that send headers, then one body byte each half second, never finishing."""

    def __init__(
        self, port: int, path: str, authorization: str, count: int, method: str = "POST"
    ) -> None:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        ).encode()
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(head)
            self.sockets.append(sock)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle)
        self._thread.start()

    def _trickle(self) -> None:
        while not self._stop.wait(0.5):  # pacing of the attack, not a wait for a result
            for sock in self.sockets:
                with suppress(OSError):  # the server answered and closed this one
                    sock.send(b" ")

    def statuses(self, within: float) -> list[int | None]:
        """Each connection's answer status; None for one still unanswered after `within` s."""
        deadline = time.monotonic() + within
        return [_status(sock, deadline) for sock in self.sockets]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()


def _status(sock: socket.socket, deadline: float) -> int | None:
    received = b""
    while b"\r\n" not in received:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(256)
        except TimeoutError:
            return None
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    return int(received.split(b" ")[1]) if received.startswith(b"HTTP/1.1 ") else None


@contextmanager
def _server(tmp_path: Path, database_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path / "data",
        database_url=database_url,
        queue_wait_seconds=str(WAIT_SECONDS),
        body_read_seconds=str(READ_SECONDS),
        public_key_body_read_seconds=str(PUBLIC_READ_SECONDS),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _other_project_sends(server: ServerProcess, seed: int) -> list[tuple[int, float]]:
    """The `store` fixture's project (not the trickler's) sends TRIES bodies in turn."""
    factory = SpanFactory(seed)
    answers = []
    with httpx.Client(base_url=server.url, auth=(PUBLIC_KEY, SECRET_KEY), timeout=30) as client:
        for _ in range(TRIES):
            specs = factory.trace(children=1)
            began = time.monotonic()
            response = client.post(OTLP_PATH, content=json_body(specs), headers=JSON)
            answers.append((response.status_code, time.monotonic() - began))
            if response.status_code == 200:
                observation = client.get(f"/api/public/observations/{specs[1].span_id}")
                assert observation.status_code == 200
    return answers


def _check_trickle_answers(statuses: list[int | None]) -> None:
    """Admitted tricklers get 408 at their deadline (freeing their place for the next);
    the others 503 after the queue wait. None is left hanging."""
    assert None not in statuses, statuses
    assert set(statuses) == {408, 503}, statuses


def _score(server: ServerProcess, authorization: str) -> int:
    """A place of the trickler's own pool is free again once its bodies got 408."""
    score = {"name": "after", "value": 1, "traceId": "t-after"}
    headers = {"authorization": authorization, **JSON}
    response = httpx.post(
        server.url + "/api/public/scores", content=orjson.dumps(score), headers=headers
    )
    return response.status_code


def test_public_key_trickle_leaves_other_projects_ingesting(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    with _server(tmp_path, database_url) as server:
        bearer = f"Bearer {server.public_key}"
        trickle = Trickle(server.port, "/api/public/ingestion", bearer, CONNECTIONS)
        try:
            answers = _other_project_sends(server, seed=71)
            statuses = trickle.statuses(within=PUBLIC_READ_SECONDS + WAIT_SECONDS + 10)
        finally:
            trickle.close()
        assert _score(server, bearer) == 200
    assert all(status == 200 and took < PROMPT_SECONDS for status, took in answers), answers
    _check_trickle_answers(statuses)


def test_one_project_trickling_leaves_the_others_ingesting(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    with _server(tmp_path, database_url) as server:
        pair = f"{server.public_key}:{server.secret_key}".encode()
        basic = "Basic " + base64.b64encode(pair).decode()
        trickle = Trickle(server.port, OTLP_PATH, basic, CONNECTIONS)
        try:
            answers = _other_project_sends(server, seed=72)
            statuses = trickle.statuses(within=READ_SECONDS + WAIT_SECONDS + 10)
        finally:
            trickle.close()
        assert _score(server, basic) == 200
    assert all(status == 200 and took < PROMPT_SECONDS for status, took in answers), answers
    _check_trickle_answers(statuses)


def test_a_trickling_delete_body_gets_408_at_its_deadline(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """`DELETE /api/public/traces` reads its JSON body under the same deadline as ingestion."""
    with _server(tmp_path, database_url) as server:
        pair = f"{server.public_key}:{server.secret_key}".encode()
        basic = "Basic " + base64.b64encode(pair).decode()
        trickle = Trickle(server.port, "/api/public/traces", basic, 1, method="DELETE")
        try:
            statuses = trickle.statuses(within=READ_SECONDS + 10)
        finally:
            trickle.close()
    assert statuses == [408]
