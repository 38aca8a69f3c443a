"""The full-text search index: one document per trace and per observation, kept current by
the batch writer in its transaction, and the conditions the lists search with.

Tokens come from `domain.search`, each once per document, without positions. SQLite
indexes them with FTS5 (`search_fts`, `detail=none`, an external-content table over
`search_documents.body`, kept in step by triggers; migration 0007); PostgreSQL stores them
as a tsvector with a GIN index, written as a tsvector literal so neither the server's
parser nor its locale can split them differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, cast, column, delete, select, table
from sqlalchemy.dialects.postgresql import TSQUERY

from powerrag.domain.search import Word, document_tokens
from powerrag.store.base import chunked
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import observations, search_documents, traces

_d = search_documents.c
_fts = table("search_fts", column("rowid"))
# The trace's own document (name, id, its input and output) has no observation id.
TRACE_DOCUMENT = ""
# PostgreSQL refuses a tsvector whose lexemes exceed 1 MB; stop short of it.
_TSVECTOR_BYTES = 1_000_000
# A stored observation is replaced only by a version at least as new (store/event_times.py):
# its document follows the same rule, so both always hold the same version.
_NOT_OLDER = (
    "search_documents.event_time IS NULL OR search_documents.event_time <= excluded.event_time"
)


def _quoted(token: str) -> str:
    return "'" + token.replace("'", "''") + "'"


def _tsvector_literal(tokens: Sequence[str]) -> str:
    parts: list[str] = []
    size = 0
    for token in tokens:
        size += len(token.encode())
        if size > _TSVECTOR_BYTES:
            break
        parts.append(_quoted(token))
    return " ".join(parts)


def _body(dialect: str, tokens: Sequence[str]) -> str:
    return _tsvector_literal(tokens) if dialect == "postgresql" else " ".join(tokens)


def observation_document(dialect: str, row: dict[str, Any]) -> dict[str, Any]:
    """The search document of an observation row as the writer stores it."""
    tokens = document_tokens((row["name"], row["status_message"]), (row["output"], row["input"]))
    return {
        "project_id": row["project_id"],
        "trace_id": row["trace_id"],
        "observation_id": row["id"],
        "event_time": row["event_time"],
        "body": _body(dialect, tokens),
    }


def trace_document(dialect: str, row: dict[str, Any]) -> dict[str, Any]:
    """The search document of a trace's own fields (its observations have theirs)."""
    tokens = document_tokens((row["name"], row["id"]), (row["output"], row["input"]))
    return {
        "project_id": row["project_id"],
        "trace_id": row["id"],
        "observation_id": TRACE_DOCUMENT,
        "event_time": None,
        "body": _body(dialect, tokens),
    }


def write_observation_documents(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    dialect = conn.dialect.name
    documents = [observation_document(dialect, row) for row in rows]
    upsert(conn, search_documents, documents, keys=_KEYS, where=_NOT_OLDER)


def write_trace_documents(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    dialect = conn.dialect.name
    changed = (
        "search_documents.body IS DISTINCT FROM excluded.body"
        if dialect == "postgresql"
        else "search_documents.body IS NOT excluded.body"
    )
    documents = [trace_document(dialect, row) for row in rows]
    upsert(conn, search_documents, documents, keys=_KEYS, where=changed)


_KEYS = ("project_id", "trace_id", "observation_id")


def delete_documents(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> None:
    """Every document of these traces (the trace's own and its observations')."""
    for chunk in chunked(list(trace_ids)):
        conn.execute(
            delete(search_documents).where(_d.project_id == project_id, _d.trace_id.in_(chunk))
        )


def _fts5_query(word: Word) -> str:
    # Tokens are letters and digits only (domain.search): nothing in them needs escaping.
    *whole, last = word.tokens
    return " AND ".join([*(f'"{t}"' for t in whole), f'"{last}"*'])


def _tsquery(word: Word) -> str:
    *whole, last = word.tokens
    return " & ".join([*(_quoted(t) for t in whole), f"{_quoted(last)}:*"])


def traces_with(dialect: str, project_id: str, word: Word) -> Select[Any]:
    """The ids of the project's traces having a document with this word."""
    if dialect == "postgresql":
        return select(_d.trace_id).where(
            _d.project_id == project_id, _d.body.op("@@")(cast(_tsquery(word), TSQUERY))
        )
    match = column("search_fts").op("MATCH")(_fts5_query(word))
    return (
        select(_d.trace_id)
        .select_from(search_documents.join(_fts, _fts.c.rowid == _d.id))
        .where(match, _d.project_id == project_id)
    )


def trace_matches(
    dialect: str, project_id: str, trace_id: Any, words: Iterable[Word]
) -> list[ColumnElement[bool]]:
    """One condition per word: the trace (its fields or its observations') holds it."""
    return [trace_id.in_(traces_with(dialect, project_id, w)) for w in words]


def session_matches(
    dialect: str, project_id: str, session_id: Any, words: Iterable[Word]
) -> list[ColumnElement[bool]]:
    """One condition per word: some trace of the session holds it."""
    t = traces.c
    return [
        session_id.in_(
            select(t.session_id).where(
                t.project_id == project_id, t.id.in_(traces_with(dialect, project_id, w))
            )
        )
        for w in words
    ]


_BACKFILL_ROWS = 500


def rebuild_documents(conn: Connection, project_id: str | None = None) -> int:
    """(Re)write the documents of every trace and observation (of one project, or all):
    the migration's backfill and an import's. Returns how many were written."""
    written = 0
    for source, write in (
        (observations, write_observation_documents),
        (traces, write_trace_documents),
    ):
        query = select(*_document_columns(source))
        if project_id is not None:
            query = query.where(source.c.project_id == project_id)
        result = conn.execute(query.execution_options(yield_per=_BACKFILL_ROWS))
        for part in result.mappings().partitions():
            write(conn, [dict(r) for r in part])
            written += len(part)
    return written


def _document_columns(source: Any) -> list[Any]:
    names = ["project_id", "id", "name", "input", "output"]
    if source is observations:
        names += ["trace_id", "status_message", "event_time"]
    return [source.c[n] for n in names]
