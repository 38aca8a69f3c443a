"""GenAI content events (OTLP logs, store/span_contents.py) with spans in ClickHouse: the
events stay in PostgreSQL; a stored span their arrival changes gets a new version."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select

from powerrag.domain.span_content import SpanContentEvent
from powerrag.store import span_contents
from powerrag.store.base import chunked
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.infra.schema import observations, span_content_events

_E, _O = span_content_events.c, observations.c
_HOUR_US = 3_600_000_000


def write_events(
    ch: ClickHouse,
    pg: Connection,
    project_id: str,
    events: Sequence[SpanContentEvent],
    stamp: tuple[int, int, int],
) -> None:
    """Store the events and rewrite the stored spans whose input or output they change;
    `stamp` is (version, now, the project's retention days)."""
    version, now, days = stamp
    prune(ch, pg, project_id, now)
    before, after = span_contents.store_events(pg, project_id, events, now)
    sql = ClickHouseSql(ch)
    for chunk in chunked(sorted({e.span_id for e in events})):
        query = select(observations).where(_O.project_id == project_id, _O.id.in_(chunk))
        changed = []
        for span in sql.execute(query).mappings():
            values = span_contents.changed_io(span, before, after)
            if values:
                changed.append({**span, **values, "updated_at": now})
        insert_versions(ch, "observations", changed, version, days=days)


def prune(ch: ClickHouse, pg: Connection, project_id: str, now: int) -> None:
    """Delete the project's events whose span has not come within PENDING_HOURS."""
    cutoff = now - span_contents.PENDING_HOURS * _HOUR_US
    old = select(_E.observation_id).where(_E.project_id == project_id, _E.received_at < cutoff)
    waiting = sorted({str(r[0]) for r in pg.execute(old.distinct())})
    sql = ClickHouseSql(ch)
    for chunk in chunked(waiting):
        stored = select(_O.id).where(_O.project_id == project_id, _O.id.in_(chunk))
        arrived = {r.id for r in sql.execute(stored)}
        gone = [span_id for span_id in chunk if span_id not in arrived]
        if gone:
            pg.execute(
                delete(span_content_events).where(
                    _E.project_id == project_id,
                    _E.observation_id.in_(gone),
                    _E.received_at < cutoff,
                )
            )
