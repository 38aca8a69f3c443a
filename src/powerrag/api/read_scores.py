"""Score reads: v3 and v2 lists, v2 and v1 single scores, v1 list, delete one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.api.auth import Caller, project_caller
from powerrag.api.context import Context
from powerrag.api.responses import json_response
from powerrag.api.serializers import paginated, parse_json, score_v1, score_v2
from powerrag.domain.timeutil import to_iso
from powerrag.query import scores
from powerrag.query.pagination import encode_score_cursor

router = APIRouter()


@router.get("/api/public/v3/scores")
async def list_scores_v3(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    """The only score read of Python SDK 5 (`api.scores.get_many`)."""
    ctx: Context = request.app.state.ctx
    found = await run_in_threadpool(
        scores.list_scores_v3, ctx.store, caller.project_id, request.query_params
    )
    meta: dict[str, Any] = {"limit": found.limit}
    if found.next_cursor is not None:
        meta["cursor"] = encode_score_cursor(found.next_cursor)
    return json_response({"data": [_v3(row, found.fields) for row in found.items], "meta": meta})


def _v3(row: dict[str, Any], groups: frozenset[str]) -> dict[str, Any]:
    """ScoreV3: `value` typed by dataType (number, boolean or string) plus requested groups."""
    kind = row["data_type"]
    value: Any = row["string_value"]
    if kind == "NUMERIC":
        value = row["value"]
    elif kind == "BOOLEAN":
        value = bool(row["value"])
    item: dict[str, Any] = {
        "id": row["id"],
        "projectId": row["project_id"],
        "name": row["name"],
        "value": value,
        "dataType": kind,
        "source": row["source"],
        "timestamp": to_iso(row["timestamp"]),
        "environment": row["environment"],
        "createdAt": to_iso(row["created_at"]),
        "updatedAt": to_iso(row["updated_at"]),
    }
    if "details" in groups:
        item.update(
            comment=row["comment"], configId=row["config_id"], metadata=parse_json(row["metadata"])
        )
    if "annotation" in groups:
        item.update(authorUserId=row["author_user_id"], queueId=row["queue_id"])
    if "subject" in groups:
        item["subject"] = _subject(row)
    return item


def _subject(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["observation_id"]:
        return {"kind": "observation", "id": row["observation_id"], "traceId": row["trace_id"]}
    if row["trace_id"]:
        return {"kind": "trace", "id": row["trace_id"]}
    if row["session_id"]:
        return {"kind": "session", "id": row["session_id"]}
    if row["dataset_run_id"]:
        return {"kind": "experiment", "id": row["dataset_run_id"]}
    return None


@router.get("/api/public/v2/scores")
async def list_scores(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx: Context = request.app.state.ctx
    found = await run_in_threadpool(
        scores.list_scores, ctx.store, caller.project_id, request.query_params
    )
    items = [score_v2(row, found.fields) for row in found.paged.items]
    return json_response(paginated(found.paged, items))


@router.get("/api/public/v2/scores/{score_id}")
async def get_score(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx: Context = request.app.state.ctx
    row = await run_in_threadpool(scores.get_score, ctx.store, caller.project_id, score_id)
    return json_response(score_v2(row))


@router.get("/api/public/scores")
async def list_scores_v1(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx: Context = request.app.state.ctx
    found = await run_in_threadpool(
        lambda: scores.list_scores(ctx.store, caller.project_id, request.query_params, v1_only=True)
    )
    return json_response(paginated(found.paged, [score_v1(row) for row in found.paged.items]))


@router.get("/api/public/scores/{score_id}")
async def get_score_v1(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx: Context = request.app.state.ctx
    row = await run_in_threadpool(
        lambda: scores.get_score(ctx.store, caller.project_id, score_id, v1_only=True)
    )
    return json_response(score_v1(row))


@router.delete("/api/public/scores/{score_id}")
async def delete_score(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx: Context = request.app.state.ctx
    await run_in_threadpool(scores.delete_score, ctx.store, caller.project_id, score_id)
    return Response(status_code=204)
