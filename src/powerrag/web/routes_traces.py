"""Traces list and trace page (observation tree, Gantt timeline, observation panel)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.query import ui_traces
from powerrag.store.ui_traces import TraceFilter
from powerrag.web.common import project_page
from powerrag.web.params import int_param, time_param
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FILTER_KEYS = ("name", "user", "session", "tag", "environment", "level", "from", "to", "q")


@router.get("/project/{project_id}/traces")
async def traces_list(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    q = request.query_params
    filters = TraceFilter(
        name=q.get("name", "").strip(),
        user_id=q.get("user", "").strip(),
        session_id=q.get("session", "").strip(),
        tag=q.get("tag", "").strip(),
        environment=q.get("environment", "").strip(),
        level=q.get("level", "").strip(),
        start=time_param(q.get("from", ""), "from"),
        end=time_param(q.get("to", ""), "to", end_of_day=True),
        text=q.get("q", "").strip(),
    )
    data = await run_in_threadpool(
        lambda: ui_traces.list_traces(
            page.ctx.store,
            project_id,
            filters,
            page=int_param(q.get("page", ""), "page", 1),
            page_size=50,
        )
    )
    data["filters"] = {k: q.get(k, "") for k in FILTER_KEYS}
    return render(request, "traces.html", {**page.chrome(), **data, "levels": ui_traces.LEVELS})


@router.get("/project/{project_id}/traces/{trace_id}")
async def trace_page(request: Request, project_id: str, trace_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    detail = await run_in_threadpool(ui_traces.trace_detail, store, project_id, trace_id)
    selected_id = request.query_params.get("observation") or (
        detail["observations"][0]["id"] if detail["observations"] else ""
    )
    selected = (
        await run_in_threadpool(
            ui_traces.observation_panel, store, project_id, trace_id, selected_id
        )
        if selected_id
        else None
    )
    return render(request, "trace.html", {**page.chrome(), **detail, "selected": selected})


@router.get("/project/{project_id}/traces/{trace_id}/observations/{observation_id}")
async def observation_panel(
    request: Request, project_id: str, trace_id: str, observation_id: str
) -> Response:
    """The panel of one observation (fetched when it is clicked in the tree or timeline)."""
    page = await project_page(request, project_id)
    selected = await run_in_threadpool(
        ui_traces.observation_panel, page.ctx.store, project_id, trace_id, observation_id
    )
    return render(request, "_panel.html", {**page.chrome(), "selected": selected})
