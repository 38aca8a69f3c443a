"""The reconciler's passes on PostgreSQL + ClickHouse: what a writer that died between its
inserts and its commit left stale is recomputed and indexed for search; a pass looks only at
rows newer than an earlier pass (less the safety margin), and a full pass runs first and daily.

One store for the module; each test writes under a project of its own. Times are given to
the reconciler, days ahead of the clock, so each test's passes follow the ones before it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from powerrag.domain.filters import PageRequest, TraceFilter, TraceOrder
from powerrag.domain.records import IngestBatch
from powerrag.domain.timeutil import now_us
from powerrag.store.clickhouse import reconcile
from powerrag.store.clickhouse.reconcile import FULL_EVERY_US, SAFETY_MARGIN_US, Repaired
from powerrag.store.clickhouse.store import ClickHouseStore
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.database import Store
from tests.support.clickhouse import chdb_database
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.records import Child, TraceSpec, Usage, child_batch, trace_batch

pytestmark = pytest.mark.postgres
MINUTE_US = 60_000_000
DAY_US = 24 * 60 * MINUTE_US

TURN = Usage(10, 5, 15, 0.25, 0.5, 0.75)


def _trace(trace_id: str) -> TraceSpec:
    return TraceSpec(
        trace_id, 0, session_id="s", children=(Child(f"{trace_id}-g", 0.5, usage=TURN),)
    )


def _late(trace_id: str) -> IngestBatch:
    """A generation added to the trace, with words of its own to search for."""
    child = Child(f"{trace_id}-late", 1.0, usage=TURN, output=f'"{trace_id} kettle"')
    return child_batch(_trace(trace_id), child)


@pytest.fixture(scope="module")
def store(postgres_server: PostgresServer) -> Iterator[ClickHouseStore]:
    name = unique_db_name("reconciler")
    with chdb_database() as clickhouse_url:
        opened = Store.open(postgres_server.create_database(name), clickhouse_url=clickhouse_url)
        assert isinstance(opened, ClickHouseStore)
        yield opened
        opened.close()
    postgres_server.drop_database(name)


def _die_after_inserts(
    store: ClickHouseStore, project_id: str, batch: IngestBatch, version: int
) -> None:
    """The inserts of a write with this version, then no recompute and no commit."""
    with store.engine.connect() as pg:
        store._ch_writer.write_records(pg, project_id, batch, version, now_us())
        pg.rollback()


def _passes(store: ClickHouseStore, at: int) -> Repaired:
    return reconcile.reconcile(store.ch, store.engine, now=at)


def _tokens(store: ClickHouseStore, project_id: str) -> tuple[float, float]:
    with store.reading() as data:
        trace, session = data.get_trace(project_id, "t1"), data.get_session(project_id, "s")
    assert trace is not None and session is not None
    return trace.total_tokens, session.total_tokens


def test_a_repaired_trace_is_recomputed_and_indexed_for_search(store: ClickHouseStore) -> None:
    project = "p-search"
    store.write_batches([(project, trace_batch(_trace("t1")))])
    assert store.index_search(100, project) == 1  # the write's own mark, used up
    with store.engine.connect() as pg:
        _die_after_inserts(store, project, _late("t1"), next_version(pg))
    assert _tokens(store, project) == (15.0, 15.0)

    # On a database without passes, a pass is full (so is every one for SAFETY_MARGIN_US).
    assert _passes(store, now_us()) == Repaired(1, 1, full=True)
    assert _tokens(store, project) == (30.0, 30.0)
    assert store.index_search(100, project) == 1  # the reconciler's mark
    with store.reading() as data:
        found = data.list_traces(
            project, TraceFilter(text="kettle"), TraceOrder(), PageRequest(1, 10)
        )
    assert [t.id for t in found] == ["t1"]
    assert _passes(store, now_us()) == Repaired(0, 0, full=True)


def test_a_pass_looks_only_at_rows_newer_than_a_pass_older_than_the_margin(
    store: ClickHouseStore,
) -> None:
    project, t0 = "p-watermark", now_us() + 10 * DAY_US
    store.write_batches([(project, trace_batch(_trace("t1")))])
    store.write_batches([(project, trace_batch(_trace("t2")))])
    with store.engine.connect() as pg:
        stalled = next_version(pg)  # a writer takes its version, then stalls

    assert _passes(store, t0).full  # no full pass for a day
    # The stalled writer inserts after that pass began, and dies.
    _die_after_inserts(store, project, _late("t1"), stalled)
    later = t0 + SAFETY_MARGIN_US + 2 * MINUTE_US
    with store.engine.connect() as pg:
        _die_after_inserts(store, project, _late("t2"), next_version(pg))

    # Rows of versions above the first pass's: t2's late generation, not t1's.
    assert _passes(store, later) == Repaired(1, 1, full=False)
    assert _tokens(store, project) == (15.0, 45.0)
    assert _passes(store, later + MINUTE_US) == Repaired(0, 0, full=False)
    # The next full pass, a day after the last one, finds t1's.
    assert _passes(store, t0 + FULL_EVERY_US) == Repaired(1, 1, full=True)
    assert _tokens(store, project) == (30.0, 60.0)
