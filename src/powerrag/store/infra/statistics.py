"""Planner statistics that keep up with a growing database.

A new database has none: PostgreSQL then guesses that `project_id = $1` matches
few rows and reads a whole project's index range to find 25 keys, so every batch
costs more as the table grows, until autovacuum's first ANALYZE a minute later
(docs/benchmarks.md, PostgreSQL P1). SQLite gathers statistics only when asked.
So each process runs ANALYZE in the background whenever the rows it has written
since it started cross 1,000, 4,000, 16,000, … (a bounded sample each time).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

FIRST_THRESHOLD = 1_000
GROWTH = 4
# Beyond this the sample is as good as it gets; PostgreSQL's autovacuum keeps it current.
LAST_THRESHOLD = 70_000_000
# The tables ingestion writes and the reads plan against.
TABLES = (
    "observations",
    "traces",
    "trace_updates",
    "sessions",
    "scores",
    "span_origins",
    "span_content_events",
)


def analyze(engine: Engine) -> None:
    """One ANALYZE of the written tables: SQLite with a bounded sample per index."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")


def analyze_at_open(engine: Engine) -> None:
    """SQLite keeps no statistics of its own; PostgreSQL's autovacuum has them for old data.

    Without them SQLite can prefer an index that avoids a sort over one that finds the
    rows (docs/benchmarks.md, the replay scan).
    """
    if engine.dialect.name == "sqlite":
        analyze(engine)


class StatisticsRefresher:
    """Counts written rows and re-analyzes, off the writer's thread, as they grow."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._written = 0
        self._next = FIRST_THRESHOLD
        self._running: threading.Thread | None = None
        self._lock = threading.Lock()
        self.runs = 0  # ANALYZE runs started

    def wrote(self, rows: int) -> None:
        with self._lock:
            self._written += rows
            if self._written < self._next or self._next > LAST_THRESHOLD:
                return
            if self._running is not None and self._running.is_alive():
                return
            self._next = self._written * GROWTH
            self.runs += 1
            self._running = threading.Thread(target=self._run, name="analyze", daemon=True)
            self._running.start()

    def wait(self, timeout: float | None = None) -> None:
        """Let a running ANALYZE finish (tests, and closing the store)."""
        running = self._running
        if running is not None:
            running.join(timeout)

    def _run(self) -> None:
        try:
            analyze(self._engine)
        except SQLAlchemyError as exc:
            # Statistics are an optimisation: a busy or closing database only delays them.
            log.warning("could not refresh planner statistics: %s", exc)
