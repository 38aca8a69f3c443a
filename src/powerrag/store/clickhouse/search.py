"""The search index on ClickHouse: marks in PostgreSQL (claimed as on the SQL engines,
store/search_index.py), documents in ClickHouse, one version per rebuild.

A document's body is its tokens (domain/search.py) with a space on each side; store/search.py
matches ' token ' and ' prefix' in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from powerrag.store.base import chunked
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.schema import observations, search_documents, traces
from powerrag.store.search_index import claim_marks, trace_tokens

_t, _o, _d = traces.c, observations.c, search_documents.c


def index_pending(ch: ClickHouse, pg: Connection, limit: int, project_id: str | None) -> int:
    """Claim up to `limit` marks and write their traces' documents; how many were claimed."""
    claimed = claim_marks(pg, limit, project_id)
    if claimed:
        version = next_version(pg)
        for project, trace_ids in sorted(claimed.items()):
            for chunk in chunked(sorted(trace_ids)):
                _rebuild(ch, project, chunk, version)
    return sum(len(ids) for ids in claimed.values())


def _rebuild(ch: ClickHouse, project_id: str, trace_ids: Sequence[str], version: int) -> None:
    sql = ClickHouseSql(ch)
    own = {
        row.id: row
        for row in sql.execute(
            select(_t.id, _t.name, _t.input, _t.output).where(
                _t.project_id == project_id, _t.id.in_(trace_ids)
            )
        )
    }
    steps: dict[str, list[Any]] = {}
    if own:
        query = (
            select(_o.trace_id, _o.name, _o.status_message, _o.input, _o.output)
            .where(_o.project_id == project_id, _o.trace_id.in_(list(own)))
            .order_by(_o.trace_id, _o.start_time, _o.id)
        )
        for row in sql.execute(query):
            steps.setdefault(row.trace_id, []).append(row)
    documents = [
        {
            "project_id": project_id,
            "trace_id": trace_id,
            "body": " " + " ".join(trace_tokens(row, steps.get(trace_id, []))) + " ",
        }
        for trace_id, row in own.items()
    ]
    insert_versions(ch, "search_documents", documents, version)
    stale = select(_d.trace_id).where(_d.project_id == project_id, _d.trace_id.in_(trace_ids))
    gone = [r.trace_id for r in sql.execute(stale) if r.trace_id not in own]
    gone_rows = [{"project_id": project_id, "trace_id": t} for t in gone]
    insert_versions(ch, "search_documents", gone_rows, version, deleted=True)
