"""Senders for the durability and overload tests: threads posting OTLP bodies, keeping score."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from tests.support.bodies import (
    BATCH_PATH,
    JSON,
    OTLP_PATH,
    PROTOBUF,
    SpanSpec,
    json_body,
    protobuf_body,
)


@dataclass(frozen=True)
class Body:
    """One request: its spans, its bytes and where it goes."""

    specs: list[SpanSpec]
    content: bytes
    headers: dict[str, str]
    path: str = OTLP_PATH


def make_bodies(traces: list[list[SpanSpec]], traces_per_body: int) -> list[Body]:
    bodies: list[Body] = []
    for start in range(0, len(traces), traces_per_body):
        specs = [s for trace in traces[start : start + traces_per_body] for s in trace]
        if len(bodies) % 2:
            bodies.append(Body(specs, json_body(specs), JSON))
        else:
            bodies.append(Body(specs, protobuf_body(specs), PROTOBUF))
    return bodies


def _iso(ns: int) -> str:
    us = ns // 1000
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 1_000_000)) + f".{us % 1_000_000:06d}Z"
    )


def batch_events(specs: list[SpanSpec]) -> list[dict[str, Any]]:
    """`/api/public/ingestion` events for `specs`, as SDK 3 sends them; ids are stable,
    so a resent body is byte-identical."""
    events: list[dict[str, Any]] = []
    for spec in specs:
        stamp = _iso(spec.start_ns)
        if spec.parent_id is None:
            trace = {"id": spec.trace_id, "name": spec.name, "sessionId": spec.session_id}
            events.append(
                {
                    "id": f"t-{spec.span_id}",
                    "type": "trace-create",
                    "timestamp": stamp,
                    "body": trace,
                }
            )
        generation = {
            "id": spec.span_id,
            "traceId": spec.trace_id,
            "parentObservationId": spec.parent_id,
            "name": spec.name,
            "startTime": stamp,
            "model": "gpt-4o-mini",
            "usageDetails": {"input": spec.input_tokens, "output": spec.output_tokens},
        }
        events.append(
            {
                "id": f"g-{spec.span_id}",
                "type": "generation-create",
                "timestamp": stamp,
                "body": generation,
            }
        )
    return events


def make_batch_bodies(traces: list[list[SpanSpec]], traces_per_body: int) -> list[Body]:
    bodies = []
    for start in range(0, len(traces), traces_per_body):
        specs = [s for trace in traces[start : start + traces_per_body] for s in trace]
        content = orjson.dumps({"batch": batch_events(specs)})
        bodies.append(Body(specs, content, JSON, BATCH_PATH))
    return bodies


@dataclass
class Tally:
    """What happened to each body, by index."""

    acked: set[int] = field(default_factory=set)
    unanswered: set[int] = field(default_factory=set)
    refused: dict[int, int] = field(default_factory=dict)
    retry_after: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, index: int, response: httpx.Response | None) -> None:
        with self.lock:
            if response is None:
                self.unanswered.add(index)
            elif 200 <= response.status_code < 300 and not _event_errors(response):
                self.acked.add(index)
            else:
                self.refused[index] = response.status_code
                if "retry-after" in response.headers:
                    self.retry_after.add(response.headers["retry-after"])


def _event_errors(response: httpx.Response) -> bool:
    """A 207 from the batch endpoint may still refuse events."""
    return response.status_code == 207 and bool(response.json()["errors"])


def post(client: httpx.Client, body: Body) -> httpx.Response | None:
    """None when no answer came (connection refused or reset: the server is down)."""
    try:
        response = client.post(body.path, content=body.content, headers=body.headers)
    except httpx.TransportError:
        return None
    return response


def send_all(
    url: str,
    auth: tuple[str, str],
    bodies: list[Body],
    indices: list[int],
    threads: int,
    stop: threading.Event | None = None,
    timeout: float = 30.0,
) -> Tally:
    """Post bodies[i] for i in indices from `threads` threads; bodies left once `stop`
    is set are not sent (they count as unanswered)."""
    tally = Tally()
    todo = list(reversed(indices))
    todo_lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=url, auth=auth, timeout=timeout) as client:
            while True:
                with todo_lock:
                    if not todo:
                        return
                    index = todo.pop()
                if stop is not None and stop.is_set():
                    tally.record(index, None)
                    continue
                tally.record(index, post(client, bodies[index]))

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return tally
