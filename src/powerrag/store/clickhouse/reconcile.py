"""The reconciler: recompute summaries a writer left stale by dying between its ClickHouse
inserts and its PostgreSQL commit (writer.py).

A writer gives its raw rows and the traces it recomputes one version, and the sessions it
recomputes a later one. So a trace is stale when a raw row of it is newer than its row, and
a session when one of its traces is newer than it, or its trace count is not its traces'.
One replica at a time runs it (a PostgreSQL advisory lock); it doubles as a check.

Each pass is recorded (`reconciler_passes`, migration 0002) with the version the sequence
had when it started. A pass looks only at rows of versions above the one recorded by the
latest pass that started at least `SAFETY_MARGIN_US` before it: a writer that took its
version earlier and inserted later than that margin is left to the next full pass. A pass is
full (every row) when no pass is that old, and once every `FULL_EVERY_US`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from powerrag.domain.timeutil import now_us
from powerrag.store.clickhouse.client import ClickHouse
from powerrag.store.clickhouse.expiry import project_days
from powerrag.store.clickhouse.summaries import refresh_sessions, refresh_traces
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.search_index import mark_traces

_LEADER_LOCK = 0x7265636F6E63  # "reconc"
_MINUTE_US = 60 * 1_000_000
# Longer than a write takes from its version to its inserts (a request's deadlines are
# seconds; this leaves room for a stalled ClickHouse).
SAFETY_MARGIN_US = 10 * _MINUTE_US
FULL_EVERY_US = 24 * 60 * _MINUTE_US
PASSES = "reconciler_passes"

# `use_skip_indexes_if_final`: the minmax index on row_version may skip granules under
# FINAL, since a granule whose versions are all old holds no row this pass looks at.
_STALE_TRACES = """
WITH raw AS (
    SELECT project_id, trace_id, max(row_version) AS newest FROM (
        SELECT project_id, trace_id, row_version FROM observations WHERE row_version > {since}
        UNION ALL
        SELECT project_id, trace_id, row_version FROM trace_updates WHERE row_version > {since}
    )
    GROUP BY project_id, trace_id
)
SELECT raw.project_id, raw.trace_id
FROM raw
LEFT JOIN (
    SELECT project_id, id, row_version FROM traces
    WHERE (project_id, id) IN (SELECT project_id, trace_id FROM raw)
) AS t ON t.project_id = raw.project_id AND t.id = raw.trace_id
WHERE t.row_version IS NULL OR raw.newest > t.row_version
SETTINGS use_skip_indexes_if_final = 1
"""

_STALE_SESSIONS = """
WITH candidates AS (
    SELECT project_id, session_id FROM traces
    WHERE row_version > {since} AND session_id IS NOT NULL
    UNION DISTINCT
    SELECT project_id, id FROM sessions WHERE row_version > {since}
),
m AS (
    SELECT project_id, session_id, max(row_version) AS newest, count() AS traces FROM traces
    WHERE session_id IS NOT NULL AND (project_id, session_id) IN candidates
    GROUP BY project_id, session_id
),
s AS (
    SELECT project_id, id, row_version, trace_count FROM sessions
    WHERE (project_id, id) IN candidates
)
SELECT m.project_id, m.session_id
FROM m LEFT JOIN s ON s.project_id = m.project_id AND s.id = m.session_id
WHERE s.row_version IS NULL OR m.newest > s.row_version OR m.traces != s.trace_count
UNION DISTINCT
SELECT s.project_id, s.id
FROM s LEFT JOIN m ON m.project_id = s.project_id AND m.session_id = s.id
WHERE s.trace_count != coalesce(m.traces, 0)
SETTINGS use_skip_indexes_if_final = 1
"""


@dataclass(frozen=True, slots=True)
class Repaired:
    traces: int
    sessions: int
    full: bool = True


def _by_project(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for project_id, item in rows:
        found.setdefault(project_id, []).append(item)
    return {p: sorted(set(ids)) for p, ids in sorted(found.items())}


def since_version(ch: ClickHouse, now: int) -> int | None:
    """The version above which a pass at `now` looks; None for a full pass."""
    last_full, safe = ch.query(
        f"SELECT maxIf(started_at, full = 1), maxIf(version, started_at <= {now - SAFETY_MARGIN_US})"
        f" FROM {PASSES}"
    ).result_rows[0]
    if not safe or not last_full or now - int(last_full) >= FULL_EVERY_US:
        return None
    return int(safe)


def reconcile(ch: ClickHouse, engine: Engine, now: int | None = None) -> Repaired:
    """Recompute stale traces, then stale sessions; (0, 0) when another replica is at it."""
    now = now_us() if now is None else now
    with engine.begin() as pg:
        if not pg.execute(text(f"SELECT pg_try_advisory_xact_lock({_LEADER_LOCK})")).scalar():
            return Repaired(0, 0, full=False)
        started = next_version(pg)  # every version up to it was taken before this pass
        since = since_version(ch, now)
        repaired = _repair(ch, pg, since or 0, now)
        row = {"started_at": now, "version": started, "full": int(since is None)}
        row |= {"traces": repaired.traces, "sessions": repaired.sessions}
        ch.insert(PASSES, [row], tuple(row))
    return Repaired(repaired.traces, repaired.sessions, full=since is None)


def _repair(ch: ClickHouse, pg: Connection, since: int, now: int) -> Repaired:
    """Recompute the traces and sessions stale among rows of versions above `since`; the
    traces are marked for the search index, as the writer that died would have."""
    stale = ch.query(_STALE_TRACES.format(since=since)).result_rows
    traces = _by_project([(r[0], r[1]) for r in stale])
    for project_id, trace_ids in traces.items():
        lock_keys(pg, [f"trace:{project_id}:{t}" for t in trace_ids])
        days = project_days(pg, project_id, ch.retention_days)
        refresh_traces(ch, project_id, trace_ids, next_version(pg), now, days)
        mark_traces(pg, project_id, trace_ids, now)
    # Recomputed traces carry a version above `since`, so their sessions are candidates.
    stale = ch.query(_STALE_SESSIONS.format(since=since)).result_rows
    sessions = _by_project([(r[0], r[1]) for r in stale])
    for project_id, session_ids in sessions.items():
        lock_keys(pg, [f"session:{project_id}:{s}" for s in session_ids])
        refresh_sessions(ch, project_id, session_ids, next_version(pg), now)
    return Repaired(
        sum(len(ids) for ids in traces.values()), sum(len(ids) for ids in sessions.values())
    )
