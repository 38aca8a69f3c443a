"""The logs endpoint keeps the traces endpoint's limits: body size (413), and a stalled
writer answered with 503 + Retry-After, what was admitted stored once it moves again."""

from __future__ import annotations

import gzip
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from fastapi.testclient import TestClient

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.answers import assert_error
from tests.support.bodies import JSON, PROTOBUF
from tests.support.genai_logs import LOGS_PATH, chat_events, json_logs_body, protobuf_logs_body
from tests.support.project import AUTH
from tests.support.stalled_writer import project_store, write_lock

WAIT_SECONDS = 0.5


def test_a_logs_body_over_the_limit_is_413(store: Store, tmp_path: Path) -> None:
    limit = 4096
    app = create_app(Settings(data_dir=tmp_path, max_body_bytes=limit), store=store)
    events = chat_events("a1" * 16, "a2" * 8) * 40
    with TestClient(app, headers={"authorization": AUTH}) as client:
        bomb = gzip.compress(json_logs_body(events))
        assert len(bomb) < limit
        answer = client.post(LOGS_PATH, content=bomb, headers={**JSON, "content-encoding": "gzip"})
        assert_error(answer, 413, "exceeds the limit of 4096 bytes")


def test_a_stalled_writer_refuses_logs_with_503_and_retry_after(tmp_path: Path) -> None:
    db = tmp_path / "powerrag.db"
    store = project_store(db, "Logs")
    settings = Settings(data_dir=tmp_path, max_pending_requests=1, queue_wait_seconds=WAIT_SECONDS)
    bodies = [protobuf_logs_body(chat_events(f"{i + 1:032x}", f"{i + 1:016x}")) for i in range(8)]
    app = create_app(settings, store=store)
    with (
        TestClient(app, headers={"authorization": AUTH}) as client,
        ThreadPoolExecutor(len(bodies)) as pool,
    ):
        admitted = app.state.ctx.pipeline.max_admitted
        with write_lock(db):
            began = time.monotonic()
            futures = [
                pool.submit(client.post, LOGS_PATH, content=b, headers=PROTOBUF) for b in bodies
            ]
            done, waiting = wait(futures, timeout=WAIT_SECONDS * 6)
            refused_after = time.monotonic() - began
        for future in futures:
            future.result()
        with store.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT COUNT(DISTINCT observation_id) FROM span_content_events"
            ).scalar()
    store.close()
    assert admitted == 2 and 0 < len(waiting) <= admitted and len(done) >= len(bodies) - admitted
    assert refused_after >= WAIT_SECONDS
    for future in done:
        assert future.result().status_code == 503
        assert future.result().headers["retry-after"] == "1"
    assert all(f.result().status_code == 200 for f in waiting)
    assert stored == len(waiting)
