"""PowerRAG's own endpoints of the session lifecycle: end a session, check and alert rules.

`POST /api/public/sessions/{id}/end`, `/api/public/checks` and `/api/public/alerts`
(documented in api/openapi.py and docs/evaluation.md).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import automations
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_json_body
from powerrag.api.serializers import session
from powerrag.context import context_of
from powerrag.domain.alerts import AlertRule
from powerrag.domain.checks import CheckRule
from powerrag.domain.jobs import JobRow
from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import end_session
from powerrag.query import automations as reads
from powerrag.responses import json_response

router = APIRouter()
_PATHS = {"check": "/api/public/checks", "alert": "/api/public/alerts"}


@router.post("/api/public/sessions/{session_id:path}/end")
async def end(
    session_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    row = await run_in_threadpool(
        end_session, ctx.store, caller.project_id, session_id, ctx.clock()
    )
    return json_response(session(row))


def check_json(rule: CheckRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "check": rule.check_kind,
        "target": rule.target,
        "threshold": rule.threshold,
        "pattern": rule.pattern,
        "enabled": rule.enabled,
        "createdAt": to_iso(rule.created_at),
        "updatedAt": to_iso(rule.updated_at),
    }


def alert_json(rule: AlertRule) -> dict[str, Any]:
    """The alert; its secret is never shown again: only whether it has one and its masked
    form (its last four characters), as an LLM connection's key."""
    return {
        "id": rule.id,
        "name": rule.name,
        "metric": rule.metric,
        "threshold": rule.threshold,
        "scoreName": rule.score_name,
        "webhookUrl": rule.webhook_url,
        "hasSecret": bool(rule.secret),
        "displaySecret": rule.display_secret,
        "bodyFormat": rule.body_format,
        "enabled": rule.enabled,
        "createdAt": to_iso(rule.created_at),
        "updatedAt": to_iso(rule.updated_at),
    }


def job_json(job: JobRow) -> dict[str, Any]:
    payload = _loads(job.payload)
    return {
        "id": job.id,
        "sessionId": payload.get("sessionId", payload.get("session")),
        "userId": payload.get("userId"),
        "state": job.state,
        "attempts": job.attempts,
        "lastError": job.last_error,
        "createdAt": to_iso(job.created_at),
        "nextAttemptAt": to_iso(job.run_after) if job.state == "pending" else None,
        "finishedAt": to_iso(job.finished_at),
    }


def _loads(text: str) -> dict[str, Any]:
    value = orjson.loads(text)
    return value if isinstance(value, dict) else {}


def _present(kind: str, rule: Any) -> dict[str, Any]:
    return check_json(rule) if kind == "check" else alert_json(rule)


def _routes(kind: str, log_name: str) -> None:
    base = _PATHS[kind]

    async def list_all(request: Request, caller: Caller = Depends(project_caller)) -> Response:
        ctx = context_of(request)
        found = await run_in_threadpool(reads.list_rules, ctx.store, kind, caller.project_id)
        return json_response({"data": [_present(kind, r) for r in found]})

    async def create(request: Request, caller: Caller = Depends(project_caller)) -> Response:
        ctx = context_of(request)
        body = await read_json_body(request, ctx.settings)
        made = await run_in_threadpool(
            automations.create, ctx.store, kind, caller.project_id, body, ctx.clock()
        )
        return json_response(_present(kind, made), status_code=201)

    async def get_one(
        rule_id: str, request: Request, caller: Caller = Depends(project_caller)
    ) -> Response:
        ctx = context_of(request)
        found = await run_in_threadpool(
            reads.require_rule, ctx.store, kind, caller.project_id, rule_id
        )
        return json_response(_present(kind, found))

    async def patch(
        rule_id: str, request: Request, caller: Caller = Depends(project_caller)
    ) -> Response:
        ctx = context_of(request)
        body = await read_json_body(request, ctx.settings)
        changed = await run_in_threadpool(
            automations.change, ctx.store, kind, caller.project_id, rule_id, body, ctx.clock()
        )
        return json_response(_present(kind, changed))

    async def remove(
        rule_id: str, request: Request, caller: Caller = Depends(project_caller)
    ) -> Response:
        ctx = context_of(request)
        await run_in_threadpool(automations.remove, ctx.store, kind, caller.project_id, rule_id)
        return json_response({"message": f"{kind} deleted"})

    async def log(
        rule_id: str, request: Request, caller: Caller = Depends(project_caller)
    ) -> Response:
        ctx = context_of(request)
        found = await run_in_threadpool(
            reads.rule_jobs, ctx.store, kind, caller.project_id, rule_id
        )
        return json_response({"data": [job_json(j) for j in found]})

    router.add_api_route(base, list_all, methods=["GET"])
    router.add_api_route(base, create, methods=["POST"])
    router.add_api_route(base + "/{rule_id}", get_one, methods=["GET"])
    router.add_api_route(base + "/{rule_id}", patch, methods=["PATCH"])
    router.add_api_route(base + "/{rule_id}", remove, methods=["DELETE"])
    router.add_api_route(base + "/{rule_id}/" + log_name, log, methods=["GET"])


_routes("check", "runs")
_routes("alert", "deliveries")
