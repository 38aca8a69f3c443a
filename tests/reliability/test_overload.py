"""Overload: requests wait a bounded time, then 503 + Retry-After; memory stays bounded (issue 6 §2).

The write path is stalled for real: another connection holds SQLite's write lock, as
a backup or a long `VACUUM` would. What the server holds in memory is then bounded
by its admission places (2 × max_pending_requests bodies), not by the senders.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.infra.engines import SQLITE_BUSY_TIMEOUT_MS
from tests.support.bodies import JSON, OTLP_PATH, SpanFactory, json_doc, json_span, string_attr
from tests.support.checks import missing_or_wrong, open_read_only
from tests.support.load import make_bodies
from tests.support.project import AUTH as CLIENT_AUTH
from tests.support.project import PROJECT_ID
from tests.support.server import AUTH, ServerProcess
from tests.support.stalled_writer import project_store, write_lock

WAIT_SECONDS = 0.5


def test_stalled_writer_refuses_with_503_and_retry_after(tmp_path: Path) -> None:
    db = tmp_path / "powerrag.db"
    store = project_store(db, "Overload")
    settings = Settings(data_dir=tmp_path, max_pending_requests=2, queue_wait_seconds=WAIT_SECONDS)
    factory = SpanFactory(41)
    bodies = make_bodies([factory.trace(children=1) for _ in range(24)], 1)
    app = create_app(settings, store=store)
    with (
        TestClient(app, headers={"authorization": CLIENT_AUTH}) as client,
        ThreadPoolExecutor(len(bodies)) as pool,
    ):
        admitted = app.state.ctx.pipeline.max_admitted
        with write_lock(db):
            began = time.monotonic()
            futures = [
                pool.submit(client.post, OTLP_PATH, content=b.content, headers=b.headers)
                for b in bodies
            ]
            done, waiting = wait(futures, timeout=WAIT_SECONDS * 6)
            refused_after = time.monotonic() - began
        answers = [f.result() for f in futures]
    store.close()
    # While the writer was stalled: all but the admitted requests were refused ...
    assert len(waiting) <= admitted
    assert all(f.result().status_code == 503 for f in done)
    assert len(done) >= len(bodies) - admitted
    assert refused_after >= WAIT_SECONDS
    for future in done:
        assert future.result().headers["retry-after"] == "1"
        assert future.result().json()["error"] == "ServiceUnavailableError"
    # ... and the admitted ones were stored once the lock was released.
    assert all(f.result().status_code == 200 for f in waiting)
    ok = [i for i, r in enumerate(answers) if r.status_code == 200]
    assert len(ok) == len(waiting)
    with open_read_only(db) as conn:
        assert missing_or_wrong(conn, PROJECT_ID, [s for i in ok for s in bodies[i].specs]) == []


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _big_body(size: int) -> bytes:
    spec = SpanFactory(42).trace(children=0)[0]
    return orjson.dumps(json_doc([json_span(spec, [string_attr("input.value", "x" * size)])]))


@pytest.mark.slow
def test_memory_stays_bounded_when_senders_outnumber_the_writer(tmp_path: Path) -> None:
    """200 senders of 2 MB bodies against a stalled writer: the server holds at most
    its admission places' worth of bodies, not 400 MB."""
    server = ServerProcess(tmp_path / "data", max_pending_requests="4", queue_wait_seconds="1")
    server.start()
    body, senders = _big_body(2 * 1024 * 1024), 200
    try:
        before = _rss_kib(server.proc.pid, "VmRSS")  # type: ignore[union-attr]

        def send(_: int) -> int:
            with httpx.Client(auth=AUTH, timeout=60) as client:
                return client.post(server.url + OTLP_PATH, content=body, headers=JSON).status_code

        with ThreadPoolExecutor(senders) as pool:
            with write_lock(tmp_path / "data" / "powerrag.db"):
                futures = [pool.submit(send, i) for i in range(senders)]
                # Look before SQLite's busy timeout fails the stalled admitted writes.
                done, waiting = wait(futures, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000 - 2)
                peak = _rss_kib(server.proc.pid, "VmHWM")  # type: ignore[union-attr]
            statuses = [f.result() for f in futures]
    finally:
        server.stop()
    assert len(waiting) <= 8 and statuses.count(503) >= senders - 8
    assert all(f.result() == 503 for f in done), sorted(statuses)
    assert all(f.result() == 200 for f in waiting)
    growth_mib = (peak - before) / 1024
    # 8 admitted bodies of 2 MB, decoded copies and the per-connection buffers stay
    # far below what 200 bodies take (measured: ~35 MiB bounded, ~215 MiB without
    # admission places).
    assert growth_mib < 100, f"RSS grew by {growth_mib:.0f} MiB"
