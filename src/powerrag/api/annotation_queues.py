"""`/api/public/annotation-queues…`: queues, their items and assignments, as Langfuse's API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import queues
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_page, text
from powerrag.api.serializers import paginated
from powerrag.context import context_of
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.queues import AnnotationQueue, QueueItem
from powerrag.domain.timeutil import to_iso
from powerrag.responses import json_response

router = APIRouter()
QUEUES = "/api/public/annotation-queues"
ITEM = QUEUES + "/{queue_id}/items/{item_id}"


def queue_json(queue: AnnotationQueue) -> JSONObject:
    return {
        "id": queue.id,
        "name": queue.name,
        "description": queue.description,
        "scoreConfigIds": list(queue.score_config_ids),
        "createdAt": to_iso(queue.created_at),
        "updatedAt": to_iso(queue.updated_at),
    }


def item_json(item: QueueItem) -> JSONObject:
    return {
        "id": item.id,
        "queueId": item.queue_id,
        "objectId": item.object_id,
        "objectType": item.object_type,
        "status": item.status,
        "completedAt": to_iso(item.completed_at),
        "createdAt": to_iso(item.created_at),
        "updatedAt": to_iso(item.updated_at),
    }


@router.get(QUEUES)
async def list_queues(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    page = parse_page(request.query_params)
    paged = await run_in_threadpool(queues.list_queues, ctx.store, caller.project_id, page)
    return json_response(paginated(paged, [queue_json(q) for q in paged.items]))


@router.post(QUEUES)
async def create_queue(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    queue = await run_in_threadpool(
        queues.create_queue, ctx.store, caller.project_id, doc, ctx.clock()
    )
    return json_response(queue_json(queue))


@router.get(QUEUES + "/{queue_id}")
async def get_queue(
    queue_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    queue = await run_in_threadpool(queues.get_queue, ctx.store, caller.project_id, queue_id)
    return json_response(queue_json(queue))


@router.get(QUEUES + "/{queue_id}/items")
async def list_items(
    queue_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    q = request.query_params
    page, status = parse_page(q), text(q, "status")
    paged = await run_in_threadpool(
        queues.list_items, ctx.store, caller.project_id, queue_id, status, page
    )
    return json_response(paginated(paged, [item_json(i) for i in paged.items]))


@router.post(QUEUES + "/{queue_id}/items")
async def add_item(
    queue_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    item = await run_in_threadpool(
        queues.add_item, ctx.store, caller.project_id, queue_id, doc, ctx.clock()
    )
    return json_response(item_json(item))


@router.get(ITEM)
async def get_item(
    queue_id: str, item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    item = await run_in_threadpool(queues.get_item, ctx.store, caller.project_id, queue_id, item_id)
    return json_response(item_json(item))


@router.patch(ITEM)
async def update_item(
    queue_id: str, item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    status = doc.get("status") if isinstance(doc, dict) else None
    item = await run_in_threadpool(
        queues.set_item_status, ctx.store, caller.project_id, queue_id, item_id, status, ctx.clock()
    )
    return json_response(item_json(item))


@router.delete(ITEM)
async def delete_item(
    queue_id: str, item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    await run_in_threadpool(queues.delete_item, ctx.store, caller.project_id, queue_id, item_id)
    return json_response({"success": True, "message": "Item removed from queue"})


@router.post(QUEUES + "/{queue_id}/assignments")
async def assign(
    queue_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    user_id = await run_in_threadpool(
        queues.assign, ctx.store, caller.project_id, queue_id, doc, ctx.clock()
    )
    return json_response({"userId": user_id, "queueId": queue_id, "projectId": caller.project_id})


@router.delete(QUEUES + "/{queue_id}/assignments")
async def unassign(
    queue_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    await run_in_threadpool(queues.unassign, ctx.store, caller.project_id, queue_id, doc)
    return json_response({"success": True})
