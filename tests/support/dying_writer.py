"""A writer process that dies between its ClickHouse inserts and its PostgreSQL commit, as a
replica killed mid-write does: the raw rows are stored, their trace and session summaries
are not recomputed and nothing commits (store/clickhouse/writer.py).

    python -m tests.support.dying_writer PG_URL CLICKHOUSE_URL PROJECT_ID SESSION_ID TRACE_ID
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from powerrag.domain.records import IngestBatch
from powerrag.store.clickhouse.writer import ClickHouseWriter
from powerrag.store.database import Store
from tests.support.records import Child, TraceSpec, Usage, child_batch, merged, trace_batch

ROOT = Path(__file__).resolve().parents[2]
DIED = 86  # the exit status of a writer that died where it was meant to
# Tokens and cost of each late generation, as a turn's (tests/support/turns.py).
LATE_USAGE = Usage(10, 5, 15, 0.25, 0.5, 0.75)
LATE_TRACE = "late-trace"


def late_batch(session_id: str, existing_trace_id: str) -> IngestBatch:
    """A new trace in the session (a root and a generation) and a generation added to an
    existing trace of it."""
    new = TraceSpec(
        LATE_TRACE,
        0,
        session_id=session_id,
        children=(Child("late-generation", 0.5, usage=LATE_USAGE),),
    )
    added = child_batch(TraceSpec(existing_trace_id, 0), Child("late-extra", 1.0, usage=LATE_USAGE))
    return merged(trace_batch(new), added)


def main(pg_url: str, clickhouse_url: str, project_id: str, session_id: str, trace_id: str) -> None:
    store = Store.open(pg_url, clickhouse_url=clickhouse_url, migrate_on_start=False)
    inserted = ClickHouseWriter.write_records

    def insert_then_die(self: ClickHouseWriter, *args: Any) -> None:
        inserted(self, *args)
        os._exit(DIED)  # no recompute, no commit, no clean-up: a crash

    ClickHouseWriter.write_records = insert_then_die  # type: ignore[method-assign]
    store.write_batches([(project_id, late_batch(session_id, trace_id))])
    sys.exit("the writer finished its write instead of dying after the inserts")


def run(*args: str) -> int:
    """`main(*args)` in a process of its own; its exit status."""
    command = [sys.executable, "-m", "tests.support.dying_writer", *args]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    main(*sys.argv[1:6])
