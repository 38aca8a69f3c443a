"""The search index is built after ingestion commits: the writer only marks traces, the
indexer claims marks and writes documents. Marks are durable, claimed once across
replicas, never resurrect a deleted trace, and a late update marks its trace again."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from powerrag.domain.filters import PageRequest, TraceFilter, TraceOrder
from powerrag.domain.records import IngestBatch, ObservationPatch
from powerrag.search_indexer import SearchIndexer
from powerrag.store import search_index, traces
from powerrag.store.database import Store
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.project import PROJECT_ID
from tests.support.records import Child, TraceSpec, at, trace_batch


def _spec(trace_id: str, words: str, start: float = 0.0) -> TraceSpec:
    children = (Child(f"{trace_id}-gen", 1.0, output=f'"{words}"'),)
    return TraceSpec(trace_id, start, name="turn", input='"hello"', children=children)


def _write(store: Store, *specs: TraceSpec) -> None:
    store.write_batches([(PROJECT_ID, trace_batch(s)) for s in specs])


def _found(store: Store, words: str) -> set[str]:
    with store.connect() as conn:
        rows = traces.list_traces(
            conn, PROJECT_ID, TraceFilter(text=words), TraceOrder(), PageRequest(1, 100)
        )
    return {r.id for r in rows}


def _count(store: Store, table: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_writer_marks_each_trace_once_and_indexes_nothing(store: Store) -> None:
    _write(store, _spec("a", "alpha"), _spec("b", "beta"), _spec("c", "gamma"))
    _write(store, _spec("a", "alpha again", start=5.0))

    assert _count(store, "search_pending") == 3
    assert _count(store, "search_documents") == 0
    assert _found(store, "alpha") == set()
    backlog = store.search_backlog(PROJECT_ID)
    assert backlog.traces == 3 and backlog.oldest_marked_at is not None
    assert store.search_backlog("another-project").traces == 0

    indexer = SearchIndexer(store, batch=2)
    assert indexer.run_once() == 2
    assert indexer.run_once() == 1
    assert indexer.run_once() == 0
    assert indexer.indexed == 3
    assert _count(store, "search_documents") == 3
    assert _found(store, "alpha") == {"a"}
    assert store.search_backlog().traces == 0


def test_marks_survive_a_restart(database_url: str, store: Store) -> None:
    _write(store, _spec("a", "alpha"), _spec("b", "beta"))
    store.close()

    reopened = Store.open(database_url, pool_size=2)
    try:
        assert reopened.search_backlog(PROJECT_ID).traces == 2
        assert SearchIndexer(reopened).drain() == 2
        assert _found(reopened, "beta") == {"b"}
    finally:
        reopened.close()


def test_a_late_observation_update_reindexes_its_trace(store: Store) -> None:
    _write(store, _spec("a", "alpha"))
    indexer = SearchIndexer(store)
    assert indexer.drain() == 1

    later = ObservationPatch(
        id="a-gen", trace_id="a", timestamp=at(30), fields={"output": '"parcel"'}
    )
    store.write_batches([(PROJECT_ID, IngestBatch(observation_patches=[later]))])
    assert store.search_backlog(PROJECT_ID).traces == 1
    assert _found(store, "parcel") == set()  # the lag: searchable once indexed
    assert indexer.drain() == 1
    assert _found(store, "parcel") == {"a"}
    assert _found(store, "alpha") == set()

    older = ObservationPatch(
        id="a-gen", trace_id="a", timestamp=at(20), fields={"output": '"stale"'}
    )
    store.write_batches([(PROJECT_ID, IngestBatch(observation_patches=[older]))])
    assert indexer.drain() == 1
    assert _found(store, "stale") == set()
    assert _found(store, "parcel") == {"a"}


def test_a_deleted_traces_mark_does_not_bring_its_document_back(store: Store) -> None:
    _write(store, _spec("a", "alpha"), _spec("b", "beta"))
    indexer = SearchIndexer(store)
    assert indexer.drain() == 2
    _write(store, _spec("a", "alpha later", start=9.0))  # marked again, not yet indexed

    assert store.delete_traces(PROJECT_ID, ["a"]) == 1
    assert store.search_backlog().traces == 0
    # A mark that outlived its trace (written by a writer racing the deletion) is claimed
    # and finds no trace: it leaves no document.
    with store.transaction() as conn:
        search_index.mark_traces(conn, PROJECT_ID, ["a"], at(60))
    assert indexer.drain() == 1
    with store.connect() as conn:
        left = conn.execute(text("SELECT trace_id FROM search_documents")).scalars().all()
    assert left == ["b"]
    assert _found(store, "alpha") == set()


def _until_one_waits_for_a_lock(store: Store, seconds: float = 30.0) -> None:
    """Poll until another session of this database waits for a lock (ours), or fail."""
    deadline = time.monotonic() + seconds
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with store.connect() as conn:
            if conn.execute(query).scalar_one() > 0:
                return
    raise AssertionError(f"no session waited for a lock within {seconds} s")


@pytest.fixture
def two_replicas(postgres_server: PostgresServer) -> Iterator[tuple[Store, Store]]:
    name = unique_db_name("idx")
    url = postgres_server.create_database(name)
    first, second = Store.open(url, pool_size=2), Store.open(url, pool_size=2)
    yield first, second
    first.close()
    second.close()
    postgres_server.drop_database(name)


@pytest.mark.postgres
def test_two_replicas_on_postgresql_index_each_trace_once(
    two_replicas: tuple[Store, Store],
) -> None:
    first, second = two_replicas
    _write(first, *(_spec(f"t{i:02d}", f"word{i:02d}") for i in range(40)))

    # The first replica holds 5 claims in an open transaction; the second skips them.
    with first.transaction() as held:
        assert search_index.index_pending(held, 5) == 5
        taken = SearchIndexer(second, batch=7).drain()
        assert taken == 35
        assert second.search_backlog().traces == 5  # held claims are not committed yet
    assert second.search_backlog().traces == 0
    assert SearchIndexer(first).drain() == 0
    with first.connect() as conn:
        ids = conn.execute(text("SELECT trace_id FROM search_documents")).scalars().all()
    assert sorted(ids) == [f"t{i:02d}" for i in range(40)]
    assert _found(second, "word07") == {"t07"}


@pytest.mark.postgres
def test_on_postgresql_a_deletion_waits_for_the_indexer_holding_its_trace(
    two_replicas: tuple[Store, Store],
) -> None:
    first, second = two_replicas
    _write(first, _spec("a", "alpha"))
    deleted: list[int] = []
    with first.transaction() as held:
        assert search_index.index_pending(held, 10) == 1
        deletion = threading.Thread(
            target=lambda: deleted.append(second.delete_traces(PROJECT_ID, ["a"]))
        )
        deletion.start()
        _until_one_waits_for_a_lock(first)
    deletion.join(timeout=30)
    assert deleted == [1]
    assert _count(first, "search_documents") == 0
    assert _found(first, "alpha") == set()


@pytest.mark.postgres
def test_on_postgresql_a_write_during_indexing_marks_its_trace_again(
    two_replicas: tuple[Store, Store],
) -> None:
    first, second = two_replicas
    _write(first, _spec("a", "alpha"))
    written = threading.Event()
    with first.transaction() as held:
        assert search_index.index_pending(held, 10) == 1
        later = ObservationPatch(
            id="a-gen", trace_id="a", timestamp=at(30), fields={"output": '"parcel"'}
        )
        writer = threading.Thread(
            target=lambda: (
                second.write_batches([(PROJECT_ID, IngestBatch(observation_patches=[later]))]),
                written.set(),
            )
        )
        writer.start()
        _until_one_waits_for_a_lock(first)
    writer.join(timeout=30)
    assert written.is_set()
    assert second.search_backlog().traces == 1
    assert SearchIndexer(second).drain() == 1
    assert _found(first, "parcel") == {"a"}


@pytest.mark.postgres
def test_on_postgresql_a_mark_an_open_write_holds_is_not_claimed(
    two_replicas: tuple[Store, Store],
) -> None:
    first, second = two_replicas
    _write(first, _spec("a", "alpha"))
    with first.transaction() as writing:
        # A writer marks the already-marked trace: its upsert locks the mark until commit,
        # so an indexer cannot claim it and read the trace without this write.
        search_index.mark_traces(writing, PROJECT_ID, ["a"], at(90))
        assert SearchIndexer(second).run_once() == 0
    assert SearchIndexer(second).run_once() == 1
