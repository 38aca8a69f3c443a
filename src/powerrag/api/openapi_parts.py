"""Pieces of PowerRAG's additions to its OpenAPI document (openapi.py, openapi_lifecycle.py)."""

from __future__ import annotations

from powerrag.domain.jsondoc import JSONObject

BASIC_AUTH: list[dict[str, list[str]]] = [{"BasicAuth": []}]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: JSONObject, description: str = "") -> JSONObject:
    """A response (or, through its `content`, a body) of JSON in this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def path_param(name: str) -> JSONObject:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


ERROR = json_content(ref("PowerRAGError"))
