"""Evaluation settings: LLM connections, evaluators, rules, checks, alerts and their logs.

Forms are turned into the API's JSON bodies and go through the same services
(powerrag/evaluation.py, powerrag/automations.py), so the UI and the API check the same
things. Every member sees the page; changes need an owner or an administrator.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import automations, evaluation, urls
from powerrag.accounts import can_manage
from powerrag.domain.alerts import BODY_FORMATS
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.timeutil import to_iso
from powerrag.query import automations as rule_reads
from powerrag.query import evaluation as reads
from powerrag.web.auth import check_csrf
from powerrag.web.common import managed_page, project_page
from powerrag.web.params import number_param
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_LIST = 100
CHECK_KINDS = ("errors", "turns", "cost", "slow_turn", "frustration", "loop")
METRICS = (
    "session_cost",
    "session_turns",
    "session_errors",
    "session_duration_seconds",
    "user_cost_24h",
    "score_below",
    "loop",
)


def _job_view(job: Any) -> dict[str, Any]:
    return {
        "state": job.state,
        "attempts": job.attempts,
        "error": job.last_error,
        "at": to_iso(job.updated_at),
        "payload": job.payload,
    }


def _connection_view(item: Any) -> dict[str, Any]:
    """A connection without its (encrypted) key: the page and its JSON twin show neither."""
    return {
        "id": item.id,
        "provider": item.provider,
        "base_url": item.base_url,
        "display_secret_key": item.display_secret_key,
        "custom_models": item.custom_models,
    }


def _alert_view(item: Any) -> dict[str, Any]:
    """An alert without its signing secret."""
    fields = (
        "id",
        "name",
        "metric",
        "threshold",
        "score_name",
        "webhook_url",
        "body_format",
        "display_secret",
        "enabled",
    )
    return {name: getattr(item, name) for name in fields} | {"has_secret": bool(item.secret)}


def _lines(text: str, *, commas: bool = True) -> list[str]:
    """Items one per line (or comma-separated, where no item can hold a comma)."""
    if commas:
        text = text.replace(",", "\n")
    return [p.strip() for p in text.splitlines() if p.strip()]


@router.get("/project/{project_id}/settings/evaluation")
async def evaluation_settings(request: Request, project_id: str) -> Response:
    page = await project_page(request, project_id)
    store = page.ctx.store
    connections = await run_in_threadpool(reads.page, store, "connection", project_id, 1, _LIST)
    evaluators = await run_in_threadpool(reads.page, store, "evaluator", project_id, 1, _LIST)
    found = await run_in_threadpool(reads.page, store, "rule", project_id, 1, _LIST)
    rules = []
    for rule in found.items:
        log = await run_in_threadpool(reads.rule_runs, store, project_id, rule.id)
        rules.append({"rule": rule, "runs": [_job_view(j) for j in log[:20]]})
    checks = await run_in_threadpool(rule_reads.list_rules, store, "check", project_id)
    alerts = []
    for alert in await run_in_threadpool(rule_reads.list_rules, store, "alert", project_id):
        log = await run_in_threadpool(rule_reads.rule_jobs, store, "alert", project_id, alert.id)
        alerts.append({"alert": _alert_view(alert), "deliveries": [_job_view(j) for j in log[:20]]})
    context = {
        **page.chrome(),
        "connections": [_connection_view(c) for c in connections.items],
        "evaluators": evaluators.items,
        "evaluatorNames": found.evaluator_names,
        "rules": rules,
        "checks": checks,
        "alerts": alerts,
        "checkKinds": CHECK_KINDS,
        "metrics": METRICS,
        "bodyFormats": BODY_FORMATS,
        "canManage": await run_in_threadpool(can_manage, store, page.user, project_id),
        "tried": request.query_params.get("tried") == "1",
    }
    return render(request, "settings_evaluation.html", context)


def _back(project_id: str, anchor: str, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"{urls.evaluation(project_id)}{query}#{anchor}", 303)


def _body(kind: str, form: Any) -> dict[str, Any]:
    if kind == "connections":
        return {
            "provider": form.get("provider", ""),
            "adapter": "openai",
            "secretKey": form.get("secret_key", ""),
            "baseURL": form.get("base_url", "").strip() or None,
            "customModels": _lines(form.get("models", "")),
        }
    if kind == "evaluators":
        score: dict[str, Any] = {"description": form.get("score_description", "")}
        if form.get("data_type") == "CATEGORICAL":
            score |= {"categories": _lines(form.get("categories", ""))}
        return {
            "name": form.get("name", ""),
            "prompt": form.get("prompt", ""),
            "outputDefinition": {
                "dataType": form.get("data_type", ""),
                "reasoning": {"description": form.get("reasoning_description", "")},
                "score": score,
            },
            "modelConfig": {"provider": form.get("provider", ""), "model": form.get("model", "")}
            if form.get("model", "").strip()
            else None,
        }
    if kind == "rules":
        return _rule_body(form)
    if kind == "checks":
        return {
            "name": form.get("name", ""),
            "check": form.get("check", ""),
            "threshold": number_param(form, "threshold"),
            "pattern": form.get("pattern", "").strip() or None,
        }
    return {
        "name": form.get("name", ""),
        "metric": form.get("metric", ""),
        "threshold": number_param(form, "threshold"),
        "scoreName": form.get("score_name", "").strip() or None,
        "webhookUrl": form.get("webhook_url", ""),
        "secret": form.get("secret", "").strip() or None,
        "bodyFormat": form.get("body_format", "json"),
    }


def _rule_body(form: Any) -> dict[str, Any]:
    mapping = []
    for line in form.get("mapping", "").splitlines():
        if not line.strip():
            continue
        variable, _, source = line.partition("=")
        if not source:
            raise InvalidRequestError(f"mapping line {line!r} must be variable=source")
        mapping.append({"variable": variable.strip(), "source": source.strip()})
    environments = _lines(form.get("environments", ""))
    column = {"type": "stringOptions", "column": "environment", "operator": "any of"}
    return {
        "name": form.get("name", ""),
        "evaluator": {"name": form.get("evaluator", "")},
        "target": form.get("target", ""),
        "enabled": True,
        "sampling": number_param(form, "sampling"),
        "delay": int(number_param(form, "delay") or 0),
        "filter": [column | {"value": environments}] if environments else [],
        "mapping": mapping,
    }


@router.post("/project/{project_id}/settings/evaluation/run")
async def run(request: Request, project_id: str) -> Response:
    """Run a session rule again on chosen sessions: the settings' re-run and the replay's
    "try on this session" (members may try; the worker's next pass runs it)."""
    page = await project_page(request, project_id)
    form = await check_csrf(request)
    sessions = _lines(form.get("session_ids", "") or form.get("session_id", ""), commas=False)
    body = {"sessionIds": sessions}
    rule_id = form.get("rule_id", "")
    await run_in_threadpool(
        evaluation.backfill, page.ctx.store, project_id, rule_id, body, page.ctx.clock()
    )
    if form.get("session_id"):
        return RedirectResponse(urls.session(project_id, form["session_id"]) + "?tried=1", 303)
    return _back(project_id, "rules", "?tried=1")


@router.post("/project/{project_id}/settings/evaluation/{kind}")
async def create(request: Request, project_id: str, kind: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    store, now = page.ctx.store, page.ctx.clock()
    body = _body(kind, form)
    if kind == "connections":
        await run_in_threadpool(evaluation.upsert_connection, store, project_id, body, now)
    elif kind == "evaluators":
        await run_in_threadpool(evaluation.create_evaluator, store, project_id, body, now)
    elif kind == "rules":
        await run_in_threadpool(evaluation.create_rule, store, project_id, body, now)
    elif kind in ("checks", "alerts"):
        await run_in_threadpool(automations.create, store, kind[:-1], project_id, body, now)
    else:
        raise NotFoundError(f"no settings for {kind!r}")
    return _back(project_id, kind)


_DELETABLE = {"connections": "connection", "evaluators": "evaluator", "rules": "rule"}


@router.post("/project/{project_id}/settings/evaluation/{kind}/{item_id}/delete")
async def delete(request: Request, project_id: str, kind: str, item_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    store = page.ctx.store
    if kind in _DELETABLE:
        await run_in_threadpool(evaluation.delete, store, _DELETABLE[kind], project_id, item_id)
    elif kind in ("checks", "alerts"):
        await run_in_threadpool(automations.remove, store, kind[:-1], project_id, item_id)
    else:
        raise NotFoundError(f"no settings for {kind!r}")
    return _back(project_id, kind)
