"""The full-text search index's read side: the conditions the lists search with.

One document per trace (store/search_index.py writes them, after ingestion commits). Tokens
come from `domain.search`, each once per document, without positions. SQLite indexes them
with FTS5 (`search_fts`, `detail=none`, an external-content table over
`search_documents.body`, kept in step by triggers; migration 0008); PostgreSQL stores them
as a tsvector with a GIN index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, cast, column, func, select, table
from sqlalchemy.dialects.postgresql import TSQUERY

from powerrag.domain.search import Word
from powerrag.store.infra.schema import search_documents, traces

_d = search_documents.c
_fts = table("search_fts", column("rowid"))


def pg_quoted(token: str) -> str:
    """A token as a quoted lexeme of a tsvector or tsquery literal."""
    return "'" + token.replace("'", "''") + "'"


def _fts5_query(word: Word) -> str:
    # Tokens are letters and digits only (domain.search): nothing in them needs escaping.
    *whole, last = word.tokens
    star = "*" if word.last_is_prefix else ""
    return " AND ".join([*(f'"{t}"' for t in whole), f'"{last}"{star}'])


def _tsquery(word: Word) -> str:
    *whole, last = word.tokens
    star = ":*" if word.last_is_prefix else ""
    return " & ".join([*(pg_quoted(t) for t in whole), f"{pg_quoted(last)}{star}"])


def _spaced(word: Word) -> list[ColumnElement[bool]]:
    """ClickHouse (store/clickhouse/search.py): the body is the tokens with a space on each
    side, so a whole token is found as ' token ' and a prefix as ' pre'."""
    *whole, last = word.tokens
    forms = [f" {t} " for t in whole] + [f" {last}" if word.last_is_prefix else f" {last} "]
    return [func.position(_d.body, form) > 0 for form in forms]


def traces_with(dialect: str, project_id: str, word: Word) -> Select[Any]:
    """The ids of the project's traces having a document with this word."""
    if dialect == "clickhouse":
        return select(_d.trace_id).where(_d.project_id == project_id, *_spaced(word))
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
