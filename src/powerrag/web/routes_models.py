"""Model prices settings: the project's own prices (add, edit, delete, recompute costs)
beside the bundled, read-only ones.

Forms become the models API's JSON bodies and go through the same service
(powerrag/model_prices.py), so the UI and the API refuse the same things. Every member
sees the page; changes need an owner or an administrator. Every form answers with a
redirect (POST-redirect-GET).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import model_prices, urls
from powerrag.accounts import can_manage
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.model_defs import UNITS, ModelDefinition
from powerrag.domain.timeutil import to_iso
from powerrag.query import models
from powerrag.web.auth import check_csrf
from powerrag.web.common import managed_page, project_page
from powerrag.web.params import number_param
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_FLAT = ("input", "output", "total")


def model_view(model: ModelDefinition) -> dict[str, Any]:
    prices = model.default_prices
    return {
        "id": model.id,
        "modelName": model.model_name,
        "matchPattern": model.match_pattern,
        "startDate": (to_iso(model.start_date) or "")[:10],
        "unit": model.unit or "",
        "prices": prices,
        "otherPrices": "\n".join(f"{k}={v}" for k, v in prices.items() if k not in _FLAT),
        "tiers": len(model.tiers),
    }


def _other_prices(text: str) -> dict[str, float]:
    prices: dict[str, float] = {}
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        key, sep, value = line.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError(line)
            prices[key.strip()] = float(value)
        except ValueError:
            raise InvalidRequestError(f"other prices: {line!r} is not `type=price`") from None
    return prices


def model_body(form: Any) -> dict[str, Any]:
    """The models API's body for the add and edit forms."""
    name = form.get("model_name", "").strip()
    pattern = form.get("match_pattern", "").strip() or f"(?i)^({re.escape(name)})$"
    start = form.get("start_date", "").strip()
    body: dict[str, Any] = {
        "modelName": name,
        "matchPattern": pattern,
        "startDate": f"{start}T00:00:00Z" if start else None,
        "unit": form.get("unit") or None,
    }
    flat = {f"{k}Price": number_param(form, f"{k}_price") for k in _FLAT}
    others = _other_prices(form.get("other_prices", ""))
    if not others:
        return body | flat
    prices = {k.removesuffix("Price"): v for k, v in flat.items() if v is not None} | others
    default = {"name": "Standard", "isDefault": True, "priority": 0, "conditions": []}
    return body | {"pricingTiers": [default | {"prices": prices}]}


@router.get("/project/{project_id}/settings/models")
async def models_page(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    own = await run_in_threadpool(models.project_models, store, project_id)
    q = request.query_params
    recosted = (
        {k: q.get(k, "0") for k in ("observations", "traces", "sessions")}
        if q.get("recosted")
        else None
    )
    context = {
        **page.chrome(),
        "models": [model_view(m) for m in own],
        "builtins": [model_view(m) for m in models.builtin_models()],
        "units": list(UNITS),
        "canManage": await run_in_threadpool(can_manage, store, page.user, project_id),
        "recosted": recosted,
    }
    return render(request, "settings_models.html", context)


def _back(project_id: str, anchor: str = "", query: str = "") -> RedirectResponse:
    return RedirectResponse(f"{urls.models(project_id)}{query}{anchor}", 303)


@router.post("/project/{project_id}/settings/models")
async def add_model(request: Request, project_id: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    made = await run_in_threadpool(
        model_prices.create, page.ctx.store, project_id, model_body(form), page.ctx.clock()
    )
    return _back(project_id, f"#model-{made.id}")


@router.post("/project/{project_id}/settings/models/{model_id}/edit")
async def edit_model(request: Request, project_id: str, model_id: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        model_prices.change,
        page.ctx.store,
        project_id,
        model_id,
        model_body(form),
        page.ctx.clock(),
    )
    return _back(project_id, f"#model-{model_id}")


@router.post("/project/{project_id}/settings/models/{model_id}/delete")
async def delete_model(request: Request, project_id: str, model_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    await run_in_threadpool(model_prices.remove, page.ctx.store, project_id, model_id)
    return _back(project_id, "#custom-models")


@router.post("/project/{project_id}/settings/models/{model_id}/recost")
async def recost_model(request: Request, project_id: str, model_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    found = await run_in_threadpool(models.find_model, store, project_id, model_id)
    done = await run_in_threadpool(
        model_prices.recost_model,
        store,
        project_id,
        found.id,
        found.match_pattern,
        page.ctx.clock(),
    )
    query = (
        f"?recosted=1&observations={done.observations}&traces={done.traces}"
        f"&sessions={done.sessions}"
    )
    return _back(project_id, "#recosted", query)
