"""Media and whole values: the image, audio or file a trace references, and "view raw" /
"download" of an input, output or metadata that the pages clip.

Members of the project read everything. A published session's public link
(`?session=`) reads the media its traces reference and its turns' values, nothing else;
anything else answers as if it were not there (routes_sessions.py `_replay_access`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.context import context_of
from powerrag.domain.errors import NotFoundError
from powerrag.domain.media import file_name
from powerrag.query import content, sessions
from powerrag.query.media import media_content, media_in_session
from powerrag.responses import file_response
from powerrag.web.auth import current_user, require_user
from powerrag.web.common import member_page, project_page
from powerrag.web.render import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NO_CACHE = "private, no-cache"


async def _may_read(
    request: Request, project_id: str, session_id: str | None, in_session: Callable[[str], bool]
) -> None:
    """Members pass; so does a published session's link for what `in_session` finds in it."""
    user = await current_user(request)
    if user is not None and await member_page(request, project_id) is not None:
        return
    if session_id is not None:
        store = context_of(request).store
        found = await run_in_threadpool(sessions.find_session, store, project_id, session_id)
        if found is not None and found.public:
            if await run_in_threadpool(in_session, session_id):
                return
            raise NotFoundError("not found in this session")
    await require_user(request)
    raise NotFoundError("project not found")


@router.get("/project/{project_id}/media/{media_id}")
async def media_file(
    request: Request,
    project_id: str,
    media_id: str,
    session: str | None = None,
    download: str = "",
) -> Response:
    """The bytes, with their exact type; `download=1` as an attachment."""
    store = context_of(request).store
    await _may_read(
        request, project_id, session, lambda s: media_in_session(store, project_id, s, media_id)
    )
    found = await run_in_threadpool(media_content, store, project_id, media_id)
    if found is None:
        raise NotFoundError("media not uploaded: the SDK registered it but its bytes never came")
    name = file_name(media_id, found.content_type)
    return file_response(found.content, found.content_type, name, attachment=download == "1")


def _safe_name(*parts: str) -> str:
    return _UNSAFE_NAME.sub("_", "-".join(parts))[:120]


def _whole(value: str, name: str, download: bool) -> Response:
    """The stored JSON as a download, or readable text to view: a string value as itself,
    anything else indented; text that is not JSON as it is."""
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return file_response(
            value.encode(),
            "text/plain; charset=utf-8",
            f"{name}.txt",
            attachment=download,
            cache=NO_CACHE,
        )
    if download:
        return file_response(
            value.encode(),
            "application/json; charset=utf-8",
            f"{name}.json",
            attachment=True,
            cache=NO_CACHE,
        )
    text = parsed if isinstance(parsed, str) else None
    body = text.encode() if text is not None else orjson.dumps(parsed, option=orjson.OPT_INDENT_2)
    return file_response(body, "text/plain; charset=utf-8", f"{name}.txt", cache=NO_CACHE)


@router.get("/project/{project_id}/trace/content")
async def trace_value(
    request: Request,
    project_id: str,
    trace: str,
    field: str,
    observation: str | None = None,
    session: str | None = None,
    download: str = "",
) -> Response:
    """A value whole: an observation's input, output or metadata (members only), or a turn's
    input or output as the replay shows it, or the trace's metadata (also through a published
    session's link)."""
    content.check_field(field)
    if observation is not None:
        page = await project_page(request, project_id)
        value = await run_in_threadpool(
            content.observation_content, page.ctx.store, project_id, trace, observation, field
        )
        name = _safe_name(trace, observation, field)
    else:
        store = context_of(request).store
        await _may_read(
            request,
            project_id,
            session,
            lambda s: sessions.trace_in_session(store, project_id, s, trace),
        )
        value = await run_in_threadpool(content.turn_content, store, project_id, trace, field)
        name = _safe_name(trace, field)
    return await run_in_threadpool(_whole, value, name, download == "1")
