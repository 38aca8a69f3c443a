"""PowerRAG's additions to Langfuse's evaluation operations in its OpenAPI document: the
`trace` and `session` targets, `delay`, the transcript source, re-running a rule over chosen
targets and its run log (docs/evaluation.md). Langfuse's own text stays as it wrote it.
"""

from __future__ import annotations

from powerrag.domain.eval_rules import SOURCES, TARGETS
from powerrag.domain.jsondoc import JSONObject

_AUTH: list[dict[str, list[str]]] = [{"BasicAuth": []}]
_RULES = "/api/public/unstable/evaluation-rules"
_ERROR = {
    "description": "",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/unstablePublicApiError"}}
    },
}
_RULE_ID = [
    {"name": "evaluationRuleId", "in": "path", "required": True, "schema": {"type": "string"}}
]
_RERUN = {
    "type": "object",
    "description": "The ids of the rule's target kind: sessionIds, traceIds or observationIds (at most 500).",
    "properties": {
        name: {"type": "array", "items": {"type": "string"}}
        for name in ("sessionIds", "traceIds", "observationIds")
    },
}
_ENQUEUED = {
    "type": "object",
    "properties": {"enqueued": {"type": "integer"}},
    "required": ["enqueued"],
}
# The check and alert log's shape; each item also carries `targetId` (the session, trace
# or observation judged).
_RUNS = {"$ref": "#/components/schemas/JobLog"}


def _json(schema: JSONObject, description: str = "") -> JSONObject:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def operations() -> dict[str, JSONObject]:
    return {
        f"{_RULES}/{{evaluationRuleId}}/run": {
            "post": {
                "operationId": "evaluationRules_rerun",
                "tags": ["PowerRAG"],
                "summary": "Evaluate chosen targets again (a backfill): a new job each, "
                "run by the next pass of the background worker; the rule's score is replaced.",
                "security": _AUTH,
                "parameters": _RULE_ID,
                "requestBody": {"required": True, "content": _json(_RERUN)["content"]},
                "responses": {"202": _json(_ENQUEUED), "400": _ERROR, "404": _ERROR},
            }
        },
        f"{_RULES}/{{evaluationRuleId}}/runs": {
            "get": {
                "operationId": "evaluationRules_runs",
                "tags": ["PowerRAG"],
                "summary": "The rule's evaluations, newest first: state, attempts, last error "
                "(a failed one keeps its error; a skipped one says why).",
                "security": _AUTH,
                "parameters": _RULE_ID,
                "responses": {"200": _json(_RUNS), "404": _ERROR},
            }
        },
    }


def fix_const(schemas: JSONObject) -> None:
    """Langfuse's document uses JSON Schema's `const` in one schema, which OpenAPI 3.0 does
    not have; the one-value `enum` OpenAPI 3.0 does have says the same."""
    reference = schemas["unstableCodeEvaluationRuleEvaluatorReference"]["properties"]["type"]
    reference["enum"] = [reference.pop("const")]


def annotate(paths: JSONObject) -> None:
    """What PowerRAG's rules accept beyond Langfuse's: under `x-powerrag`."""
    extra = {
        "targets": list(TARGETS),
        "sources": {target: list(sources) for target, sources in SOURCES.items()},
        "delay": "milliseconds before a target is judged (default 10000; 0 for session rules, "
        "which run when the session ends)",
    }
    for method in ("post", "get"):
        paths[_RULES][method]["x-powerrag"] = extra
    for method in ("get", "patch"):
        paths[f"{_RULES}/{{evaluationRuleId}}"][method]["x-powerrag"] = extra
