"""Span origins: the resource attributes and scope an observation's metadata is read with.

An SDK sends the same resource and scope with every span; the writer stores each
distinct value once (`span_origins`) and the observation keeps its id. Readers get
rows whose metadata is whole again, exactly as Langfuse returns it.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, select

from powerrag.store.schema import span_origins

_BODIES = select(span_origins.c.id, span_origins.c.body).where(
    span_origins.c.project_id == bindparam("project_id"),
    span_origins.c.id.in_(bindparam("ids", expanding=True)),
)


def with_origins(
    conn: Connection, project_id: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Complete each observation row's `metadata` with its origin (in place; returns rows)."""
    ids = sorted({r["origin_id"] for r in rows if r.get("origin_id")})
    if not ids:
        return rows
    params = {"project_id": project_id, "ids": ids}
    bodies = {i: orjson.loads(body) for i, body in conn.execute(_BODIES, params)}
    for row in rows:
        origin = bodies.get(row.get("origin_id") or "")
        if origin:
            row["metadata"] = _merged(row.get("metadata"), origin)
    return rows


def _merged(metadata: str | None, origin: dict[str, Any]) -> str:
    # Origin keys win, as in Langfuse, where they are added after the user's metadata.
    value = orjson.loads(metadata) if metadata else {}
    whole = {**value, **origin} if isinstance(value, dict) else origin
    return orjson.dumps(whole).decode()
