"""Sessions list and Session Replay pages, their live event stream and their actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.query import replay, ui_sessions
from powerrag.query.ui_sessions import SessionListRequest
from powerrag.store.ui_sessions import SessionFilter
from powerrag.web.auth import check_csrf, current_user, require_user
from powerrag.web.common import ctx_of, member_page, project_page
from powerrag.web.live import session_stream
from powerrag.web.params import int_param, time_param
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/project/{project_id}/sessions")
async def sessions_list(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    q = request.query_params
    filters = SessionFilter(
        start=time_param(q.get("from", ""), "from"),
        end=time_param(q.get("to", ""), "to", end_of_day=True),
        user_id=q.get("user", "").strip(),
        environment=q.get("environment", "").strip(),
        bookmarked=q.get("bookmarked") == "1",
        id_contains=q.get("id", "").strip(),
        text=q.get("q", "").strip(),
    )
    req = SessionListRequest(
        filters,
        sort=q.get("sort", "last_activity"),
        descending=q.get("order", "desc") != "asc",
        page=int_param(q.get("page", ""), "page", 1),
        page_size=int_param(q.get("size", ""), "size", 50),
    )
    data = await run_in_threadpool(ui_sessions.list_sessions, page.ctx.store, project_id, req)
    keys = ("from", "to", "user", "environment", "bookmarked", "id", "q")
    data["filters"] = {k: q.get(k, "") for k in keys}
    return render(request, "sessions.html", {**page.chrome(), **data})


async def _replay_access(request: Request, project_id: str, session_id: str) -> dict[str, Any]:
    """Members see the session; anyone sees a published one (read-only); else 404.

    A signed-in user who is not a member of the project gets the same read-only
    view as a signed-out visitor: the public link shows that session and nothing else.
    """
    user = await current_user(request)
    store = ctx_of(request).store
    page = await member_page(request, project_id) if user is not None else None
    if page is not None:
        await run_in_threadpool(ui_sessions.require_session, store, project_id, session_id)
        return {**page.chrome(), "readOnly": False}
    session = await run_in_threadpool(ui_sessions.find_session, store, project_id, session_id)
    if session is None or not session["public"]:
        await require_user(request)
        raise NotFoundError("session not found")
    return {"project": {"id": project_id, "name": ""}, "projects": [], "readOnly": True}


@router.get("/project/{project_id}/sessions/{session_id}")
async def session_replay(request: Request, project_id: str, session_id: str) -> Response:
    chrome = await _replay_access(request, project_id, session_id)
    store = ctx_of(request).store
    header = await run_in_threadpool(replay.session_header, store, project_id, session_id)
    turns = await run_in_threadpool(replay.session_turns, store, project_id, session_id)
    context = {**chrome, **header, "turns": turns, "offset": 0, "pageSize": replay.TURNS_PAGE}
    return render(request, "session.html", context)


@router.get("/project/{project_id}/sessions/{session_id}/turns")
async def session_turns(request: Request, project_id: str, session_id: str) -> Response:
    """A page of turns (offset) or the named ones (ids=a,b): progressive and live loading."""
    chrome = await _replay_access(request, project_id, session_id)
    q = request.query_params
    ids = [i for i in q.get("ids", "").split(",") if i] or None
    offset = int_param(q.get("offset", ""), "offset", 0)
    turns = await run_in_threadpool(
        lambda: replay.session_turns(
            ctx_of(request).store,
            project_id,
            session_id,
            offset=0 if ids else offset,
            trace_ids=ids,
        )
    )
    context = {**chrome, "turns": turns, "offset": offset, "session": {"id": session_id}}
    return render(request, "_turns.html", context)


@router.get("/project/{project_id}/sessions/{session_id}/events")
async def session_events(request: Request, project_id: str, session_id: str) -> Response:
    """Server-sent events: `turns` with the ids of this session's traces that changed."""
    await _replay_access(request, project_id, session_id)
    user = await current_user(request)
    return session_stream(request, project_id, session_id, user.id if user else None)


def _back(project_id: str, session_id: str, anchor: str = "") -> RedirectResponse:
    url = f"/project/{quote(project_id, safe='')}/sessions/{quote(session_id, safe='')}{anchor}"
    return RedirectResponse(url, status_code=303)


@router.post("/project/{project_id}/sessions/{session_id}/flags")
async def session_flags(request: Request, project_id: str, session_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    flag = form.get("flag", "")
    if flag not in ("bookmarked", "public"):
        raise InvalidRequestError("flag is bookmarked or public")
    value = form.get("value") == "1"
    await run_in_threadpool(
        ui_sessions.set_flag, page.ctx.store, project_id, session_id, flag, value
    )
    if form.get("back") == "list":
        return RedirectResponse(f"/project/{quote(project_id, safe='')}/sessions", status_code=303)
    return _back(project_id, session_id)


@router.post("/project/{project_id}/sessions/{session_id}/comments")
async def session_comment(request: Request, project_id: str, session_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    store = page.ctx.store
    await run_in_threadpool(ui_sessions.require_session, store, project_id, session_id)
    trace_id = form.get("trace_id", "")
    object_type, object_id = ("TRACE", trace_id) if trace_id else ("SESSION", session_id)
    if trace_id and not await run_in_threadpool(
        ui_sessions.trace_in_session, store, project_id, session_id, trace_id
    ):
        raise NotFoundError(f"trace {trace_id!r} is not in this session")
    await run_in_threadpool(
        ui_sessions.add_comment,
        store,
        project_id,
        object_type,
        object_id,
        form.get("content", ""),
        page.user.id,
    )
    return _back(project_id, session_id, f"#turn-{trace_id}" if trace_id else "#comments")


@router.post("/project/{project_id}/sessions/{session_id}/scores")
async def session_score(request: Request, project_id: str, session_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    store = page.ctx.store
    session = await run_in_threadpool(ui_sessions.require_session, store, project_id, session_id)
    trace_id = form.get("trace_id") or None
    if trace_id and not await run_in_threadpool(
        ui_sessions.trace_in_session, store, project_id, session_id, trace_id
    ):
        raise NotFoundError(f"trace {trace_id!r} is not in this session")
    batch = ui_sessions.build_score(
        name=form.get("name", ""),
        data_type=form.get("data_type", ""),
        value=form.get("value", ""),
        comment=form.get("comment", ""),
        session_id=session_id,
        trace_id=trace_id,
        environment=session["environment"],
        author=page.user.id,
    )
    await page.ctx.pipeline.submit(project_id, batch)
    return _back(project_id, session_id, f"#turn-{trace_id}" if trace_id else "")
