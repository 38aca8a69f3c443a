"""PowerRAG's session lifecycle in its OpenAPI document: ending a session, check and alert
rules and their logs, and what the session objects and list gain (docs/evaluation.md).

Langfuse's own schemas and parameters stay as Langfuse wrote them; the additions to its
session operations are described under `x-powerrag` and the `SessionLifecycle` schema.
"""

from __future__ import annotations

from typing import Any

from powerrag.api.openapi_parts import BASIC_AUTH, ERROR, json_content, path_param, ref
from powerrag.domain.alerts import BODY_FORMATS, METRICS
from powerrag.domain.checks import CHECK_KINDS
from powerrag.domain.jsondoc import JSONObject

_TIME = {"type": "string", "format": "date-time"}
_NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}
# What a rule's request may set; the rule itself adds its id, times and, for an alert,
# whether it has a secret instead of the secret.
_CHECK_FIELDS: JSONObject = {
    "name": {"type": "string"},
    "check": {"type": "string", "enum": list(CHECK_KINDS)},
    "target": {"type": "string", "enum": ["session"]},
    "threshold": {"type": "number", "nullable": True},
    "pattern": {"type": "string", "nullable": True},
    "enabled": {"type": "boolean"},
}
_ALERT_FIELDS: JSONObject = {
    "name": {"type": "string"},
    "metric": {"type": "string", "enum": list(METRICS)},
    "threshold": {"type": "number"},
    "scoreName": {"type": "string", "nullable": True},
    "webhookUrl": {"type": "string"},
    "bodyFormat": {
        "type": "string",
        "enum": list(BODY_FORMATS),
        "description": "The webhook's body: PowerRAG's JSON object (json, the default) or "
        'a Slack incoming-webhook message {"text": "…"} (slack); both are signed.',
    },
}
_ENABLED = {"enabled": {"type": "boolean"}}
_STAMPS = {"createdAt": _TIME, "updatedAt": _TIME}
_ID = {"id": {"type": "string"}}

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
        "properties": {**_ID, **_CHECK_FIELDS, **_STAMPS},
        "required": ["id", "name", "check", "target", "enabled", "createdAt", "updatedAt"],
    },
    "CheckRuleRequest": {
        "title": "CheckRuleRequest",
        "type": "object",
        "properties": _CHECK_FIELDS,
    },
    "AlertRule": {
        "title": "AlertRule",
        "type": "object",
        "properties": {
            **_ID,
            **_ALERT_FIELDS,
            "hasSecret": {"type": "boolean"},
            "displaySecret": {
                "type": "string",
                "nullable": True,
                "description": "The signing secret masked: `...` and its last four characters "
                "(none for a short one); the secret itself is stored encrypted and never shown.",
            },
            **_ENABLED,
            **_STAMPS,
        },
        "required": [
            "id",
            "name",
            "metric",
            "threshold",
            "webhookUrl",
            "hasSecret",
            "bodyFormat",
            "enabled",
        ],
    },
    "AlertRuleRequest": {
        "title": "AlertRuleRequest",
        "type": "object",
        "properties": {
            **_ALERT_FIELDS,
            "secret": {"type": "string", "nullable": True},
            **_ENABLED,
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
        "security": BASIC_AUTH,
        "responses": {**responses, "401": ERROR},
        **extra,
    }


def _rules(noun: str, schema: str, log: str, log_summary: str) -> dict[str, JSONObject]:
    one, body = (
        json_content(ref(schema)),
        {"required": True, "content": json_content(ref(f"{schema}Request"))["content"]},
    )
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref(schema)}}}
    rule_id = [path_param("ruleId")]
    return {
        f"/api/public/{noun}s": {
            "get": _op(
                f"{noun}s_list", f"The project's {noun} rules.", {"200": json_content(listing)}
            ),
            "post": _op(
                f"{noun}s_create",
                f"Create a {noun} rule; 400 names a bad field.",
                {"201": one, "400": ERROR},
                requestBody=body,
            ),
        },
        f"/api/public/{noun}s/{{ruleId}}": {
            "get": _op(
                f"{noun}s_get", f"One {noun} rule.", {"200": one, "404": ERROR}, parameters=rule_id
            ),
            "patch": _op(
                f"{noun}s_update",
                f"Change some fields of a {noun} rule.",
                {"200": one, "400": ERROR, "404": ERROR},
                parameters=rule_id,
                requestBody=body,
            ),
            "delete": _op(
                f"{noun}s_delete",
                f"Delete a {noun} rule.",
                {"200": json_content({"type": "object"}), "404": ERROR},
                parameters=rule_id,
            ),
        },
        f"/api/public/{noun}s/{{ruleId}}/{log}": {
            "get": _op(
                f"{noun}s_{log}",
                log_summary,
                {"200": json_content(ref("JobLog")), "404": ERROR},
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
                {"200": json_content(ref("Session")), "404": ERROR},
                parameters=[path_param("sessionId")],
            )
        },
        **_rules("check", "CheckRule", "runs", "The check's runs (one per ended session)."),
        **_rules("alert", "AlertRule", "deliveries", "The alert's webhook deliveries."),
    }


def annotate_sessions(paths: JSONObject) -> None:
    """Langfuse's session operations: what PowerRAG adds, without touching Langfuse's text."""
    lifecycle = {"fields": ref("SessionLifecycle")}
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
