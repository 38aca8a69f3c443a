"""`/api/public/traces`: list, get, delete one and delete many."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import deletions
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.json_filters import trace_json_filter
from powerrag.api.params import fields, parse_page, trace_filter, trace_order
from powerrag.api.serializers import paginated, trace_with_details, trace_with_full_details
from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.query import traces
from powerrag.query.traces import TRACE_FIELDS
from powerrag.responses import json_response

router = APIRouter()


@router.get("/api/public/traces")
async def list_traces(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    wanted = fields(q, TRACE_FIELDS, TRACE_FIELDS)
    f = trace_json_filter(trace_filter(q), q.get("filter"))
    order, page = trace_order(q), parse_page(q)
    paged = await run_in_threadpool(
        traces.list_traces, ctx.store, caller.project_id, f, order, page, wanted
    )
    items = [trace_with_details(item, wanted) for item in paged.items]
    return json_response(paginated(paged, items))


@router.get("/api/public/traces/{trace_id:path}")
async def get_trace(
    trace_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    wanted = fields(request.query_params, TRACE_FIELDS, TRACE_FIELDS)
    found = await run_in_threadpool(
        traces.get_trace, ctx.store, caller.project_id, trace_id, wanted
    )
    return json_response(trace_with_full_details(found, wanted))


@router.delete("/api/public/traces/{trace_id:path}")
async def delete_trace(
    trace_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    # Like Langfuse, deleting is idempotent: an unknown id is not an error.
    ctx = context_of(request)
    await run_in_threadpool(deletions.delete_traces, ctx.store, caller.project_id, [trace_id])
    return json_response({"message": "Trace deleted successfully"})


@router.delete("/api/public/traces")
async def delete_many(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    trace_ids = _trace_ids(doc)
    await run_in_threadpool(deletions.delete_traces, ctx.store, caller.project_id, trace_ids)
    return json_response({"message": "Traces deleted successfully"})


def _trace_ids(doc: Any) -> list[str]:
    ids = doc.get("traceIds") if isinstance(doc, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidRequestError('the body must be {"traceIds": ["<trace id>", ...]}')
    return ids
