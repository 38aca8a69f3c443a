"""Stored rows rendered as Langfuse's public API objects (camelCase lives only here).

Input, output and metadata are stored as JSON text and returned parsed; text
that is not JSON (older rows, foreign writers) is returned as the string it is.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import orjson

from powerrag import urls
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.rows import MediaRow, ScoreRow, SessionRow, TraceRow
from powerrag.domain.timeutil import duration_seconds, to_iso
from powerrag.query.paging import Paged
from powerrag.query.prices import PricedObservation
from powerrag.query.sessions import SessionDetail
from powerrag.query.traces import TraceDetail, TraceItem


def parse_json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _object(text: str | None) -> Any:
    """Metadata: Langfuse always answers an object, `{}` when there is none."""
    value = parse_json(text)
    return {} if value is None else value


def page_meta(paged: Paged[Any]) -> dict[str, int]:
    return {
        "page": paged.page.page,
        "limit": paged.page.limit,
        "totalItems": paged.total,
        "totalPages": math.ceil(paged.total / paged.page.limit),
    }


def paginated(paged: Paged[Any], items: list[JSONObject]) -> JSONObject:
    return {"data": items, "meta": page_meta(paged)}


def session(row: SessionRow) -> JSONObject:
    """Langfuse's Session, plus PowerRAG's lifecycle: status, endedAt, previousId."""
    return {
        "id": row.id,
        "createdAt": to_iso(row.created_at),
        "projectId": row.project_id,
        "environment": row.environment,
        "status": row.status,
        "endedAt": to_iso(row.ended_at),
        "previousId": row.previous_id,
    }


def trace(row: TraceRow, fields: frozenset[str] = frozenset({"core", "io"})) -> JSONObject:
    """The Trace object (Langfuse's APITrace keys); `io` adds input, output and metadata."""
    item: JSONObject = {
        "id": row.id,
        "externalId": None,
        "timestamp": to_iso(row.timestamp),
        "name": row.name,
        "userId": row.user_id,
        "release": row.release,
        "version": row.version,
        "projectId": row.project_id,
        "environment": row.environment,
        "public": bool(row.public),
        "bookmarked": bool(row.bookmarked),
        "tags": parse_json(row.tags) or [],
        "sessionId": row.session_id,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
        "htmlPath": urls.trace(row.project_id, row.id),
    }
    if "io" in fields:
        item["input"] = parse_json(row.input)
        item["output"] = parse_json(row.output)
        item["metadata"] = _object(row.metadata)
    return item


def _metrics(row: TraceRow) -> JSONObject:
    return {
        "latency": duration_seconds(row.timestamp, row.end_time) or 0.0,
        "totalCost": row.total_cost or 0.0,
    }


def trace_with_details(found: TraceItem, fields: frozenset[str]) -> JSONObject:
    """A list item: observation and score ids, latency (s) and total cost per field group."""
    item = trace(found.trace, fields)
    if found.observation_ids is not None:
        item["observations"] = found.observation_ids
    if found.score_ids is not None:
        item["scores"] = found.score_ids
    if "metrics" in fields:
        item.update(_metrics(found.trace))
    return item


def trace_with_full_details(found: TraceDetail, fields: frozenset[str]) -> JSONObject:
    item = trace(found.trace, fields)
    if "io" not in fields:
        item["metadata"] = {}
    item["observations"] = [observation(o) for o in found.observations]
    item["scores"] = [trace_score(s) for s in found.scores]
    if "metrics" in fields:
        item.update(_metrics(found.trace))
    return item


def session_with_traces(found: SessionDetail) -> JSONObject:
    return {**session(found.session), "traces": [trace(t) for t in found.traces]}


def _int_map(text: str | None) -> dict[str, int]:
    value = parse_json(text) or {}
    return {k: int(v) for k, v in value.items() if isinstance(v, int | float)}


def _float_map(text: str | None) -> dict[str, float]:
    value = parse_json(text) or {}
    return {k: float(v) for k, v in value.items() if isinstance(v, int | float)}


def _price(prices: dict[str, float] | None, key: str) -> float | None:
    return prices.get(key) if prices else None


def observation(priced: PricedObservation) -> JSONObject:
    """The v1 Observation / ObservationsView object."""
    row, prices = priced.row, priced.prices
    usage = _int_map(row.usage_details)
    # Langfuse answers the keys the SDK sent; the token figures come from the counted usage.
    sent_usage = _int_map(row.provided_usage_details) if row.provided_usage_details else usage
    costs = _float_map(row.cost_details)
    tokens_in, tokens_out = usage.get("input", 0), usage.get("output", 0)
    total = usage.get("total", 0)
    return {
        "id": row.id,
        "projectId": row.project_id,
        "traceId": row.trace_id,
        "parentObservationId": row.parent_observation_id,
        "type": row.type,
        "name": row.name,
        "environment": row.environment,
        "startTime": to_iso(row.start_time),
        "endTime": to_iso(row.end_time),
        "completionStartTime": to_iso(row.completion_start_time),
        "version": row.version,
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
        "input": parse_json(row.input),
        "output": parse_json(row.output),
        "metadata": _object(row.metadata),
        "level": row.level,
        "statusMessage": row.status_message,
        "model": row.model,
        "modelParameters": parse_json(row.model_parameters),
        "promptId": row.prompt_id,
        "promptName": row.prompt_name,
        "promptVersion": row.prompt_version,
        "usageDetails": sent_usage,
        "costDetails": costs,
        "usage": {"unit": "TOKENS", "input": tokens_in, "output": tokens_out, "total": total},
        "unit": "TOKENS",
        "promptTokens": tokens_in,
        "completionTokens": tokens_out,
        "totalTokens": total,
        "usagePricingTierName": row.pricing_tier_name,
        "usagePricingTierId": row.pricing_tier_id,
        "modelId": row.model_id,
        "inputPrice": _price(prices, "input"),
        "outputPrice": _price(prices, "output"),
        "totalPrice": _price(prices, "total"),
        "calculatedInputCost": row.input_cost,
        "calculatedOutputCost": row.output_cost,
        "calculatedTotalCost": row.total_cost,
        "latency": duration_seconds(row.start_time, row.end_time),
        "timeToFirstToken": duration_seconds(row.start_time, row.completion_start_time),
    }


def _score_value(row: ScoreRow) -> JSONObject:
    """`value` and/or `stringValue` as the score's data type defines them."""
    kind = row.data_type
    if kind == "NUMERIC":
        return {"value": row.value}
    if kind == "TEXT":
        return {"stringValue": row.string_value}
    # Categorical without a config maps to 0 (spec: CategoricalScore.value); correction is 0.
    value = row.value if row.value is not None else 0.0
    return {"value": value, "stringValue": row.string_value}


def _score_base(row: ScoreRow) -> JSONObject:
    return {
        "id": row.id,
        "traceId": row.trace_id,
        "observationId": row.observation_id,
        "name": row.name,
        "source": row.source,
        "dataType": row.data_type,
        **_score_value(row),
        "timestamp": to_iso(row.timestamp),
        "createdAt": to_iso(row.created_at),
        "updatedAt": to_iso(row.updated_at),
        "authorUserId": row.author_user_id,
        "comment": row.comment,
        "metadata": _object(row.metadata),
        "configId": row.config_id,
        "queueId": row.queue_id,
        "environment": row.environment,
    }


def score_v1(row: ScoreRow) -> JSONObject:
    """ScoreV1: a trace-bound score."""
    return _score_base(row)


def trace_score(row: ScoreRow) -> JSONObject:
    """A score in a trace's `scores`: Langfuse answers its stored record, where `value` and
    `stringValue` are both present, null when the data type has none."""
    return {"value": None, "stringValue": None, **_score_base(row)}


def score_v2(row: ScoreRow, fields: frozenset[str] = frozenset({"score"})) -> JSONObject:
    """The v2 score (BaseScore + value) and, with the `trace` group, its trace's context."""
    item = _score_base(row)
    item["sessionId"] = row.session_id
    item["datasetRunId"] = row.dataset_run_id
    if "trace" in fields:
        item["trace"] = (
            {
                "userId": row.trace_user_id,
                "tags": parse_json(row.trace_tags) or [],
                "environment": row.trace_environment,
                "sessionId": row.trace_session_id,
            }
            if row.trace_id and row.trace_environment is not None
            else None
        )
    return item


def decimal_text(value: float | None) -> str | None:
    """Prices as the v2 API gives them: decimal strings without exponent ("0.0000025")."""
    return None if value is None else format(Decimal(repr(value)), "f")


def media_record(row: MediaRow, url: str, expires_s: int) -> JSONObject:
    """GetMediaResponse: the record with a download URL valid until `expires_s`."""
    return {
        "mediaId": row.id,
        "contentType": row.content_type,
        "contentLength": row.content_length,
        "uploadedAt": to_iso(row.uploaded_at or row.created_at),
        "url": url,
        "urlExpiry": to_iso(expires_s * 1_000_000),
    }
