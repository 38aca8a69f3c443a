"""`/api/public/metrics` (v1) and `/api/public/v2/metrics`: Langfuse's metrics queries.

The `query` parameter is read by domain/metrics.py; rows are answered as Langfuse's
query builder names them (`web/src/pages/api/public/metrics/index.ts`): dimensions by
field name, `time_dimension`, and each metric as `{aggregation}_{measure}`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.api.auth import Caller, project_caller
from powerrag.context import context_of
from powerrag.domain.metrics import TIME_DIMENSION, MetricsQuery, parse_query
from powerrag.query.metrics import run_query
from powerrag.responses import json_response

router = APIRouter()


def _bucket_text(us: int, granularity: str) -> str:
    """ClickHouse's ISO output: a DateTime for minute and hour buckets, a Date otherwise."""
    moment = datetime.fromtimestamp(us / 1_000_000, UTC)
    if granularity in ("minute", "hour"):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%d")


def rows_json(q: MetricsQuery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(row)
        if q.granularity and item.get(TIME_DIMENSION) is not None:
            item[TIME_DIMENSION] = _bucket_text(int(item[TIME_DIMENSION]), q.granularity)
        out.append(item)
    return out


async def _answer(request: Request, caller: Caller, version: str) -> Response:
    ctx = context_of(request)
    q = parse_query(request.query_params.get("query"), version)
    rows = await run_in_threadpool(run_query, ctx.store, caller.project_id, q)
    return json_response({"data": rows_json(q, rows)})


@router.get("/api/public/metrics")
async def metrics_v1(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    return await _answer(request, caller, "v1")


@router.get("/api/public/v2/metrics")
async def metrics_v2(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    return await _answer(request, caller, "v2")
