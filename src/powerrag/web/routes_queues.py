"""Annotation queues in the UI: the list with a create form, adding sessions (from the
sessions list and the replay), and working through a queue: the next pending item, a
score with each of the queue's score configs, "done" for the next one.

Every member works through queues; creating one needs an owner or an administrator,
as the settings. A refused score shows the queue page again with the reason (422).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import queue_work, queues, urls
from powerrag.accounts import can_manage
from powerrag.context import Context
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import PageRequest
from powerrag.domain.queues import QUEUE_OBJECT_TYPES, AnnotationQueue, QueueItem
from powerrag.domain.scores import shown_value
from powerrag.domain.timeutil import to_iso
from powerrag.score_configs import active_configs
from powerrag.web.auth import check_csrf
from powerrag.web.common import ProjectPage, managed_page, project_page
from powerrag.web.render import WebRoute, render
from powerrag.web.routes_score_configs import config_view

router = APIRouter(route_class=WebRoute, include_in_schema=False)
QUEUES = "/project/{project_id}/queues"
ITEM = QUEUES + "/{queue_id}/items/{item_id}"


def queue_view(queue: AnnotationQueue) -> dict[str, Any]:
    return {
        "id": queue.id,
        "name": queue.name,
        "description": queue.description,
        "pending": queue.pending,
        "completed": queue.completed,
        "scoreConfigIds": list(queue.score_config_ids),
    }


def _shown(value: Any) -> Any:
    """Booleans as the replay shows them: true / false."""
    return str(value).lower() if isinstance(value, bool) else value


def _object_url(project_id: str, item: QueueItem, subject: queue_work.Subject) -> str:
    if item.object_type == "SESSION":
        return urls.session(project_id, item.object_id)
    if item.object_type == "TRACE" or subject.trace_id is None:
        return urls.trace(project_id, subject.trace_id or item.object_id)
    return urls.trace(project_id, subject.trace_id) + f"?observation={item.object_id}"


async def annotation_options(ctx: Context, project_id: str) -> dict[str, Any]:
    """What the sessions list and the replay offer members: the project's queues to add to
    and its active score configs; each key only when there is something to offer."""
    listed = await run_in_threadpool(queues.list_queues, ctx.store, project_id, PageRequest(1, 100))
    configs = await run_in_threadpool(active_configs, ctx.store, project_id)
    options: dict[str, Any] = {}
    if listed.items:
        options["queues"] = [{"id": q.id, "name": q.name} for q in listed.items]
    if configs:
        options["scoreConfigs"] = [config_view(c) for c in configs]
    return options


@router.get(QUEUES)
async def queues_page(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    listed = await run_in_threadpool(queues.list_queues, store, project_id, PageRequest(1, 100))
    configs = await run_in_threadpool(active_configs, store, project_id)
    context = {
        **page.chrome(),
        "queues": [queue_view(q) for q in listed.items],
        "configs": [config_view(c) for c in configs],
        "canManage": await run_in_threadpool(can_manage, store, page.user, project_id),
    }
    return render(request, "queues.html", context)


@router.post(QUEUES)
async def create_queue(request: Request, project_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    form = await request.form()
    body = {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")) or None,
        "scoreConfigIds": [str(v) for v in form.getlist("config_id")],
    }
    queue = await run_in_threadpool(
        queues.create_queue, page.ctx.store, project_id, body, page.ctx.clock()
    )
    return RedirectResponse(urls.queue(project_id, queue.id), status_code=303)


@router.post(QUEUES + "/add")
async def add_to_queue(request: Request, project_id: str) -> Response:
    """Sessions (or traces) ticked in a list, or the one of the replay, into a queue."""
    page = await project_page(request, project_id)
    fields = await check_csrf(request)
    form = await request.form()
    kind = fields.get("object_type", "SESSION")
    if kind not in QUEUE_OBJECT_TYPES:
        raise InvalidRequestError(f"object_type must be one of {', '.join(QUEUE_OBJECT_TYPES)}")
    ids = [str(v) for v in form.getlist("object_id") if str(v)]
    if not ids:
        raise InvalidRequestError("tick at least one session to add to the queue")
    queue_id = fields.get("queue_id", "")
    for object_id in ids:
        doc = {"objectType": kind, "objectId": object_id}
        await run_in_threadpool(
            queues.add_item, page.ctx.store, project_id, queue_id, doc, page.ctx.clock()
        )
    back = fields.get("next", "")
    local = back.startswith(urls.project(project_id) + "/") and "//" not in back
    return RedirectResponse(back if local else urls.queue(project_id, queue_id), status_code=303)


async def _work_context(page: ProjectPage, queue_id: str, item_id: str | None) -> dict[str, Any]:
    store, project_id = page.ctx.store, page.project.id
    queue = await run_in_threadpool(queues.get_queue, store, project_id, queue_id)
    item: QueueItem | None
    if item_id:
        item = await run_in_threadpool(queues.get_item, store, project_id, queue_id, item_id)
    else:
        item = await run_in_threadpool(queues.next_item, store, project_id, queue_id)
    configs = await run_in_threadpool(queue_work.queue_configs, store, project_id, queue)
    context: dict[str, Any] = {
        **page.chrome(),
        "queue": queue_view(queue),
        "configs": [config_view(c) for c in configs],
        "item": None,
    }
    if item is None:
        return context
    subject = await run_in_threadpool(queue_work.subject_of, store, project_id, item)
    given = await run_in_threadpool(queue_work.item_scores, store, project_id, queue_id, subject)
    said = await run_in_threadpool(queue_work.conversation_of, store, project_id, item)
    context["item"] = {
        "id": item.id,
        "objectType": item.object_type,
        "objectId": item.object_id,
        "status": item.status,
        "completedAt": to_iso(item.completed_at),
        "url": _object_url(project_id, item, subject),
        "messages": [{"role": m.role, "text": m.text} for m in said],
        "scores": [
            {"name": s.name, "value": _shown(shown_value(s.data_type, s.value, s.string_value))}
            for s in given
        ],
    }
    return context


@router.get(QUEUES + "/{queue_id}")
async def queue_page(request: Request, project_id: str, queue_id: str) -> Response:
    page = await project_page(request, project_id)
    item_id = request.query_params.get("item") or None
    context = await _work_context(page, queue_id, item_id)
    return render(request, "queue.html", {**context, "error": None})


@router.post(ITEM + "/score")
async def score_item(request: Request, project_id: str, queue_id: str, item_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    store = page.ctx.store
    queue = await run_in_threadpool(queues.get_queue, store, project_id, queue_id)
    item = await run_in_threadpool(queues.get_item, store, project_id, queue_id, item_id)
    try:
        batch = await run_in_threadpool(
            lambda: queue_work.queue_score(
                store,
                project_id,
                queue,
                item,
                config_id=form.get("config_id", ""),
                value=form.get("value", ""),
                comment=form.get("comment", ""),
                author=page.user.id,
            )
        )
    except InvalidRequestError as exc:
        context = await _work_context(page, queue_id, item_id)
        error = {
            "configId": form.get("config_id", ""),
            "value": form.get("value", ""),
            "message": str(exc),
        }
        return render(request, "queue.html", {**context, "error": error}, status=422)
    await page.ctx.pipeline.submit(project_id, batch)
    return RedirectResponse(urls.queue(project_id, queue_id, item_id), status_code=303)


@router.post(ITEM + "/done")
async def complete_item(request: Request, project_id: str, queue_id: str, item_id: str) -> Response:
    page = await project_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    await run_in_threadpool(
        queues.set_item_status, store, project_id, queue_id, item_id, "COMPLETED", page.ctx.clock()
    )
    return RedirectResponse(urls.queue(project_id, queue_id), status_code=303)
