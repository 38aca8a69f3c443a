"""`/api/public/score-configs`: create, list, get, update (archive), as Langfuse's API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import score_configs
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_page
from powerrag.api.serializers import paginated
from powerrag.context import context_of
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.score_configs import ScoreConfig
from powerrag.domain.timeutil import to_iso
from powerrag.responses import json_response

router = APIRouter()


def config_json(config: ScoreConfig) -> JSONObject:
    """Langfuse's ScoreConfig; `categories` only where a config has them."""
    categories = [{"label": c.label, "value": c.value} for c in config.categories]
    return {
        "id": config.id,
        "name": config.name,
        "createdAt": to_iso(config.created_at),
        "updatedAt": to_iso(config.updated_at),
        "projectId": config.project_id,
        "dataType": config.data_type,
        "isArchived": config.is_archived,
        "minValue": config.min_value,
        "maxValue": config.max_value,
        "categories": categories or None,
        "description": config.description,
    }


@router.post("/api/public/score-configs")
async def create(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    found = await run_in_threadpool(
        score_configs.create_config, ctx.store, caller.project_id, doc, ctx.clock()
    )
    return json_response(config_json(found))


@router.get("/api/public/score-configs")
async def list_configs(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    page = parse_page(request.query_params)
    paged = await run_in_threadpool(score_configs.list_configs, ctx.store, caller.project_id, page)
    return json_response(paginated(paged, [config_json(c) for c in paged.items]))


@router.get("/api/public/score-configs/{config_id}")
async def get_config(
    config_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    found = await run_in_threadpool(
        score_configs.get_config, ctx.store, caller.project_id, config_id
    )
    return json_response(config_json(found))


@router.patch("/api/public/score-configs/{config_id}")
async def update(
    config_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    doc = await read_json_body(request, ctx.settings)
    found = await run_in_threadpool(
        score_configs.update_config, ctx.store, caller.project_id, config_id, doc, ctx.clock()
    )
    return json_response(config_json(found))
