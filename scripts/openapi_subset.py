"""Cut Langfuse's openapi.yml down to the operations PowerRAG implements, as package data.

Writes src/powerrag/data/openapi-langfuse.json: those operations unchanged plus every
component schema they reference, transitively. `powerrag.api.openapi` serves it with
PowerRAG's own additions; tests/api/test_openapi_document.py fails when it drifts.
Usage: .venv/bin/python scripts/openapi_subset.py [path/to/openapi.yml]
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from powerrag.app import create_app
from powerrag.config import Settings

ROOT = Path(__file__).resolve().parents[1]
# Langfuse's document (provenance: tests/data/README.md), also what the API tests check against.
SPEC = ROOT / "tests" / "data" / "openapi.yml"
OUTPUT = ROOT / "src" / "powerrag" / "data" / "openapi-langfuse.json"
SCHEMA_REF = "#/components/schemas/"
_PARAMETER = re.compile(r"\{[^}]*\}")


def path_shape(path: str) -> str:
    """A path with its parameters unnamed: `/a/{observation_id}` and `/a/{observationId}` match."""
    return _PARAMETER.sub("{}", path)


def implemented_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path shape) of every public API route of the app, as FastAPI lists them."""
    generated = get_openapi(title=app.title, version=app.version, routes=app.routes)
    return {
        (method, path_shape(path))
        for path, item in generated["paths"].items()
        if path.startswith("/api/public/")
        for method in item
    }


def schema_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            yield ref.removeprefix(SCHEMA_REF)
        for value in node.values():
            yield from schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_refs(value)


def _referenced_schemas(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schemas that `paths` reach, following references inside schemas too."""
    found: set[str] = set()
    pending = list(schema_refs(paths))
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(schema_refs(schemas[name]))
    return {name: schemas[name] for name in sorted(found)}


def langfuse_subset(spec: dict[str, Any], operations: set[tuple[str, str]]) -> dict[str, Any]:
    """The spec's operations in `operations` with the components they need, nothing else."""
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        kept = {m: op for m, op in item.items() if (m, path_shape(path)) in operations}
        if kept:
            paths[path] = kept
    components = spec["components"]
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": paths,
        "components": {
            "schemas": _referenced_schemas(paths, components["schemas"]),
            "securitySchemes": components["securitySchemes"],
        },
    }


def app_operations() -> set[tuple[str, str]]:
    # Building the app opens nothing: the routes are all that is read.
    return implemented_operations(create_app(Settings(data_dir=Path("unused"))))


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text())
    return json.dumps(langfuse_subset(spec, app_operations()), indent=1, sort_keys=True) + "\n"


def main() -> None:
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else SPEC
    OUTPUT.write_text(render(spec_path))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
