"""Score bodies (batch `score-create` events and `POST /api/public/scores`) to ScoreRecords."""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import SCORE_SOURCES, ScoreRecord
from powerrag.domain.scores import typed_value
from powerrag.domain.timeutil import in_range, parse_iso
from powerrag.ingest.semconv import normalise_environment
from powerrag.ingest.values import dumps, field_with_nul

# Longest value each id column holds (store/infra/schema.py scores table).
_ID_LENGTHS = {
    "id": 128,
    "traceId": 64,
    "observationId": 64,
    "sessionId": 200,
    "datasetRunId": 64,
    "configId": 64,
    "queueId": 64,
}


def _opt_str(body: JSONObject, key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRequestError(f"score.{key} must be a string, got {type(value).__name__}")
    limit = _ID_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        raise InvalidRequestError(f"score.{key} must be at most {limit} characters")
    return value


def score_from_body(body: Any, *, default_id: str, timestamp: int) -> ScoreRecord:
    """Validate one score body; InvalidRequestError says what is wrong."""
    if not isinstance(body, dict):
        raise InvalidRequestError("a score must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError("score.name is required and must be a non-empty string")
    if "value" not in body or body["value"] is None:
        raise InvalidRequestError("score.value is required")
    data_type, value, string_value = typed_value(_opt_str(body, "dataType"), body["value"])
    trace_id, session_id = _opt_str(body, "traceId"), _opt_str(body, "sessionId")
    run_id, observation_id = _opt_str(body, "datasetRunId"), _opt_str(body, "observationId")
    targets = [t for t in (trace_id, session_id, run_id) if t]
    if len(targets) != 1:
        raise InvalidRequestError(
            "a score needs exactly one of traceId (optionally with observationId), "
            "sessionId or datasetRunId"
        )
    if observation_id and not trace_id:
        raise InvalidRequestError("score.observationId needs score.traceId")
    if data_type == "CORRECTION" and session_id:
        raise InvalidRequestError("a CORRECTION score cannot target a session")
    source = _opt_str(body, "source") or "API"
    if source not in SCORE_SOURCES:
        raise InvalidRequestError(f"score.source must be one of {', '.join(SCORE_SOURCES)}")
    raw_ts = _opt_str(body, "timestamp")
    try:
        ts = parse_iso(raw_ts) if raw_ts else timestamp
    except ValueError as exc:
        raise InvalidRequestError(f"score.timestamp: {exc}") from None
    if raw_ts and not in_range(ts):
        raise InvalidRequestError(f"score.timestamp is out of range (1990-2200): {raw_ts}")
    metadata = body.get("metadata")
    score = ScoreRecord(
        id=_opt_str(body, "id") or default_id,
        name=name,
        data_type=data_type,
        timestamp=ts,
        value=value,
        string_value=string_value,
        trace_id=trace_id,
        observation_id=observation_id,
        session_id=session_id,
        dataset_run_id=run_id,
        environment=normalise_environment(body.get("environment")),
        source=source,
        comment=_opt_str(body, "comment"),
        metadata=dumps(metadata) if metadata is not None else None,
        config_id=_opt_str(body, "configId"),
        queue_id=_opt_str(body, "queueId"),
        data_type_sent=_opt_str(body, "dataType") is not None,
    )
    nul = field_with_nul(score)
    if nul is not None:
        raise InvalidRequestError(f"score {nul} must not contain NUL characters")
    return score
