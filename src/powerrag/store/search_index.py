"""Keeping the search index current, off the ingestion path: marks and documents.

The batch writer only marks the traces it touches (`mark_traces`, one row a trace, in its
transaction). The search indexer (powerrag/search_indexer.py) calls `index_pending`, which
claims marks by deleting them and writes those traces' documents in one transaction, so a
mark is gone exactly when its document is written: a crash or a failed batch leaves it for
the next run, and on PostgreSQL replicas share the marks without taking the same one.

Why no mark is lost on PostgreSQL: the writer's mark is an upsert that updates (and so
locks) an existing row until its transaction commits; the claim skips locked rows (`FOR
UPDATE SKIP LOCKED`) and reads the traces only after it, so every claimed mark's writes are
committed and visible. A writer marking a trace whose mark an indexer holds waits for that
indexer's commit, then inserts a new mark. `forget_marks` runs before a deletion removes
anything, so it waits for an indexer holding the trace, and the deletion then removes the
documents that indexer wrote. SQLite runs one write transaction at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select

from powerrag.domain.search import SearchBacklog, document_tokens
from powerrag.store.base import chunked
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import observations, search_documents, search_pending, traces
from powerrag.store.search import pg_quoted

_p = search_pending.c
_d = search_documents.c
# PostgreSQL refuses a tsvector whose lexemes exceed 1 MB; stop short of it.
_TSVECTOR_BYTES = 1_000_000

# The first mark's time stays (the lag is measured from it); updating the row at all is
# what locks it on PostgreSQL until the writer commits.
_MARK_SQL = (
    "INSERT INTO search_pending (project_id, trace_id, marked_at) VALUES ({m}, {m}, {m}) "
    "ON CONFLICT (project_id, trace_id) DO UPDATE SET marked_at = search_pending.marked_at"
)
_CLAIM_SQL = (
    "DELETE FROM search_pending WHERE (project_id, trace_id) IN ("
    "SELECT project_id, trace_id FROM search_pending {where} ORDER BY marked_at LIMIT {m}{lock}"
    ") RETURNING project_id, trace_id"
)


def _mark(dialect: str) -> str:
    return "%s" if dialect == "postgresql" else "?"


def mark_traces(conn: Connection, project_id: str, trace_ids: Sequence[str], now: int) -> None:
    """Mark traces for (re)indexing, in the caller's write transaction."""
    if not trace_ids:
        return
    sql = _MARK_SQL.format(m=_mark(conn.dialect.name))
    conn.exec_driver_sql(sql, [(project_id, t, now) for t in trace_ids])


def mark_project(conn: Connection, project_id: str, now: int) -> None:
    """Mark every trace of a project (an import)."""
    conn.exec_driver_sql(
        "INSERT INTO search_pending (project_id, trace_id, marked_at) "
        "SELECT project_id, id, {m} FROM traces WHERE project_id = {m} "
        "ON CONFLICT (project_id, trace_id) DO NOTHING".format(m=_mark(conn.dialect.name)),
        (now, project_id),
    )


def forget_marks(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> None:
    """Drop the marks of traces being deleted: call it before deleting anything else."""
    for chunk in chunked(list(trace_ids)):
        conn.execute(
            delete(search_pending).where(_p.project_id == project_id, _p.trace_id.in_(chunk))
        )


def delete_documents(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> None:
    for chunk in chunked(list(trace_ids)):
        conn.execute(
            delete(search_documents).where(_d.project_id == project_id, _d.trace_id.in_(chunk))
        )


def index_pending(conn: Connection, limit: int, project_id: str | None = None) -> int:
    """Claim up to `limit` marks (the oldest first; of one project, or any) and write their
    traces' documents, in the caller's transaction. Returns how many marks were claimed."""
    claimed = claim_marks(conn, limit, project_id)
    for project, trace_ids in sorted(claimed.items()):
        for chunk in chunked(sorted(trace_ids)):
            _rebuild(conn, project, chunk)
    return sum(len(ids) for ids in claimed.values())


def claim_marks(
    conn: Connection, limit: int, project_id: str | None = None
) -> dict[str, list[str]]:
    """Delete up to `limit` marks, the oldest first, in the caller's transaction; the claimed
    trace ids by project."""
    dialect = conn.dialect.name
    m = _mark(dialect)
    sql = _CLAIM_SQL.format(
        where=f"WHERE project_id = {m}" if project_id is not None else "",
        m=m,
        lock=" FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else "",
    )
    params = (project_id, limit) if project_id is not None else (limit,)
    claimed: dict[str, list[str]] = {}
    for project, trace_id in conn.exec_driver_sql(sql, params).all():
        claimed.setdefault(project, []).append(trace_id)
    return claimed


def backlog(conn: Connection, project_id: str | None = None) -> SearchBacklog:
    query = select(func.count(), func.min(_p.marked_at))
    if project_id is not None:
        query = query.where(_p.project_id == project_id)
    count, oldest = conn.execute(query).one()
    return SearchBacklog(traces=int(count), oldest_marked_at=oldest)


def _rebuild(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> None:
    """Write the documents of these traces as they are now; drop those of deleted traces."""
    t, o = traces.c, observations.c
    own = {
        row.id: row
        for row in conn.execute(
            select(t.id, t.name, t.input, t.output).where(
                t.project_id == project_id, t.id.in_(trace_ids)
            )
        )
    }
    steps: dict[str, list[Any]] = {}
    query = (
        select(o.trace_id, o.name, o.status_message, o.input, o.output)
        .where(o.project_id == project_id, o.trace_id.in_(list(own)))
        .order_by(o.trace_id, o.start_time, o.id)
    )
    for row in conn.execute(query) if own else ():
        steps.setdefault(row.trace_id, []).append(row)
    dialect = conn.dialect.name
    documents = [
        {
            "project_id": project_id,
            "trace_id": trace_id,
            "body": _body(dialect, trace_tokens(row, steps.get(trace_id, []))),
        }
        for trace_id, row in own.items()
    ]
    changed = (
        "search_documents.body IS DISTINCT FROM excluded.body"
        if dialect == "postgresql"
        else "search_documents.body IS NOT excluded.body"
    )
    upsert(conn, search_documents, documents, keys=("project_id", "trace_id"), where=changed)
    gone = [trace_id for trace_id in trace_ids if trace_id not in own]
    if gone:
        delete_documents(conn, project_id, gone)


def trace_tokens(trace: Any, steps: Sequence[Any]) -> list[str]:
    plain = [trace.name, trace.id]
    plain += [text for s in steps for text in (s.name, s.status_message)]
    as_json = [trace.output, trace.input]
    as_json += [text for s in steps for text in (s.output, s.input)]
    return document_tokens(plain, as_json)


def _body(dialect: str, tokens: Sequence[str]) -> str:
    """SQLite: the tokens spaced (FTS5 splits at spaces only). PostgreSQL: a tsvector
    literal, so neither the server's parser nor its locale splits them differently."""
    if dialect != "postgresql":
        return " ".join(tokens)
    parts: list[str] = []
    size = 0
    for token in tokens:
        size += len(token.encode())
        if size > _TSVECTOR_BYTES:
            break
        parts.append(pg_quoted(token))
    return " ".join(parts)
