"""Writes of ingested batches into ClickHouse, coordinated by a PostgreSQL transaction.

Per project of a group (store/writer.py has the same steps on one database): lock the
touched traces in PostgreSQL, take a version from the sequence, insert the raw rows
synchronously, recompute the traces from `FINAL`, lock the touched sessions, take another
version and recompute them; the caller commits PostgreSQL (marks, locks, change feed) and
answers. A writer that dies between its inserts and that commit leaves rows newer than
their summaries: the reconciler (reconcile.py) recomputes those.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from powerrag.domain.cost import PriceBook
from powerrag.domain.records import IngestBatch
from powerrag.domain.session_end import asks_to_end
from powerrag.domain.timeutil import now_us
from powerrag.store import span_contents
from powerrag.store.clickhouse import contents
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.migrate import VERSION_SEQUENCE
from powerrag.store.clickhouse.summaries import (
    insert_versions,
    refresh_sessions,
    refresh_traces,
)
from powerrag.store.event_times import Stamped, newest_by_id
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import observations, scores
from powerrag.store.search_index import mark_traces
from powerrag.store.writer import (
    _TRACE_SQL,
    BatchWriter,
    _dedupe,
    _merge_by_project,
    _score_row,
    _trace_ids,
    _update_row,
)

_EXISTING_OBSERVATIONS = select(
    observations.c.id, observations.c.trace_id, observations.c.created_at, observations.c.event_time
).where(
    observations.c.project_id == bindparam("project_id"),
    observations.c.id.in_(bindparam("ids", expanding=True)),
)
_EXISTING_SCORES = select(scores.c.id, scores.c.created_at).where(
    scores.c.project_id == bindparam("project_id"),
    scores.c.id.in_(bindparam("ids", expanding=True)),
)


_UPDATE_KEY = ("trace_id", "source_id")


def next_version(pg: Connection) -> int:
    """A row version from PostgreSQL's sequence: ordered across replicas, unlike their clocks."""
    return int(pg.execute(text(f"SELECT nextval('{VERSION_SEQUENCE}')")).scalar_one())


def _existing(
    sql: ClickHouseSql, statement: Any, project_id: str, ids: Sequence[str]
) -> dict[str, Any]:
    if not ids:
        return {}
    params = {"project_id": project_id, "ids": sorted(set(ids))}
    return {row["id"]: row for row in sql.execute(statement, params).mappings()}


class ClickHouseWriter:
    """`BatchWriter.write_group` for ClickHouse, inside the caller's PostgreSQL transaction."""

    def __init__(self, prices: PriceBook, ch: ClickHouse) -> None:
        self._rows = BatchWriter(prices)  # observation rows and patches, as on SQL engines
        self._ch = ch
        self._sql = ClickHouseSql(ch)

    def write_group(
        self, pg: Connection, items: Sequence[tuple[str, IngestBatch]], now: int | None = None
    ) -> dict[str, set[tuple[str, str]]]:
        now = now_us() if now is None else now
        found: dict[str, set[tuple[str, str]]] = {}
        for project_id, batch in _merge_by_project(items):
            trace_ids = _trace_ids(batch)
            lock_keys(pg, [f"trace:{project_id}:{t}" for t in trace_ids])
            version = next_version(pg)
            days = project_days(pg, project_id, self._ch.retention_days)
            self.write_records(pg, project_id, batch, version, now, days)
            pairs = refresh_traces(self._ch, project_id, trace_ids, version, now, days)
            mark_traces(pg, project_id, trace_ids, now)
            touched = sorted({s for s, _ in pairs})
            if touched:
                lock_keys(pg, [f"session:{project_id}:{s}" for s in touched])
                ending = {u.trace_id for u in batch.trace_updates if asks_to_end(u)}
                ended = frozenset(s for s, t in pairs if t in ending)
                refresh_sessions(self._ch, project_id, touched, next_version(pg), now, ended)
            scored = sorted({s.trace_id for s in batch.scores if s.trace_id} - set(trace_ids))
            found[project_id] = pairs | self._sessions_of(project_id, scored)
        return found

    def _sessions_of(self, project_id: str, trace_ids: Sequence[str]) -> set[tuple[str, str]]:
        if not trace_ids:
            return set()
        params = {"project_id": project_id, "ids": list(trace_ids)}
        return {(r[0], r[1]) for r in self._sql.execute(_TRACE_SQL["sessions"], params)}

    def write_records(
        self,
        pg: Connection,
        project_id: str,
        batch: IngestBatch,
        version: int,
        now: int,
        days: int | None = None,
    ) -> None:
        """The raw rows of a batch, as version `version` (the trace locks held), stamped with
        the project's retention `days` (read from PostgreSQL when not given)."""
        if days is None:
            days = project_days(pg, project_id, self._ch.retention_days)
        if batch.span_contents:
            contents.write_events(
                self._ch, pg, project_id, batch.span_contents, (version, now, days)
            )
        stamped = [Stamped.whole(o) for o in batch.observations]
        if batch.observation_patches:
            patches = batch.observation_patches
            stamped += self._rows._apply_patches(self._sql, project_id, patches)  # type: ignore[arg-type]
        if stamped:
            self._write_observations(pg, project_id, newest_by_id(stamped), (version, now, days))
        if batch.trace_updates:
            rows = [{**_update_row(project_id, u), "created_at": now} for u in batch.trace_updates]
            rows = _dedupe(rows, _UPDATE_KEY)
            insert_versions(self._ch, "trace_updates", rows, version, days=days)
        self._write_scores(project_id, batch, (version, now, days))

    def _write_observations(
        self, pg: Connection, project_id: str, latest: list[Stamped], stamp: tuple[int, int, int]
    ) -> None:
        version, now, days = stamp
        origins = {
            o.origin_id: o.origin for o in (s.record for s in latest) if o.origin_id and o.origin
        }
        insert_versions(
            self._ch,
            "span_origins",
            [{"project_id": project_id, "id": k, "body": v} for k, v in sorted(origins.items())],
            version,
        )
        book = self._rows._book(pg, project_id, latest)  # the project's own prices first
        rows = [self._rows._observation_row(book, project_id, o, now) for o in latest]
        span_contents.fill_rows(pg, project_id, rows)
        stored = _existing(self._sql, _EXISTING_OBSERVATIONS, project_id, [r["id"] for r in rows])
        kept, moved = [], []
        for row in rows:
            old = stored.get(row["id"])
            if old is None:
                kept.append(row)
                continue
            # As the SQL upsert's NOT_OLDER (store/event_times.py): never replaced by older data.
            if old["event_time"] is not None and (row["event_time"] or 0) < old["event_time"]:
                continue
            row["created_at"] = old["created_at"]
            if old["trace_id"] != row["trace_id"]:
                # The sort key holds the trace: the row under the old trace is retired.
                moved.append({"project_id": project_id, **old})
            kept.append(row)
        insert_versions(self._ch, "observations", moved, version, deleted=True, days=days)
        insert_versions(self._ch, "observations", kept, version, days=days)

    def _write_scores(
        self, project_id: str, batch: IngestBatch, stamp: tuple[int, int, int]
    ) -> None:
        version, now, days = stamp
        rows = _dedupe([_score_row(project_id, s, now) for s in batch.scores], ("id",))
        if not rows:
            return
        create_only = {s.id for s in batch.scores if s.create_only}
        stored = _existing(self._sql, _EXISTING_SCORES, project_id, [r["id"] for r in rows])
        written = []
        for row in rows:
            old = stored.get(row["id"])
            if old is not None and row["id"] in create_only:
                continue  # a create-only score leaves an existing id as it is
            if old is not None:
                row["created_at"] = old["created_at"]
            written.append(row)
        insert_versions(self._ch, "scores", written, version, days=days)
