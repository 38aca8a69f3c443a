"""Evaluation rules: which sessions, traces or observations a judge sees, and its variables.

Langfuse's rules target observations (and experiments); PowerRAG adds `trace` and
`session` (judged when the session ends, docs/evaluation.md). Filters, mapping and
sampling keep Langfuse's shapes (`unstableEvaluationRuleFilter`, `…Mapping`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError

TARGETS = ("session", "trace", "observation")
SOURCES = {
    "session": ("transcript", "input", "output", "metadata"),
    "trace": ("input", "output", "metadata"),
    "observation": ("input", "output", "metadata"),
}
# column -> filter types allowed on it
FILTER_COLUMNS = {
    "environment": ("string", "stringOptions"),
    "tags": ("arrayOptions",),
    "userId": ("string", "stringOptions"),
    "name": ("string", "stringOptions"),
}
_OPERATORS = {
    "string": ("=", "contains", "does not contain", "starts with", "ends with"),
    "stringOptions": ("any of", "none of"),
    "arrayOptions": ("any of", "none of", "all of"),
}
# Langfuse's default delay (ms) lets a trace's late spans arrive before it is judged.
DEFAULT_DELAY_MS = 10_000
MAX_DELAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class LlmConnection:
    id: str
    project_id: str
    provider: str
    adapter: str
    base_url: str | None
    # Encrypted (powerrag/secretbox.py): the key and the extra headers, as JSON.
    secret: str
    display_secret_key: str
    custom_models: list[str]
    with_default_models: bool
    extra_header_keys: list[str]
    config: dict[str, Any] | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class EvaluationRule:
    id: str
    project_id: str
    name: str
    evaluator_id: str
    target: str
    enabled: bool
    sampling: float
    delay_ms: int
    filters: list[dict[str, Any]]
    mapping: list[dict[str, Any]]
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """What filters read of a session, trace or observation."""

    environment: str
    tags: tuple[str, ...]
    user_ids: tuple[str, ...]
    name: str | None


# Environment of the traces PowerRAG writes for its own judge calls: never judged again.
JUDGE_ENVIRONMENT = "powerrag-evaluation"


@dataclass(frozen=True, slots=True)
class JudgeInput:
    """One target: its filters' facts, its turns (input, output) and its metadata."""

    facts: TargetFacts
    turns: list[tuple[Any, Any]]
    metadata: Any
    trace_id: str | None


@dataclass(frozen=True, slots=True)
class NewTarget:
    """A trace or observation to judge; (at, id) is its place in the scan's order."""

    id: str
    trace_id: str
    at: int


def check_mapping(target: str, names: list[str], mapping: Any) -> list[dict[str, Any]]:
    """Every prompt variable mapped exactly once to a source of the target."""
    if not isinstance(mapping, list):
        raise InvalidRequestError("mapping must be a list of {variable, source, jsonPath}")
    seen: dict[str, dict[str, Any]] = {}
    for item in mapping:
        if not isinstance(item, dict) or not isinstance(item.get("variable"), str):
            raise InvalidRequestError("each mapping needs a string variable")
        variable, source, path = item["variable"], item.get("source"), item.get("jsonPath")
        if variable in seen:
            raise InvalidRequestError(f"variable {variable!r} is mapped twice")
        if variable not in names:
            raise InvalidRequestError(f"{variable!r} is not a variable of the prompt ({names})")
        if source not in SOURCES[target]:
            raise InvalidRequestError(
                f"source of {variable!r} must be one of {', '.join(SOURCES[target])} "
                f"for target {target}, got {source!r}"
            )
        if path is not None and (not isinstance(path, str) or not path.startswith("$")):
            raise InvalidRequestError(f"jsonPath of {variable!r} must start with '$'")
        seen[variable] = {"variable": variable, "source": source, "jsonPath": path}
    missing = [n for n in names if n not in seen]
    if missing:
        raise InvalidRequestError(f"variable {missing[0]!r} of the prompt is not mapped")
    return [seen[n] for n in names]


def check_filters(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequestError("filter must be a list")
    checked = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidRequestError("each filter must be an object")
        column, kind, operator = item.get("column"), item.get("type"), item.get("operator")
        if column not in FILTER_COLUMNS:
            raise InvalidRequestError(
                f"filter column must be one of {', '.join(FILTER_COLUMNS)}, got {column!r}"
            )
        if kind not in FILTER_COLUMNS[column]:
            raise InvalidRequestError(
                f"filter on {column} must have type {' or '.join(FILTER_COLUMNS[column])}"
            )
        if operator not in _OPERATORS[kind]:
            raise InvalidRequestError(
                f"operator of a {kind} filter must be one of {', '.join(_OPERATORS[kind])}"
            )
        wanted = item.get("value")
        good = (
            isinstance(wanted, str)
            if kind == "string"
            else isinstance(wanted, list) and all(isinstance(v, str) for v in wanted)
        )
        if not good:
            raise InvalidRequestError(f"value of the {column} filter has the wrong type")
        checked.append({"type": kind, "column": column, "operator": operator, "value": wanted})
    return checked


def _string_match(operator: str, have: str, want: str) -> bool:
    return {
        "=": have == want,
        "contains": want in have,
        "does not contain": want not in have,
        "starts with": have.startswith(want),
        "ends with": have.endswith(want),
    }[operator]


def _matches(item: dict[str, Any], facts: TargetFacts) -> bool:
    column, operator, want = item["column"], item["operator"], item["value"]
    have: tuple[str, ...] = {
        "environment": (facts.environment,),
        "tags": facts.tags,
        "userId": facts.user_ids,
        "name": (facts.name,) if facts.name else (),
    }[column]
    if item["type"] == "string":
        return any(_string_match(operator, h, want) for h in have)
    if operator == "any of":
        return bool(set(have) & set(want))
    if operator == "none of":
        return not set(have) & set(want)
    return set(want) <= set(have)


def matches(filters: list[dict[str, Any]], facts: TargetFacts) -> bool:
    """Every filter holds (an empty list matches everything)."""
    return all(_matches(item, facts) for item in filters)


def sampled(rule_id: str, target_key: str, sampling: float) -> bool:
    """The same answer in every replica: a hash of (rule, target) against the rate."""
    if sampling >= 1:
        return True
    digest = hashlib.sha256(f"{rule_id}\n{target_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < sampling


def at_path(document: Any, path: str | None) -> Any:
    """The value at a simple JSONPath (`$.a.b[0]`), or None when absent."""
    if not path or path == "$":
        return document
    current = document
    for part in path[1:].replace("[", ".").replace("]", "").split("."):
        if part == "":
            continue
        if isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


def as_text(value: Any) -> str:
    """A variable's text: strings as they are, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
