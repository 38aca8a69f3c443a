"""Deleting traces in ClickHouse: a tombstone version of every row that hangs off them.

`is_deleted = 1` with a higher version hides a row from FINAL reads at once; merges drop
the rows it hides, and the row TTL the tombstone itself a day after them (expiry.py). What
lives in PostgreSQL (comments, annotation queue items, media links, search marks, span
content events) is deleted in the caller's transaction, as store/writer.py does; sessions
keep their state as there (KEEP_SESSION_STATE: a delete never reopens an ended session).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, literal_column, or_, select

from powerrag.domain.timeutil import now_us
from powerrag.store import annotation_queues, media
from powerrag.store.base import chunked
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import insert_versions, refresh_sessions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import (
    comments,
    observations,
    scores,
    search_documents,
    sessions,
    span_content_events,
    trace_updates,
    traces,
)
from powerrag.store.search_index import forget_marks
from powerrag.store.writer import KEEP_SESSION_STATE

_IDS: Any = bindparam("ids", expanding=True)
_PROJECT: Any = bindparam("project_id")
# The key columns (and the partition and expiry columns) of each table's rows of some traces.
_KEYS = {
    "traces": select(traces.c.id, traces.c.created_at, traces.c.session_id).where(
        traces.c.project_id == _PROJECT, traces.c.id.in_(_IDS)
    ),
    "observations": select(
        observations.c.trace_id, observations.c.id, observations.c.created_at
    ).where(observations.c.project_id == _PROJECT, observations.c.trace_id.in_(_IDS)),
    "trace_updates": select(
        trace_updates.c.trace_id, trace_updates.c.source_id, literal_column("created_at")
    ).where(trace_updates.c.project_id == _PROJECT, trace_updates.c.trace_id.in_(_IDS)),
    "scores": select(scores.c.id, scores.c.created_at).where(
        scores.c.project_id == _PROJECT, scores.c.trace_id.in_(_IDS)
    ),
    "search_documents": select(search_documents.c.trace_id).where(
        search_documents.c.project_id == _PROJECT, search_documents.c.trace_id.in_(_IDS)
    ),
}


def delete_traces(
    ch: ClickHouse,
    pg: Connection,
    project_id: str,
    trace_ids: Sequence[str],
    now: int | None = None,
) -> int:
    """Delete traces and what hangs off them; refresh their sessions; how many existed."""
    now = now_us() if now is None else now
    ids = sorted(set(trace_ids))
    lock_keys(pg, [f"trace:{project_id}:{t}" for t in ids])
    version = next_version(pg)
    days = project_days(pg, project_id, ch.retention_days)
    sql = ClickHouseSql(ch)
    deleted, sessions_before = 0, set()
    for chunk in chunked(ids):
        forget_marks(pg, project_id, chunk)  # first: waits for an indexer holding them
        params = {"project_id": project_id, "ids": list(chunk)}
        found = {
            name: [dict(r) for r in sql.execute(q, params).mappings()] for name, q in _KEYS.items()
        }
        deleted += len(found["traces"])
        sessions_before |= {r["session_id"] for r in found["traces"] if r["session_id"]}
        observation_ids = [r["id"] for r in found["observations"]]
        _delete_comments(pg, project_id, chunk, observation_ids)
        annotation_queues.forget_objects(pg, project_id, "TRACE", list(chunk))
        for part in chunked(observation_ids):
            annotation_queues.forget_objects(pg, project_id, "OBSERVATION", list(part))
        media.forget_traces(pg, project_id, chunk)
        pg.execute(
            delete(span_content_events).where(
                span_content_events.c.project_id == project_id,
                span_content_events.c.trace_id.in_(chunk),
            )
        )
        for table, rows in found.items():
            keys = [{k: v for k, v in r.items() if k != "session_id"} for r in rows]
            tombstones = [{"project_id": project_id, **k} for k in keys]
            insert_versions(ch, table, tombstones, version, deleted=True, days=days)
    if sessions_before:
        touched = sorted(sessions_before)
        lock_keys(pg, [f"session:{project_id}:{s}" for s in touched])
        session_version = next_version(pg)
        refresh_sessions(ch, project_id, touched, session_version, now, keep=KEEP_SESSION_STATE)
        left = sql.execute(_SESSIONS, {"project_id": project_id, "ids": touched})
        gone = sorted(sessions_before - {r.id for r in left})
        annotation_queues.forget_objects(pg, project_id, "SESSION", gone)
    return deleted


_SESSIONS = select(sessions.c.id).where(sessions.c.project_id == _PROJECT, sessions.c.id.in_(_IDS))


def _delete_comments(
    pg: Connection, project_id: str, trace_ids: Sequence[str], observation_ids: list[str]
) -> None:
    """The comments on these traces and their observations: left behind, they would reappear
    on a new trace or observation with the same id (issue 19, L5)."""
    c = comments.c
    on_observations = [
        and_(c.object_type == "OBSERVATION", c.object_id.in_(part))
        for part in chunked(observation_ids)
    ]
    pg.execute(
        delete(comments).where(
            c.project_id == project_id,
            or_(and_(c.object_type == "TRACE", c.object_id.in_(trace_ids)), *on_observations),
        )
    )
