"""A local OpenAI-compatible chat completions endpoint, for instrumentations to call.

The process edge of the instrumentation tests: the real `openai` client and its
OpenTelemetry instrumentation run in a pinned environment and talk to this server,
which answers every `POST …/chat/completions` with one fixed completion and keeps
the requests it got.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "gpt-4o-mini"
PROMPT_TOKENS, COMPLETION_TOKENS = 21, 9


@dataclass
class FakeOpenAI:
    """Where the server listens (`base_url` for the client, with /v1) and what it got."""

    base_url: str
    reply: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def completion(self) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake-1",
            "object": "chat.completion",
            "created": 1_763_900_000,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.reply},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            },
        }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self._answer(404, {"error": {"message": f"no route {self.path}"}})
                return
            fake.requests.append(request)
            self._answer(200, fake.completion())

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_openai_chat(reply: str) -> Iterator[FakeOpenAI]:
    """Serve on a free local port for the duration of the block."""
    fake = FakeOpenAI("", reply)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
