"""`/api/public/comments`: create, list (objectType, objectId, authorUserId), get one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import comments
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_page, text
from powerrag.api.serializers import paginated
from powerrag.context import context_of
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.rows import CommentRow
from powerrag.domain.timeutil import to_iso
from powerrag.responses import json_response

router = APIRouter()


def comment_json(row: CommentRow, project_id: str) -> JSONObject:
    return {
        "id": row.id,
        "projectId": project_id,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at or row.created_at),
        "objectType": row.object_type,
        "objectId": row.object_id,
        "content": row.content,
        "authorUserId": row.author_user_id,
    }


@router.post("/api/public/comments")
async def create(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    comment_id = await run_in_threadpool(
        comments.create_comment, ctx.store, caller.project_id, doc, ctx.clock()
    )
    return json_response({"id": comment_id})


@router.get("/api/public/comments")
async def list_comments(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    page = parse_page(q)
    paged = await run_in_threadpool(
        lambda: comments.list_comments(
            ctx.store,
            caller.project_id,
            page,
            object_type=text(q, "objectType"),
            object_id=text(q, "objectId"),
            author=text(q, "authorUserId"),
        )
    )
    items = [comment_json(row, caller.project_id) for row in paged.items]
    return json_response(paginated(paged, items))


@router.get("/api/public/comments/{comment_id}")
async def get_comment(
    comment_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    row = await run_in_threadpool(comments.get_comment, ctx.store, caller.project_id, comment_id)
    return json_response(comment_json(row, caller.project_id))
