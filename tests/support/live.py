"""Session Replay live streams over the in-process app, read from the test's thread.

A stream is a raw ASGI request run on the TestClient's own event loop (its portal),
so a test chooses the client address, holds many streams open at once, and sees a
stream end; every wait is bounded by WAIT_SECONDS and ends as soon as data arrives.
"""

from __future__ import annotations

import queue
import weakref
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import anyio
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.project import AUTH, PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, sign_in

WAIT_SECONDS = 10
_ENDED = {"type": "ended"}
# Streams never end by themselves: each client's are closed by `close_streams`, so a
# test that fails with streams open still lets the app shut down.
_OPENED: weakref.WeakKeyDictionary[TestClient, list[EventStream]] = weakref.WeakKeyDictionary()


class EventStream:
    """One open `GET path` answered with text/event-stream (or refused)."""

    def __init__(
        self,
        client: TestClient,
        path: str,
        *,
        address: str = "testclient",
        cookies: dict[str, str] | None = None,
    ) -> None:
        """Open the stream with the client's cookies, or `cookies` ({} for a visitor)."""
        portal = client.portal
        assert portal is not None, "open the TestClient with `with` first"
        self._portal = portal
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._gone = portal.call(anyio.Event)
        jar = dict(client.cookies.items()) if cookies is None else cookies
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
            "client": (address, 50000),
            "server": ("testserver", 80),
        }
        self._task: Future[None] = portal.start_task_soon(self._run, client.app, scope)
        _OPENED.setdefault(client, []).append(self)
        start = self._next()
        assert start["type"] == "http.response.start", start
        self.status: int = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start["headers"]}
        self._buffer = ""
        self.ended = False

    async def _run(self, app: Any, scope: dict[str, Any]) -> None:
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await self._gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            self._messages.put(message)

        try:
            await app(scope, receive, send)
        finally:
            self._messages.put(_ENDED)

    def _next(self) -> dict[str, Any]:
        return self._messages.get(timeout=WAIT_SECONDS)

    def _read_chunk(self) -> bool:
        """Add the next body chunk to the buffer; False once the response is over."""
        message = self._next()
        if message is _ENDED:
            self.ended = True
            return False
        self._buffer += bytes(message.get("body", b"")).decode()
        self.ended = not message.get("more_body", False)
        return not self.ended

    def body(self) -> str:
        """The whole body of a response that is not a stream (e.g. a refusal)."""
        while not self.ended and self._read_chunk():
            pass
        return self._buffer

    def next_event(self) -> tuple[str, str] | None:
        """The next named event (name, data), skipping comments; None when the stream ends."""
        while True:
            if "\n\n" in self._buffer:
                block, self._buffer = self._buffer.split("\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
                )
                if "event" in fields:
                    return fields["event"], fields.get("data", "")
                continue
            if self.ended or not self._read_chunk():
                return None

    def close(self) -> None:
        """Disconnect, and wait until the server has finished with the request."""
        self._portal.call(self._gone.set)
        self._task.result(timeout=WAIT_SECONDS)


def signed_in_admin(store: Store, settings: Settings) -> Iterator[TestClient]:
    """A client signed in as the administrator; its open streams are closed at the end."""
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        sign_in(client, (EMAIL, PASSWORD))
        try:
            yield client
        finally:
            close_streams(client)


def close_streams(client: TestClient) -> None:
    """Close every stream opened on this client (a fixture's teardown)."""
    for stream in _OPENED.pop(client, []):
        stream.close()


def events_path(session_id: str) -> str:
    return urls.session_events(PROJECT_ID, session_id)


def send_turn(client: TestClient, trace_id: str, session_id: str) -> None:
    """Ingest one trace of a session through the public API (answered after the commit)."""
    event = {
        "id": f"event-{trace_id}",
        "type": "trace-create",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "body": {"id": trace_id, "sessionId": session_id, "name": "turn", "userId": "u1"},
    }
    answer = client.post(
        "/api/public/ingestion", json={"batch": [event]}, headers={"authorization": AUTH}
    )
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text
