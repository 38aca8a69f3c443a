"""The engines the contract suite runs on, each as a StoreUnderTest: a Writer and readers.

A new engine (ClickHouse: docs/testing.md, "The store contract") adds a `pytest.param` to
CONTRACT_ENGINES and a branch to the `sut` fixture (conftest.py) that yields a
StoreUnderTest of its Writer and its `reading`; every test here then runs on it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from powerrag.domain.records import IngestBatch
from powerrag.search_indexer import SearchIndexer
from powerrag.store.base import SearchIndex, TraceData, TraceStore, Writer
from powerrag.store.database import Store
from tests.support.clickhouse import CLICKHOUSE
from tests.support.pg import ENGINES

CONTRACT_ENGINES = [*ENGINES, CLICKHOUSE]


@dataclass(frozen=True)
class StoreUnderTest:
    """What the contract may touch: the Writer, the trace-data readers and the search
    index, nothing else."""

    writer: Writer
    reading: Callable[[], AbstractContextManager[TraceData]]
    index: SearchIndex

    def write(self, project_id: str, *batches: IngestBatch, indexed: bool = True) -> None:
        """Each batch in its own call, in order, as separate requests would arrive; then,
        unless `indexed` is False, the search index brought up to date, as the server's
        search indexer does after the commits."""
        for batch in batches:
            self.writer.write_batches([(project_id, batch)])
        if indexed:
            SearchIndexer(self.index).drain()


def under_test(store: TraceStore) -> StoreUnderTest:
    return StoreUnderTest(store, store.reading, store)


@contextmanager
def open_engine(url: str, clickhouse_url: str = "") -> Iterator[StoreUnderTest]:
    """One Store (migrated on open) is both writer and reader; with `clickhouse_url`, its
    trace data is in ClickHouse."""
    store = Store.open(url, pool_size=4, clickhouse_url=clickhouse_url)
    try:
        yield under_test(store)
    finally:
        store.close()
