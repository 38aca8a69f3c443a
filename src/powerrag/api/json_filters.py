"""The JSON `filter` parameter of the trace, observation and score lists, as Langfuse parses it.

A filter is a JSON array of conditions `{type, column, operator, value[, key]}`; the types
and their operators are Langfuse's `filterOperators` (packages/shared/src/interfaces/
filters.ts in github.com/langfuse/langfuse), and a column is named by its UI id or UI name
(`findUiColumnMapping`, packages/shared/src/tableDefinitions/types.ts). Each supported
condition sets a field of the typed filter (domain/filters.py); anything else is a 400 that
names the condition, never silently dropped. As in Langfuse's `deriveFilters`, a field the
JSON filter sets replaces the same field from the plain query parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import ObservationFilter, ScoreFilter, TimeRange, TraceFilter
from powerrag.domain.timeutil import parse_iso

OPERATORS: dict[str, tuple[str, ...]] = {
    "datetime": (">", "<", ">=", "<="),
    "string": ("=", "contains", "does not contain", "starts with", "ends with"),
    "stringOptions": ("any of", "none of"),
    "categoryOptions": ("any of", "none of"),
    "arrayOptions": ("any of", "none of", "all of"),
    "number": ("=", ">", "<", ">=", "<="),
    "stringObject": ("=", "contains", "does not contain", "starts with", "ends with"),
    "numberObject": ("=", ">", "<", ">=", "<="),
    "booleanObject": ("=", "<>"),
    "boolean": ("=", "<>"),
    "null": ("is null", "is not null"),
    "positionInTrace": ("=",),
}
_KEYED = ("stringObject", "numberObject", "booleanObject", "categoryOptions")


@dataclass(frozen=True, slots=True)
class Condition:
    index: int
    type: str
    column: str
    operator: str
    value: Any

    def __str__(self) -> str:
        return f"filter[{self.index}] ({self.type} {self.column!r} {self.operator!r})"


# What a condition sets: field name -> value, merged over the conditions of one filter.
Fields = dict[str, Any]
Apply = Callable[[Condition, Fields], None]
F = TypeVar("F", TraceFilter, ObservationFilter, ScoreFilter)


def parse_conditions(raw: str | None) -> list[Condition]:
    """The conditions of a `filter` parameter; [] when absent or empty."""
    if raw is None or not raw.strip():
        return []
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidRequestError(
            f"filter must be a JSON array of conditions, got {raw!r}"
        ) from None
    if not isinstance(doc, list):
        raise InvalidRequestError("filter must be a JSON array of conditions")
    return [_condition(i, item) for i, item in enumerate(doc)]


def _condition(index: int, item: Any) -> Condition:
    where = f"filter[{index}]"
    if not isinstance(item, dict):
        raise InvalidRequestError(f"{where} must be an object with type, column, operator, value")
    kind, column, operator = item.get("type"), item.get("column"), item.get("operator")
    if kind not in OPERATORS:
        raise InvalidRequestError(
            f"{where}: type must be one of {', '.join(OPERATORS)}, got {kind!r}"
        )
    if not isinstance(column, str) or not column:
        raise InvalidRequestError(f"{where}: column must be a non-empty string")
    if operator not in OPERATORS[kind]:
        allowed = ", ".join(OPERATORS[kind])
        raise InvalidRequestError(
            f"{where}: operator for {kind} must be one of {allowed}, got {operator!r}"
        )
    if kind in _KEYED and not isinstance(item.get("key"), str):
        raise InvalidRequestError(f"{where}: type {kind} needs a string key")
    value = _value(where, kind, operator, item.get("value"))
    return Condition(index, kind, column, operator, value)


def _value(where: str, kind: str, operator: str, value: Any) -> Any:
    if kind == "datetime":
        if not isinstance(value, str):
            raise InvalidRequestError(f"{where}: value must be an ISO 8601 datetime string")
        try:
            return parse_iso(value)
        except ValueError:
            raise InvalidRequestError(
                f"{where}: value is not an ISO 8601 datetime: {value!r}"
            ) from None
    if kind in ("string", "stringObject") and not isinstance(value, str):
        raise InvalidRequestError(f"{where}: value must be a string")
    if kind in ("number", "numberObject") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise InvalidRequestError(f"{where}: value must be a number")
    if kind in ("boolean", "booleanObject") and not isinstance(value, bool):
        raise InvalidRequestError(f"{where}: value must be true or false")
    if kind in ("stringOptions", "categoryOptions", "arrayOptions"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidRequestError(f"{where}: value must be an array of strings")
        if not value and (kind == "stringOptions" or operator == "any of"):
            raise InvalidRequestError(f"{where}: value must not be empty")
        return tuple(value)
    return value


def _set(cond: Condition, out: Fields, name: str, value: Any) -> None:
    if name in out and out[name] != value:
        raise InvalidRequestError(f"{cond}: another condition already constrains {cond.column!r}")
    out[name] = value


def exact(name: str) -> dict[tuple[str, str], Apply]:
    """A single-valued field: `string =`."""
    return {("string", "="): lambda c, out: _set(c, out, name, c.value)}


def many(name: str) -> dict[tuple[str, str], Apply]:
    """A field holding "any of" values: `string =` or `stringOptions any of`."""
    return {
        ("string", "="): lambda c, out: _set(c, out, name, (c.value,)),
        ("stringOptions", "any of"): lambda c, out: _set(c, out, name, c.value),
    }


def contains(name: str) -> dict[tuple[str, str], Apply]:
    return {("string", "contains"): lambda c, out: _set(c, out, name, c.value)}


def time_span(name: str) -> dict[tuple[str, str], Apply]:
    """A TimeRange field: microsecond bounds make the strict comparisons exact."""

    def bound(cond: Condition, out: Fields) -> None:
        span = out.get(name, TimeRange())
        at, op = cond.value, cond.operator
        if op in (">", ">="):
            start = at + 1 if op == ">" else at
            span = TimeRange(start if span.start is None else max(span.start, start), span.end)
        else:
            end = at + 1 if op == "<=" else at
            span = TimeRange(span.start, end if span.end is None else min(span.end, end))
        out[name] = span

    return {("datetime", op): bound for op in OPERATORS["datetime"]}


def number_compare(name: str) -> dict[tuple[str, str], Apply]:
    return {
        ("number", op): (lambda c, out: _set(c, out, name, (c.operator, float(c.value))))
        for op in OPERATORS["number"]
    }


def root_when_null(name: str) -> dict[tuple[str, str], Apply]:
    """`null is null` on the parent id: a root observation."""
    return {
        ("null", "is null"): lambda c, out: _set(c, out, name, True),
        ("null", "is not null"): lambda c, out: _set(c, out, name, False),
    }


Columns = Mapping[tuple[str, ...], dict[tuple[str, str], Apply]]


def apply_filter(base: F, raw: str | None, columns: Columns, noun: str) -> F:
    """`base` (from the plain parameters) with the fields the JSON filter sets replaced."""
    out: Fields = {}
    for cond in parse_conditions(raw):
        rules = next((r for names, r in columns.items() if cond.column in names), None)
        if rules is None:
            known = ", ".join(names[0] for names in columns)
            raise InvalidRequestError(
                f"{cond}: column {cond.column!r} is not supported on {noun}; supported: {known}"
            )
        rule = rules.get((cond.type, cond.operator))
        if rule is None:
            allowed = ", ".join(f"{t} {o}" for t, o in rules)
            raise InvalidRequestError(
                f"{cond}: {cond.type} {cond.operator!r} is not supported on column "
                f"{cond.column!r}; supported: {allowed}"
            )
        rule(cond, out)
    return dataclasses.replace(base, **out)


def _tags_rules() -> dict[tuple[str, str], Apply]:
    return {
        ("arrayOptions", "all of"): lambda c, out: _set(c, out, "tags", c.value),
        ("arrayOptions", "any of"): lambda c, out: _set(c, out, "tags_any", c.value),
    }


# Column names: Langfuse's UI id first (shown in errors), then its UI name (mapTracesTable.ts).
TRACE_COLUMNS: Columns = {
    ("id", "ID", "traceId", "Trace ID"): many("ids"),
    ("name", "Name", "traceName", "Trace Name"): exact("name"),
    ("timestamp", "Timestamp"): time_span("timestamp"),
    ("userId", "User ID"): exact("user_id") | contains("user_contains"),
    ("sessionId", "Session ID"): exact("session_id"),
    ("environment", "Environment"): many("environments") | contains("environment_contains"),
    ("version", "Version"): exact("version"),
    ("release", "Release"): exact("release"),
    ("tags", "Tags"): _tags_rules(),
    ("level", "Level"): exact("level"),
}
# mapObservationsTable.ts
OBSERVATION_COLUMNS: Columns = {
    ("id", "ID"): many("ids"),
    ("type", "Type"): many("types"),
    ("name", "Name"): exact("name"),
    ("traceId", "Trace ID"): exact("trace_id"),
    ("parentObservationId", "Parent Observation ID"): exact("parent_observation_id")
    | root_when_null("is_root"),
    ("startTime", "Start Time"): time_span("start_time"),
    ("environment", "Environment"): many("environments"),
    ("level", "Level"): exact("level"),
    ("version", "Version"): exact("version"),
    ("userId", "User ID"): exact("user_id"),
    ("sessionId", "Session ID"): exact("session_id"),
}
# mapScoresTable.ts
SCORE_COLUMNS: Columns = {
    ("id", "ID"): many("ids"),
    ("name", "Name"): many("names"),
    ("timestamp", "Timestamp"): time_span("timestamp"),
    ("environment", "Environment"): many("environments"),
    ("traceId", "Trace ID"): many("trace_ids"),
    ("observationId", "Observation ID"): many("observation_ids"),
    ("sessionId", "Session ID"): many("session_ids"),
    ("source", "Source"): many("sources"),
    ("dataType", "Data Type"): many("data_types"),
    ("configId", "Config ID"): many("config_ids"),
    ("authorUserId", "Author User ID"): many("author_user_ids"),
    ("value", "Value"): number_compare("value"),
    ("stringValue", "String Value"): many("string_values"),
}


def trace_json_filter(base: TraceFilter, raw: str | None) -> TraceFilter:
    return apply_filter(base, raw, TRACE_COLUMNS, "traces")


def observation_json_filter(base: ObservationFilter, raw: str | None) -> ObservationFilter:
    return apply_filter(base, raw, OBSERVATION_COLUMNS, "observations")


def score_json_filter(base: ScoreFilter, raw: str | None) -> ScoreFilter:
    return apply_filter(base, raw, SCORE_COLUMNS, "scores")
