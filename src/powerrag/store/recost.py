"""Re-costing a project's observations after its prices changed.

The observations a model prices (its pattern matches their model name, or they were
priced by it) get their cost recomputed with the project's current prices, then their
traces' and sessions' figures, under the same trace and session locks as the writer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, or_, select, update

from powerrag.domain.cost import PriceBook, Recosted, compute_cost, split_usage
from powerrag.store.base import chunked
from powerrag.store.infra.dialect import lock_keys
from powerrag.store.infra.schema import observations
from powerrag.store.writer import refresh_sessions, refresh_traces

_OBSERVATION_COLUMNS = (
    observations.c.id,
    observations.c.trace_id,
    observations.c.model,
    observations.c.start_time,
    observations.c.usage_details,
    observations.c.provided_cost_details,
    observations.c.model_parameters,
    observations.c.metadata,
)


def _names_matching(conn: Connection, project_id: str, pattern: str) -> list[str]:
    regex = re.compile(pattern)
    query = (
        select(observations.c.model)
        .where(observations.c.project_id == project_id, observations.c.model.is_not(None))
        .distinct()
    )
    return sorted(name for (name,) in conn.execute(query) if regex.search(name))


def _loads(text: str | None) -> dict[str, Any]:
    value = orjson.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


def cost_values(book: PriceBook, project_id: str, row: Any) -> dict[str, Any]:
    """The cost columns of an observation row priced with `book`."""
    model = book.match(project_id, row["model"], row["start_time"])
    cost = compute_cost(
        usage=_loads(row["usage_details"]),
        provided_cost=_loads(row["provided_cost_details"]),
        model=model,
        params=_loads(row["model_parameters"]),
        metadata=_loads(row["metadata"]),
    )
    in_cost, out_cost, _ = split_usage(cost.cost_details)
    has_cost = bool(cost.cost_details)
    return {
        "cost_details": orjson.dumps(cost.cost_details).decode() if has_cost else None,
        "input_cost": in_cost if has_cost else None,
        "output_cost": out_cost if has_cost else None,
        "total_cost": cost.total_cost,
        "model_id": cost.model_id,
        "pricing_tier_id": cost.tier_id,
        "pricing_tier_name": cost.tier_name,
    }


_SET_COST = (
    update(observations)
    .where(observations.c.project_id == bindparam("b_project"))
    .where(observations.c.id == bindparam("b_id"))
    .values(
        cost_details=bindparam("cost_details"),
        input_cost=bindparam("input_cost"),
        output_cost=bindparam("output_cost"),
        total_cost=bindparam("total_cost"),
        model_id=bindparam("model_id"),
        pricing_tier_id=bindparam("pricing_tier_id"),
        pricing_tier_name=bindparam("pricing_tier_name"),
        updated_at=bindparam("b_now"),
    )
)


def to_recost(conn: Connection, project_id: str, pattern: str, model_id: str) -> list[Any]:
    """The observations `pattern` matches by model name or `model_id` priced, once each."""
    names = _names_matching(conn, project_id, pattern)
    rows: list[Any] = []
    for chunk in chunked(names) if names else [()]:
        condition = observations.c.model_id == model_id
        if chunk:
            condition = or_(condition, observations.c.model.in_(list(chunk)))
        query = select(*_OBSERVATION_COLUMNS).where(
            observations.c.project_id == project_id, observations.c.model.is_not(None), condition
        )
        rows.extend(conn.execute(query).mappings())
    return list({row["id"]: row for row in rows}.values())


def recost(
    conn: Connection, book: PriceBook, project_id: str, pattern: str, model_id: str, now: int
) -> Recosted:
    """Recompute the cost of the observations `pattern` matches or `model_id` priced."""
    found = to_recost(conn, project_id, pattern, model_id)
    trace_ids = sorted({row["trace_id"] for row in found})
    if not trace_ids:
        return Recosted(0, 0, 0)
    lock_keys(conn, [f"trace:{project_id}:{t}" for t in trace_ids])
    keys = {"b_project": project_id, "b_now": now}
    values = [{**cost_values(book, project_id, row), "b_id": row["id"], **keys} for row in found]
    conn.execute(_SET_COST, values)
    return Recosted(len(values), len(trace_ids), _refresh(conn, project_id, trace_ids, now))


def _refresh(conn: Connection, project_id: str, trace_ids: Sequence[str], now: int) -> int:
    pairs = refresh_traces(conn, project_id, trace_ids, now)
    touched = sorted({s for s, _ in pairs})
    if touched:
        lock_keys(conn, [f"session:{project_id}:{s}" for s in touched])
        refresh_sessions(conn, project_id, touched, now)
    return len(touched)
