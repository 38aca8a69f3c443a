"""The prompt pages: the list by folder, a prompt's versions (one shown, a diff of two, the
figures of the generations that used each), labels moved with a click, new versions.

Forms become the API's JSON bodies and go through the same service (powerrag/prompts.py),
so the UI and the API check the same rules; every form posts, then redirects (303) to the
page it came from. Any member of the project may change its prompts, as in Langfuse.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import accounts, playground, urls
from powerrag import prompts as writes
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.prompts import LATEST, PRODUCTION, PromptVersion, folder_of
from powerrag.outbound import Destinations
from powerrag.query import prompts as reads
from powerrag.web.auth import check_csrf
from powerrag.web.common import ProjectPage, project_page
from powerrag.web.params import int_param
from powerrag.web.prompt_try import try_attempt, try_view
from powerrag.web.prompt_views import diff_view, editable, list_view, version_view
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
BASE = "/project/{project_id}/prompts"


@router.get(BASE)
async def prompt_list(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    found = await run_in_threadpool(reads.every_prompt, page.ctx.store, project_id)
    folder = request.query_params.get("folder", "").strip("/")
    return render(request, "prompts.html", {**page.chrome(), **list_view(found, folder)})


@router.get(BASE + "/new")
async def new_prompt(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    folder = request.query_params.get("folder", "").strip("/")
    return render(request, "prompt_new.html", {**page.chrome(), "folder": folder})


def _shown(versions: list[PromptVersion], number: int | None) -> PromptVersion:
    if number is None:
        return versions[0]
    for version in versions:
        if version.version == number:
            return version
    raise NotFoundError(f"this prompt has no version {number}")


def _number(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int_param(value, name, 0, low=1, high=2**31 - 1) if value else None


@router.get(BASE + "/{name:path}")
async def prompt_page(request: Request, project_id: str, name: str) -> Response:
    page = await project_page(request, project_id)
    return await _version_page(request, page, name, None)


async def _version_page(
    request: Request, page: ProjectPage, name: str, tried: dict[str, Any] | None
) -> Response:
    """A version's page; `tried` is a refused "Try it" form, shown again with its error."""
    project_id = page.project.id
    found = await run_in_threadpool(reads.detail, page.ctx.store, project_id, name)
    number = _number(request, "version")
    if tried is not None:
        number = int(tried["version"])
    shown = _shown(found.versions, number)
    base = _number(request, "diff")
    labels = {x for v in found.versions for x in v.labels if x != LATEST} | {PRODUCTION}
    members = await run_in_threadpool(accounts.list_members, page.ctx.store, project_id)
    authors = {m.user_id: m.name or m.email for m in members}
    authors[page.user.id] = page.user.name or page.user.email
    usage = found.usage
    choices = await run_in_threadpool(playground.choices, page.ctx.store, project_id)
    context = {
        **page.chrome(),
        "name": name,
        "folder": folder_of(name),
        "tags": list(found.versions[0].tags),
        "versions": [version_view(v, usage.get(v.version), authors) for v in found.versions],
        "shown": version_view(shown, usage.get(shown.version), authors),
        "diff": diff_view(_shown(found.versions, base), shown) if base is not None else None,
        "movableLabels": sorted(labels - set(shown.labels)),
        "draft": {"prompt": editable(shown), "config": version_view(shown, None)["config"]},
        "tryIt": try_view(shown, choices, tried),
    }
    return render(request, "prompt.html", context, status=422 if tried else 200)


def _json(text: str, field: str, default: Any) -> Any:
    if not text.strip():
        return default
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"{field} must be JSON: {exc}") from None


def _body(form: dict[str, str], name: str) -> dict[str, Any]:
    """A new-version form as the API's CreatePromptRequest."""
    kind = form.get("type", "text")
    text = form.get("prompt", "")
    return {
        "name": name,
        "type": kind,
        "prompt": _json(text, "the messages", None) if kind == "chat" else text,
        "config": _json(form.get("config", ""), "config", {}),
        "labels": [x.strip() for x in form.get("labels", "").split(",") if x.strip()],
        "commitMessage": form.get("commit_message", "").strip() or None,
    }


def _saved(project_id: str, made: PromptVersion) -> RedirectResponse:
    return RedirectResponse(urls.prompt_version(project_id, made.name, made.version), 303)


@router.post(BASE)
async def create_prompt(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    body = _body(form, form.get("name", ""))
    made = await run_in_threadpool(
        writes.create, page.ctx.store, project_id, body, page.user.id, page.ctx.clock()
    )
    return _saved(project_id, made)


@router.post(BASE + "/{name:path}/versions")
async def create_version(request: Request, project_id: str, name: str) -> Response:
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    made = await run_in_threadpool(
        writes.create, page.ctx.store, project_id, _body(form, name), page.user.id, page.ctx.clock()
    )
    return _saved(project_id, made)


@router.post(BASE + "/{name:path}/labels")
async def move_label(request: Request, project_id: str, name: str) -> Response:
    """Put one label on one version, taking it from the version that had it."""
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    version = int_param(form.get("version", ""), "version", 0, low=1, high=2**31 - 1)
    body = {"newLabels": [form.get("label", "").strip()]}
    moved = await run_in_threadpool(
        writes.add_labels, page.ctx.store, project_id, name, version, body, page.ctx.clock()
    )
    return _saved(project_id, moved)


@router.post(BASE + "/{name:path}/try")
async def try_version(request: Request, project_id: str, name: str) -> Response:
    """Call an LLM connection with the compiled version, then show the call's trace."""
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    number = int_param(form.get("version", ""), "version", 0, low=1, high=2**31 - 1)
    found = await run_in_threadpool(reads.detail, page.ctx.store, project_id, name)
    shown = _shown(found.versions, number)
    fields = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        attempt = try_attempt(shown, form)
        allowed = Destinations(page.ctx.settings.outbound_allowed)
        trace_id = await run_in_threadpool(
            playground.run, page.ctx.store, allowed, shown, attempt, page.ctx.clock
        )
    except InvalidRequestError as exc:
        return await _version_page(request, page, name, {**fields, "error": str(exc)})
    return RedirectResponse(urls.trace(project_id, trace_id), 303)
