"""Writing a project's LLM connections, evaluators and evaluation rules; re-running rules.

Bodies arrive as the API's JSON (Langfuse's shapes: `UpsertLlmConnectionRequest`,
`unstableCreateLlmAsJudgeEvaluatorRequest`, `unstableCreateLlmAsJudgeEvaluationRuleRequest`,
plus PowerRAG's `target` `trace`/`session` and `delay`); a bad field is a 400 naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from powerrag import judging, secretbox
from powerrag.domain import eval_rules, evaluators
from powerrag.domain.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    UnprocessableError,
)
from powerrag.store import accounts, evaluation
from powerrag.store.database import Store

ADAPTERS = ("openai",)
MAX_BACKFILL = 500


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a JSON object", code="invalid_body")
    return body


def _string(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{name} is required (a non-empty string)", code="invalid_body")
    if len(value) > 200 and name in ("name", "provider"):
        raise InvalidRequestError(f"{name} must have at most 200 characters", code="invalid_body")
    return value


def upsert_connection(store: Store, project_id: str, body: Any, now: int) -> Any:
    body = _object(body)
    provider = _string(body, "provider")
    if body.get("adapter") not in ADAPTERS:
        raise InvalidRequestError(
            f"adapter must be 'openai' (any OpenAI-compatible endpoint), got {body.get('adapter')!r}"
        )
    key = _string(body, "secretKey")
    base_url = _string(body, "baseURL", required=False)
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise InvalidRequestError(f"baseURL must be an http(s) URL, got {base_url!r}")
    models = body.get("customModels") or []
    if not isinstance(models, list) or not all(isinstance(m, str) and m for m in models):
        raise InvalidRequestError("customModels must be a list of model names")
    headers = body.get("extraHeaders") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise InvalidRequestError("extraHeaders must be an object of strings")
    config = body.get("config")
    if config is not None and not isinstance(config, dict):
        raise InvalidRequestError("config must be an object or null")
    values = {
        "adapter": "openai",
        "base_url": base_url,
        "display_secret_key": secretbox.masked(str(key)),
        "custom_models": list(dict.fromkeys(models)),
        "with_default_models": bool(body.get("withDefaultModels", False)),
        "extra_header_keys": sorted(headers),
        "config": config,
        "updated_at": now,
    }
    plain = orjson.dumps({"secretKey": key, "extraHeaders": headers})
    with store.transaction() as conn:
        values["secret"] = secretbox.seal(
            accounts.instance_secret(conn, secretbox.SECRET_NAME), plain
        )
        found = evaluation.by_name(conn, "connection", project_id, str(provider))
        if found is None:
            item_id = uuid.uuid4().hex
            row = {"id": item_id, "project_id": project_id, "provider": provider, "created_at": now}
            evaluation.add(conn, "connection", row | values)
        else:
            item_id = found.id
            evaluation.change(conn, "connection", project_id, item_id, values)
        return evaluation.get(conn, "connection", project_id, item_id)


def delete(store: Store, kind: str, project_id: str, item_id: str) -> None:
    with store.transaction() as conn:
        if kind == "evaluator":
            evaluation.remove_rules_of(conn, project_id, item_id)
        if not evaluation.remove(conn, kind, project_id, item_id):
            raise NotFoundError(f"{_NOUNS[kind]} {item_id!r} not found")


_NOUNS = {"connection": "LLM connection", "evaluator": "evaluator", "rule": "evaluation rule"}


def create_evaluator(store: Store, project_id: str, body: Any, now: int) -> Any:
    """A new evaluator, or the next version of the one with this name (same id)."""
    body = _object(body)
    if body.get("type", "llm_as_judge") != "llm_as_judge":
        raise InvalidRequestError("only type llm_as_judge is supported", code="invalid_body")
    name = str(_string(body, "name"))
    prompt = str(_string(body, "prompt"))
    if len(prompt) > evaluators.MAX_PROMPT:
        raise InvalidRequestError("prompt is too long", code="invalid_body")
    config = evaluators.model_config(body.get("modelConfig"))
    values: dict[str, Any] = {
        "prompt": prompt,
        "output_definition": evaluators.output_definition(body.get("outputDefinition")),
        "model_config": config,
        "mapping": None,
        "updated_at": now,
    }
    if body.get("mapping") is not None:
        values["mapping"] = eval_rules.check_mapping(
            "observation", evaluators.variables(prompt), body["mapping"]
        )
    with store.transaction() as conn:
        _preflight(conn, project_id, config)
        found = evaluation.by_name(conn, "evaluator", project_id, name)
        if found is None:
            item_id = uuid.uuid4().hex
            row = {"id": item_id, "project_id": project_id, "name": name, "created_at": now}
            evaluation.add(conn, "evaluator", row | values | {"version": 1})
        else:
            item_id = found.id
            evaluation.change(
                conn, "evaluator", project_id, item_id, values | {"version": found.version + 1}
            )
        return evaluation.get(conn, "evaluator", project_id, item_id)


def _preflight(conn: Any, project_id: str, config: dict[str, str] | None) -> None:
    if config is not None:
        if evaluation.by_name(conn, "connection", project_id, config["provider"]) is None:
            raise UnprocessableError(
                f"no LLM connection for provider {config['provider']!r}",
                code="evaluator_preflight_failed",
                details={"provider": config["provider"], "model": config["model"]},
            )
    elif not evaluation.page(conn, "connection", project_id, 1):
        raise UnprocessableError(
            "no modelConfig and the project has no LLM connection",
            code="evaluator_preflight_failed",
        )


def _rule_values(conn: Any, project_id: str, body: dict[str, Any], current: Any) -> dict[str, Any]:
    reference = body.get("evaluator")
    if reference is not None:
        if not isinstance(reference, dict) or not isinstance(reference.get("name"), str):
            raise InvalidRequestError("evaluator must be {name, type}", code="invalid_body")
        found = evaluation.by_name(conn, "evaluator", project_id, reference["name"])
        if found is None:
            raise NotFoundError(f"evaluator {reference['name']!r} not found")
    else:
        found = evaluation.get(conn, "evaluator", project_id, current.evaluator_id)
    if found is None:
        raise NotFoundError("the rule's evaluator was deleted")
    target = body.get("target") or (current.target if current else None)
    if target not in eval_rules.TARGETS:
        raise InvalidRequestError(
            f"target must be one of {', '.join(eval_rules.TARGETS)}, got {target!r}",
            code="invalid_body",
        )
    sampling = body.get("sampling", current.sampling if current else 1.0)
    if sampling is None:
        sampling = 1.0
    if isinstance(sampling, bool) or not isinstance(sampling, int | float) or not 0 < sampling <= 1:
        raise InvalidRequestError("sampling must be a number in (0, 1]", code="invalid_body")
    default_delay = 0 if target == "session" else eval_rules.DEFAULT_DELAY_MS
    delay = body.get("delay", current.delay_ms if current else default_delay)
    if (
        isinstance(delay, bool)
        or not isinstance(delay, int)
        or not 0 <= delay <= eval_rules.MAX_DELAY_MS
    ):
        raise InvalidRequestError("delay must be milliseconds, 0 to 86400000", code="invalid_body")
    try:
        filters = (
            eval_rules.check_filters(body["filter"])
            if "filter" in body
            else (current.filters if current else [])
        )
    except InvalidRequestError as exc:
        raise InvalidRequestError(str(exc), code="invalid_filter_value") from None
    mapping = body.get("mapping", current.mapping if current else found.mapping)
    try:
        mapping = eval_rules.check_mapping(target, found.variables, mapping)
    except InvalidRequestError as exc:
        code = (
            "missing_variable_mapping" if "not mapped" in str(exc) else "invalid_variable_mapping"
        )
        raise InvalidRequestError(
            str(exc), code=code, details={"variables": found.variables}
        ) from None
    enabled = body.get("enabled", current.enabled if current else None)
    if not isinstance(enabled, bool):
        raise InvalidRequestError("enabled must be true or false", code="invalid_body")
    return {
        "evaluator_id": found.id,
        "target": target,
        "enabled": enabled,
        "sampling": float(sampling),
        "delay_ms": delay,
        "filters": filters,
        "mapping": mapping,
    }


def create_rule(store: Store, project_id: str, body: Any, now: int) -> Any:
    body = _object(body)
    name = str(_string(body, "name"))
    if body.get("evaluator") is None:
        raise InvalidRequestError("evaluator is required", code="invalid_body")
    with store.transaction() as conn:
        values = _rule_values(conn, project_id, body, None)
        if evaluation.by_name(conn, "rule", project_id, name) is not None:
            raise ConflictError(f"an evaluation rule named {name!r} exists", code="name_conflict")
        item_id = uuid.uuid4().hex
        row = {
            "id": item_id,
            "project_id": project_id,
            "name": name,
            "created_at": now,
            "updated_at": now,
        }
        evaluation.add(conn, "rule", row | values)
        return evaluation.get(conn, "rule", project_id, item_id)


def change_rule(store: Store, project_id: str, rule_id: str, body: Any, now: int) -> Any:
    body = _object(body)
    with store.transaction() as conn:
        current = evaluation.get(conn, "rule", project_id, rule_id)
        if current is None:
            raise NotFoundError(f"evaluation rule {rule_id!r} not found")
        values = _rule_values(conn, project_id, body, current)
        if body.get("name") is not None:
            name = str(_string(body, "name"))
            other = evaluation.by_name(conn, "rule", project_id, name)
            if other is not None and other.id != rule_id:
                raise ConflictError(
                    f"an evaluation rule named {name!r} exists", code="name_conflict"
                )
            values["name"] = name
        evaluation.change(conn, "rule", project_id, rule_id, values | {"updated_at": now})
        return evaluation.get(conn, "rule", project_id, rule_id)


def backfill(store: Store, project_id: str, rule_id: str, body: Any, now: int) -> int:
    """Run the rule again over chosen targets (`sessionIds`, `traceIds` or
    `observationIds` by its target): a new job each, keyed by this request's time."""
    body = _object(body)
    with store.transaction() as conn:
        rule = evaluation.get(conn, "rule", project_id, rule_id)
        if rule is None:
            raise NotFoundError(f"evaluation rule {rule_id!r} not found")
        field = {"session": "sessionIds", "trace": "traceIds", "observation": "observationIds"}[
            rule.target
        ]
        ids = body.get(field)
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise InvalidRequestError(
                f"{field} must be a non-empty list of ids", code="invalid_body"
            )
        if len(ids) > MAX_BACKFILL:
            raise InvalidRequestError(
                f"{field}: at most {MAX_BACKFILL} at once", code="invalid_body"
            )
        every = list(dict.fromkeys(ids))
        whole = eval_rules.EvaluationRule(**{**_fields(rule), "sampling": 1.0, "delay_ms": 0})
        for target_id in every:
            trace_id = target_id if rule.target == "trace" else None
            judging.enqueue(conn, whole, target_id, now, occasion=f"rerun-{now}", trace_id=trace_id)
        return len(every)


def _fields(rule: Any) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in rule.__slots__}
