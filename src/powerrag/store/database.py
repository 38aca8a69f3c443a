"""The Store: one database's engine, the batch writer and read connections; `open` migrates."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import OperationalError

from powerrag.domain.changes import changes_of
from powerrag.domain.cost import ModelPrice, PriceBook, Recosted, model_from_json
from powerrag.domain.errors import OverloadedError, StorageFullError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import IngestBatch
from powerrag.domain.search import SearchBacklog
from powerrag.store import (
    lifecycle,
    models,
    prompts,
    recost,
    retention,
    scores,
    search_index,
    sessions,
)
from powerrag.store.base import TraceData, TraceStore
from powerrag.store.infra import migrate
from powerrag.store.infra.change_feed import ChangeFeed, change_feed
from powerrag.store.infra.engines import create_db_engine, normalise_url
from powerrag.store.infra.statistics import StatisticsRefresher, analyze_at_open
from powerrag.store.readers import SqlTraceData
from powerrag.store.transfer import TraceTables
from powerrag.store.writer import BatchWriter, delete_traces


def load_default_entries() -> list[JSONObject]:
    """The bundled Langfuse default model prices as the JSON file holds them."""
    text = resources.files("powerrag.data").joinpath("default-model-prices.json").read_text()
    entries: list[JSONObject] = json.loads(text)
    return entries


def load_default_prices() -> list[ModelPrice]:
    """The bundled Langfuse default model prices."""
    return [model_from_json(entry) for entry in load_default_entries()]


class Store(TraceStore):
    """One database: a `base.TraceStore` (`write_batches`, `reading`) and `connect` for the rest."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        """Build the engine and collaborators; nothing connects until first use."""
        self.url = url
        self.engine: Engine = create_db_engine(url, pool_size=pool_size)
        self.statistics = StatisticsRefresher(self.engine)
        self.prices = PriceBook(load_default_prices())
        self._writer = BatchWriter(self.prices)
        # Tables kept outside the database, for export and import (store/transfer.py).
        self.elsewhere: TraceTables | None = None
        # Live updates: subscribe here to hear of commits by this and (PostgreSQL) every replica.
        self.changes: ChangeFeed = change_feed(normalise_url(url))

    @classmethod
    def open(
        cls,
        url: str,
        *,
        pool_size: int = 8,
        migrate_on_start: bool = True,
        clickhouse_url: str = "",
        retention_days: int = 0,
    ) -> Store:
        """Migrate (or check the schema is current), then open and refresh planner statistics.
        With `clickhouse_url`, trace data goes to ClickHouse (store/clickhouse/), whose rows
        are stamped with an expiry from their project's retention (`retention_days`: the
        server default for projects that follow it)."""
        if clickhouse_url:
            from powerrag.store.clickhouse.store import ClickHouseStore

            return ClickHouseStore.open_on(
                url,
                clickhouse_url,
                pool_size=pool_size,
                migrate_on_start=migrate_on_start,
                retention_days=retention_days,
            )
        if migrate_on_start:
            migrate.upgrade(url)
        else:
            migrate.check_current(url)
        store = cls(url, pool_size=pool_size)
        analyze_at_open(store.engine)
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[TraceData]:
        """The trace-data readers (`store/base.py`) on one connection."""
        with self.connect() as conn:
            yield SqlTraceData(conn)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; a full disk is StorageFullError, a locked one OverloadedError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            if _is_full(exc):
                raise StorageFullError(
                    "the database is full; nothing of this request was stored"
                ) from exc
            if _is_locked(exc):
                # Another process held SQLite's write lock past the busy timeout.
                raise OverloadedError(
                    "the database is busy; nothing of this request was stored, retry"
                ) from exc
            raise

    def price_book(self, project_id: str) -> PriceBook:
        """The project's prices: its own models over the bundled ones."""
        with self.connect() as conn:
            return models.project_book(conn, self.prices, project_id)

    def prompt_ids(
        self, project_id: str, wanted: set[tuple[str, int]]
    ) -> dict[tuple[str, int], str]:
        """The ids of the project's prompt versions named (name, version) that exist."""
        if not wanted:
            return {}
        with self.connect() as conn:
            return prompts.version_ids(conn, project_id, wanted)

    def write_batches(
        self, items: Sequence[tuple[str, IngestBatch]], now: int | None = None
    ) -> None:
        with self.transaction() as conn:
            found = self._writer.write_group(conn, items, now)
            changes = changes_of(items, found) if self.changes.wanted else []
            self.changes.announce(conn, changes)
        self.changes.deliver(changes)
        self.statistics.wrote(sum(len(batch) for _, batch in items))

    def recost(self, project_id: str, model_id: str, pattern: str, now: int) -> Recosted:
        with self.transaction() as conn:
            book = models.project_book(conn, self.prices, project_id)
            return recost.recost(conn, book, project_id, pattern, model_id, now)

    def delete_traces(self, project_id: str, trace_ids: Sequence[str]) -> int:
        with self.transaction() as conn:
            return delete_traces(conn, project_id, trace_ids)

    def delete_old_traces(
        self, conn: Connection, project_id: str, cutoff: int, limit: int, now: int
    ) -> int:
        """One batch of the retention job (powerrag/retention.py), in `conn`'s transaction:
        up to `limit` of the project's traces stamped before `cutoff`, oldest first."""
        return retention.delete_old_traces(conn, project_id, cutoff, limit, now)

    def delete_old_scores(self, conn: Connection, project_id: str, cutoff: int, limit: int) -> int:
        return retention.delete_old_scores(conn, project_id, cutoff, limit)

    def retention_changed(self, project_id: str) -> None:
        """A project's retention was saved: nothing to do on one database, where the job
        reads the setting on each pass (ClickHouse stamps its rows' expiry anew)."""

    def set_session_flag(self, project_id: str, session_id: str, flag: str, value: bool) -> bool:
        with self.transaction() as conn:
            return sessions.set_session_flag(conn, project_id, session_id, flag, value)

    def delete_score(self, project_id: str, score_id: str) -> bool:
        with self.transaction() as conn:
            return scores.delete_score(conn, project_id, score_id)

    def end_session(
        self,
        project_id: str,
        session_id: str,
        now: int,
        *,
        idle_before: int | None = None,
        then: Callable[[Connection, int], None] | None = None,
    ) -> int | None:
        with self.transaction() as conn:
            ended = lifecycle.end_session(conn, project_id, session_id, now, idle_before)
            if ended is not None and then is not None:
                then(conn, ended)
            return ended

    def reconcile(self) -> tuple[int, int]:
        """(traces, sessions) recomputed because a writer died between its writes and its
        commit: none on one database, where a group's writes are one transaction."""
        return (0, 0)

    def index_search(self, limit: int, project_id: str | None = None) -> int:
        """Build the search documents of up to `limit` marked traces (store/search_index.py)."""
        with self.transaction() as conn:
            return search_index.index_pending(conn, limit, project_id)

    def search_backlog(self, project_id: str | None = None) -> SearchBacklog:
        with self.connect() as conn:
            return search_index.backlog(conn, project_id)

    def close(self) -> None:
        self.statistics.wait(timeout=30)  # an ANALYZE waiting on a lock must not hold up exit
        self.changes.close()
        self.engine.dispose()

    def ping(self) -> bool:
        try:
            with self.connect() as conn:
                conn.execute(select(1))
        except OperationalError:
            return False
        return True


def _is_locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig).lower()


def _is_full(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database or disk is full" in text or "no space left" in text or "disk full" in text
