"""`/api/public/models`: a project's own model prices and the bundled, Langfuse-managed ones.

As Langfuse's `web/src/pages/api/public/models/` answers them; `POST
/api/public/models/{id}/recost` is PowerRAG's own (documented in api/openapi_models.py).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import model_prices
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_page
from powerrag.api.serializers import paginated
from powerrag.context import context_of
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.model_defs import ModelDefinition
from powerrag.domain.timeutil import to_iso
from powerrag.query import models
from powerrag.responses import json_response

router = APIRouter()


def model_json(model: ModelDefinition) -> JSONObject:
    prices = model.default_prices
    config: Any = json.loads(model.tokenizer_config) if model.tokenizer_config else None
    return {
        "id": model.id,
        "modelName": model.model_name,
        "matchPattern": model.match_pattern,
        "startDate": to_iso(model.start_date),
        "unit": model.unit,
        "inputPrice": prices.get("input"),
        "outputPrice": prices.get("output"),
        "totalPrice": prices.get("total"),
        "tokenizerId": model.tokenizer_id,
        "tokenizerConfig": config,
        "isLangfuseManaged": model.project_id is None,
        "createdAt": to_iso(model.created_at),
        "prices": {k: {"price": v} for k, v in prices.items()},
        "pricingTiers": sorted(model.tiers, key=lambda t: int(t.get("priority") or 0)),
    }


@router.get("/api/public/models")
async def list_models(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    page = parse_page(request.query_params)
    found = await run_in_threadpool(models.list_models, ctx.store, caller.project_id, page)
    return json_response(paginated(found, [model_json(m) for m in found.items]))


@router.post("/api/public/models")
async def create_model(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await read_json_body(request, ctx.settings)
    made = await run_in_threadpool(
        model_prices.create, ctx.store, caller.project_id, body, ctx.clock()
    )
    return json_response(model_json(made))


@router.get("/api/public/models/{model_id}")
async def get_model(
    model_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    found = await run_in_threadpool(models.find_model, ctx.store, caller.project_id, model_id)
    return json_response(model_json(found))


@router.delete("/api/public/models/{model_id}")
async def delete_model(
    model_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    await run_in_threadpool(model_prices.remove, ctx.store, caller.project_id, model_id)
    return json_response({"message": "Model successfully deleted"})


@router.post("/api/public/models/{model_id}/recost")
async def recost(
    model_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    found = await run_in_threadpool(models.find_model, ctx.store, caller.project_id, model_id)
    done = await run_in_threadpool(
        model_prices.recost_model,
        ctx.store,
        caller.project_id,
        found.id,
        found.match_pattern,
        ctx.clock(),
    )
    return json_response(
        {
            "modelId": found.id,
            "observations": done.observations,
            "traces": done.traces,
            "sessions": done.sessions,
        }
    )
