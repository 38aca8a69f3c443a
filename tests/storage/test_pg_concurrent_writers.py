"""Concurrent writers on one database (replicas): no lost update of trace or session figures."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import select

from powerrag.domain.records import IngestBatch, ObservationRecord, TraceUpdate
from powerrag.store.database import Store
from powerrag.store.infra.schema import sessions, traces
from tests.support.project import PROJECT_ID

# Every round, all writers write at once into a fresh session (or fresh traces): the
# figures are recomputed on each write, so only writes that overlap can lose an update.
WRITERS = 4
ROUNDS = 25
START_US = 1_767_225_600_000_000


def _generation(obs_id: str, trace_id: str, offset: int) -> ObservationRecord:
    return ObservationRecord(
        id=obs_id,
        trace_id=trace_id,
        type="GENERATION",
        name="llm",
        start_time=START_US + offset,
        end_time=START_US + offset + 500,
        usage_details={"input": 10, "output": 5, "total": 15},
        cost_details={"input": 0.25, "output": 0.5, "total": 0.75},
    )


def _in_session(writer: int, round_: int) -> IngestBatch:
    """A trace of its own in the round's session."""
    trace_id = f"trace-{writer}-{round_}"
    return IngestBatch(
        observations=[_generation(f"obs-{trace_id}", trace_id, round_ * 10 + writer)],
        trace_updates=[
            TraceUpdate(
                trace_id=trace_id,
                source_id=f"update-{trace_id}",
                timestamp=START_US,
                session_id=f"session-{round_}",
                user_id=f"user-{writer}",
            )
        ],
    )


def _in_shared_traces(writer: int, round_: int) -> IngestBatch:
    """One more generation in each of the round's traces, which every writer sends to."""
    return IngestBatch(
        observations=[
            _generation(f"obs-{writer}-{round_}-{t}", f"shared-{round_:02}-{t}", writer)
            for t in range(3)
        ]
    )


def _write_concurrently(store: Store, make: Callable[[int, int], IngestBatch]) -> None:
    """WRITERS threads, each with its own Store (own pool, as a replica has), in lockstep."""
    replicas = [Store.open(store.url, pool_size=1) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            for round_ in range(ROUNDS):
                barrier.wait()
                replicas[index].write_batches([(PROJECT_ID, make(index, round_))])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for replica in replicas:
        replica.close()
    assert not errors, errors


def test_session_figures_are_exact_after_concurrent_writes(store: Store) -> None:
    _write_concurrently(store, _in_session)

    with store.connect() as conn:
        rows = conn.execute(select(sessions).order_by(sessions.c.id)).mappings().all()
    assert [r["id"] for r in rows] == sorted(f"session-{i}" for i in range(ROUNDS))
    users = ",".join(f'"user-{i}"' for i in range(WRITERS))
    for row in rows:
        assert row["trace_count"] == WRITERS, row
        assert row["total_tokens"] == 15 * WRITERS
        assert row["input_tokens"] == 10 * WRITERS
        assert abs(row["total_cost"] - 0.75 * WRITERS) < 1e-9
        assert row["user_ids"] == f"[{users}]"


def test_trace_figures_are_exact_after_concurrent_writes(store: Store) -> None:
    _write_concurrently(store, _in_shared_traces)

    with store.connect() as conn:
        rows = conn.execute(
            select(traces.c.id, traces.c.observation_count, traces.c.total_cost)
        ).all()
    assert len(rows) == 3 * ROUNDS
    for row in rows:
        assert row.observation_count == WRITERS, row
        assert abs(row.total_cost - 0.75 * WRITERS) < 1e-9
