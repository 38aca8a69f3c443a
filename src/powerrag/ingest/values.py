"""Small value conversions shared by the OTLP and batch mappers."""

from __future__ import annotations

from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError


def to_json_text(value: Any) -> str | None:
    """Store a value as JSON text.

    Strings that already hold JSON are kept as they are (the SDKs send JSON text);
    any other string is a plain string and gets quoted, because the SDKs send plain
    strings raw (tests/data/sdk-traffic.md §4.2).
    """
    if value is None:
        return None
    if isinstance(value, str):
        if looks_like_json(value):
            try:
                orjson.loads(value)
            except orjson.JSONDecodeError:
                return orjson.dumps(value).decode()
            return value
        return orjson.dumps(value).decode()
    return dumps(value)


def looks_like_json(text: str) -> bool:
    stripped = text.lstrip()
    if not stripped:
        return False
    head = stripped[0]
    return head in '{["' or head.isdigit() or head == "-" or stripped in ("true", "false", "null")


def parse_json_maybe(value: Any) -> Any:
    """JSON-decode a string when it holds JSON, else return it unchanged."""
    if isinstance(value, str) and looks_like_json(value):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def parse_json_object(value: Any) -> dict[str, Any] | None:
    """A JSON object from text or a dict; None when it is not one."""
    parsed = parse_json_maybe(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, dict) else None


def dumps(value: Any) -> str:
    """Compact JSON text; values JSON cannot hold become strings.

    Raises InvalidRequestError for what cannot be written at all: values nested
    deeper than orjson's 254 levels and integers beyond 64 bits.
    """
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError as exc:
        raise InvalidRequestError(f"a value cannot be stored as JSON: {exc}") from None


def as_str(value: Any) -> str | None:
    """A non-empty string, JSON-stringifying non-strings (reference §1.9)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return dumps(value)


def usage_map(value: Any) -> dict[str, int]:
    """Keep only non-negative integer counts (ingestion schema `UsageDetails`)."""
    obj = parse_json_object(value)
    if not obj:
        return {}
    if "prompt_tokens" in obj or ("input_tokens" in obj and "output_tokens" in obj):
        obj = _openai_usage(obj)
    result: dict[str, int] = {}
    for key, raw in obj.items():
        number = _non_negative_int(raw)
        if number is not None:
            result[str(key)] = number
    return result


def _openai_usage(obj: dict[str, Any]) -> dict[str, Any]:
    inp = obj.get("prompt_tokens", obj.get("input_tokens"))
    out = obj.get("completion_tokens", obj.get("output_tokens"))
    result: dict[str, Any] = {"input": inp, "output": out, "total": obj.get("total_tokens")}
    for side, key in (
        ("input", "prompt_tokens_details"),
        ("output", "completion_tokens_details"),
        ("input", "input_tokens_details"),
        ("output", "output_tokens_details"),
    ):
        details = obj.get(key)
        if isinstance(details, dict):
            for name, count in details.items():
                number = _non_negative_int(count)
                if number is None:
                    continue
                result[f"{side}_{name}"] = number
                base = _non_negative_int(result.get(side))
                if base is not None:
                    result[side] = max(base - number, 0)
    return {k: v for k, v in result.items() if v is not None}


def _non_negative_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    if isinstance(raw, float) and raw.is_integer() and raw >= 0:
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def cost_map(value: Any) -> dict[str, float]:
    """Keep only non-negative numbers."""
    obj = parse_json_object(value)
    if not obj:
        return {}
    result: dict[str, float] = {}
    for key, raw in obj.items():
        if isinstance(raw, bool):
            continue
        try:
            number = float(raw)
        except (TypeError, ValueError):
            continue
        if number >= 0 and number == number:  # NaN is never a cost
            result[str(key)] = number
    return result
