"""Score read use-cases: v2 and v1 (trace-bound) lists, one score, deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query.filters import Params, fields, score_filter, score_v3_filter
from powerrag.query.pagination import (
    MAX_PAGE_LIMIT,
    Paged,
    decode_score_cursor,
    parse_limit,
    parse_page,
)
from powerrag.store import read_scores
from powerrag.store.database import Store
from powerrag.store.read_filters import V1_SCORE_DATA_TYPES, ScoreCursor

SCORE_FIELDS = ("score", "trace")
V3_FIELDS = ("details", "subject", "annotation")


@dataclass(frozen=True, slots=True)
class ScoreSelection:
    paged: Paged
    fields: frozenset[str]


def list_scores(
    store: Store, project_id: str, params: Params, *, v1_only: bool = False
) -> ScoreSelection:
    """Scores newest first; v1 lists only the scores ScoreV1 can show (`v1_only`)."""
    wanted = fields(params, SCORE_FIELDS, SCORE_FIELDS)
    f = score_filter(params, v1_only=v1_only)
    page = parse_page(params)
    with store.connect() as conn:
        total = read_scores.count_scores(conn, project_id, f)
        rows = read_scores.list_scores(conn, project_id, f, page)
    return ScoreSelection(Paged(rows, page, total), wanted)


@dataclass(frozen=True, slots=True)
class ScoreCursorPage:
    items: list[dict[str, Any]]
    fields: frozenset[str]
    limit: int
    next_cursor: ScoreCursor | None


def list_scores_v3(store: Store, project_id: str, params: Params) -> ScoreCursorPage:
    """Keyset pages in `timestamp DESC, id DESC` order; unknown field groups are a 400."""
    requested = {g.strip() for g in (params.get("fields") or "").split(",") if g.strip()}
    unknown = requested - set(V3_FIELDS)
    if unknown:
        raise InvalidRequestError(
            f"fields may list {', '.join(V3_FIELDS)}; unknown: {', '.join(sorted(unknown))}"
        )
    f, limit = score_v3_filter(params), parse_limit(params, MAX_PAGE_LIMIT)
    cursor = decode_score_cursor(params.get("cursor"))
    with store.connect() as conn:
        rows = read_scores.list_scores_after(conn, project_id, f, cursor, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = ScoreCursor(rows[-1]["timestamp"], rows[-1]["id"])
    return ScoreCursorPage(rows, frozenset(requested), limit, next_cursor)


def get_score(
    store: Store, project_id: str, score_id: str, *, v1_only: bool = False
) -> dict[str, Any]:
    """One score; v1 (`v1_only`) knows only the scores its list shows."""
    with store.connect() as conn:
        row = read_scores.get_score(conn, project_id, score_id)
    if row is None or (v1_only and not is_v1_score(row)):
        raise NotFoundError(f"Score {score_id} not found within authorized project")
    return row


def is_v1_score(row: dict[str, Any]) -> bool:
    """ScoreV1 requires a traceId and has no CORRECTION variant (spec: ScoreV1)."""
    return bool(row["trace_id"]) and row["data_type"] in V1_SCORE_DATA_TYPES


def delete_score(store: Store, project_id: str, score_id: str) -> None:
    with store.transaction() as conn:
        if not read_scores.delete_score(conn, project_id, score_id):
            raise NotFoundError(f"Score {score_id} not found within authorized project")
