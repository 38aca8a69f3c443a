"""A session is active until idle for the timeout or ended explicitly; a trace reopens it."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient

from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import Lifecycle
from powerrag.store.database import Store
from tests.support.clickhouse import with_clickhouse
from tests.support.lifecycle import Clock, turn
from tests.support.project import PROJECT_ID
from tests.support.records import TraceSpec, trace_batch


def _ingest(api: TestClient, events: list[dict[str, Any]]) -> None:
    response = api.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207, response.text
    assert response.json()["errors"] == []


def _session(api: TestClient, session_id: str) -> dict[str, Any]:
    response = api.get(f"/api/public/sessions/{session_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_session_ends_after_idle_timeout_and_a_new_trace_reopens_it(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    _ingest(api, turn("chat-1", "t1"))
    assert _session(api, "chat-1")["status"] == "active"

    clock.advance(599)
    assert worker.run_once().ended == 0
    assert _session(api, "chat-1")["status"] == "active"

    ended_at = clock.advance(2)
    assert worker.run_once().ended == 1
    found = _session(api, "chat-1")
    assert (found["status"], found["endedAt"]) == ("ended", to_iso(ended_at))
    assert worker.run_once(clock.advance(60)).ended == 0  # ended once

    _ingest(api, turn("chat-1", "t2"))
    found = _session(api, "chat-1")
    assert (found["status"], found["endedAt"]) == ("active", None)


def test_explicit_end_and_the_status_filter(api: TestClient, clock: Clock) -> None:
    _ingest(api, turn("a", "ta") + turn("b", "tb"))

    response = api.post("/api/public/sessions/a/end")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["endedAt"]) == ("ended", to_iso(clock()))
    # Ending it again changes nothing.
    clock.advance(5)
    assert api.post("/api/public/sessions/a/end").json()["endedAt"] == to_iso(clock() - 5_000_000)

    ended = api.get("/api/public/sessions", params={"status": "ended"}).json()["data"]
    active = api.get("/api/public/sessions", params={"status": "active"}).json()["data"]
    assert [s["id"] for s in ended] == ["a"]
    assert [s["id"] for s in active] == ["b"]


def test_ending_an_unknown_session_or_a_bad_status_is_a_clear_error(api: TestClient) -> None:
    missing = api.post("/api/public/sessions/nope/end")
    assert missing.status_code == 404
    assert "Session not found" in missing.text
    bad = api.get("/api/public/sessions", params={"status": "closed"})
    assert bad.status_code == 400
    assert "status must be one of active, ended" in bad.text


def test_previous_id_links_the_session_it_continues(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    _ingest(api, turn("day-1", "d1"))
    _ingest(api, turn("day-2", "d2", metadata={"session.previous_id": "day-1"}))

    api.post("/api/public/sessions/day-2/end")
    clock.advance(601)
    worker.run_once()

    assert _session(api, "day-2")["previousId"] == "day-1"
    assert _session(api, "day-1")["previousId"] is None


@with_clickhouse
def test_a_trace_written_while_its_session_ends_reopens_it(store: Store, clock: Clock) -> None:
    """The writer waits for the end's lock (or SQLite's write lock), then reopens the session:
    the trace is neither lost nor hidden behind an end that was stored after it."""
    store.write_batches([(PROJECT_ID, trace_batch(TraceSpec("t1", 1, session_id="s")))], clock())
    late = trace_batch(TraceSpec("t2", 2, session_id="s"))
    writer = threading.Thread(target=store.write_batches, args=([(PROJECT_ID, late)], clock() + 1))

    def then(conn: object, ended_at: int) -> None:
        writer.start()
        # Time for a writer that does not wait for the lock to finish first (the bug).
        writer.join(timeout=0.5)

    assert store.end_session(PROJECT_ID, "s", clock() + 2, then=then) == clock() + 2
    writer.join()
    with store.reading() as data:
        found = data.get_session(PROJECT_ID, "s")
    assert found is not None
    assert (found.status, found.trace_count, found.updated_at) == ("active", 2, clock() + 1)
