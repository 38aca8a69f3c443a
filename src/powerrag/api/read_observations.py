"""Observation reads: v1 `/api/public/observations` (+ one) and cursor-paged v2."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.api.auth import Caller, project_caller
from powerrag.api.json_filters import observation_json_filter
from powerrag.api.params import (
    MAX_CURSOR_LIMIT,
    decode_cursor,
    encode_cursor,
    fields,
    observation_filter,
    parse_bool,
    parse_limit,
    parse_page,
)
from powerrag.api.serializers import decimal_text, observation, paginated, parse_json
from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.timeutil import to_iso
from powerrag.query import observations
from powerrag.query.prices import PricedObservation
from powerrag.responses import json_response

router = APIRouter()
METADATA_TRUNCATE = 200
V2_FIELDS = (
    "core",
    "basic",
    "time",
    "io",
    "metadata",
    "model",
    "usage",
    "prompt",
    "metrics",
    "trace_context",
)
V2_DEFAULT_FIELDS = ("core", "basic")


@router.get("/api/public/observations")
async def list_observations(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    f = observation_json_filter(observation_filter(q), q.get("filter"))
    page = parse_page(q)
    paged = await run_in_threadpool(
        observations.list_observations, ctx.store, caller.project_id, f, page
    )
    return json_response(paginated(paged, [observation(row) for row in paged.items]))


@router.get("/api/public/observations/{observation_id:path}")
async def get_observation(
    observation_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    found = await run_in_threadpool(
        observations.get_observation, ctx.store, caller.project_id, observation_id
    )
    return json_response(observation(found))


@router.get("/api/public/v2/observations")
async def list_observations_v2(
    request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    q = request.query_params
    if parse_bool(q, "parseIoAsJson"):
        raise InvalidRequestError(
            "parseIoAsJson=true is no longer supported: input and output are returned as raw "
            "strings; remove the parameter or set it to false"
        )
    wanted = fields(q, V2_FIELDS, V2_DEFAULT_FIELDS) | {"core"}
    expand = frozenset(k.strip() for k in (q.get("expandMetadata") or "").split(",")) - {""}
    f = observation_json_filter(observation_filter(q), q.get("filter"))
    limit = parse_limit(q, MAX_CURSOR_LIMIT)
    cursor = decode_cursor(q.get("cursor"))
    found = await run_in_threadpool(
        observations.list_observations_after, ctx.store, caller.project_id, f, cursor, limit
    )
    data = [_v2(item, wanted, expand) for item in found.items]
    meta = {"cursor": encode_cursor(found.next_cursor)} if found.next_cursor else {}
    return json_response({"data": data, "meta": meta})


def _v2(priced: PricedObservation, groups: frozenset[str], expand: frozenset[str]) -> JSONObject:
    """An ObservationV2 with only the requested field groups (reference §3.4)."""
    row = priced.row
    item: JSONObject = {
        "id": row.id,
        "traceId": row.trace_id,
        "startTime": to_iso(row.start_time),
        "endTime": to_iso(row.end_time),
        "projectId": row.project_id,
        "parentObservationId": row.parent_observation_id,
        "type": row.type,
        "modelId": None,
        "inputPrice": None,
        "outputPrice": None,
        "totalPrice": None,
    }
    for group in sorted(groups):
        render = _GROUPS.get(group)
        if render is not None:
            item.update(render(priced, expand))
    return item


def _basic(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    return {
        "name": row.name,
        "level": row.level,
        "statusMessage": row.status_message,
        "version": row.version,
        "environment": row.environment,
        "bookmarked": bool(row.trace_bookmarked),
        "public": bool(row.trace_public),
        "userId": row.trace_user_id,
        "sessionId": row.trace_session_id,
        "isRootObservation": row.parent_observation_id is None or bool(row.is_app_root),
    }


def _time(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    return {
        "completionStartTime": to_iso(row.completion_start_time),
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
    }


def _io(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    # v2 returns input/output as the raw stored strings (parseIoAsJson is gone).
    return {"input": row.input, "output": row.output}


def _metadata(priced: PricedObservation, expand: frozenset[str]) -> JSONObject:
    row = priced.row
    value = parse_json(row.metadata)
    if not isinstance(value, dict):
        return {"metadata": value}
    shown = {}
    for key, item in value.items():
        text = item if isinstance(item, str) else orjson.dumps(item).decode()
        long = len(text) > METADATA_TRUNCATE and key not in expand
        shown[key] = text[:METADATA_TRUNCATE] if long else item
    return {"metadata": shown}


def _model(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    prices = priced.prices or {}
    return {
        "providedModelName": row.model,
        "internalModelId": row.model_id,
        "modelParameters": parse_json(row.model_parameters),
        "modelId": row.model_id,
        "inputPrice": decimal_text(prices.get("input")),
        "outputPrice": decimal_text(prices.get("output")),
        "totalPrice": decimal_text(prices.get("total")),
    }


def _usage(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    full = observation(priced)
    return {
        "usageDetails": full["usageDetails"],
        "costDetails": full["costDetails"],
        "totalCost": row.total_cost,
        "usagePricingTierName": row.pricing_tier_name,
    }


def _prompt(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    return {
        "promptId": row.prompt_id,
        "promptName": row.prompt_name,
        "promptVersion": row.prompt_version,
    }


def _metrics(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    full = observation(priced)
    return {"latency": full["latency"], "timeToFirstToken": full["timeToFirstToken"]}


def _trace_context(priced: PricedObservation, _: frozenset[str]) -> JSONObject:
    row = priced.row
    return {
        "traceName": row.trace_name,
        "tags": parse_json(row.trace_tags) or [],
        "release": row.trace_release,
    }


_GROUPS = {
    "basic": _basic,
    "time": _time,
    "io": _io,
    "metadata": _metadata,
    "model": _model,
    "usage": _usage,
    "prompt": _prompt,
    "metrics": _metrics,
    "trace_context": _trace_context,
}
