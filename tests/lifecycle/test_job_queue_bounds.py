"""The job queue's bounds: webhook deliveries run side by side up to `webhook_concurrency`,
and finished jobs past `job_retention_days` are deleted in batches (injected clock)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from powerrag.config import Settings
from powerrag.lifecycle import Lifecycle
from powerrag.store import jobs
from powerrag.store.database import Store
from powerrag.store.infra.schema import jobs as jobs_table
from tests.support.lifecycle import SECOND, Clock, turn
from tests.support.project import PROJECT_ID

DAY = 24 * 3600 * SECOND


@dataclass
class Gate:
    """Holds each request until `limit` are in flight (or all that are left), so the most
    ever in flight is exactly what the worker allows."""

    limit: int
    total: int
    in_flight: int = 0
    most: int = 0
    served: int = 0
    port: int = 0


@contextmanager
def gated_receiver(gate: Gate) -> Iterator[Gate]:
    ready = threading.Condition()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            with ready:
                gate.in_flight += 1
                gate.most = max(gate.most, gate.in_flight)
                ready.notify_all()
                ready.wait_for(
                    lambda: (
                        gate.in_flight >= gate.limit or gate.in_flight + gate.served >= gate.total
                    ),
                    timeout=10,
                )
                gate.in_flight -= 1
                gate.served += 1
                ready.notify_all()
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gate.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield gate
    finally:
        server.shutdown()
        server.server_close()


def test_webhooks_are_delivered_side_by_side_up_to_the_setting(
    api: TestClient, store: Store, lifecycle_settings: Settings, clock: Clock
) -> None:
    worker = Lifecycle(store, replace(lifecycle_settings, webhook_concurrency=3), clock)
    with gated_receiver(Gate(limit=3, total=7)) as gate:
        alert = {
            "name": "any turn",
            "metric": "session_turns",
            "threshold": 0,
            "webhookUrl": f"http://127.0.0.1:{gate.port}/hook",
        }
        assert api.post("/api/public/alerts", json=alert).status_code == 201
        batch = [e for n in range(7) for e in turn(f"chat-{n}", f"t-{n}")]
        assert api.post("/api/public/ingestion", json={"batch": batch}).status_code == 207
        done = worker.run_once(clock.advance(1))
    assert (done.fired, done.ran, gate.served, gate.most) == (7, 7, 7, 3)


def _finished(store: Store, kind: str, key: str, at: int, *, failed: bool = False) -> None:
    with store.transaction() as conn:
        jobs.enqueue(
            conn, project_id=PROJECT_ID, kind=kind, key=key, subject="s", payload="{}", now=at
        )
        (job,) = jobs.claim(conn, "test", at, SECOND, 1)
        if failed:
            jobs.fail(conn, job, "test", at, "boom", max_attempts=1)
        else:
            jobs.finish(conn, job.id, "test", at)


def _keys(store: Store) -> list[str]:
    with store.connect() as conn:
        return sorted(conn.execute(select(jobs_table.c.key)).scalars())


def test_finished_jobs_past_the_retention_window_are_deleted_in_batches(
    store: Store, worker: Lifecycle, clock: Clock
) -> None:
    """Seven days by default; a session alert's delivery stays: it is what stops the alert
    firing again for that session."""
    start = clock()
    _finished(store, "check", "check:old", start)
    _finished(store, "judge", "judge:old-failed", start + SECOND, failed=True)
    _finished(store, "webhook", "alert:a1:user:u1:20000", start + 2 * SECOND)
    _finished(store, "webhook", "alert:a1:session:s1", start + 3 * SECOND)
    _finished(store, "check", "check:recent", start + 2 * DAY)
    with store.transaction() as conn:
        jobs.enqueue(
            conn,
            project_id=PROJECT_ID,
            kind="check",
            key="check:pending",
            subject="s",
            payload="{}",
            now=start,
            run_after=start + 30 * DAY,
        )
    now = clock.advance(7 * 24 * 3600 + 5)
    assert worker.clean_up(now, limit=2) == 2
    assert _keys(store) == [
        "alert:a1:session:s1",
        "alert:a1:user:u1:20000",
        "check:pending",
        "check:recent",
    ]
    assert worker.run_once(now).cleaned == 1
    assert worker.clean_up(now) == 0
    assert _keys(store) == ["alert:a1:session:s1", "check:pending", "check:recent"]
    assert worker.run_once(clock.advance(2 * 24 * 3600)).cleaned == 1
    assert _keys(store) == ["alert:a1:session:s1", "check:pending"]
