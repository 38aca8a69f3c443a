"""`GET /metrics`: PowerRAG's own metrics for Prometheus, behind a bearer token.

Off unless `metrics_token` is set (404, as for any unknown path); with it set, a scrape
without `Authorization: Bearer <token>` is 401. The body is the text exposition format
(https://prometheus.io/docs/instrumenting/exposition_formats/).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.context import context_of
from powerrag.domain.errors import NotFoundError, UnauthorizedError

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    ctx = context_of(request)
    token = ctx.settings.metrics_token
    if not token:
        raise NotFoundError("metrics are off: set POWERRAG_METRICS_TOKEN to turn them on")
    sent = request.headers.get("authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise UnauthorizedError("GET /metrics needs Authorization: Bearer <metrics token>")
    body = await run_in_threadpool(ctx.metrics.exposition)
    # The 0.0.4 text format, which every Prometheus version reads (2.x does not know 1.0.0).
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
