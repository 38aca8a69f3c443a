"""Re-costing (store/recost.py) with the observations in ClickHouse: each changed
observation is a new version of its whole row, then its traces and their sessions are
recomputed, under the trace and session locks and versions the writer takes (writer.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from powerrag.domain.cost import PriceBook, Recosted
from powerrag.store.base import chunked
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import insert_versions, refresh_sessions, refresh_traces
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import observations
from powerrag.store.recost import cost_values, to_recost

_O = observations.c


def recost(
    ch: ClickHouse,
    pg: Connection,
    book: PriceBook,
    project_id: str,
    found: tuple[str, str],
    now: int,
) -> Recosted:
    """Cost again what `found` (pattern, model id) names, as store/recost.py does."""
    sql = ClickHouseSql(ch)
    pattern, model_id = found
    matched = to_recost(sql, project_id, pattern, model_id)  # type: ignore[arg-type]
    trace_ids = sorted({row["trace_id"] for row in matched})
    if not trace_ids:
        return Recosted(0, 0, 0)
    lock_keys(pg, [f"trace:{project_id}:{t}" for t in trace_ids])
    version = next_version(pg)
    # Whole rows read under the locks: a version replaces every column of its row.
    rows = _rows(sql, project_id, sorted(row["id"] for row in matched))
    changed = [{**r, **cost_values(book, project_id, r), "updated_at": now} for r in rows]
    days = project_days(pg, project_id, ch.retention_days)
    insert_versions(ch, "observations", changed, version, days=days)
    pairs = refresh_traces(ch, project_id, trace_ids, version, now, days)
    touched = sorted({s for s, _ in pairs})
    if touched:
        lock_keys(pg, [f"session:{project_id}:{s}" for s in touched])
        refresh_sessions(ch, project_id, touched, next_version(pg), now)
    return Recosted(len(changed), len(trace_ids), len(touched))


def _rows(sql: ClickHouseSql, project_id: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in chunked(ids):
        query = select(observations).where(_O.project_id == project_id, _O.id.in_(list(chunk)))
        rows.extend(sql.execute(query).mappings())
    return rows
