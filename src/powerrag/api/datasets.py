"""Langfuse's datasets API: datasets, dataset items, dataset runs and dataset run items.

`/api/public/v2/datasets` (GET, POST, GET /{datasetName}), `/api/public/dataset-items`
(GET, POST, GET/DELETE /{id}), `/api/public/datasets/{datasetName}/runs` (GET, GET/DELETE
/{runName}) and `/api/public/dataset-run-items` (GET, POST) answer as Langfuse's OpenAPI
document and handlers (web/src/pages/api/public/) do; differences are in docs/api.md.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import datasets as writes
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_page, text
from powerrag.context import context_of
from powerrag.domain.datasets import Dataset, DatasetItem, DatasetRun, DatasetRunItem
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.timeutil import to_iso
from powerrag.query import datasets as reads
from powerrag.query.datasets import Paged
from powerrag.responses import json_response

router = APIRouter()
DATASETS = "/api/public/v2/datasets"
ITEMS = "/api/public/dataset-items"
RUNS = "/api/public/datasets/{dataset_name}/runs"
RUN_ITEMS = "/api/public/dataset-run-items"


def _value(raw: str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


def dataset_json(row: Dataset) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "metadata": _value(row.metadata),
        "inputSchema": None,
        "expectedOutputSchema": None,
        "projectId": row.project_id,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
    }


def item_json(row: DatasetItem) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "input": _value(row.input),
        "expectedOutput": _value(row.expected_output),
        "metadata": _value(row.metadata),
        "sourceTraceId": row.source_trace_id,
        "sourceObservationId": row.source_observation_id,
        "datasetId": row.dataset_id,
        "datasetName": row.dataset_name,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
        "mediaReferences": [],
    }


def run_json(row: DatasetRun) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "metadata": _value(row.metadata),
        "datasetId": row.dataset_id,
        "datasetName": row.dataset_name,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
    }


def run_item_json(row: DatasetRunItem) -> dict[str, Any]:
    return {
        "id": row.id,
        "datasetRunId": row.run_id,
        "datasetRunName": row.run_name,
        "datasetItemId": row.dataset_item_id,
        "traceId": row.trace_id,
        "observationId": row.observation_id,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
    }


def _paged(found: Paged[Any], data: list[dict[str, Any]]) -> dict[str, Any]:
    limit = found.page.limit
    return {
        "data": data,
        "meta": {
            "page": found.page.page,
            "limit": limit,
            "totalItems": found.total,
            "totalPages": -(-found.total // limit),
        },
    }


async def _body(request: Request) -> Any:
    return await read_json_body(request, context_of(request).settings)


@router.get(DATASETS)
async def list_datasets(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    page = parse_page(request.query_params)
    found = await run_in_threadpool(
        reads.datasets, context_of(request).store, caller.project_id, page
    )
    return json_response(_paged(found, [dataset_json(d) for d in found.items]))


@router.post(DATASETS)
async def create_dataset(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        writes.create_dataset, ctx.store, caller.project_id, body, ctx.clock()
    )
    return json_response(dataset_json(made))


# Dataset names are free text: `:path` keeps an encoded "/" inside the name.
@router.get(DATASETS + "/{dataset_name:path}")
async def get_dataset(
    dataset_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    found = await run_in_threadpool(
        reads.dataset, context_of(request).store, caller.project_id, dataset_name
    )
    return json_response(dataset_json(found))


@router.get(ITEMS)
async def list_items(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    q = request.query_params
    page = parse_page(q)
    if text(q, "version") is not None:
        raise InvalidRequestError(
            "version is not supported: PowerRAG keeps only the latest version of each item"
        )
    sources = (text(q, "sourceTraceId"), text(q, "sourceObservationId"))
    found = await run_in_threadpool(
        reads.items,
        context_of(request).store,
        caller.project_id,
        text(q, "datasetName"),
        sources,
        page,
    )
    return json_response(_paged(found, [item_json(i) for i in found.items]))


@router.post(ITEMS)
async def create_item(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        writes.create_item, ctx.store, caller.project_id, body, ctx.clock()
    )
    return json_response(item_json(made))


@router.get(ITEMS + "/{item_id:path}")
async def get_item(
    item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    found = await run_in_threadpool(
        reads.item, context_of(request).store, caller.project_id, item_id
    )
    return json_response(item_json(found))


@router.delete(ITEMS + "/{item_id:path}")
async def delete_item(
    item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        writes.delete_item, context_of(request).store, caller.project_id, item_id
    )
    return json_response({"message": "Dataset item successfully deleted"})


@router.get(RUNS)
async def list_runs(
    dataset_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    page = parse_page(request.query_params)
    found = await run_in_threadpool(
        reads.runs, context_of(request).store, caller.project_id, dataset_name, page
    )
    return json_response(_paged(found, [run_json(r) for r in found.items]))


@router.get(RUNS + "/{run_name:path}")
async def get_run(
    dataset_name: str, run_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    found = await run_in_threadpool(
        reads.run, context_of(request).store, caller.project_id, dataset_name, run_name
    )
    items = [run_item_json(i) for i in found.items]
    return json_response(run_json(found.run) | {"datasetRunItems": items})


@router.delete(RUNS + "/{run_name:path}")
async def delete_run(
    dataset_name: str, run_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        writes.delete_run, context_of(request).store, caller.project_id, dataset_name, run_name
    )
    return json_response({"message": "Dataset run successfully deleted"})


@router.get(RUN_ITEMS)
async def list_run_items(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    q = request.query_params
    page = parse_page(q)
    dataset_id, run_name = text(q, "datasetId"), text(q, "runName")
    if dataset_id is None or run_name is None:
        raise InvalidRequestError("datasetId and runName are required query parameters")
    found = await run_in_threadpool(
        reads.run_items, context_of(request).store, caller.project_id, dataset_id, run_name, page
    )
    return json_response(_paged(found, [run_item_json(i) for i in found.items]))


@router.post(RUN_ITEMS)
async def create_run_item(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        writes.create_run_item, ctx.store, caller.project_id, body, ctx.clock()
    )
    return json_response(run_item_json(made))
