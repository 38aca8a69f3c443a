"""Planner statistics follow a growing database (store/infra/statistics.py), on both engines."""

from __future__ import annotations

from sqlalchemy import text

from powerrag.domain.records import IngestBatch, ObservationRecord
from powerrag.store.database import Store
from powerrag.store.infra.statistics import FIRST_THRESHOLD, GROWTH, StatisticsRefresher
from tests.support.project import PROJECT_ID

START_US = 1_760_000_000_000_000


def _batch(first: int, count: int) -> IngestBatch:
    spans = [
        ObservationRecord(
            id=f"{i:016x}",
            trace_id=f"{i // 4 + 1:032x}",
            type="SPAN",
            name="step",
            start_time=START_US + i,
        )
        for i in range(first, first + count)
    ]
    return IngestBatch(observations=spans)


def _analyzed(store: Store) -> bool:
    """Whether ANALYZE ran on observations since the database was made."""
    with store.connect() as conn:
        if store.dialect == "sqlite":
            row = conn.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_observations_project_trace'")
            ).first()
            return row is not None and int(row[0].split()[0]) >= FIRST_THRESHOLD
        # last_analyze is set by ANALYZE statements only, never by autovacuum.
        row = conn.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'observations'")
        ).first()
        return row is not None and row[0] is not None


def test_the_first_thousand_rows_bring_statistics(store: Store) -> None:
    store.write_batches([(PROJECT_ID, _batch(0, FIRST_THRESHOLD - 100))])
    store.statistics.wait()
    assert not _analyzed(store)
    store.write_batches([(PROJECT_ID, _batch(FIRST_THRESHOLD, 100))])
    store.statistics.wait(timeout=30)
    assert _analyzed(store)


def test_thresholds_grow_geometrically(store: Store) -> None:
    refresher = StatisticsRefresher(store.engine)
    refresher.wrote(FIRST_THRESHOLD - 1)
    assert refresher.runs == 0
    refresher.wrote(1)
    assert refresher.runs == 1
    refresher.wait(timeout=30)
    refresher.wrote(FIRST_THRESHOLD * GROWTH - FIRST_THRESHOLD - 1)
    assert refresher.runs == 1
    refresher.wrote(1)
    assert refresher.runs == 2
    refresher.wait(timeout=30)
