"""Score reads: v3 and v2 lists, v2 and v1 single scores, v1 list, delete one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import deletions
from powerrag.api.auth import Caller, project_caller
from powerrag.api.json_filters import score_json_filter
from powerrag.api.params import (
    MAX_PAGE_LIMIT,
    decode_score_cursor,
    encode_score_cursor,
    fields,
    parse_limit,
    parse_page,
    score_filter,
    score_v3_filter,
)
from powerrag.api.serializers import paginated, parse_json, score_v1, score_v2
from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.rows import ScoreRow
from powerrag.domain.scores import shown_value
from powerrag.domain.timeutil import to_iso
from powerrag.query import scores
from powerrag.responses import json_response

router = APIRouter()
SCORE_FIELDS = ("score", "trace")
V3_FIELDS = ("details", "subject", "annotation")


@router.get("/api/public/v3/scores")
async def list_scores_v3(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    """The only score read of Python SDK 5 (`api.scores.get_many`)."""
    ctx = context_of(request)
    q = request.query_params
    groups = {g.strip() for g in (q.get("fields") or "").split(",") if g.strip()}
    unknown = groups - set(V3_FIELDS)
    if unknown:
        raise InvalidRequestError(
            f"fields may list {', '.join(V3_FIELDS)}; unknown: {', '.join(sorted(unknown))}"
        )
    f, limit = score_v3_filter(q), parse_limit(q, MAX_PAGE_LIMIT)
    cursor = decode_score_cursor(q.get("cursor"))
    found = await run_in_threadpool(
        scores.list_scores_after, ctx.store, caller.project_id, f, cursor, limit
    )
    meta: JSONObject = {"limit": limit}
    if found.next_cursor is not None:
        meta["cursor"] = encode_score_cursor(found.next_cursor)
    wanted = frozenset(groups)
    return json_response({"data": [_v3(row, wanted) for row in found.items], "meta": meta})


def _v3(row: ScoreRow, groups: frozenset[str]) -> JSONObject:
    """ScoreV3: `value` typed by dataType (number, boolean or string) plus requested groups."""
    kind = row.data_type
    value = shown_value(kind, row.value, row.string_value)
    item: JSONObject = {
        "id": row.id,
        "projectId": row.project_id,
        "name": row.name,
        "value": value,
        "dataType": kind,
        "source": row.source,
        "timestamp": to_iso(row.timestamp),
        "environment": row.environment,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
    }
    if "details" in groups:
        item.update(comment=row.comment, configId=row.config_id, metadata=parse_json(row.metadata))
    if "annotation" in groups:
        item.update(authorUserId=row.author_user_id, queueId=row.queue_id)
    if "subject" in groups:
        item["subject"] = _subject(row)
    return item


def _subject(row: ScoreRow) -> JSONObject | None:
    if row.observation_id:
        return {"kind": "observation", "id": row.observation_id, "traceId": row.trace_id}
    if row.trace_id:
        return {"kind": "trace", "id": row.trace_id}
    if row.session_id:
        return {"kind": "session", "id": row.session_id}
    if row.dataset_run_id:
        return {"kind": "experiment", "id": row.dataset_run_id}
    return None


@router.get("/api/public/v2/scores")
async def list_scores(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    wanted = fields(q, SCORE_FIELDS, SCORE_FIELDS)
    f, page = score_json_filter(score_filter(q), q.get("filter")), parse_page(q)
    paged = await run_in_threadpool(scores.list_scores, ctx.store, caller.project_id, f, page)
    return json_response(paginated(paged, [score_v2(row, wanted) for row in paged.items]))


@router.get("/api/public/v2/scores/{score_id:path}")
async def get_score(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    row = await run_in_threadpool(scores.get_score, ctx.store, caller.project_id, score_id)
    return json_response(score_v2(row))


@router.get("/api/public/scores")
async def list_scores_v1(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    f, page = score_filter(q, v1_only=True), parse_page(q)
    paged = await run_in_threadpool(scores.list_scores, ctx.store, caller.project_id, f, page)
    return json_response(paginated(paged, [score_v1(row) for row in paged.items]))


@router.get("/api/public/scores/{score_id:path}")
async def get_score_v1(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    row = await run_in_threadpool(
        lambda: scores.get_score(ctx.store, caller.project_id, score_id, v1_only=True)
    )
    return json_response(score_v1(row))


@router.delete("/api/public/scores/{score_id:path}")
async def delete_score(
    score_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    await run_in_threadpool(deletions.delete_score, ctx.store, caller.project_id, score_id)
    return Response(status_code=204)
