"""Small value conversions shared by the OTLP and batch mappers."""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields
from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject

# Token counts are written as JSON integers (orjson writes at most 64 bits) and summed
# into `total`: a count, and the sum of one observation's counts, must fit a signed
# 64-bit integer, PostgreSQL's BIGINT (issue 19, finding M8).
MAX_TOKEN_COUNT = 2**63 - 1
# Costs are summed into trace and session totals in double-precision columns, and
# PostgreSQL refuses a float sum that overflows: a bound far above any real cost keeps
# every sum finite.
MAX_COST = 1e15
_INT64 = range(-(2**63), 2**63)
# orjson reads integers beyond 64 bits as floats (a 40-digit id becomes 1e+40); text
# holding a run this long is read by the standard library instead, which keeps them.
_LONG_DIGITS = re.compile(r"\d{20}")


def field_with_nul(*records: Any) -> str | None:
    """The first text field of these records (dataclasses, or None) that holds NUL, which
    PostgreSQL cannot store: refused by name, not failing the whole batch's write as a 500.
    JSON text fields never do: JSON escapes NUL."""
    for record in records:
        for field in fields(record) if record is not None else ():
            value = getattr(record, field.name)
            texts = value if isinstance(value, tuple) else (value,)
            if any(isinstance(t, str) and "\x00" in t for t in texts):
                return field.name
    return None


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
            return loads_exact(value)
        except (ValueError, RecursionError):
            return value
    return value


def loads_exact(text: str) -> Any:
    """JSON text to values; an integer beyond 64 bits stays its exact digits, as a string.

    Raises ValueError (orjson's and json's decode errors are ValueErrors) or
    RecursionError for text that is not JSON or is nested too deeply to read.
    """
    if _LONG_DIGITS.search(text) is None:
        return orjson.loads(text)
    return json.loads(text, parse_int=_exact_int, parse_constant=_no_constant)


def _exact_int(digits: str) -> int | str:
    if len(digits) > 20:
        return digits
    number = int(digits)
    return number if number in _INT64 else digits


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(value: Any) -> JSONObject | None:
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
        if "recursion" in str(exc).lower():
            message = "a value cannot be stored as JSON: it is nested over 254 levels"
            raise InvalidRequestError(message) from None
        raise InvalidRequestError(f"a value cannot be stored as JSON: {exc}") from None


def as_str(value: Any) -> str | None:
    """A non-empty string, JSON-stringifying non-strings (reference §1.9)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return dumps(value)


def usage_map(value: Any, where: str = "usage", *, as_sent: bool = False) -> dict[str, int]:
    """Keep only non-negative integer counts (ingestion schema `UsageDetails`).

    OpenAI-shaped usage (`prompt_tokens`, ...) is renamed to Langfuse's `input`, `output`,
    `total` for counting, unless `as_sent`. InvalidRequestError naming `where` when a count
    is too large to store.
    """
    obj = parse_json_object(value)
    if not obj:
        return {}
    if not as_sent and (
        "prompt_tokens" in obj or ("input_tokens" in obj and "output_tokens" in obj)
    ):
        obj = _openai_usage(obj)
    result: dict[str, int] = {}
    for key, raw in obj.items():
        number = _non_negative_int(raw)
        if number is not None:
            result[str(key)] = number
    return checked_usage(result, where)


def checked_usage(usage: dict[str, int], where: str) -> dict[str, int]:
    """`usage` when every count and their sum fit MAX_TOKEN_COUNT; else InvalidRequestError."""
    for key, count in usage.items():
        if count > MAX_TOKEN_COUNT:
            raise InvalidRequestError(
                f"{where} {key} is out of range: token counts are integers "
                f"from 0 to {MAX_TOKEN_COUNT}"
            )
    if sum(v for k, v in usage.items() if k != "total") > MAX_TOKEN_COUNT:
        raise InvalidRequestError(
            f"{where} is out of range: its token counts add up to more than {MAX_TOKEN_COUNT}"
        )
    return usage


def _openai_usage(obj: JSONObject) -> JSONObject:
    inp = obj.get("prompt_tokens", obj.get("input_tokens"))
    out = obj.get("completion_tokens", obj.get("output_tokens"))
    result: JSONObject = {"input": inp, "output": out, "total": obj.get("total_tokens")}
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
    if isinstance(raw, str) and raw.strip():
        digits = raw.strip().lstrip("0") or "0"
        if digits.isascii() and digits.isdigit():
            # Longer text is out of range; int() would also refuse it past 4,300 digits.
            return int(digits) if len(digits) <= 20 else MAX_TOKEN_COUNT + 1
    return None


def cost_map(value: Any, where: str = "cost") -> dict[str, float]:
    """Keep only non-negative numbers; InvalidRequestError naming `where` for one too large."""
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
        except OverflowError:
            number = math.inf
        if number >= 0 and number == number:  # NaN is never a cost
            result[str(key)] = number
    return checked_cost(result, where)


def checked_cost(cost: dict[str, float], where: str) -> dict[str, float]:
    """`cost` when every amount is at most MAX_COST; else InvalidRequestError."""
    for key, amount in cost.items():
        if not amount <= MAX_COST:
            raise InvalidRequestError(
                f"{where} {key} is out of range: costs are numbers from 0 to {MAX_COST:g}"
            )
    return cost
