"""Langfuse's prompt endpoints: `/api/public/v2/prompts` (list, create), `…/{promptName}`
(get by label or version, delete) and `…/{name}/versions/{version}` (add labels).

Answers are Langfuse's (web/src/features/prompts/server/handlers/ in its repository): a
new version is 201, a deletion 204 with no body, a prompt missing is a 404 whose message
names the label or version looked for, and a prompt carries `isActive` (it has the
`production` label). Names hold `/` folders: the SDKs send them URL-encoded, which the
`path` converter takes whole. Langfuse caches prompts on the server and sends no caching
headers; the SDKs cache on their side, so neither does PowerRAG.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import prompts as writes
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.params import parse_bool, parse_int, parse_time, text
from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.prompts import PRODUCTION, PromptFilter, PromptMeta, PromptVersion
from powerrag.domain.timeutil import to_iso
from powerrag.query import prompts as reads
from powerrag.responses import json_response

router = APIRouter()
PROMPTS = "/api/public/v2/prompts"


def prompt_json(item: PromptVersion) -> dict[str, Any]:
    return {
        "id": item.id,
        "createdAt": to_iso(item.created_at),
        "updatedAt": to_iso(item.updated_at),
        "projectId": item.project_id,
        "createdBy": item.created_by,
        "prompt": item.prompt,
        "name": item.name,
        "version": item.version,
        "type": item.type,
        "isActive": PRODUCTION in item.labels,
        "config": item.config,
        "tags": list(item.tags),
        "labels": list(item.labels),
        "commitMessage": item.commit_message,
        "resolutionGraph": None,
    }


def meta_json(item: PromptMeta) -> dict[str, Any]:
    return {
        "name": item.name,
        "type": item.type,
        "versions": list(item.versions),
        "labels": list(item.labels),
        "tags": list(item.tags),
        "lastUpdatedAt": to_iso(item.last_updated_at),
        "lastConfig": item.last_config,
    }


def _number(value: str) -> int:
    """A version number: prompt versions are 32-bit integers in the database."""
    if not value.isascii() or not value.isdigit() or int(value) >= 2**31:
        raise InvalidRequestError(f"version must be a positive integer, got {value!r}")
    return int(value)


def _version(request: Request) -> int | None:
    value = request.query_params.get("version")
    return _number(value) if value else None


def _filter(request: Request) -> PromptFilter:
    params = request.query_params
    return PromptFilter(
        name=text(params, "name"),
        label=text(params, "label"),
        tag=text(params, "tag"),
        version=_version(request),
        from_updated_at=parse_time(params, "fromUpdatedAt"),
        to_updated_at=parse_time(params, "toUpdatedAt"),
    )


@router.get(PROMPTS)
async def list_prompts(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    number = parse_int(request.query_params, "page", 1)
    limit = parse_int(request.query_params, "limit", 10)
    if number < 1:
        raise InvalidRequestError(f"page must be 1 or more, got {number}")
    if not 1 <= limit <= 100:
        raise InvalidRequestError(f"limit must be 1 to 100, got {limit}")
    found = await run_in_threadpool(
        reads.page, context_of(request).store, caller.project_id, _filter(request), number, limit
    )
    meta = {
        "page": number,
        "limit": limit,
        "totalItems": found.total,
        "totalPages": math.ceil(found.total / limit),
    }
    # `pagination` repeats `meta`, as Langfuse does for its first clients (its issue 2068).
    data = [meta_json(m) for m in found.items]
    return json_response({"data": data, "meta": meta, "pagination": meta})


@router.post(PROMPTS)
async def create_prompt(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    body = await read_json_body(request, ctx.settings)
    made = await run_in_threadpool(
        writes.create, ctx.store, caller.project_id, body, "API", ctx.clock()
    )
    return json_response(prompt_json(made), status_code=201)


@router.get(PROMPTS + "/{prompt_name:path}")
async def get_prompt(
    prompt_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    parse_bool(request.query_params, "resolve")
    found = await run_in_threadpool(
        reads.get,
        context_of(request).store,
        caller.project_id,
        prompt_name,
        version=_version(request),
        label=text(request.query_params, "label"),
    )
    return json_response(prompt_json(found))


@router.delete(PROMPTS + "/{prompt_name:path}")
async def delete_prompt(
    prompt_name: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    await run_in_threadpool(
        writes.delete,
        context_of(request).store,
        caller.project_id,
        prompt_name,
        _version(request),
        text(request.query_params, "label"),
    )
    return Response(status_code=204)


@router.patch(PROMPTS + "/{name:path}/versions/{version}")
async def update_labels(
    name: str, version: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    number = _number(version)
    ctx = context_of(request)
    body = await read_json_body(request, ctx.settings)
    updated = await run_in_threadpool(
        writes.add_labels, ctx.store, caller.project_id, name, number, body, ctx.clock()
    )
    return json_response(prompt_json(updated))
