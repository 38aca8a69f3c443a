"""`GET /api/public/health` and `GET /api/public/projects`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import __version__
from powerrag.api.auth import Caller, project_caller
from powerrag.context import context_of
from powerrag.domain.retention import effective_days
from powerrag.query.accounts import get_project
from powerrag.responses import json_response

router = APIRouter()


@router.get("/api/public/health")
async def health(request: Request, failIfDatabaseUnavailable: bool = False) -> Response:  # noqa: N803
    ctx = context_of(request)
    if failIfDatabaseUnavailable and not await run_in_threadpool(ctx.store.ping):
        return json_response({"status": "Database not available", "version": __version__}, 503)
    return json_response({"status": "OK", "version": __version__})


@router.get("/api/public/ready")
async def ready() -> Response:
    return json_response({"status": "OK", "version": __version__})


@router.get("/api/public/projects")
async def projects(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    project = await run_in_threadpool(get_project, ctx.store, caller.project_id)
    data = []
    if project is not None:
        item: dict[str, object] = {
            "id": project.id,
            "name": project.name,
            "organization": {"id": ctx.settings.org_id, "name": ctx.settings.org_name},
            "metadata": {},
        }
        # As Langfuse: omitted when nothing is deleted by age; else the days in force,
        # the project's own or the server's default (docs/operations.md).
        days = effective_days(project.retention_days, ctx.settings.retention_days)
        if days:
            item["retentionDays"] = days
        data.append(item)
    return json_response({"data": data})
