"""The derived trace and session rows in ClickHouse, recomputed from deduplicated rows.

The figures come from `observations FINAL` and `traces FINAL` with the SQL engines' own
statements (store/writer.py), never from materialized views: a view over a
ReplacingMergeTree counts every inserted version of a span (design note in
docs/deployment.md). Callers hold the trace or session locks and pass a version taken after
them, so a later recompute always replaces an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from powerrag.domain.records import TraceUpdate
from powerrag.store.base import chunked
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import stamped
from powerrag.store.infra.schema import FIGURES, sessions, traces
from powerrag.store.writer import (
    _SESSION_SQL,
    _TRACE_SQL,
    _session_row,
    _trace_row,
    _update_from_row,
)

TRACE_COLUMNS = tuple(c.name for c in traces.c)
SESSION_COLUMNS = tuple(c.name for c in sessions.c)
_EXISTING_SESSIONS = select(sessions).where(
    sessions.c.project_id == bindparam("project_id"),
    sessions.c.id.in_(bindparam("ids", expanding=True)),
)


def versioned(
    rows: Sequence[dict[str, Any]], version: int, deleted: bool = False
) -> list[dict[str, Any]]:
    return [{**row, "row_version": version, "is_deleted": int(deleted)} for row in rows]


def insert_versions(
    ch: ClickHouse,
    table: str,
    rows: Sequence[dict[str, Any]],
    version: int,
    *,
    deleted: bool = False,
    days: int | None = None,
) -> None:
    """Rows as version `version` of their keys (tombstones when `deleted`), stamped with
    their expiry from the project's retention `days` where the table has one (expiry.py)."""
    if rows:
        rows = stamped(table, rows, days, deleted=deleted)
        columns = (*rows[0], "row_version", "is_deleted")
        ch.insert(table, versioned(rows, version, deleted), columns)


def refresh_traces(
    ch: ClickHouse, project_id: str, trace_ids: Sequence[str], version: int, now: int, days: int
) -> set[tuple[str, str]]:
    """Recompute these traces (stamped with the project's retention `days`); (session,
    trace) for each session a trace was or is in."""
    touched: set[tuple[str, str]] = set()
    for chunk in chunked(trace_ids):
        touched |= _refresh_trace_chunk(ch, project_id, chunk, (version, now, days))
    return touched


def _refresh_trace_chunk(
    ch: ClickHouse, project_id: str, trace_ids: Sequence[str], stamp: tuple[int, int, int]
) -> set[tuple[str, str]]:
    version, now, days = stamp
    sql = ClickHouseSql(ch)
    params = {"project_id": project_id, "ids": list(trace_ids)}
    aggregates = {
        r["trace_id"]: r for r in sql.execute(_TRACE_SQL["aggregates"], params).mappings()
    }
    roots: dict[str, Any] = {}
    for row in sql.execute(_TRACE_SQL["roots"], params).mappings():
        roots.setdefault(row["trace_id"], row)
    updates: dict[str, list[TraceUpdate]] = {}
    for row in sql.execute(_TRACE_SQL["updates"], params).mappings():
        updates.setdefault(row["trace_id"], []).append(_update_from_row(row))
    existing = {r["id"]: r for r in sql.execute(_TRACE_SQL["existing"], params).mappings()}
    rows: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    touched: set[tuple[str, str]] = set()
    for trace_id in trace_ids:
        agg, own_updates, old = (
            aggregates.get(trace_id),
            updates.get(trace_id, []),
            existing.get(trace_id),
        )
        if old is not None and old["session_id"]:
            touched.add((old["session_id"], trace_id))
        if agg is None and not own_updates:
            if old is not None:
                gone.append(
                    {"project_id": project_id, "id": trace_id, "created_at": old["created_at"]}
                )
            continue
        row = _trace_row(project_id, trace_id, agg, roots.get(trace_id), own_updates, now)
        row["bookmarked"] = bool(old["bookmarked"]) if old else False
        row["created_at"] = old["created_at"] if old else now
        if row["session_id"]:
            touched.add((row["session_id"], trace_id))
        rows.append(row)
    insert_versions(ch, "traces", rows, version, days=days)
    insert_versions(ch, "traces", gone, version, deleted=True, days=days)
    return touched


def refresh_sessions(
    ch: ClickHouse,
    project_id: str,
    session_ids: Sequence[str],
    version: int,
    now: int,
    ending: frozenset[str] = frozenset(),
    keep: tuple[str, ...] = (),
) -> None:
    """Recompute sessions from `traces FINAL`; keep what only their own row knows (bookmark,
    publishing, first sight, continuation, an end asked for, or asked for now in `ending`)
    and the columns `keep` names (store/writer.py's KEEP_SESSION_STATE, when traces leave)."""
    sql = ClickHouseSql(ch)
    for chunk in chunked(session_ids):
        params = {"project_id": project_id, "ids": list(chunk)}
        figures = {
            r["session_id"]: r for r in sql.execute(_SESSION_SQL["figures"], params).mappings()
        }
        users: dict[str, set[str]] = {}
        latest_env: dict[str, str] = {}
        for row in sql.execute(_SESSION_SQL["members"], params).mappings():
            if row["user_id"]:
                users.setdefault(row["session_id"], set()).add(row["user_id"])
            latest_env[row["session_id"]] = row["environment"]
        existing = {r["id"]: r for r in sql.execute(_EXISTING_SESSIONS, params).mappings()}
        rows, gone = [], []
        for session_id in chunk:
            fig, old = figures.get(session_id), existing.get(session_id)
            if fig is not None:
                row = _session_row(project_id, session_id, fig, old, users, latest_env, now)
                row["previous_id"] = old["previous_id"] if old else None
                row["end_requested"] = session_id in ending or bool(old and old["end_requested"])
                row.update({name: old[name] for name in keep} if old else {})
                rows.append(row)
            elif old is not None and (old["bookmarked"] or old["public"]):
                # A marked session whose traces all left keeps its row, without their figures.
                rows.append(_emptied(old, now))
            elif old is not None:
                gone.append({"project_id": project_id, "id": session_id})
        insert_versions(ch, "sessions", rows, version)
        insert_versions(ch, "sessions", gone, version, deleted=True)


def _emptied(old: dict[str, Any], now: int) -> dict[str, Any]:
    figures = dict.fromkeys(FIGURES, 0.0)
    return {
        **old,
        "trace_count": 0,
        "user_ids": "[]",
        "error_count": 0,
        **figures,
        "updated_at": now,
    }
