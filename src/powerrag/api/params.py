"""Read-API query parameters parsed into `domain.filters`, with clear 400 messages.

Parameter names are Langfuse's (camelCase); repeatable ones (`environment`,
`tags`, `traceTags`) may appear several times.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import (
    SESSION_STATUSES,
    TRACE_ORDER_FIELDS,
    VALUE_OPERATORS,
    ObservationCursor,
    ObservationFilter,
    PageRequest,
    ScoreCursor,
    ScoreFilter,
    SessionFilter,
    TimeRange,
    TraceFilter,
    TraceOrder,
)
from powerrag.domain.records import LEVELS, OBSERVATION_TYPES, SCORE_DATA_TYPES, SCORE_SOURCES
from powerrag.domain.timeutil import parse_iso


class Params(Protocol):
    """Query parameters: Starlette's `QueryParams` fits."""

    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


def text(params: Params, name: str) -> str | None:
    value = params.get(name)
    return value if value else None


def parse_int(params: Params, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidRequestError(f"{name} must be an integer, got {value!r}") from None


def parse_bool(params: Params, name: str) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise InvalidRequestError(f"{name} must be true or false, got {value!r}")


def parse_time(params: Params, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise InvalidRequestError(
            f"{name} must be an ISO 8601 datetime such as 2026-01-31T12:00:00Z, got {value!r}"
        ) from None


def time_range(params: Params, start: str, end: str) -> TimeRange:
    return TimeRange(parse_time(params, start), parse_time(params, end))


def repeated(params: Params, name: str) -> tuple[str, ...]:
    """A repeatable parameter; comma lists are split too (`scoreIds=a,b`)."""
    values: list[str] = []
    for item in params.getlist(name):
        values.extend(v.strip() for v in item.split(",") if v.strip())
    return tuple(values)


def choice(params: Params, name: str, allowed: tuple[str, ...]) -> str | None:
    value = text(params, name)
    if value is not None and value not in allowed:
        raise InvalidRequestError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def fields(params: Params, allowed: tuple[str, ...], default: tuple[str, ...]) -> frozenset[str]:
    """A comma list of field groups; unknown names are ignored, as Langfuse does."""
    value = params.get("fields")
    if not value:
        return frozenset(default)
    return frozenset(f.strip() for f in value.split(",") if f.strip() in allowed)


def session_filter(params: Params) -> SessionFilter:
    return SessionFilter(
        created=time_range(params, "fromTimestamp", "toTimestamp"),
        environments=repeated(params, "environment"),
        status=choice(params, "status", SESSION_STATUSES),
    )


def trace_filter(params: Params) -> TraceFilter:
    return TraceFilter(
        name=text(params, "name"),
        user_id=text(params, "userId"),
        session_id=text(params, "sessionId"),
        tags=tuple(params.getlist("tags")),
        timestamp=time_range(params, "fromTimestamp", "toTimestamp"),
        environments=repeated(params, "environment"),
        version=text(params, "version"),
        release=text(params, "release"),
    )


_ORDER_NAMES = {
    "userId": "user_id",
    "sessionId": "session_id",
    **{f: f for f in TRACE_ORDER_FIELDS if "_" not in f},
}


def trace_order(params: Params) -> TraceOrder:
    """`orderBy=field.asc|desc`; the default is `timestamp.desc`."""
    value = text(params, "orderBy")
    if value is None:
        return TraceOrder()
    name, _, direction = value.partition(".")
    if name not in _ORDER_NAMES or direction not in ("asc", "desc"):
        raise InvalidRequestError(
            f"orderBy must be field.asc or field.desc with field one of "
            f"{', '.join(_ORDER_NAMES)}, got {value!r}"
        )
    return TraceOrder(field=_ORDER_NAMES[name], descending=direction == "desc")


def observation_filter(params: Params) -> ObservationFilter:
    kind = choice(params, "type", OBSERVATION_TYPES)
    return ObservationFilter(
        name=text(params, "name"),
        user_id=text(params, "userId"),
        session_id=text(params, "sessionId"),
        types=(kind,) if kind else (),
        trace_id=text(params, "traceId"),
        level=choice(params, "level", LEVELS),
        parent_observation_id=text(params, "parentObservationId"),
        is_root=parse_bool(params, "isRootObservation"),
        environments=repeated(params, "environment"),
        start_time=time_range(params, "fromStartTime", "toStartTime"),
        version=text(params, "version"),
    )


def score_filter(params: Params, *, v1_only: bool = False) -> ScoreFilter:
    """The v1/v2 filters: single values, except the comma lists scoreIds and observationId."""
    return ScoreFilter(
        user_id=text(params, "userId"),
        names=_one(text(params, "name")),
        timestamp=time_range(params, "fromTimestamp", "toTimestamp"),
        environments=repeated(params, "environment"),
        sources=_one(choice(params, "source", SCORE_SOURCES)),
        value=_value_condition(params),
        ids=repeated(params, "scoreIds"),
        config_ids=_one(text(params, "configId")),
        session_ids=_one(text(params, "sessionId")),
        dataset_run_ids=_one(text(params, "datasetRunId")),
        trace_ids=_one(text(params, "traceId")),
        observation_ids=repeated(params, "observationId"),
        queue_ids=_one(text(params, "queueId")),
        data_types=_one(choice(params, "dataType", SCORE_DATA_TYPES)),
        trace_tags=tuple(params.getlist("traceTags")),
        v1_only=v1_only,
    )


def _one(value: str | None) -> tuple[str, ...]:
    return () if value is None else (value,)


def _value_condition(params: Params) -> tuple[str, float] | None:
    raw = text(params, "value")
    if raw is None:
        return None
    operator = choice(params, "operator", VALUE_OPERATORS) or "="
    try:
        return operator, float(raw)
    except ValueError:
        raise InvalidRequestError(f"value must be a number, got {raw!r}") from None


def _upper_choices(params: Params, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = tuple(v.upper() for v in repeated(params, name))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidRequestError(f"{name} must list values of {', '.join(allowed)}, got {unknown}")
    return values


def _number(params: Params, name: str) -> float | None:
    raw = text(params, name)
    try:
        return None if raw is None else float(raw)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a number, got {raw!r}") from None


def score_v3_filter(params: Params) -> ScoreFilter:
    """The v3 filters, with the spec's rules on which may be combined (400 otherwise)."""
    data_types = _upper_choices(params, "dataType", SCORE_DATA_TYPES)
    traces, sessions = repeated(params, "traceId"), repeated(params, "sessionId")
    observations, experiments = repeated(params, "observationId"), repeated(params, "experimentId")
    if sum(bool(x) for x in (traces, sessions, experiments)) > 1:
        raise InvalidRequestError("traceId, sessionId and experimentId are mutually exclusive")
    if observations and not traces:
        raise InvalidRequestError("observationId requires traceId: observation ids are per trace")
    value_min, value_max = _number(params, "valueMin"), _number(params, "valueMax")
    if (value_min is not None or value_max is not None) and data_types != ("NUMERIC",):
        raise InvalidRequestError("valueMin and valueMax require dataType=NUMERIC")
    numeric, strings = _exact_values(params, data_types)
    return ScoreFilter(
        ids=repeated(params, "id"),
        names=repeated(params, "name"),
        sources=_upper_choices(params, "source", SCORE_SOURCES),
        data_types=data_types,
        environments=repeated(params, "environment"),
        config_ids=repeated(params, "configId"),
        queue_ids=repeated(params, "queueId"),
        author_user_ids=repeated(params, "authorUserId"),
        numeric_values=numeric,
        string_values=strings,
        value_min=value_min,
        value_max=value_max,
        trace_ids=traces,
        session_ids=sessions,
        observation_ids=observations,
        dataset_run_ids=experiments,
        timestamp=time_range(params, "fromTimestamp", "toTimestamp"),
    )


def _exact_values(
    params: Params, data_types: tuple[str, ...]
) -> tuple[tuple[float, ...], tuple[str, ...]]:
    values = repeated(params, "value")
    if not values:
        return (), ()
    if len(data_types) != 1 or data_types[0] not in ("NUMERIC", "BOOLEAN", "CATEGORICAL"):
        raise InvalidRequestError(
            "value requires exactly one dataType of NUMERIC, BOOLEAN or CATEGORICAL"
        )
    if data_types[0] == "CATEGORICAL":
        return (), values
    if data_types[0] == "BOOLEAN":
        if any(v.lower() not in ("true", "false") for v in values):
            raise InvalidRequestError(f"value must be true or false for BOOLEAN, got {values}")
        return tuple(1.0 if v.lower() == "true" else 0.0 for v in values), ()
    try:
        return tuple(float(v) for v in values), ()
    except ValueError:
        raise InvalidRequestError(f"value must be numbers for NUMERIC, got {values}") from None


DEFAULT_LIMIT = 50
MAX_PAGE_LIMIT = 100
MAX_CURSOR_LIMIT = 1000
# SQL BIGINT: offsets and cursor times past it cannot reach the database (OverflowError, a 500).
BIGINT_MAX = 2**63 - 1


def parse_page(params: Params, max_limit: int = MAX_PAGE_LIMIT) -> PageRequest:
    """`page` >= 1 (default 1) and `limit` 1..max_limit (default 50), as Langfuse checks them."""
    page = parse_int(params, "page", 1)
    limit = parse_limit(params, max_limit)
    if page < 1:
        raise InvalidRequestError(f"page must be 1 or more, got {page}")
    if (page - 1) * limit > BIGINT_MAX:
        last = BIGINT_MAX // limit + 1
        raise InvalidRequestError(f"page must be at most {last} with limit {limit}, got {page}")
    return PageRequest(page=page, limit=limit)


def parse_limit(params: Params, max_limit: int) -> int:
    limit = parse_int(params, "limit", DEFAULT_LIMIT)
    if not 1 <= limit <= max_limit:
        raise InvalidRequestError(f"limit must be between 1 and {max_limit}, got {limit}")
    return limit


def _bigint(value: Any) -> int:
    number = int(value)
    if abs(number) > BIGINT_MAX:
        raise ValueError(f"{number} is out of range")
    return number


def encode_cursor(cursor: ObservationCursor) -> str:
    """Base64 of JSON, with Langfuse's key names (the start time kept in microseconds)."""
    doc = {
        "lastStartTimeTo": cursor.start_time,
        "lastTraceId": cursor.trace_id,
        "lastId": cursor.id,
    }
    return base64.b64encode(orjson.dumps(doc)).decode()


def decode_cursor(text: str | None) -> ObservationCursor | None:
    if not text:
        return None
    try:
        doc: Any = orjson.loads(base64.b64decode(text, validate=True))
        cursor = ObservationCursor(
            start_time=_bigint(doc["lastStartTimeTo"]),
            trace_id=str(doc["lastTraceId"]),
            id=str(doc["lastId"]),
        )
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidRequestError(
            "cursor is not valid: pass the meta.cursor of a previous response unchanged"
        ) from None
    return cursor


def encode_score_cursor(cursor: ScoreCursor) -> str:
    """URL-safe base64 of JSON, as the v3 scores API describes its cursor."""
    doc = {"timestamp": cursor.timestamp, "id": cursor.id}
    return base64.urlsafe_b64encode(orjson.dumps(doc)).decode()


def decode_score_cursor(text: str | None) -> ScoreCursor | None:
    if not text:
        return None
    try:
        doc: Any = orjson.loads(base64.urlsafe_b64decode(text))
        return ScoreCursor(timestamp=_bigint(doc["timestamp"]), id=str(doc["id"]))
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidRequestError(
            "cursor is not valid: pass the meta.cursor of a previous response unchanged"
        ) from None
