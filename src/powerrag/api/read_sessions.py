"""`/api/public/sessions`: the paged list and one session with its traces."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.api.auth import Caller, project_caller
from powerrag.api.params import parse_page, session_filter
from powerrag.api.serializers import paginated, session, session_with_traces
from powerrag.context import context_of
from powerrag.domain.filters import SessionOrder
from powerrag.query import sessions
from powerrag.responses import json_response

router = APIRouter()


@router.get("/api/public/sessions")
async def list_sessions(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    q = request.query_params
    f, page = session_filter(q), parse_page(q)
    found = await run_in_threadpool(
        sessions.list_sessions, ctx.store, caller.project_id, f, SessionOrder(), page
    )
    return json_response(paginated(found.paged, [session(row) for row in found.paged.items]))


# Session ids are free text: `:path` keeps an encoded "/" inside the id.
@router.get("/api/public/sessions/{session_id:path}")
async def get_session(
    session_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    found = await run_in_threadpool(sessions.get_session, ctx.store, caller.project_id, session_id)
    return json_response(session_with_traces(found))
