"""Langfuse's LLM connection, evaluator and evaluation-rule endpoints, and PowerRAG's re-run.

`/api/public/llm-connections` (GET, PUT, DELETE /{id}), `/api/public/unstable/evaluators`
(GET, POST, GET/DELETE /{id}) and `/api/public/unstable/evaluation-rules` (GET, POST,
GET/PATCH/DELETE /{id}) answer as Langfuse's OpenAPI document says; PowerRAG adds the
targets `trace` and `session`, `delay`, `POST …/{id}/run` and `GET …/{id}/runs`
(api/openapi_evaluation.py, docs/evaluation.md).
"""

from __future__ import annotations

import math
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import evaluation
from powerrag.api.auth import Caller, project_caller
from powerrag.api.automations import job_json
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_int
from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.eval_rules import EvaluationRule, LlmConnection
from powerrag.domain.evaluators import Evaluator
from powerrag.domain.timeutil import to_iso
from powerrag.query import evaluation as reads
from powerrag.query.evaluation import Page
from powerrag.responses import json_response

router = APIRouter()
CONNECTIONS = "/api/public/llm-connections"
EVALUATORS = "/api/public/unstable/evaluators"
RULES = "/api/public/unstable/evaluation-rules"


def connection_json(item: LlmConnection) -> dict[str, Any]:
    """The connection; its key is never shown again, only `displaySecretKey`."""
    return {
        "id": item.id,
        "provider": item.provider,
        "adapter": item.adapter,
        "displaySecretKey": item.display_secret_key,
        "baseURL": item.base_url,
        "customModels": item.custom_models,
        "withDefaultModels": item.with_default_models,
        "extraHeaderKeys": item.extra_header_keys,
        "config": item.config,
        "createdAt": to_iso(item.created_at),
        "updatedAt": to_iso(item.updated_at),
    }


def evaluator_json(item: Evaluator, page: Page) -> dict[str, Any]:
    return {
        "type": "llm_as_judge",
        "id": item.id,
        "name": item.name,
        "version": item.version,
        "variables": item.variables,
        "mapping": item.mapping,
        "evaluationRuleCount": page.rule_counts.get(item.id, 0),
        "prompt": item.prompt,
        "outputDefinition": item.output_definition,
        "modelConfig": item.model_config,
        "createdAt": to_iso(item.created_at),
        "updatedAt": to_iso(item.updated_at),
    }


def rule_status(
    item: EvaluationRule, page: Page, evaluators: dict[str, Evaluator]
) -> tuple[str, str | None, str | None]:
    """(status, pausedReason, pausedMessage): paused while its judge has no LLM connection."""
    if not item.enabled:
        return "inactive", None, None
    evaluator = evaluators.get(item.evaluator_id)
    config = evaluator.model_config if evaluator else None
    missing = (
        config is not None and config["provider"] not in page.providers
    ) or not page.providers
    if missing:
        provider = config["provider"] if config else "any"
        return "paused", "llm_connection_missing", f"no LLM connection for provider {provider!r}"
    return "active", None, None


def rule_json(item: EvaluationRule, page: Page, evaluators: dict[str, Evaluator]) -> dict[str, Any]:
    status, reason, message = rule_status(item, page, evaluators)
    evaluator = {
        "id": item.evaluator_id,
        "name": page.evaluator_names.get(item.evaluator_id, ""),
        "type": "llm_as_judge",
    }
    return {
        "id": item.id,
        "name": item.name,
        "evaluator": evaluator,
        "evaluators": [{"evaluator": evaluator, "mapping": item.mapping}],
        "enabled": item.enabled,
        "status": status,
        "pausedReason": reason,
        "pausedMessage": message,
        "sampling": item.sampling,
        "delay": item.delay_ms,
        "target": item.target,
        "filter": item.filters,
        "mapping": item.mapping,
        "createdAt": to_iso(item.created_at),
        "updatedAt": to_iso(item.updated_at),
    }


def _paging(request: Request) -> tuple[int, int]:
    number = parse_int(request.query_params, "page", 1)
    limit = parse_int(request.query_params, "limit", 50)
    if number < 1:
        raise InvalidRequestError(f"page must be 1 or more, got {number}", code="invalid_query")
    if not 1 <= limit <= 100:
        raise InvalidRequestError(f"limit must be 1 to 100, got {limit}", code="invalid_query")
    return number, limit


def _meta(page: Page, number: int, limit: int) -> dict[str, int]:
    return {
        "page": number,
        "limit": limit,
        "totalItems": page.total,
        "totalPages": math.ceil(page.total / limit),
    }


async def _body(request: Request) -> Any:
    return await read_json_body(request, context_of(request).settings)


async def _evaluators(request: Request, project_id: str) -> dict[str, Evaluator]:
    ctx = context_of(request)
    every = await run_in_threadpool(reads.page, ctx.store, "evaluator", project_id, 1, 10_000)
    return {e.id: e for e in every.items}


@router.get(CONNECTIONS)
async def list_connections(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    number, limit = _paging(request)
    found = await run_in_threadpool(
        reads.page, context_of(request).store, "connection", caller.project_id, number, limit
    )
    return json_response(
        {"data": [connection_json(c) for c in found.items], "meta": _meta(found, number, limit)}
    )


@router.put(CONNECTIONS)
async def upsert_connection(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        evaluation.upsert_connection, ctx.store, caller.project_id, body, ctx.clock()
    )
    return json_response(connection_json(made))


@router.delete(CONNECTIONS + "/{item_id}")
async def delete_connection(
    item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        evaluation.delete, context_of(request).store, "connection", caller.project_id, item_id
    )
    return json_response({"message": "LLM connection deleted"})


@router.get(EVALUATORS)
async def list_evaluators(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    number, limit = _paging(request)
    found = await run_in_threadpool(
        reads.page, context_of(request).store, "evaluator", caller.project_id, number, limit
    )
    return json_response(
        {
            "data": [evaluator_json(e, found) for e in found.items],
            "meta": _meta(found, number, limit),
        }
    )


@router.post(EVALUATORS)
async def create_evaluator(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        evaluation.create_evaluator, ctx.store, caller.project_id, body, ctx.clock()
    )
    found = await run_in_threadpool(reads.one, ctx.store, "evaluator", caller.project_id, made.id)
    return json_response(evaluator_json(made, found))


@router.get(EVALUATORS + "/{item_id}")
async def get_evaluator(
    item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    found = await run_in_threadpool(
        reads.one, context_of(request).store, "evaluator", caller.project_id, item_id
    )
    return json_response(evaluator_json(found.items[0], found))


@router.delete(EVALUATORS + "/{item_id}")
async def delete_evaluator(
    item_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        evaluation.delete, context_of(request).store, "evaluator", caller.project_id, item_id
    )
    return json_response({"message": "Evaluator deleted"})


@router.get(RULES)
async def list_rules(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    number, limit = _paging(request)
    found = await run_in_threadpool(
        reads.page, context_of(request).store, "rule", caller.project_id, number, limit
    )
    evaluators = await _evaluators(request, caller.project_id)
    data = [rule_json(r, found, evaluators) for r in found.items]
    return json_response({"data": data, "meta": _meta(found, number, limit)})


async def _rule_answer(request: Request, project_id: str, rule_id: str) -> Response:
    found = await run_in_threadpool(
        reads.one, context_of(request).store, "rule", project_id, rule_id
    )
    evaluators = await _evaluators(request, project_id)
    return json_response(rule_json(found.items[0], found, evaluators))


@router.post(RULES)
async def create_rule(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    made = await run_in_threadpool(
        evaluation.create_rule, ctx.store, caller.project_id, body, ctx.clock()
    )
    return await _rule_answer(request, caller.project_id, made.id)


@router.get(RULES + "/{rule_id}")
async def get_rule(
    rule_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    return await _rule_answer(request, caller.project_id, rule_id)


@router.patch(RULES + "/{rule_id}")
async def patch_rule(
    rule_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    body = await _body(request)
    await run_in_threadpool(
        evaluation.change_rule, ctx.store, caller.project_id, rule_id, body, ctx.clock()
    )
    return await _rule_answer(request, caller.project_id, rule_id)


@router.delete(RULES + "/{rule_id}")
async def delete_rule(
    rule_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        evaluation.delete, context_of(request).store, "rule", caller.project_id, rule_id
    )
    return json_response({"message": "Evaluation rule deleted"})


@router.post(RULES + "/{rule_id}/run")
async def rerun(
    rule_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    """PowerRAG's backfill: evaluate the chosen sessions (traces, observations) again."""
    ctx = context_of(request)
    body = await _body(request)
    count = await run_in_threadpool(
        evaluation.backfill, ctx.store, caller.project_id, rule_id, body, ctx.clock()
    )
    return json_response({"enqueued": count}, status_code=202)


@router.get(RULES + "/{rule_id}/runs")
async def runs(
    rule_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    """PowerRAG's log of a rule's evaluations: state, attempts, last error."""
    found = await run_in_threadpool(
        reads.rule_runs, context_of(request).store, caller.project_id, rule_id
    )
    return json_response(
        {"data": [job_json(j) | {"targetId": _target_id(j.payload)} for j in found]}
    )


def _target_id(payload: str) -> str | None:
    value = orjson.loads(payload)
    return value.get("id") if isinstance(value, dict) else None
