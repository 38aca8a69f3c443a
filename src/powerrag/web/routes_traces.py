"""Traces list and trace page (observation tree, Gantt timeline, observation panel)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.domain.filters import TraceOrder
from powerrag.domain.records import LEVELS
from powerrag.query import traces
from powerrag.web.common import project_page, search_ready
from powerrag.web.content import mark_held
from powerrag.web.params import TRACE_FILTER_KEYS, trace_list
from powerrag.web.render import WebRoute, render
from powerrag.web.views import observation_view, trace_page_view, trace_view

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/project/{project_id}/traces")
async def traces_list(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    q = request.query_params
    f, paging = trace_list(q)
    searching = await search_ready(page.ctx, project_id, f.text)
    found = await run_in_threadpool(
        lambda: traces.list_traces(
            page.ctx.store, project_id, f, TraceOrder(), paging, frozenset({"core"})
        )
    )
    data = {
        "traces": [trace_view(item.trace) for item in found.items],
        "total": found.total,
        "page": paging.page,
        "pageSize": paging.limit,
        "pages": found.pages,
        "filters": {k: q.get(k, "") for k in TRACE_FILTER_KEYS},
        "levels": LEVELS,
        **searching,
    }
    return render(request, "traces.html", {**page.chrome(), **data})


@router.get("/project/{project_id}/trace/observation")
async def observation_panel(
    request: Request, project_id: str, trace: str, observation: str
) -> Response:
    """The panel of one observation (fetched when it is clicked in the tree or timeline)."""
    page = await project_page(request, project_id)
    selected = observation_view(
        await run_in_threadpool(
            traces.observation_of_trace, page.ctx.store, project_id, trace, observation
        )
    )
    await mark_held(page.ctx, project_id, selected)
    return render(request, "_panel.html", {**page.chrome(), "selected": selected})


@router.get("/project/{project_id}/traces/{trace_id:path}")
async def trace_page(request: Request, project_id: str, trace_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    detail = trace_page_view(
        await run_in_threadpool(traces.trace_page, store, project_id, trace_id)
    )
    selected_id = request.query_params.get("observation") or (
        detail["observations"][0]["id"] if detail["observations"] else ""
    )
    selected = (
        observation_view(
            await run_in_threadpool(
                traces.observation_of_trace, store, project_id, trace_id, selected_id
            )
        )
        if selected_id
        else None
    )
    await mark_held(page.ctx, project_id, selected)
    return render(request, "trace.html", {**page.chrome(), **detail, "selected": selected})
