"""What a judge reads of its target (a session, trace or observation), and new targets.

A trace's input and output are its own when the SDK set them, else its root
observation's (as the trace pages show them).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, select, tuple_

from powerrag.domain.eval_rules import JUDGE_ENVIRONMENT, JudgeInput, NewTarget, TargetFacts
from powerrag.store.infra.schema import observations, sessions, traces

_s, _t, _o = sessions.c, traces.c, observations.c


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _traces_with_io(project_id: str, *where: Any) -> Any:
    """The project's traces matching `where`, with their input and output (their own, else
    their root's). Roots are looked up among these traces' observations only: ClickHouse
    builds the right side of a join whole, and this way reads only these traces' part of the
    observations' sort key (project_id, trace_id, id)."""
    chosen = select(_t.id).where(_t.project_id == project_id, *where)
    root = (
        select(_o.project_id, _o.id, _o.input, _o.output)
        .where(_o.project_id == project_id, _o.trace_id.in_(chosen))
        .subquery("root")
    )
    return (
        select(
            _t.id,
            _t.name,
            _t.user_id,
            _t.environment,
            _t.tags,
            _t.metadata,
            func.coalesce(_t.input, root.c.input).label("input"),
            func.coalesce(_t.output, root.c.output).label("output"),
        )
        .select_from(
            traces.outerjoin(
                root, and_(root.c.project_id == _t.project_id, root.c.id == _t.root_observation_id)
            )
        )
        .where(_t.project_id == project_id, *where)
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
            _traces_with_io(project_id, _t.session_id == session_id).order_by(_t.timestamp, _t.id)
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
    row = conn.execute(_traces_with_io(project_id, _t.id == trace_id)).mappings().first()
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


def new_targets(
    conn: Connection,
    project_id: str,
    target: str,
    since: int,
    after: NewTarget | None,
    limit: int,
) -> list[NewTarget]:
    """Up to `limit` traces or observations of a project that started since `since` (their
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
    query = query.order_by(at, target_id).limit(limit)
    return [NewTarget(r[0], r[1], r[2]) for r in conn.execute(query)]
