"""The PostgreSQL + ClickHouse Store: the Store of store/database.py on PostgreSQL, with the
trace data (the Writer, the readers, the search index) in ClickHouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, make_url

from powerrag.domain.changes import changes_of
from powerrag.domain.cost import Recosted
from powerrag.domain.errors import PowerRAGError
from powerrag.domain.records import IngestBatch
from powerrag.store.base import TraceData
from powerrag.store.clickhouse import (
    deletes,
    marks,
    migrate,
    reconcile,
    retention,
    search,
    session_ends,
)
from powerrag.store.clickhouse import recost as ch_recost
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.transfer import ClickHouseTables
from powerrag.store.clickhouse.writer import ClickHouseWriter
from powerrag.store.database import Store
from powerrag.store.infra import migrate as sql_migrate
from powerrag.store.infra.engines import normalise_url
from powerrag.store.infra.statistics import analyze_at_open
from powerrag.store.models import project_book
from powerrag.store.readers import SqlTraceData


class ClickHouseNeedsPostgresError(PowerRAGError):
    """ClickHouse holds trace data only: the rest, and the write locks, need PostgreSQL."""


class ClickHouseStore(Store):
    """`Store` whose trace data lives in ClickHouse."""

    def __init__(
        self, url: str, clickhouse_url: str, *, pool_size: int = 8, retention_days: int = 0
    ) -> None:
        super().__init__(url, pool_size=pool_size)
        self.ch = ClickHouse(clickhouse_url, retention_days=retention_days)
        self._ch_writer = ClickHouseWriter(self.prices, self.ch)
        self.elsewhere = ClickHouseTables(self.ch)

    @classmethod
    def open_on(
        cls,
        url: str,
        clickhouse_url: str,
        *,
        pool_size: int = 8,
        migrate_on_start: bool = True,
        retention_days: int = 0,
    ) -> ClickHouseStore:
        """Migrate PostgreSQL and ClickHouse (or check both are current), then open."""
        if make_url(normalise_url(url)).get_backend_name() != "postgresql":
            raise ClickHouseNeedsPostgresError(
                "--clickhouse-url needs a PostgreSQL --database-url (postgresql://...): "
                "PostgreSQL keeps projects, keys and the write locks"
            )
        if migrate_on_start:
            sql_migrate.upgrade(url)
        else:
            sql_migrate.check_current(url)
        store = cls(url, clickhouse_url, pool_size=pool_size, retention_days=retention_days)
        try:
            if migrate_on_start:
                migrate.upgrade(store.ch, url)
            else:
                migrate.check_current(store.ch)
            retention.restamp_followers(store.ch, store.engine)
        except BaseException:
            store.close()
            raise
        analyze_at_open(store.engine)
        return store

    @contextmanager
    def reading(self) -> Iterator[TraceData]:
        """The readers of store/readers.py on ClickHouse (FINAL reads)."""
        yield SqlTraceData(ClickHouseSql(self.ch))  # type: ignore[arg-type]

    def write_batches(
        self, items: Sequence[tuple[str, IngestBatch]], now: int | None = None
    ) -> None:
        with self.transaction() as conn:
            found = self._ch_writer.write_group(conn, items, now)
            changes = changes_of(items, found) if self.changes.wanted else []
            self.changes.announce(conn, changes)
        self.changes.deliver(changes)

    def recost(self, project_id: str, model_id: str, pattern: str, now: int) -> Recosted:
        with self.transaction() as conn:
            book = project_book(conn, self.prices, project_id)
            return ch_recost.recost(self.ch, conn, book, project_id, (pattern, model_id), now)

    def delete_traces(self, project_id: str, trace_ids: Sequence[str]) -> int:
        with self.transaction() as conn:
            return deletes.delete_traces(self.ch, conn, project_id, trace_ids)

    def delete_old_traces(
        self, conn: Connection, project_id: str, cutoff: int, limit: int, now: int
    ) -> int:
        return retention.delete_old_traces(self.ch, conn, project_id, cutoff, limit, now)

    def delete_old_scores(self, conn: Connection, project_id: str, cutoff: int, limit: int) -> int:
        return retention.delete_old_scores(self.ch, conn, project_id, cutoff, limit)

    def retention_changed(self, project_id: str) -> None:
        """Stamp the project's rows with the expiry its retention gives now (retention.py)."""
        with self.transaction() as conn:
            retention.restamp(self.ch, conn, project_id)

    def set_session_flag(self, project_id: str, session_id: str, flag: str, value: bool) -> bool:
        with self.transaction() as conn:
            return marks.set_session_flag(self.ch, conn, project_id, session_id, flag, value)

    def delete_score(self, project_id: str, score_id: str) -> bool:
        with self.transaction() as conn:
            return marks.delete_score(self.ch, conn, project_id, score_id)

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
            return session_ends.end_session(
                self.ch, conn, project_id, session_id, now, idle_before, then
            )

    def index_search(self, limit: int, project_id: str | None = None) -> int:
        with self.transaction() as conn:
            return search.index_pending(self.ch, conn, limit, project_id)

    def reconcile(self) -> tuple[int, int]:
        """Recompute the summaries a writer that died after its inserts left stale."""
        repaired = reconcile.reconcile(self.ch, self.engine)
        return (repaired.traces, repaired.sessions)

    def ping(self) -> bool:
        try:
            self.ch.query("SELECT 1")
        except Exception:  # any failure of the client means not ready
            return False
        return super().ping()

    def close(self) -> None:
        super().close()
        self.ch.close()
