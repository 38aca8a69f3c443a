"""Which sessions (or users) have crossed an alert's threshold: index-backed queries.

Session metrics read the session row (indexed by cost, traces and errors per project);
only sessions changed since the alert was created count, so a new alert does not fire
for all history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from powerrag.domain.alerts import AlertRule, Crossing
from powerrag.store.infra.schema import jobs, observations, scores, sessions, traces

_s, _t, _o, _sc = sessions.c, traces.c, observations.c, scores.c
DAY_US = 24 * 3600 * 1_000_000
# The loop metric looks at this many recently active sessions per pass.
LOOP_SESSIONS = 200
LOOP_WINDOW_US = 3600 * 1_000_000


def _session_column(metric: str) -> Any:
    return {
        "session_cost": _s.total_cost,
        "session_turns": _s.trace_count,
        "session_errors": _s.error_count,
        "session_duration_seconds": (_s.last_activity_at - _s.created_at) / 1e6,
    }[metric]


def crossings(conn: Connection, alert: AlertRule, now: int, since: int | None) -> list[Crossing]:
    """Crossings among what changed since `since` (and since the alert was created)."""
    after = max(alert.created_at, since or 0)
    if alert.metric == "user_cost_24h":
        return _user_cost(conn, alert, now, after)
    if alert.metric == "score_below":
        return _score_below(conn, alert, after)
    if alert.metric == "loop":
        return _loops(conn, alert, max(after, now - LOOP_WINDOW_US))
    value = _session_column(alert.metric)
    query = select(_s.id, value).where(
        _s.project_id == alert.project_id,
        value > alert.threshold,
        _s.updated_at >= after,
    )
    return [
        Crossing(f"alert:{alert.id}:session:{r[0]}", r[0], None, float(r[1]))
        for r in conn.execute(query)
    ]


def _user_cost(conn: Connection, alert: AlertRule, now: int, after: int) -> list[Crossing]:
    """Users whose traces of the last 24 hours cost more than the threshold: once a day."""
    total = func.sum(_t.total_cost)
    query = (
        select(_t.user_id, total)
        .where(
            _t.project_id == alert.project_id,
            _t.timestamp >= now - DAY_US,
            _t.user_id.is_not(None),
        )
        .group_by(_t.user_id)
        .having(total > alert.threshold, func.max(_t.updated_at) >= after)
    )
    day = now // DAY_US
    return [
        Crossing(f"alert:{alert.id}:user:{r[0]}:{day}", None, r[0], float(r[1]))
        for r in conn.execute(query)
    ]


def _score_below(conn: Connection, alert: AlertRule, after: int) -> list[Crossing]:
    lowest = func.min(_sc.value)
    query = (
        select(_sc.session_id, lowest)
        .where(
            _sc.project_id == alert.project_id,
            _sc.name == alert.score_name,
            _sc.session_id.is_not(None),
            _sc.value < alert.threshold,
            _sc.updated_at >= after,
        )
        .group_by(_sc.session_id)
    )
    return [
        Crossing(f"alert:{alert.id}:session:{r[0]}", r[0], None, float(r[1]))
        for r in conn.execute(query)
    ]


def _loops(conn: Connection, alert: AlertRule, after: int) -> list[Crossing]:
    """The same tool with the same input at least `threshold` times in a recent session."""
    recent = (
        select(_s.id)
        .where(_s.project_id == alert.project_id, _s.updated_at >= after)
        .order_by(_s.updated_at.desc())
        .limit(LOOP_SESSIONS)
    )
    ids = [r[0] for r in conn.execute(recent)]
    if not ids:
        return []
    times = func.count()
    # The traces' ids narrow the observations too: ClickHouse builds a join's right side
    # whole, and reads only these traces' part of the observations' sort key this way.
    member = traces.alias("member")
    own = select(member.c.id).where(
        member.c.project_id == alert.project_id, member.c.session_id.in_(ids)
    )
    query = (
        select(_t.session_id, times)
        .select_from(
            observations.join(traces, (_t.project_id == _o.project_id) & (_t.id == _o.trace_id))
        )
        .where(
            _t.project_id == alert.project_id,
            _t.session_id.in_(ids),
            _o.project_id == alert.project_id,
            _o.trace_id.in_(own),
            _o.type == "TOOL",
        )
        .group_by(_t.session_id, _o.name, _o.input)
        .having(times >= alert.threshold)
    )
    worst: dict[str, int] = {}
    for session_id, count in conn.execute(query):
        worst[session_id] = max(worst.get(session_id, 0), int(count))
    return [
        Crossing(f"alert:{alert.id}:session:{s}", s, None, float(n))
        for s, n in sorted(worst.items())
    ]


def fired(
    conn: Connection, project_id: str, alert_ids: list[str], session_ids: list[str]
) -> dict[str, set[str]]:
    """Session id -> ids of the alerts that fired for it (their webhook jobs, by key)."""
    keys = [f"alert:{a}:session:{s}" for a in alert_ids for s in session_ids]
    if not keys:
        return {}
    found: dict[str, set[str]] = {}
    query = select(jobs.c.subject, jobs.c.key).where(
        jobs.c.project_id == project_id, jobs.c.key.in_(keys)
    )
    for subject, key in conn.execute(query):
        found.setdefault(key.split(":session:", 1)[1], set()).add(subject)
    return found
