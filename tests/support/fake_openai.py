"""A local stand-in for OpenAI's Chat Completions endpoint: the process edge of agent tests.

`FakeOpenAI(answers)` serves `POST /v1/chat/completions` on a free port of 127.0.0.1 and
answers each request with the next scripted answer (`tool_call(...)`, `text(...)`, or
`failure(status)`, an error answer such as 429 or 500); it keeps every request body and
its headers, so a test can check what the client sent. Non-streaming only.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MODEL = "gpt-4o-2024-08-06"


def tool_call(name: str, arguments: dict[str, Any], call_id: str) -> dict[str, Any]:
    """An assistant message asking for one tool call."""
    return {
        "message": {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            ],
        },
        "finish_reason": "tool_calls",
    }


def text(content: str) -> dict[str, Any]:
    """A final assistant message."""
    return {"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}


def failure(status: int, message: str = "scripted failure") -> dict[str, Any]:
    """An error answer with this HTTP status (429, 500, a 400 refusing `response_format`)."""
    return {"status": status, "error": {"message": message}}


class FakeOpenAI:
    """Serves the scripted `answers` in order; usage is `usage[i]` (prompt, completion)."""

    def __init__(self, answers: list[dict[str, Any]], usage: list[tuple[int, int]]) -> None:
        if len(answers) != len(usage):
            raise ValueError("one usage pair per answer")
        self.answers, self.usage = answers, usage
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            index = len(self.requests)
            self.requests.append(body)
            self.headers.append(headers)
        if index >= len(self.answers):
            return 500, {"error": {"message": f"no scripted answer for request {index + 1}"}}
        if "status" in self.answers[index]:
            return self.answers[index]["status"], {"error": self.answers[index]["error"]}
        prompt, completion = self.usage[index]
        return 200, {
            "id": f"chatcmpl-fake-{index + 1}",
            "object": "chat.completion",
            "created": 1_763_900_000,
            "model": MODEL,
            "choices": [{"index": 0, "logprobs": None, **self.answers[index]}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v1/chat/completions":
                    status, answer = 404, {"error": {"message": f"no route {self.path}"}}
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    status, answer = fake._next(body, headers)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads `requests` instead."""

        return Handler
