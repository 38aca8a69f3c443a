"""Validate API answers against the component schemas of Langfuse's tests/data/openapi.yml.

OpenAPI 3.0 marks optional nulls with `nullable: true`; JSON Schema spells that
as a `null` type, so the components are rewritten once before use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import yaml

from tests.support.recorded import DATA


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if not node.get("nullable"):
        return out
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if "$ref" in out or "allOf" in out or "oneOf" in out:
        return {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def _components() -> dict[str, Any]:
    spec = yaml.safe_load((DATA / "openapi.yml").read_text())
    return {"schemas": _nullable(spec["components"]["schemas"])}


def validate(instance: Any, schema_name: str) -> None:
    """Fail with the offending paths when `instance` does not fit the named schema."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _components()}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors]
    assert not problems, f"{schema_name}: " + "; ".join(problems)


def validate_items(items: list[Any], schema_name: str) -> None:
    for item in items:
        validate(item, schema_name)
