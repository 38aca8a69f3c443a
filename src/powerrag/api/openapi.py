"""The OpenAPI document served at `/api/openapi.json`: Langfuse's operations that PowerRAG
implements (bundled, see scripts/openapi_subset.py) plus PowerRAG's own routes and answers.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from powerrag import __version__
from powerrag.api import openapi_evaluation, openapi_lifecycle, openapi_models
from powerrag.api.openapi_parts import BASIC_AUTH, ERROR, json_content, path_param, ref
from powerrag.domain.jsondoc import JSONObject

_BUNDLED = "openapi-langfuse.json"
_DESCRIPTION = (
    "PowerRAG answers Langfuse's public API field for field: every operation here is Langfuse's "
    "own (openapi.yml) except those tagged `PowerRAG`, and answers PowerRAG adds to Langfuse's "
    "operations are listed in docs/api.md. Authenticate with HTTP Basic: the project's public "
    "key as user name, its secret key as password."
)


# Components PowerRAG adds; Langfuse's own keep their names and shapes.
_SCHEMAS: JSONObject = {
    "PowerRAGError": {
        "title": "PowerRAGError",
        "type": "object",
        "description": "Every error PowerRAG raises itself, as Langfuse answers them.",
        "properties": {"message": {"type": "string"}, "error": {"type": "string"}},
        "required": ["message", "error"],
    },
    "ScoreBatchAccepted": {
        "title": "ScoreBatchAccepted",
        "type": "object",
        "properties": {"message": {"type": "string", "enum": ["Accepted"]}},
        "required": ["message"],
    },
    "ScoreBatchPartial": {
        "title": "ScoreBatchPartial",
        "type": "object",
        "properties": {
            "accepted": {"type": "integer"},
            "rejected": {"type": "integer"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"message": {"type": "string"}},
                    "required": ["message"],
                },
            },
        },
        "required": ["accepted", "rejected", "errors"],
    },
    "ScoresV1": {
        "title": "ScoresV1",
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": ref("ScoreV1")},
            "meta": ref("utilsMetaResponse"),
        },
        "required": ["data", "meta"],
    },
}

_OTLP_CONTENT = {
    "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"type": "object"}},
}
# Answers of PowerRAG's write path (docs/reliability.md): too large a body, and a bounded
# wait for the writer or a full disk, both with Retry-After.
_WRITE_ERRORS = {"413": ERROR, "503": ERROR}
_WRITES = (
    ("/api/public/otel/v1/traces", "post"),
    ("/api/public/otel/v1/logs", "post"),
    ("/api/public/ingestion", "post"),
    ("/api/public/scores", "post"),
)
# The URLs `POST /api/public/media` and `GET /api/public/media/{mediaId}` answer: a signed,
# expiring token stands in for the API keys (api/media.py).
_MEDIA_ID = path_param("mediaId")
_MEDIA_TOKEN = {
    "name": "token",
    "in": "query",
    "required": True,
    "description": "The token of the URL as answered; valid for one hour.",
    "schema": {"type": "string"},
}
_BYTES = {"*/*": {"schema": {"type": "string", "format": "binary"}}}


def _operation(operation_id: str, summary: str, responses: JSONObject, **extra: Any) -> JSONObject:
    return {
        "operationId": operation_id,
        "tags": ["PowerRAG"],
        "summary": summary,
        "responses": responses,
        **extra,
    }


def _own_operations(paths: JSONObject) -> dict[str, JSONObject]:
    """Routes PowerRAG answers that Langfuse's document does not describe."""
    v1_filters = [
        p for p in paths["/api/public/v2/scores"]["get"]["parameters"] if p["name"] != "fields"
    ]
    score_id = paths["/api/public/scores/{scoreId}"]["delete"]["parameters"]
    return {
        **_media_urls(),
        "/api/public/ready": {
            "get": _operation(
                "ready",
                "Readiness probe; no authentication.",
                {"200": json_content(ref("HealthResponse"))},
            )
        },
        "/api/public/otel/v1/metrics": {
            "post": _operation(
                "opentelemetry_exportMetrics",
                "OTLP metrics: accepted and ignored, as Langfuse does.",
                {"200": json_content({"type": "object"}), "401": ERROR},
                security=BASIC_AUTH,
                requestBody={"required": False, "content": _OTLP_CONTENT},
            )
        },
        "/api/public/otel/v1/logs": {
            "post": _operation(
                "opentelemetry_exportLogs",
                "OTLP logs: GenAI message content events become the input and output of the "
                "span they name; other log records are accepted and not stored (docs/api.md).",
                {
                    "200": {
                        "description": "An ExportLogsServiceResponse, in the request's encoding; "
                        "partialSuccess counts the rejected records and says why.",
                        "content": _OTLP_CONTENT,
                    },
                    "400": ERROR,
                    "401": ERROR,
                },
                security=BASIC_AUTH,
                requestBody={"required": True, "content": _OTLP_CONTENT},
            )
        },
        "/api/public/scores": {
            "get": _operation(
                "legacy_scoreV1_getMany",
                "Scores of a trace, but not CORRECTION ones (ScoreV1), newest first: the v1 list.",
                {"200": json_content(ref("ScoresV1")), "400": ERROR, "401": ERROR},
                security=BASIC_AUTH,
                parameters=v1_filters,
            )
        },
        "/api/public/scores/{scoreId}": {
            "get": _operation(
                "legacy_scoreV1_get",
                "One score the v1 list shows; 404 for the others.",
                {"200": json_content(ref("ScoreV1")), "401": ERROR, "404": ERROR},
                security=BASIC_AUTH,
                parameters=score_id,
            )
        },
    }


def _media_urls() -> dict[str, JSONObject]:
    """The upload and download URLs of media, reached with their token, not API keys."""
    refused = {"400": ERROR, "403": ERROR, "404": ERROR}
    return {
        "/api/public/media/{mediaId}/upload": {
            "put": _operation(
                "powerrag_media_upload",
                "The upload URL `POST /api/public/media` answers: the bytes, with the registered "
                "Content-Type, length and SHA-256.",
                {
                    "200": {"description": "Stored (or held already)."},
                    **refused,
                    "408": ERROR,
                    "413": ERROR,
                    "415": ERROR,
                },
                parameters=[_MEDIA_ID, _MEDIA_TOKEN],
                requestBody={"required": True, "content": _BYTES},
            )
        },
        "/api/public/media/{mediaId}/download": {
            "get": _operation(
                "powerrag_media_download",
                "The download URL `GET /api/public/media/{mediaId}` answers: the bytes, with "
                "their Content-Type and a sandboxing Content-Security-Policy.",
                {"200": {"description": "The bytes.", "content": _BYTES}, **refused},
                parameters=[_MEDIA_ID, _MEDIA_TOKEN],
            )
        },
    }


def _score_batches(operation: JSONObject) -> None:
    """`POST /scores` also takes the array Python SDK 5 sends (docs/api.md, tests/data/sdk-traffic.md §5)."""
    body = operation["requestBody"]["content"]["application/json"]
    one = body["schema"]
    body["schema"] = {"oneOf": [one, {"type": "array", "items": one}]}
    operation["responses"]["202"] = json_content(
        ref("ScoreBatchAccepted"), "Every score was stored."
    )
    operation["responses"]["207"] = json_content(
        ref("ScoreBatchPartial"), "Some scores were refused."
    )


def _protobuf(operation: JSONObject) -> None:
    """OTLP/HTTP bodies are protobuf as often as JSON (the operation's own description)."""
    protobuf = _OTLP_CONTENT["application/x-protobuf"]
    operation["requestBody"]["content"]["application/x-protobuf"] = protobuf


def _created(operation: JSONObject) -> None:
    """Langfuse's server answers a new prompt version with 201 where its document says 200
    (web/src/features/prompts/server/handlers/promptsHandler.ts); so does PowerRAG."""
    answer = operation["responses"]["200"]
    operation["responses"]["201"] = {**answer, "description": "The new version."}


def openapi_document() -> JSONObject:
    """The whole document, built afresh: callers may keep or change it."""
    text = resources.files("powerrag.data").joinpath(_BUNDLED).read_text()
    doc: JSONObject = json.loads(text)
    doc["info"] = {
        "title": "PowerRAG public API",
        "version": __version__,
        "description": _DESCRIPTION,
    }
    paths = doc["paths"]
    own = {
        **_own_operations(paths),
        **openapi_lifecycle.operations(),
        **openapi_evaluation.operations(),
        **openapi_models.operations(),
    }
    for path, item in own.items():
        paths.setdefault(path, {}).update(item)
    for path, method in _WRITES:
        paths[path][method]["responses"].update(_WRITE_ERRORS)
    _score_batches(paths["/api/public/scores"]["post"])
    _protobuf(paths["/api/public/otel/v1/traces"]["post"])
    _created(paths["/api/public/v2/prompts"]["post"])
    openapi_lifecycle.annotate_sessions(paths)
    openapi_evaluation.annotate(paths)
    openapi_models.annotate(paths)
    openapi_evaluation.fix_const(doc["components"]["schemas"])
    openapi_models.fix_const(doc["components"]["schemas"])
    doc["components"]["schemas"].update(_SCHEMAS | openapi_lifecycle.SCHEMAS)
    # The additions share this module's objects: a deep copy keeps callers off them.
    return copy.deepcopy(doc)
