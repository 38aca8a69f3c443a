"""Session lifecycle tests: a clock the test moves, batch events for turns, a webhook receiver."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from powerrag.domain.timeutil import now_us

SECOND = 1_000_000


class Clock:
    """Starts at the real time and moves only when told; the app's writer stamps arrival and
    session activity with it (create_app's `clock`), so idle times are the test's own."""

    def __init__(self) -> None:
        self.now = now_us()

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> int:
        self.now += int(seconds * SECOND)
        return self.now


def event(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "type": kind,
        "timestamp": "2025-11-23T10:00:00.000Z",
        "body": body,
    }


def turn(
    session_id: str,
    trace_id: str,
    *,
    user_text: str = "hello",
    start: str = "2025-11-23T10:00:00.000Z",
    end: str = "2025-11-23T10:00:01.000Z",
    level: str = "DEFAULT",
    cost: float = 0.0,
    tools: tuple[tuple[str, str], ...] = (),
    metadata: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One turn: a trace with a chat input, a generation (cost, level) and tool calls."""
    messages = [{"role": "user", "content": user_text}]
    events = [
        event(
            "trace-create",
            {
                "id": trace_id,
                "sessionId": session_id,
                "timestamp": start,
                "input": messages,
                "metadata": metadata or {},
            },
        ),
        event(
            "generation-create",
            {
                "id": f"{trace_id}-g",
                "traceId": trace_id,
                "startTime": start,
                "endTime": end,
                "level": level,
                "costDetails": {"total": cost},
            },
        ),
    ]
    for n, (name, arguments) in enumerate(tools):
        events.append(
            event(
                "tool-create",
                {
                    "id": f"{trace_id}-t{n}",
                    "traceId": trace_id,
                    "name": name,
                    "startTime": start,
                    "endTime": end,
                    "input": arguments,
                },
            )
        )
    return events


@dataclass
class Receiver:
    """A local webhook receiver (the process edge): it records each POST and answers `status`."""

    status: int = 200
    # When set, every POST is answered 302 to this place.
    location: str | None = None
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextmanager
def receiver(host: str = "127.0.0.1", port: int = 0) -> Iterator[Receiver]:
    """A receiver on `host` (another loopback address such as 127.0.0.2 works on Linux)."""
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(302 if state.location else state.status)
            if state.location:
                self.send_header("location", state.location)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
