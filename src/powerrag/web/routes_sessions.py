"""Sessions list and Session Replay pages, their live event stream and their actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import accounts, annotate, project_options, urls
from powerrag.context import context_of
from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import SESSION_SORTS
from powerrag.query import automations, dataset_views, replay, sessions
from powerrag.query import evaluation as evaluation_reads
from powerrag.web.auth import check_csrf, current_user, require_user
from powerrag.web.common import member_page, project_page, search_ready
from powerrag.web.content import mark_held
from powerrag.web.live import session_stream
from powerrag.web.params import (
    SESSION_FILTER_KEYS,
    int_param,
    required_param,
    score_columns,
    session_list,
)
from powerrag.web.render import WebRoute, render
from powerrag.web.routes_legacy import legacy_part
from powerrag.web.routes_queues import annotation_options
from powerrag.web.views import header_view, sessions_page, turn_view

router = APIRouter(route_class=WebRoute, include_in_schema=False)
# Turns are loaded a page at a time; an offset past this is no session's.
MAX_OFFSET = 10_000_000
# The parts of a replay, the session in `?session=` (urls.py says why).
PART = "/project/{project_id}/replay"


@router.get("/project/{project_id}/sessions")
async def sessions_list(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    q = request.query_params
    f, order, paging = session_list(q)
    columns = score_columns(q.getlist("col"), f)
    searching = await search_ready(page.ctx, project_id, f.text)
    found = await run_in_threadpool(
        lambda: sessions.list_sessions(
            page.ctx.store, project_id, f, order, paging, with_scores=True
        )
    )
    alerted = await run_in_threadpool(
        automations.fired_alerts,
        page.ctx.store,
        project_id,
        [row.id for row in found.paged.items],
    )
    data = {
        **sessions_page(found),
        "alerted": alerted,
        "sort": order.sort,
        "order": "desc" if order.descending else "asc",
        "environments": found.environments,
        "sorts": list(SESSION_SORTS),
        "filters": {k: q.get(k, "") for k in SESSION_FILTER_KEYS},
        "scoreColumns": columns,
        # Carried by the sort links and the pager, as the filters are.
        "columnsQuery": urlencode([("col", n) for n in columns]),
        **searching,
    }
    options = await annotation_options(page.ctx, project_id)
    if "queues" in options:
        data["queues"] = options["queues"]
    return render(request, "sessions.html", {**page.chrome(), **data})


async def _replay_access(request: Request, project_id: str, session_id: str) -> dict[str, Any]:
    """Members see the session; anyone sees a published one (read-only); else 404.

    A signed-in user who is not a member of the project gets the same read-only
    view as a signed-out visitor: the public link shows that session and nothing else,
    without the end users' ids unless the project opts in (issue 12, item 8).
    """
    user = await current_user(request)
    store = context_of(request).store
    page = await member_page(request, project_id) if user is not None else None
    if page is not None:
        await run_in_threadpool(sessions.require_session, store, project_id, session_id)
        manage = await run_in_threadpool(accounts.can_manage, store, page.user, project_id)
        options = await annotation_options(page.ctx, project_id)
        chrome = {**page.chrome(), "readOnly": False, "showUsers": True, "canManage": manage}
        return {**chrome, **options}
    session = await run_in_threadpool(sessions.find_session, store, project_id, session_id)
    if session is None or not session.public:
        await require_user(request)
        raise NotFoundError("session not found")
    show = await run_in_threadpool(project_options.public_shows_users, store, project_id)
    project = {"id": project_id, "name": ""}
    return {"project": project, "projects": [], "readOnly": True, "showUsers": show}


def _views(chrome: dict[str, Any]) -> dict[str, bool]:
    return {"public": chrome["readOnly"], "show_users": chrome["showUsers"]}


@router.get(f"{PART}/turns")
async def session_turns(request: Request, project_id: str) -> Response:
    """A page of turns (offset) or the named ones (`id`, repeated: a trace id may hold a
    comma): progressive and live loading."""
    session_id = required_param(request.query_params, "session")
    chrome = await _replay_access(request, project_id, session_id)
    q = request.query_params
    ids = [i for i in q.getlist("id") if i] or None
    offset = int_param(q.get("offset", ""), "offset", 0, high=MAX_OFFSET)
    turns = await run_in_threadpool(
        lambda: replay.session_turns(
            context_of(request).store,
            project_id,
            session_id,
            offset=0 if ids else offset,
            trace_ids=ids,
        )
    )
    views = [turn_view(t, **_views(chrome)) for t in turns]
    await mark_held(context_of(request), project_id, views)
    context = {**chrome, "turns": views, "offset": offset, "session": {"id": session_id}}
    return render(request, "_turns.html", context)


@router.get(f"{PART}/figures")
async def session_figures(request: Request, project_id: str) -> Response:
    """The header's figures and the session timeline, fetched again as live traces arrive."""
    session_id = required_param(request.query_params, "session")
    chrome = await _replay_access(request, project_id, session_id)
    store = context_of(request).store
    header = await run_in_threadpool(replay.session_header, store, project_id, session_id)
    context = {**chrome, **header_view(header, **_views(chrome))}
    return render(request, "_live_header.html", context)


@router.get(f"{PART}/events")
async def session_events(request: Request, project_id: str) -> Response:
    """Server-sent events: `turns` with the ids of this session's traces that changed."""
    session_id = required_param(request.query_params, "session")
    await _replay_access(request, project_id, session_id)
    user = await current_user(request)
    return session_stream(request, project_id, session_id, user.id if user else None)


def _back(project_id: str, session_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(urls.session(project_id, session_id) + anchor, status_code=303)


@router.post(f"{PART}/flags")
async def session_flags(request: Request, project_id: str) -> Response:
    session_id = required_param(request.query_params, "session")
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    flag, value = form.get("flag", ""), form.get("value") == "1"
    await run_in_threadpool(annotate.set_flag, page.ctx.store, project_id, session_id, flag, value)
    if form.get("back") == "list":
        return RedirectResponse(urls.sessions(project_id), status_code=303)
    return _back(project_id, session_id)


# Session ids are free text and may hold "/": the whole rest of the path is the id.
@router.get("/project/{project_id}/sessions/{session_id:path}")
async def session_replay(request: Request, project_id: str, session_id: str) -> Response:
    try:
        return await replay_page(request, project_id, session_id)
    except NotFoundError:
        moved = legacy_part(request, project_id, session_id)
        if moved is None:
            raise
        return moved


async def replay_page(
    request: Request,
    project_id: str,
    session_id: str,
    *,
    annotation: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The replay; with `annotation`, a refused annotation form shown again with its input.

    Turns load a page at a time; the form's turn (and those before it) are loaded with
    the first page so the form is there to show.
    """
    chrome = await _replay_access(request, project_id, session_id)
    store = context_of(request).store
    header = await run_in_threadpool(replay.session_header, store, project_id, session_id)
    ids = [split.trace_id for split in header.timeline]
    target = (annotation or {}).get("turn")
    limit = max(replay.TURNS_PAGE, ids.index(target) + 1 if target in ids else 0)
    turns = await run_in_threadpool(
        lambda: replay.session_turns(store, project_id, session_id, limit=limit)
    )
    context = {
        **chrome,
        **header_view(header, **_views(chrome)),
        "turns": [turn_view(t, **_views(chrome)) for t in turns],
        "offset": 0,
        "pageSize": replay.TURNS_PAGE,
        "annotation": annotation,
    }
    await mark_held(context_of(request), project_id, context["turns"])
    if not chrome["readOnly"]:
        context["publicUrl"] = urls.absolute(request, urls.session(project_id, session_id))
        context |= await _evaluation_context(store, project_id, session_id)
        context["tried"] = request.query_params.get("tried") == "1"
        context["datasetNames"] = await run_in_threadpool(dataset_views.names, store, project_id)
        context["added"] = request.query_params.get("added")
    return render(request, "session.html", context, status=status)


async def _evaluation_context(store: Any, project_id: str, session_id: str) -> dict[str, Any]:
    """The alerts the session fired and the session rules to try on it (members only)."""
    fired = await run_in_threadpool(automations.fired_alerts, store, project_id, [session_id])
    every = await run_in_threadpool(evaluation_reads.page, store, "rule", project_id, 1, 100)
    rules = [{"id": r.id, "name": r.name} for r in every.items if r.target == "session"]
    return {"alerts": fired.get(session_id, []), "sessionRules": rules}
