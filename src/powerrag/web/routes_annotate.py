"""Annotation in the replay: add, edit and delete scores and comments of a session's turns.

A saved form answers with a redirect to the turn (reloading never posts again); a
refused one answers 422 with the replay and the form filled in as it was, its error
beside it (issue 12, item 7). Changes to a score or comment are for its author and
the project's owners and administrators; anyone else gets 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import accounts, annotate, queue_work, score_configs, urls
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.records import IngestBatch
from powerrag.query import sessions
from powerrag.web.auth import check_csrf
from powerrag.web.common import ProjectPage, project_page
from powerrag.web.params import required_param
from powerrag.web.render import WebRoute
from powerrag.web.routes_sessions import replay_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PART = "/project/{project_id}/replay"  # the session in `?session=` (urls.py says why)


def _ids(request: Request, name: str = "") -> tuple[str, str]:
    """The session of the form's address and the score or comment (`name`) it changes."""
    q = request.query_params
    return required_param(q, "session"), required_param(q, name) if name else ""


def _back(project_id: str, session_id: str, trace_id: str | None) -> RedirectResponse:
    anchor = f"#turn-{trace_id}" if trace_id else "#comments"
    return RedirectResponse(urls.session(project_id, session_id) + anchor, status_code=303)


async def _refused(
    request: Request,
    page: ProjectPage,
    session_id: str,
    key: str,
    form: dict[str, str],
    error: str,
) -> Response:
    """The replay again, with the refused form (`key`, as _annotate.html names it) filled in
    as it was and its error (422)."""
    fields = {k: v for k, v in form.items() if k != "csrf_token"}
    annotation: dict[str, Any] = {
        "key": key,
        "turn": form.get("trace_id") or None,
        "fields": fields,
        "error": error,
    }
    return await replay_page(
        request, page.project.id, session_id, annotation=annotation, status=422
    )


async def _trace_of(page: ProjectPage, session_id: str, form: dict[str, str]) -> str | None:
    """The turn a new score or comment is for (none: the session itself)."""
    store, project_id = page.ctx.store, page.project.id
    await run_in_threadpool(sessions.require_session, store, project_id, session_id)
    trace_id = form.get("trace_id") or None
    if trace_id and not await run_in_threadpool(
        sessions.trace_in_session, store, project_id, session_id, trace_id
    ):
        raise NotFoundError(f"trace {trace_id!r} is not in this session")
    return trace_id


async def _editor(page: ProjectPage) -> annotate.Editor:
    manages = await run_in_threadpool(
        accounts.can_manage, page.ctx.store, page.user, page.project.id
    )
    return annotate.Editor(page.user.id, manages)


@router.post(f"{PART}/comments")
async def add_comment(request: Request, project_id: str) -> Response:
    session_id, _ = _ids(request)
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    trace_id = await _trace_of(page, session_id, form)
    object_type, object_id = ("TRACE", trace_id) if trace_id else ("SESSION", session_id)
    try:
        await run_in_threadpool(
            annotate.add_comment,
            page.ctx.store,
            project_id,
            object_type,
            object_id,
            form.get("content", ""),
            page.user.id,
        )
    except InvalidRequestError as exc:
        key = f"comment:{trace_id or ''}"
        return await _refused(request, page, session_id, key, form, str(exc))
    return _back(project_id, session_id, trace_id)


@router.post(f"{PART}/scores")
async def add_score(request: Request, project_id: str) -> Response:
    session_id, _ = _ids(request)
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    trace_id = await _trace_of(page, session_id, form)
    session = await run_in_threadpool(
        sessions.require_session, page.ctx.store, project_id, session_id
    )
    try:
        if form.get("config_id"):
            batch = await _config_score(page, form, session_id, trace_id, session.environment)
        else:
            batch = annotate.annotation_score(
                name=form.get("name", ""),
                data_type=form.get("data_type", ""),
                value=form.get("value", ""),
                comment=form.get("comment", ""),
                session_id=session_id,
                trace_id=trace_id,
                environment=session.environment,
                author=page.user.id,
            )
    except InvalidRequestError as exc:
        key = f"score:{trace_id or ''}"
        return await _refused(request, page, session_id, key, form, str(exc))
    await page.ctx.pipeline.submit(project_id, batch)
    return _back(project_id, session_id, trace_id)


async def _config_score(
    page: ProjectPage, form: dict[str, str], session_id: str, trace_id: str | None, env: str
) -> IngestBatch:
    """A score with one of the project's score configs: its name and type are the config's."""
    store, project_id = page.ctx.store, page.project.id
    try:
        config = await run_in_threadpool(
            score_configs.get_config, store, project_id, form["config_id"]
        )
    except NotFoundError:
        raise InvalidRequestError("that score config is not the project's") from None
    subject = queue_work.Subject(None if trace_id else session_id, trace_id, None, env)
    return await run_in_threadpool(
        lambda: queue_work.config_score(
            store,
            project_id,
            config,
            subject,
            value=form.get("value", ""),
            comment=form.get("comment", ""),
            author=page.user.id,
        )
    )


@router.post(f"{PART}/scores/edit")
async def edit_score(request: Request, project_id: str) -> Response:
    session_id, score_id = _ids(request, "score")
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    store = page.ctx.store
    row = await run_in_threadpool(annotate.session_score, store, project_id, session_id, score_id)
    form = {**form, "trace_id": row.trace_id or ""}
    editor = await _editor(page)
    try:
        batch = annotate.edited_score(row, editor, form.get("value", ""), form.get("comment", ""))
    except InvalidRequestError as exc:
        key = f"score-edit:{score_id}"
        return await _refused(request, page, session_id, key, form, str(exc))
    await page.ctx.pipeline.submit(project_id, batch)
    return _back(project_id, session_id, row.trace_id)


@router.post(f"{PART}/scores/delete")
async def delete_score(request: Request, project_id: str) -> Response:
    session_id, score_id = _ids(request, "score")
    page = await project_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    row = await run_in_threadpool(annotate.session_score, store, project_id, session_id, score_id)
    await run_in_threadpool(annotate.delete_score, store, row, await _editor(page))
    return _back(project_id, session_id, row.trace_id)


@router.post(f"{PART}/comments/edit")
async def edit_comment(request: Request, project_id: str) -> Response:
    session_id, comment_id = _ids(request, "comment")
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    store = page.ctx.store
    row = await run_in_threadpool(
        annotate.session_comment, store, project_id, session_id, comment_id
    )
    trace_id = row.object_id if row.object_type == "TRACE" else None
    editor = await _editor(page)
    try:
        await run_in_threadpool(
            annotate.edit_comment, store, project_id, row, editor, form.get("content", "")
        )
    except InvalidRequestError as exc:
        form = {**form, "trace_id": trace_id or ""}
        key = f"comment-edit:{comment_id}"
        return await _refused(request, page, session_id, key, form, str(exc))
    return _back(project_id, session_id, trace_id)


@router.post(f"{PART}/comments/delete")
async def delete_comment(request: Request, project_id: str) -> Response:
    session_id, comment_id = _ids(request, "comment")
    page = await project_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    row = await run_in_threadpool(
        annotate.session_comment, store, project_id, session_id, comment_id
    )
    await run_in_threadpool(annotate.delete_comment, store, project_id, row, await _editor(page))
    return _back(project_id, session_id, row.object_id if row.object_type == "TRACE" else None)
