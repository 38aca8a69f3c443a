"""The datasets pages: the list, one dataset's items (edit, archive) and runs, a comparison
of runs item by item, and adding a replay turn or a whole session to a dataset.

Forms go through the same services as the API (powerrag/datasets.py,
powerrag/dataset_sources.py), answer with a redirect (POST-redirect-GET) and carry the
CSRF token. Every member of the project may use them.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import dataset_sources, datasets, urls
from powerrag.domain.datasets import STATUSES
from powerrag.domain.errors import InvalidRequestError
from powerrag.query import dataset_views as reads
from powerrag.web.auth import check_csrf
from powerrag.web.common import project_page
from powerrag.web.dataset_views import comparison_view, detail_view, summary_view
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
DATASETS = "/project/{project_id}/datasets"
DATASET = DATASETS + "/{dataset_id}"


@router.get(DATASETS)
async def datasets_page(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    found = await run_in_threadpool(reads.overview, page.ctx.store, project_id)
    context = {**page.chrome(), "datasets": [summary_view(d) for d in found]}
    return render(request, "datasets.html", context)


@router.post(DATASETS)
async def create_dataset(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    body = {"name": form.get("name", ""), "description": form.get("description", "") or None}
    made = await run_in_threadpool(
        datasets.create_dataset, page.ctx.store, project_id, body, page.ctx.clock()
    )
    return RedirectResponse(urls.dataset(project_id, made.id), 303)


@router.get(DATASET)
async def dataset_page(request: Request, project_id: str, dataset_id: str) -> Response:
    page = await project_page(request, project_id)
    found = await run_in_threadpool(reads.detail, page.ctx.store, project_id, dataset_id)
    context = {**page.chrome(), **detail_view(found), "maxCompared": reads.MAX_COMPARED}
    return render(request, "dataset.html", context)


@router.get(DATASET + "/compare")
async def compare_page(request: Request, project_id: str, dataset_id: str) -> Response:
    page = await project_page(request, project_id)
    run_ids = request.query_params.getlist("run")
    found = await run_in_threadpool(reads.compare, page.ctx.store, project_id, dataset_id, run_ids)
    return render(request, "dataset_compare.html", {**page.chrome(), **comparison_view(found)})


def _json_field(form: Any, name: str) -> Any:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # Plain text is a JSON string: what one types as a question or an answer.
        return text


async def _item_of(request: Request, project_id: str, dataset_id: str, item_id: str) -> Any:
    page = await project_page(request, project_id)
    item = await run_in_threadpool(reads.item, page.ctx.store, project_id, item_id)
    if item.dataset_id != dataset_id:
        raise InvalidRequestError(f"item {item_id!r} is not in this dataset")
    return page


@router.post(DATASET + "/items/{item_id:path}/edit")
async def edit_item(request: Request, project_id: str, dataset_id: str, item_id: str) -> Response:
    page = await _item_of(request, project_id, dataset_id, item_id)
    form = await check_csrf(request)
    changes = {
        column: datasets.json_text(_json_field(form, name))
        for name, column in (
            ("input", "input"),
            ("expected_output", "expected_output"),
            ("metadata", "metadata"),
        )
    }
    await run_in_threadpool(
        datasets.edit_item, page.ctx.store, project_id, item_id, changes, page.ctx.clock()
    )
    return RedirectResponse(urls.dataset(project_id, dataset_id) + "#items", 303)


@router.post(DATASET + "/items/{item_id:path}/status")
async def set_status(request: Request, project_id: str, dataset_id: str, item_id: str) -> Response:
    page = await _item_of(request, project_id, dataset_id, item_id)
    form = await check_csrf(request)
    status = form.get("status", "")
    if status not in STATUSES:
        raise InvalidRequestError(f"status must be ACTIVE or ARCHIVED, got {status!r}")
    await run_in_threadpool(
        datasets.edit_item,
        page.ctx.store,
        project_id,
        item_id,
        {"status": status},
        page.ctx.clock(),
    )
    return RedirectResponse(urls.dataset(project_id, dataset_id) + "#items", 303)


def _added(project_id: str, session_id: str, dataset_id: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(urls.dataset_added(project_id, session_id, dataset_id) + anchor, 303)


@router.post(DATASETS + "/add-turn")
async def add_turn(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    session_id, trace_id = form.get("session_id", ""), form.get("trace_id", "")
    made = await run_in_threadpool(
        dataset_sources.add_turn,
        page.ctx.store,
        project_id,
        session_id,
        trace_id,
        form.get("dataset", ""),
        page.ctx.clock(),
    )
    return _added(project_id, session_id, made.dataset_id, f"#turn-{trace_id}")


@router.post(DATASETS + "/add-session")
async def add_session(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    session_id, turn = form.get("session_id", ""), form.get("turn", "")
    if not turn.isdigit():
        raise InvalidRequestError(f"turn must be a turn number, got {turn!r}")
    made = await run_in_threadpool(
        dataset_sources.add_session,
        page.ctx.store,
        project_id,
        session_id,
        int(turn),
        form.get("dataset", ""),
        page.ctx.clock(),
    )
    return _added(project_id, session_id, made.dataset_id, "#add-session")
