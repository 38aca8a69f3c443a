"""Score configs in the settings: list, create, archive and restore.

The form becomes the API's JSON body and goes through powerrag/score_configs.py, so the
UI and `/api/public/score-configs` check the same things. Every member sees the page;
changes need an owner or an administrator, as the other settings.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import score_configs, urls
from powerrag.accounts import can_manage
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import PageRequest
from powerrag.domain.score_configs import ScoreConfig
from powerrag.web.auth import check_csrf
from powerrag.web.common import ProjectPage, managed_page, project_page
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE = "/project/{project_id}/settings/score-configs"


def config_view(config: ScoreConfig) -> dict[str, Any]:
    return {
        "id": config.id,
        "name": config.name,
        "dataType": config.data_type,
        "isArchived": config.is_archived,
        "minValue": config.min_value,
        "maxValue": config.max_value,
        "categories": [{"label": c.label, "value": c.value} for c in config.categories],
        "description": config.description,
    }


def _categories(text: str) -> list[dict[str, Any]]:
    """`label=value` pairs, one per line or comma-separated; a bare label counts 0, 1, …"""
    found: list[dict[str, Any]] = []
    for index, part in enumerate(p.strip() for p in text.replace(",", "\n").splitlines()):
        if not part:
            continue
        label, sep, number = part.partition("=")
        try:
            value = float(number) if sep else float(index)
        except ValueError:
            raise InvalidRequestError(f"category {part!r}: write label=number") from None
        found.append({"label": label.strip(), "value": value})
    return found


def _number(form: dict[str, str], name: str) -> float | None:
    text = form.get(name, "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        raise InvalidRequestError(f"{name} must be a number, got {text!r}") from None


def _body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "dataType": form.get("data_type", ""),
        "description": form.get("description", "").strip() or None,
        "minValue": _number(form, "min_value"),
        "maxValue": _number(form, "max_value"),
    }
    if form.get("categories", "").strip():
        body["categories"] = _categories(form["categories"])
    return body


async def _page(
    request: Request, page: ProjectPage, *, error: str | None = None, form: Any = None
) -> Response:
    store, project_id = page.ctx.store, page.project.id
    listed = await run_in_threadpool(
        score_configs.list_configs, store, project_id, PageRequest(1, 100)
    )
    manage = await run_in_threadpool(can_manage, store, page.user, project_id)
    context = {
        **page.chrome(),
        "configs": [config_view(c) for c in listed.items],
        "canManage": manage,
        "error": error,
        "form": form or {},
    }
    return render(request, "score_configs.html", context, status=422 if error else 200)


@router.get(PAGE)
async def configs_page(request: Request, project_id: str) -> Response:
    return await _page(request, await project_page(request, project_id))


@router.post(PAGE)
async def create_config(request: Request, project_id: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    try:
        body = _body(form)
        await run_in_threadpool(
            score_configs.create_config, page.ctx.store, project_id, body, page.ctx.clock()
        )
    except InvalidRequestError as exc:
        kept = {k: v for k, v in form.items() if k != "csrf_token"}
        return await _page(request, page, error=str(exc), form=kept)
    return RedirectResponse(urls.score_configs(project_id), status_code=303)


@router.post(PAGE + "/{config_id}/archive")
async def archive_config(request: Request, project_id: str, config_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    config = await run_in_threadpool(score_configs.get_config, store, project_id, config_id)
    body = {"isArchived": not config.is_archived}
    await run_in_threadpool(
        score_configs.update_config, store, project_id, config_id, body, page.ctx.clock()
    )
    return RedirectResponse(urls.score_configs(project_id), status_code=303)
