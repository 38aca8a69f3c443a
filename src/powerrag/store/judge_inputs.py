"""What a judge reads of its target (a session, trace or observation), and new targets.

A trace's input and output are its own when the SDK set them, else its root
observation's (as the trace pages show them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, select, tuple_

from powerrag.domain.eval_rules import TargetFacts
from powerrag.store.infra.schema import observations, sessions, traces

_s, _t, _o = sessions.c, traces.c, observations.c
_root = observations.alias("root")
# Environment of the traces PowerRAG writes for its own judge calls: never judged again.
JUDGE_ENVIRONMENT = "powerrag-evaluation"
SCAN_LIMIT = 500


@dataclass(frozen=True, slots=True)
class JudgeInput:
    """One target: its filters' facts, its turns (input, output) and its metadata."""

    facts: TargetFacts
    turns: list[tuple[Any, Any]]
    metadata: Any
    trace_id: str | None


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _trace_query() -> Any:
    return select(
        _t.id,
        _t.name,
        _t.user_id,
        _t.environment,
        _t.tags,
        _t.metadata,
        func.coalesce(_t.input, _root.c.input).label("input"),
        func.coalesce(_t.output, _root.c.output).label("output"),
    ).select_from(
        traces.outerjoin(
            _root, and_(_root.c.project_id == _t.project_id, _root.c.id == _t.root_observation_id)
        )
    )


def session_input(conn: Connection, project_id: str, session_id: str) -> JudgeInput | None:
    row = (
        conn.execute(select(sessions).where(_s.project_id == project_id, _s.id == session_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    rows = (
        conn.execute(
            _trace_query()
            .where(_t.project_id == project_id, _t.session_id == session_id)
            .order_by(_t.timestamp, _t.id)
        )
        .mappings()
        .all()
    )
    tags = sorted({tag for r in rows for tag in orjson.loads(r["tags"] or "[]")})
    facts = TargetFacts(
        environment=row["environment"],
        tags=tuple(tags),
        user_ids=tuple(orjson.loads(row["user_ids"] or "[]")),
        name=rows[0]["name"] if rows else None,
    )
    turns = [(_json(r["input"]), _json(r["output"])) for r in rows]
    metadata = _json(rows[0]["metadata"]) if rows else None
    return JudgeInput(facts, turns, metadata, None)


def trace_input(conn: Connection, project_id: str, trace_id: str) -> JudgeInput | None:
    row = (
        conn.execute(_trace_query().where(_t.project_id == project_id, _t.id == trace_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    facts = TargetFacts(
        environment=row["environment"],
        tags=tuple(orjson.loads(row["tags"] or "[]")),
        user_ids=(row["user_id"],) if row["user_id"] else (),
        name=row["name"],
    )
    turn = (_json(row["input"]), _json(row["output"]))
    return JudgeInput(facts, [turn], _json(row["metadata"]), trace_id)


def observation_input(conn: Connection, project_id: str, observation_id: str) -> JudgeInput | None:
    query = (
        select(
            _o.trace_id,
            _o.name,
            _o.environment,
            _o.input,
            _o.output,
            _o.metadata,
            _t.user_id,
            _t.tags,
        )
        .select_from(
            observations.outerjoin(
                traces, and_(_t.project_id == _o.project_id, _t.id == _o.trace_id)
            )
        )
        .where(_o.project_id == project_id, _o.id == observation_id)
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    facts = TargetFacts(
        environment=row["environment"],
        tags=tuple(orjson.loads(row["tags"] or "[]")),
        user_ids=(row["user_id"],) if row["user_id"] else (),
        name=row["name"],
    )
    turn = (_json(row["input"]), _json(row["output"]))
    return JudgeInput(facts, [turn], _json(row["metadata"]), row["trace_id"])


@dataclass(frozen=True, slots=True)
class NewTarget:
    """A trace or observation to judge; (at, id) is its place in the scan's order."""

    id: str
    trace_id: str
    at: int


def new_targets(
    conn: Connection, project_id: str, target: str, since: int, after: NewTarget | None = None
) -> list[NewTarget]:
    """Up to SCAN_LIMIT traces or observations of a project that started since `since` (their
    own timestamps), oldest first and past `after` (the previous page's last), but not
    PowerRAG's own judge traces."""
    if target == "trace":
        at, target_id, trace_id, environment = _t.timestamp, _t.id, _t.id, _t.environment
        project, table = _t.project_id, traces
    else:
        at, target_id, trace_id, environment = _o.start_time, _o.id, _o.trace_id, _o.environment
        project, table = _o.project_id, observations
    query = select(target_id, trace_id, at).select_from(table)
    query = query.where(project == project_id, at >= since, environment != JUDGE_ENVIRONMENT)
    if after is not None:
        query = query.where(tuple_(at, target_id) > tuple_(after.at, after.id))
    query = query.order_by(at, target_id).limit(SCAN_LIMIT)
    return [NewTarget(r[0], r[1], r[2]) for r in conn.execute(query)]
