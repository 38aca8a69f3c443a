"""The reconciler: recompute summaries a writer left stale by dying between its ClickHouse
inserts and its PostgreSQL commit (writer.py).

A writer gives its raw rows and the traces it recomputes one version, and the sessions it
recomputes a later one. So a trace is stale when a raw row of it is newer than its row, and
a session when one of its traces is newer than it, or its trace count is not its traces'.
One replica at a time runs it (a PostgreSQL advisory lock); it doubles as a check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from powerrag.domain.timeutil import now_us
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import refresh_sessions, refresh_traces
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys

_LEADER_LOCK = 0x7265636F6E63  # "reconc"

_STALE_TRACES = """
SELECT raw.project_id, raw.trace_id
FROM (
    SELECT project_id, trace_id, max(row_version) AS newest FROM observations
    GROUP BY project_id, trace_id
    UNION ALL
    SELECT project_id, trace_id, max(row_version) AS newest FROM trace_updates
    GROUP BY project_id, trace_id
) AS raw
LEFT JOIN traces AS t ON t.project_id = raw.project_id AND t.id = raw.trace_id
WHERE t.row_version IS NULL OR raw.newest > t.row_version
GROUP BY raw.project_id, raw.trace_id
"""

_STALE_SESSIONS = """
SELECT m.project_id, m.session_id
FROM (
    SELECT project_id, session_id, max(row_version) AS newest, count() AS traces FROM traces
    WHERE session_id IS NOT NULL GROUP BY project_id, session_id
) AS m
LEFT JOIN sessions AS s ON s.project_id = m.project_id AND s.id = m.session_id
WHERE s.row_version IS NULL OR m.newest > s.row_version OR m.traces != s.trace_count
UNION DISTINCT
SELECT s.project_id, s.id
FROM sessions AS s
LEFT JOIN (
    SELECT project_id, session_id, count() AS traces FROM traces
    WHERE session_id IS NOT NULL GROUP BY project_id, session_id
) AS m ON m.project_id = s.project_id AND m.session_id = s.id
WHERE s.trace_count != coalesce(m.traces, 0)
"""


@dataclass(frozen=True, slots=True)
class Repaired:
    traces: int
    sessions: int


def _by_project(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for project_id, item in rows:
        found.setdefault(project_id, []).append(item)
    return {p: sorted(set(ids)) for p, ids in sorted(found.items())}


def reconcile(ch: ClickHouse, engine: Engine) -> Repaired:
    """Recompute stale traces, then stale sessions; (0, 0) when another replica is at it."""
    with engine.begin() as pg:
        if not pg.execute(text(f"SELECT pg_try_advisory_xact_lock({_LEADER_LOCK})")).scalar():
            return Repaired(0, 0)
        now = now_us()
        traces = _by_project([(r[0], r[1]) for r in ch.query(_STALE_TRACES).result_rows])
        for project_id, trace_ids in traces.items():
            lock_keys(pg, [f"trace:{project_id}:{t}" for t in trace_ids])
            days = project_days(pg, project_id, ch.retention_days)
            refresh_traces(ch, project_id, trace_ids, next_version(pg), now, days)
        sessions = _by_project([(r[0], r[1]) for r in ch.query(_STALE_SESSIONS).result_rows])
        for project_id, session_ids in sessions.items():
            lock_keys(pg, [f"session:{project_id}:{s}" for s in session_ids])
            refresh_sessions(ch, project_id, session_ids, next_version(pg), now)
    return Repaired(
        sum(len(ids) for ids in traces.values()), sum(len(ids) for ids in sessions.values())
    )
