"""PowerRAG's session lifecycle in its OpenAPI document: ending a session, check and alert
rules and their logs, and what the session objects and list gain (docs/evaluation.md).

Langfuse's own schemas and parameters stay as Langfuse wrote them; the additions to its
session operations are described under `x-powerrag` and the `SessionLifecycle` schema.
"""

from __future__ import annotations

from typing import Any

from powerrag.domain.alerts import METRICS
from powerrag.domain.checks import CHECK_KINDS
from powerrag.domain.jsondoc import JSONObject

_AUTH: list[dict[str, list[str]]] = [{"BasicAuth": []}]
_TIME = {"type": "string", "format": "date-time"}
_NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: JSONObject, description: str = "") -> JSONObject:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("PowerRAGError"))

SCHEMAS: JSONObject = {
    "SessionLifecycle": {
        "title": "SessionLifecycle",
        "type": "object",
        "description": "Fields PowerRAG adds to every Session object.",
        "properties": {
            "status": {"type": "string", "enum": ["active", "ended"]},
            "endedAt": _NULL_TIME,
            "previousId": {"type": "string", "nullable": True},
        },
        "required": ["status", "endedAt", "previousId"],
    },
    "CheckRule": {
        "title": "CheckRule",
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "check": {"type": "string", "enum": list(CHECK_KINDS)},
            "target": {"type": "string", "enum": ["session"]},
            "threshold": {"type": "number", "nullable": True},
            "pattern": {"type": "string", "nullable": True},
            "enabled": {"type": "boolean"},
            "createdAt": _TIME,
            "updatedAt": _TIME,
        },
        "required": ["id", "name", "check", "target", "enabled", "createdAt", "updatedAt"],
    },
    "CheckRuleRequest": {
        "title": "CheckRuleRequest",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "check": {"type": "string", "enum": list(CHECK_KINDS)},
            "target": {"type": "string", "enum": ["session"]},
            "threshold": {"type": "number", "nullable": True},
            "pattern": {"type": "string", "nullable": True},
            "enabled": {"type": "boolean"},
        },
    },
    "AlertRule": {
        "title": "AlertRule",
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "metric": {"type": "string", "enum": list(METRICS)},
            "threshold": {"type": "number"},
            "scoreName": {"type": "string", "nullable": True},
            "webhookUrl": {"type": "string"},
            "hasSecret": {"type": "boolean"},
            "enabled": {"type": "boolean"},
            "createdAt": _TIME,
            "updatedAt": _TIME,
        },
        "required": ["id", "name", "metric", "threshold", "webhookUrl", "hasSecret", "enabled"],
    },
    "AlertRuleRequest": {
        "title": "AlertRuleRequest",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "metric": {"type": "string", "enum": list(METRICS)},
            "threshold": {"type": "number"},
            "scoreName": {"type": "string", "nullable": True},
            "webhookUrl": {"type": "string"},
            "secret": {"type": "string", "nullable": True},
            "enabled": {"type": "boolean"},
        },
    },
    "JobLog": {
        "title": "JobLog",
        "type": "object",
        "description": "A check's runs or an alert's webhook deliveries, newest first.",
        "properties": {
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "sessionId": {"type": "string", "nullable": True},
                        "userId": {"type": "string", "nullable": True},
                        "state": {
                            "type": "string",
                            "enum": ["pending", "running", "done", "failed"],
                        },
                        "attempts": {"type": "integer"},
                        "lastError": {"type": "string", "nullable": True},
                        "createdAt": _TIME,
                        "nextAttemptAt": _NULL_TIME,
                        "finishedAt": _NULL_TIME,
                    },
                },
            }
        },
        "required": ["data"],
    },
}


def _op(operation_id: str, summary: str, responses: JSONObject, **extra: Any) -> JSONObject:
    return {
        "operationId": operation_id,
        "tags": ["PowerRAG"],
        "summary": summary,
        "security": _AUTH,
        "responses": {**responses, "401": _ERROR},
        **extra,
    }


def _path_param(name: str) -> list[JSONObject]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}]


def _rules(noun: str, schema: str, log: str, log_summary: str) -> dict[str, JSONObject]:
    one, body = (
        _json(_ref(schema)),
        {"required": True, "content": _json(_ref(f"{schema}Request"))["content"]},
    )
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": _ref(schema)}}}
    rule_id = _path_param("ruleId")
    return {
        f"/api/public/{noun}s": {
            "get": _op(f"{noun}s_list", f"The project's {noun} rules.", {"200": _json(listing)}),
            "post": _op(
                f"{noun}s_create",
                f"Create a {noun} rule; 400 names a bad field.",
                {"201": one, "400": _ERROR},
                requestBody=body,
            ),
        },
        f"/api/public/{noun}s/{{ruleId}}": {
            "get": _op(
                f"{noun}s_get", f"One {noun} rule.", {"200": one, "404": _ERROR}, parameters=rule_id
            ),
            "patch": _op(
                f"{noun}s_update",
                f"Change some fields of a {noun} rule.",
                {"200": one, "400": _ERROR, "404": _ERROR},
                parameters=rule_id,
                requestBody=body,
            ),
            "delete": _op(
                f"{noun}s_delete",
                f"Delete a {noun} rule.",
                {"200": _json({"type": "object"}), "404": _ERROR},
                parameters=rule_id,
            ),
        },
        f"/api/public/{noun}s/{{ruleId}}/{log}": {
            "get": _op(
                f"{noun}s_{log}",
                log_summary,
                {"200": _json(_ref("JobLog")), "404": _ERROR},
                parameters=rule_id,
            )
        },
    }


def operations() -> dict[str, JSONObject]:
    return {
        "/api/public/sessions/{sessionId}/end": {
            "post": _op(
                "sessions_end",
                "End a session now: its checks run; a new trace reopens it. Ending an ended "
                "session changes nothing.",
                {"200": _json(_ref("Session")), "404": _ERROR},
                parameters=_path_param("sessionId"),
            )
        },
        **_rules("check", "CheckRule", "runs", "The check's runs (one per ended session)."),
        **_rules("alert", "AlertRule", "deliveries", "The alert's webhook deliveries."),
    }


def annotate_sessions(paths: JSONObject) -> None:
    """Langfuse's session operations: what PowerRAG adds, without touching Langfuse's text."""
    lifecycle = {"fields": _ref("SessionLifecycle")}
    paths["/api/public/sessions/{sessionId}"]["get"]["x-powerrag"] = lifecycle
    paths["/api/public/sessions"]["get"]["x-powerrag"] = {
        **lifecycle,
        "parameters": [
            {
                "name": "status",
                "in": "query",
                "schema": {"type": "string", "enum": ["active", "ended"]},
            }
        ],
    }
