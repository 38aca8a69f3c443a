"""`POST /api/public/ingestion` events (reference §2) to an IngestBatch.

Each event is accepted or refused on its own; the request answers 207 with both
lists after commit. Entity ids come from the body; the envelope id keys trace
updates so that a resent batch replaces itself.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import (
    MAX_SESSION_ID,
    OBSERVATION_TYPES,
    REFUSED_SESSION_KEY,
    EventError,
    IngestBatch,
    IngestWarning,
    ObservationPatch,
    TraceUpdate,
)
from powerrag.domain.timeutil import in_range, now_us, parse_iso
from powerrag.ingest.scores import score_from_body
from powerrag.ingest.semconv import normalise_environment
from powerrag.ingest.trace_attrs import refused_session_message
from powerrag.ingest.values import checked_usage, cost_map, dumps, usage_map

_OBSERVATION_EVENTS = {
    "span-create": "SPAN",
    "span-update": "SPAN",
    "generation-create": "GENERATION",
    "generation-update": "GENERATION",
    "event-create": "EVENT",
    "agent-create": "AGENT",
    "tool-create": "TOOL",
    "chain-create": "CHAIN",
    "retriever-create": "RETRIEVER",
    "evaluator-create": "EVALUATOR",
    "embedding-create": "EMBEDDING",
    "guardrail-create": "GUARDRAIL",
    "observation-create": None,
    "observation-update": None,
}
KNOWN_EVENTS = frozenset(_OBSERVATION_EVENTS) | {"trace-create", "score-create", "sdk-log"}
_LEVELS = {"DEBUG", "DEFAULT", "WARNING", "ERROR"}
MAX_ID_LENGTH = 64  # traces.id and observations.id are String(64)
_INT32 = range(-(2**31), 2**31)  # observations.prompt_version is an INTEGER column


def decode_batch(doc: Any, *, scores_only: bool = False) -> IngestBatch:
    """Map a `{batch: [...], metadata?}` document. Raises only when its shape is wrong."""
    if not isinstance(doc, dict) or not isinstance(doc.get("batch"), list):
        raise InvalidRequestError('Invalid request data: the body must be {"batch": [events]}')
    events = sorted(
        (e for e in doc["batch"]),
        key=lambda e: str(e.get("type", "")).endswith("-update") if isinstance(e, dict) else False,
    )
    batch = IngestBatch()
    for event in events:
        event_id = event.get("id") if isinstance(event, dict) else None
        shown_id = event_id if isinstance(event_id, str) else ""
        try:
            _check_envelope(event)
            if scores_only and event["type"] != "score-create":
                batch.rejected_events.append(
                    EventError(
                        shown_id,
                        401,
                        "Access Scope Denied: only score-create events may be sent "
                        "with a public key alone",
                        "Authentication error",
                    )
                )
                continue
            _add_event(batch, event)
        except InvalidRequestError as exc:
            batch.rejected_events.append(EventError(shown_id, 400, str(exc)))
            continue
        batch.accepted_event_ids.append(shown_id)
    return batch


def _check_envelope(event: Any) -> None:
    if not isinstance(event, dict):
        raise InvalidRequestError("each event must be an object with id, type, timestamp and body")
    event_id = event.get("id")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 800 or "\r" in event_id:
        raise InvalidRequestError("event.id must be a string of 1 to 800 characters")
    if not isinstance(event.get("type"), str) or event["type"] not in KNOWN_EVENTS:
        raise InvalidRequestError(
            f"unknown event type {event.get('type')!r}; known: {', '.join(sorted(KNOWN_EVENTS))}"
        )
    if not isinstance(event.get("body"), dict):
        raise InvalidRequestError("event.body must be an object")
    _time(event.get("timestamp"), "event.timestamp", required=True)


def _time(value: Any, what: str, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise InvalidRequestError(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise InvalidRequestError(f"{what} must be an ISO 8601 string")
    try:
        us = parse_iso(value)
    except ValueError as exc:
        raise InvalidRequestError(f"{what}: {exc}") from None
    if not in_range(us):
        raise InvalidRequestError(f"{what} is out of range (1990-2200): {value}")
    return us


def _add_event(batch: IngestBatch, event: JSONObject) -> None:
    kind, body = event["type"], event["body"]
    timestamp = _time(event["timestamp"], "event.timestamp") or now_us()
    if kind == "sdk-log":
        return
    if kind == "score-create":
        default_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"event:{event['id']}"))
        batch.scores.append(score_from_body(body, default_id=default_id, timestamp=timestamp))
        batch.score_event_ids.append(event["id"])
        return
    if kind == "trace-create":
        batch.trace_updates.append(_trace_update(event["id"], body, timestamp, batch))
        return
    batch.observation_patches.append(_observation_patch(kind, body, timestamp))


def _opt_str(body: JSONObject, key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRequestError(f"body.{key} must be a string")
    if "\x00" in value:  # PostgreSQL stores no NUL in text: refused here, not as a failed batch
        raise InvalidRequestError(f"body.{key} must not contain NUL characters")
    return value


def _opt_id(body: JSONObject, key: str) -> str | None:
    """An entity id; ids longer than MAX_ID_LENGTH do not fit the store's id columns."""
    value = _opt_str(body, key)
    if value is not None and len(value) > MAX_ID_LENGTH:
        raise InvalidRequestError(f"body.{key} must be at most {MAX_ID_LENGTH} characters")
    return value


def _source_id(event_id: str) -> str:
    """The trace update's key: envelope ids may have 800 characters, the column 128."""
    if len(event_id) <= 100:
        return f"event:{event_id}"
    return "event-sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def _json(value: Any) -> str | None:
    return None if value is None else dumps(value)


def _trace_update(
    event_id: str, body: JSONObject, timestamp: int, batch: IngestBatch
) -> TraceUpdate:
    trace_id = _opt_id(body, "id") or str(uuid.uuid4())
    session_id = _opt_str(body, "sessionId")
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise InvalidRequestError("body.tags must be an array of strings")
    metadata = _trace_metadata(body.get("metadata"))
    if session_id is not None and len(session_id) > MAX_SESSION_ID:
        # Ids in any script up to 200 characters are kept; a longer one is named, never lost.
        message = refused_session_message(trace_id, session_id)
        batch.warnings.append(IngestWarning(message, trace_id=trace_id))
        metadata[REFUSED_SESSION_KEY] = session_id
        session_id = None
    public = body.get("public")
    return TraceUpdate(
        trace_id=trace_id,
        source_id=_source_id(event_id),
        timestamp=_time(body.get("timestamp"), "body.timestamp") or timestamp,
        name=_opt_str(body, "name"),
        user_id=_opt_str(body, "userId"),
        session_id=session_id,
        release=_opt_str(body, "release"),
        version=_opt_str(body, "version"),
        environment=normalise_environment(body.get("environment")),
        public=public if isinstance(public, bool) else None,
        tags=tuple(tags or ()),
        metadata=metadata,
        input=_json(body.get("input")),
        output=_json(body.get("output")),
    )


def _trace_metadata(metadata: Any) -> JSONObject:
    if isinstance(metadata, dict):
        return dict(metadata)
    return {"metadata": metadata} if metadata is not None else {}


def _observation_patch(kind: str, body: JSONObject, timestamp: int) -> ObservationPatch:
    obs_id = _opt_id(body, "id")
    if obs_id is None:
        raise InvalidRequestError("body.id is required for observation events")
    obs_type = _OBSERVATION_EVENTS[kind] or str(body.get("type") or "SPAN").upper()
    if obs_type not in OBSERVATION_TYPES:
        raise InvalidRequestError(f"body.type must be one of {', '.join(OBSERVATION_TYPES)}")
    fields: JSONObject = {}
    if kind.endswith("-create") or body.get("type"):
        fields["type"] = obs_type
    simple = {
        "name": "name",
        "statusMessage": "status_message",
        "version": "version",
        "parentObservationId": "parent_observation_id",
        "model": "model",
        "promptName": "prompt_name",
    }
    for key, attr in simple.items():
        if body.get(key) is not None:
            fields[attr] = _opt_id(body, key) if key.endswith("Id") else _opt_str(body, key)
    for key, attr in (
        ("startTime", "start_time"),
        ("endTime", "end_time"),
        ("completionStartTime", "completion_start_time"),
    ):
        value = _time(body.get(key), f"body.{key}")
        if value is not None:
            fields[attr] = value
    if kind.endswith("-create") and "start_time" not in fields:
        fields["start_time"] = timestamp
    if body.get("level") is not None:
        if body["level"] not in _LEVELS:
            raise InvalidRequestError(f"body.level must be one of {', '.join(sorted(_LEVELS))}")
        fields["level"] = body["level"]
    if body.get("environment") is not None:
        fields["environment"] = normalise_environment(body["environment"])
    for key in ("input", "output", "metadata"):
        # An empty input or output is no value: Langfuse reads it back as null (docs/api.md).
        if body.get(key) is not None and not (key != "metadata" and body[key] == ""):
            fields[key] = _json(body[key])
    if body.get("modelParameters") is not None:
        fields["model_parameters"] = _json(body["modelParameters"])
    if body.get("promptVersion") is not None:
        version = body["promptVersion"]
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidRequestError("body.promptVersion must be an integer")
        if version not in _INT32:
            raise InvalidRequestError(
                f"body.promptVersion is out of range: integers up to {_INT32.stop - 1}"
            )
        fields["prompt_version"] = body["promptVersion"]
    usage, cost = _usage_and_cost(body)
    if usage:
        fields["usage_details"] = usage
        fields["provided_usage"] = {}  # what an OTLP span sent before is replaced
    if cost:
        fields["cost_details"] = cost
    trace_id = _opt_id(body, "traceId") or (str(uuid.uuid4()) if kind.endswith("-create") else "")
    return ObservationPatch(id=obs_id, trace_id=trace_id, fields=fields, timestamp=timestamp)


def _usage_and_cost(body: JSONObject) -> tuple[dict[str, int], dict[str, float]]:
    usage: dict[str, int] = {}
    cost: dict[str, float] = {}
    legacy = body.get("usage")
    if isinstance(legacy, dict):
        aliases = {"promptTokens": "input", "completionTokens": "output", "totalTokens": "total"}
        usage = usage_map(
            {
                aliases.get(k, k): v
                for k, v in legacy.items()
                if k in ("input", "output", "total", *aliases)
            },
            "body.usage",
        )
        cost = cost_map({k[:-4]: v for k, v in legacy.items() if k.endswith("Cost")}, "body.usage")
    usage.update(usage_map(body.get("usageDetails"), "body.usageDetails"))
    cost.update(cost_map(body.get("costDetails"), "body.costDetails"))
    return checked_usage(usage, "body.usageDetails"), cost
