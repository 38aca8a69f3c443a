"""Old addresses of a replay's parts, `…/sessions/{id}/{part}`, moved to `…/replay/{part}`.

Under the old scheme an id ending in "/figures" could not be told from the figures of
another session (urls.py). A replay whose whole id names no session, and every POST to
the old form addresses, are sent on with 308 (method and body kept), so a page opened
before an upgrade keeps working; an id that names a session is that session's replay.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from powerrag import urls
from powerrag.domain.errors import NotFoundError
from powerrag.web.auth import check_csrf
from powerrag.web.common import project_page
from powerrag.web.render import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_READS: dict[str, Callable[[str, str], str]] = {
    "turns": urls.session_turns,
    "figures": urls.session_figures,
    "events": urls.session_events,
}
_FORMS: dict[str, Callable[[str, str], str]] = {
    "flags": urls.session_flags,
    "scores": urls.session_scores,
    "comments": urls.session_comments,
}
_ACTIONS: dict[str, Callable[[str, str, str, str], str]] = {
    "scores": urls.score_action,
    "comments": urls.comment_action,
}
# The old routes' `{session_id:path}` was greedy: the last match of the suffix wins.
_PART = re.compile(r"(?P<session>.+)/(?P<part>[a-z]+)", re.DOTALL)
_ACTION = re.compile(
    r"(?P<session>.+)/(?P<kind>scores|comments)/(?P<id>[^/]+)/(?P<action>edit|delete)", re.DOTALL
)


def _moved(request: Request, target: str) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(f"{target}&{query}" if query else target, status_code=308)


def legacy_part(request: Request, project_id: str, rest: str) -> Response | None:
    """Where an old `…/sessions/{id}/turns|figures|events` address moved, if `rest` is one."""
    found = _PART.fullmatch(rest)
    if found is None or found["part"] not in _READS:
        return None
    return _moved(request, _READS[found["part"]](project_id, found["session"]))


@router.post("/project/{project_id}/sessions/{rest:path}")
async def legacy_form(request: Request, project_id: str, rest: str) -> Response:
    """An old form address: add a flag, score or comment; edit or delete one. Membership
    and the token are checked here too, as at every form: a project one cannot see answers
    404 like a missing one, a forged post is refused where it lands."""
    await project_page(request, project_id)
    await check_csrf(request)
    action = _ACTION.fullmatch(rest)
    if action is not None:
        build = _ACTIONS[action["kind"]]
        return _moved(request, build(project_id, action["session"], action["id"], action["action"]))
    found = _PART.fullmatch(rest)
    if found is None or found["part"] not in _FORMS:
        raise NotFoundError("no such form")
    return _moved(request, _FORMS[found["part"]](project_id, found["session"]))
