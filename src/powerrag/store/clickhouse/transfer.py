"""Export and import (store/transfer.py) of the tables ClickHouse holds: read with FINAL,
written as a new version, so importing twice changes nothing and an import into ClickHouse
moves a project over from SQLite or PostgreSQL with one command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Table, select

from powerrag.domain.timeutil import now_us
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.schema import (
    observations,
    scores,
    sessions,
    span_origins,
    trace_updates,
    traces,
)

HELD = frozenset(
    t.name for t in (traces, trace_updates, span_origins, observations, sessions, scores)
)


class ClickHouseTables:
    """`transfer.TraceTables` for the trace data in ClickHouse."""

    names = HELD

    def __init__(self, ch: ClickHouse) -> None:
        self._ch = ch

    def rows(self, table: Table, project_id: str) -> Iterator[dict[str, Any]]:
        query = (
            select(table)
            .where(table.c.project_id == project_id)
            .order_by(*table.primary_key.columns)
        )
        return ClickHouseSql(self._ch).stream(query)

    def write(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if table.name == "trace_updates":
            # Their ClickHouse-only `created_at` (expiry.py): an import counts from now.
            now = now_us()
            rows = [{**row, "created_at": now} for row in rows]
        days = project_days(conn, rows[0]["project_id"], self._ch.retention_days)
        insert_versions(self._ch, table.name, rows, next_version(conn), days=days)
