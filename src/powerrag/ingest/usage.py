"""Token counts of a span: Langfuse's explicit attribute, a framework's own shape, or the
generic `gen_ai.usage.*` / `llm.token_count.*` keys (reference §1.12).

Follows `extractUsageDetails` and `extractGenericGenAiUsageDetails` in Langfuse's
OtelIngestionProcessor; unlike it, a count the span does not carry is left out rather
than written as 0.
"""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.ingest.frameworks import GENKIT, VERCEL
from powerrag.ingest.values import (
    MAX_TOKEN_COUNT,
    checked_usage,
    parse_json_maybe,
    parse_json_object,
    usage_map,
)

ADK = "gcp.vertex.agent"
_EXPLICIT = "langfuse.observation.usage_details"


def usage_details(attrs: JSONObject, scope: str) -> dict[str, int]:
    explicit = attrs.get(_EXPLICIT)
    if isinstance(explicit, str):
        parsed = parse_json_maybe(explicit)
        if isinstance(parsed, dict) or not isinstance(parsed, str):
            return usage_map(parsed, _EXPLICIT)
    if scope == GENKIT and (genkit := _genkit(attrs)) is not None:
        return checked_usage(genkit, "genkit:output.usage")
    if scope == VERCEL:
        return checked_usage(_vercel(attrs), "usage")
    usage = _generic(attrs)
    if scope == ADK and "gcp.vertex.agent.llm_response" in attrs:
        usage = _adk_cache(attrs, usage)
    return checked_usage(usage, "usage") if usage else {}


def sent_usage_details(attrs: JSONObject, counted: dict[str, int]) -> dict[str, int]:
    """Langfuse's explicit usage with the keys the SDK sent (`prompt_tokens`, …), when they
    differ from the counted ones; empty otherwise (the counted usage is then what was sent)."""
    explicit = attrs.get(_EXPLICIT)
    if not isinstance(explicit, str):
        return {}
    parsed = parse_json_maybe(explicit)
    if not isinstance(parsed, dict):
        return {}
    sent = usage_map(parsed, _EXPLICIT, as_sent=True)
    return sent if any(key not in counted for key in sent) else {}


def _count(key: str, value: Any) -> int | None:
    """A non-negative token count from a number or integer text; None for anything else."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
        return None
    if not value <= MAX_TOKEN_COUNT:
        raise InvalidRequestError(
            f"{key} = {value!r} is out of range: token counts are integers "
            f"from 0 to {MAX_TOKEN_COUNT}"
        )
    return int(value)


def _generic(attrs: JSONObject) -> dict[str, int]:
    raw: dict[str, int] = {}
    for key, value in attrs.items():
        for prefix in ("gen_ai.usage.", "llm.token_count."):
            if key.startswith(prefix) and key != "gen_ai.usage.cost":
                count = _count(key, value)
                if count is not None:
                    raw[key[len(prefix) :].removeprefix("details.")] = count
    return _canonical(raw) if raw else {}


def _canonical(raw: dict[str, int]) -> dict[str, int]:
    def pick(*names: str) -> int | None:
        return next((raw.pop(n) for n in names if n in raw), None)

    inp = pick("prompt_tokens", "input_tokens", "prompt")
    out = pick("completion_tokens", "output_tokens", "completion")
    total = pick("total_tokens", "total")
    cache_read = pick(
        "cache_read.input_tokens",
        "cache_read_input_tokens",
        "cache_read_tokens",
        "prompt_details.cache_read",
        "input_cached_tokens",
    )
    cache_write = pick(
        "cache_creation.input_tokens",
        "cache_creation_input_tokens",
        "cache_write_tokens",
        "prompt_details.cache_write",
        "input_cache_creation",
    )
    reasoning = pick("reasoning.output_tokens", "completion_details.reasoning", "reasoning_tokens")
    audio = pick("completion_details.audio")
    usage = dict(raw)
    if cache_read is not None:
        usage["input_cached_tokens"] = cache_read
    if cache_write is not None:
        usage["input_cache_creation"] = cache_write
    if reasoning is not None:
        usage["output_reasoning_tokens"] = reasoning
    if audio is not None:
        usage["output_audio_tokens"] = audio
    if inp is not None:
        usage["input"] = max(inp - (cache_read or 0) - (cache_write or 0), 0)
    if out is not None:
        usage["output"] = max(out - (reasoning or 0) - (audio or 0), 0)
    if total is not None:
        usage["total"] = total
    return usage


def _genkit(attrs: JSONObject) -> dict[str, int] | None:
    output = parse_json_object(attrs.get("genkit:output"))
    usage = parse_json_object(output.get("usage")) if output else None
    if usage is None:
        return None
    counts = {k: _count(f"genkit:output.usage.{k}", v) for k, v in usage.items()}
    thoughts = counts.get("thoughtsTokens") or 0
    result: dict[str, int] = {}
    if counts.get("inputTokens"):
        result["input"] = counts["inputTokens"] or 0
    if counts.get("outputTokens"):
        result["output"] = max((counts["outputTokens"] or 0) - thoughts, 0)
    if counts.get("totalTokens"):
        result["total"] = counts["totalTokens"] or 0
    if thoughts:
        result["output_reasoning"] = thoughts
    return result


def _vercel(attrs: JSONObject) -> dict[str, int]:
    """The AI SDK's `gen_ai.usage.*` and `ai.usage.*` counts plus its provider metadata."""

    def first(*keys: str) -> int | None:
        return next((c for k in keys if (c := _count(k, attrs.get(k))) is not None), None)

    usage: dict[str, int | None] = {
        "input": first("gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens"),
        "output": first("gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens"),
        # `ai.usage.tokens` before AI SDK 5, `ai.usage.totalTokens` since.
        "total": first("ai.usage.tokens", "ai.usage.totalTokens"),
        "input_cached_tokens": first("ai.usage.cachedInputTokens"),
        "output_reasoning_tokens": first("ai.usage.reasoningTokens"),
    }
    provider = parse_json_object(attrs.get("ai.response.providerMetadata")) or {}
    for name, value in _provider_usage(provider).items():
        if usage.get(name) is None:
            usage[name] = value
    creation = usage.get("input_cache_creation")
    split = (usage.get("input_cache_creation_5m") or 0) + (
        usage.get("input_cache_creation_1h") or 0
    )
    if creation is not None and split:
        usage["input_cache_creation"] = max(creation - split, 0)
    if usage["input"] is not None:
        usage["input"] = max(usage["input"] - sum(usage.get(k) or 0 for k in _CACHE_BUCKETS), 0)
    if usage["output"] is not None:
        usage["output"] = max(usage["output"] - (usage["output_reasoning_tokens"] or 0), 0)
    return {k: v for k, v in usage.items() if v is not None}


# Input token counts include these, so they are taken out of `input` (Langfuse does the same).
_CACHE_BUCKETS = (
    "input_cached_tokens",
    "input_cache_creation",
    "input_cache_creation_5m",
    "input_cache_creation_1h",
    "input_cache_read",
)
_PROVIDER_KEYS = {
    "openai": {
        "cachedPromptTokens": "input_cached_tokens",
        "acceptedPredictionTokens": "accepted_prediction_tokens",
        "rejectedPredictionTokens": "rejected_prediction_tokens",
        "reasoningTokens": "output_reasoning_tokens",
    },
    "anthropic.usage": {
        "cache_creation_input_tokens": "input_cache_creation",
        "cache_read_input_tokens": "input_cached_tokens",
    },
    "anthropic.usage.cache_creation": {
        "ephemeral_5m_input_tokens": "input_cache_creation_5m",
        "ephemeral_1h_input_tokens": "input_cache_creation_1h",
    },
    "bedrock.usage": {
        "cacheReadInputTokens": "input_cache_read",
        "cacheWriteInputTokens": "input_cache_write",
        "cacheCreationInputTokens": "input_cache_creation",
    },
}


def _provider_usage(provider: JSONObject) -> dict[str, int]:
    """Counts from `ai.response.providerMetadata`, under the names Langfuse gives them."""
    found: dict[str, int] = {}
    for path, names in _PROVIDER_KEYS.items():
        node: Any = provider
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        for key, name in names.items():
            count = _count(f"ai.response.providerMetadata.{path}.{key}", (node or {}).get(key))
            if count is not None:
                found.setdefault(name, count)
    return found


def _adk_cache(attrs: JSONObject, usage: dict[str, int]) -> dict[str, int]:
    """ADK before 2.3 reports cached tokens only inside its `llm_response` blob; the
    prompt count includes them."""
    if "input_cached_tokens" in usage:
        return usage
    response = parse_json_object(attrs.get("gcp.vertex.agent.llm_response")) or {}
    metadata = response.get("usage_metadata")
    raw = metadata.get("cached_content_token_count") if isinstance(metadata, dict) else None
    cached = _count("usage_metadata.cached_content_token_count", raw)
    if not cached:
        return usage
    result = {**usage, "input_cached_tokens": cached}
    if "input" in usage:
        result["input"] = max(usage["input"] - cached, 0)
    return result
