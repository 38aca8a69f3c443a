"""The dashboard: cost, tokens, latency and scores per day, and cost by model, user and
session, over the last 7, 30 or 90 days up to now or to an `end` day (web/dashboard.py).
Server-rendered, no script."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.timeutil import parse_iso
from powerrag.query.metrics import run_query
from powerrag.web import dashboard
from powerrag.web.common import project_page
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_DAY = 86_400_000_000
_SERIES = (
    ("cost_over_time", "observations", "totalCost", "sum"),
    ("tokens_over_time", "observations", "totalTokens", "sum"),
    ("latency_over_time", "traces", "latency", "p95"),
    ("scores_over_time", "scores-numeric", "value", "avg"),
)
_BREAKDOWNS = (
    ("by_model", "observations", "providedModelName", [("totalCost", "sum"), ("totalTokens", "sum"), ("count", "count")]),
    ("by_user", "traces", "userId", [("totalCost", "sum"), ("totalTokens", "sum"), ("count", "count")]),
    ("by_session", "traces", "sessionId", [("totalCost", "sum"), ("totalTokens", "sum"), ("count", "count")]),
)  # fmt: skip


def _days(text: str | None) -> int:
    return int(text) if text and text.isdigit() and int(text) in dashboard.PERIODS else 30


def _end(text: str | None, now: int) -> int:
    """The period's last microsecond: the end of the `end` day (YYYY-MM-DD, UTC), or now."""
    if not text:
        return now
    try:
        return parse_iso(f"{text}T00:00:00Z") + _DAY - 1
    except ValueError:
        raise InvalidRequestError(f"end must be a date (YYYY-MM-DD), got {text!r}") from None


@router.get("/project/{project_id}/dashboard")
async def dashboard_page(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    days = _days(request.query_params.get("days"))
    end = _end(request.query_params.get("end"), page.ctx.clock())
    start = end - days * _DAY
    charts = []
    for key, view, measure, aggregation in _SERIES:
        q = dashboard.daily(view, measure, aggregation, start, end)
        rows = await run_in_threadpool(run_query, store, project_id, q)
        charts.append(dashboard.chart(key, rows, f"{aggregation}_{measure}"))
    tables = []
    for key, view, field, metrics in _BREAKDOWNS:
        q = dashboard.by(view, field, metrics, start, end)
        rows = await run_in_threadpool(run_query, store, project_id, q)
        aliases = [f"{a}_{m}" for m, a in metrics]
        tables.append({"key": key, "rows": dashboard.table(rows, field, aliases)})
    context = {
        **page.chrome(),
        "days": days,
        "end": request.query_params.get("end") or "",
        "periods": list(dashboard.PERIODS),
        "charts": charts,
        "tables": tables,
        "chartWidth": dashboard.CHART_WIDTH,
        "chartHeight": dashboard.CHART_HEIGHT,
    }
    return render(request, "dashboard.html", context)
