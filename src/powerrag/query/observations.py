"""Observation read use-cases: the v1 paged list, one observation, the v2 cursor list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.filters import Params, fields, observation_filter, parse_bool
from powerrag.query.pagination import (
    MAX_CURSOR_LIMIT,
    Paged,
    decode_cursor,
    parse_limit,
    parse_page,
)
from powerrag.store import read_observations
from powerrag.store.database import Store
from powerrag.store.read_filters import ObservationCursor

V2_FIELDS = (
    "core",
    "basic",
    "time",
    "io",
    "metadata",
    "model",
    "usage",
    "prompt",
    "metrics",
    "trace_context",
)
V2_DEFAULT_FIELDS = ("core", "basic")


@dataclass(frozen=True, slots=True)
class CursorPage:
    """A v2 page: its rows, the field groups to show, and the cursor of the next page."""

    items: list[dict[str, Any]]
    fields: frozenset[str]
    expand_metadata: frozenset[str]
    next_cursor: ObservationCursor | None


def with_prices(store: Store, project_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach `prices`: the matched model's default-tier prices per usage type (or None)."""
    for row in rows:
        model = store.prices.match(project_id, row["model"]) if row["model"] else None
        tier = model.default_tier if model else None
        row["prices"] = dict(tier.prices) if tier else None
    return rows


def list_observations(store: Store, project_id: str, params: Params) -> Paged:
    f, page = observation_filter(params), parse_page(params)
    with store.connect() as conn:
        total = read_observations.count_observations(conn, project_id, f)
        rows = read_observations.list_observations(conn, project_id, f, page)
    return Paged(with_prices(store, project_id, rows), page, total)


def get_observation(store: Store, project_id: str, observation_id: str) -> dict[str, Any]:
    with store.connect() as conn:
        row = read_observations.get_observation(conn, project_id, observation_id)
    if row is None:
        raise NotFoundError("Observation not found within authorized project")
    return with_prices(store, project_id, [row])[0]


def list_observations_v2(store: Store, project_id: str, params: Params) -> CursorPage:
    """Keyset pages in `start_time DESC, trace_id DESC, id DESC` order (reference §3.4)."""
    if parse_bool(params, "parseIoAsJson"):
        raise InvalidRequestError(
            "parseIoAsJson=true is no longer supported: input and output are returned as raw "
            "strings; remove the parameter or set it to false"
        )
    wanted = fields(params, V2_FIELDS, V2_DEFAULT_FIELDS) | {"core"}
    expand = frozenset(k.strip() for k in (params.get("expandMetadata") or "").split(","))
    f, limit = observation_filter(params), parse_limit(params, MAX_CURSOR_LIMIT)
    cursor = decode_cursor(params.get("cursor"))
    with store.connect() as conn:
        rows = read_observations.list_observations_after(conn, project_id, f, cursor, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = ObservationCursor(last["start_time"], last["trace_id"], last["id"])
    return CursorPage(with_prices(store, project_id, rows), wanted, expand - {""}, next_cursor)
