"""PowerRAG's additions to Langfuse's models and metrics operations in its OpenAPI document:
re-costing stored observations with a model's prices, the answer of a model's deletion, and
`sessionId` as a metrics dimension (docs/api.md). Langfuse's own text stays as it wrote it.
"""

from __future__ import annotations

from powerrag.api.openapi_parts import BASIC_AUTH, ERROR, json_content, path_param
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.metrics import VIEWS_V1, VIEWS_V2

_RECOSTED = {
    "type": "object",
    "properties": {
        "modelId": {"type": "string"},
        "observations": {"type": "integer"},
        "traces": {"type": "integer"},
        "sessions": {"type": "integer"},
    },
    "required": ["modelId", "observations", "traces", "sessions"],
}
_DELETED = {
    "type": "object",
    "properties": {"message": {"type": "string", "enum": ["Model successfully deleted"]}},
    "required": ["message"],
}


def operations() -> dict[str, JSONObject]:
    return {
        "/api/public/models/{id}/recost": {
            "post": {
                "operationId": "models_recost",
                "tags": ["PowerRAG"],
                "summary": "Recompute the stored cost of the project's observations this model "
                "prices (its pattern matches their model, or it priced them) with the project's "
                "prices as they are now, and the figures of their traces and sessions.",
                "security": BASIC_AUTH,
                "parameters": [path_param("id")],
                "responses": {"200": json_content(_RECOSTED), "401": ERROR, "404": ERROR},
            }
        }
    }


def fix_const(schemas: JSONObject) -> None:
    """A pricing tier condition's operator is JSON Schema's `const`, which OpenAPI 3.0 does
    not have: the one-value `enum` (as openapi_evaluation.fix_const)."""
    operator = schemas["PricingTierAttributeCondition"]["properties"]["operator"]
    operator["enum"] = [operator.pop("const")]


def annotate(paths: JSONObject) -> None:
    """Langfuse's code answers a deletion 200 with a message (its document says 204), and
    PowerRAG's metrics views, dimensions and measures, sessionId grouping included."""
    delete = paths["/api/public/models/{id}"]["delete"]
    delete["responses"]["200"] = json_content(_DELETED)
    for path, views in (("/api/public/metrics", VIEWS_V1), ("/api/public/v2/metrics", VIEWS_V2)):
        paths[path]["get"]["x-powerrag"] = {
            "views": {
                name: {"dimensions": list(v.dimensions), "measures": list(v.measures)}
                for name, v in views.items()
            },
            "sessionId": "a dimension of every view, v2 included (Langfuse's v2 refuses it)",
        }
