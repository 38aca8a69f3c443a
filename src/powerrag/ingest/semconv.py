"""Map one OTel span to an observation and, when it speaks for its trace, a trace update.

Attribute names and priorities follow Langfuse's OtelIngestionProcessor
(reference §1.7-§1.14); fallbacks cover the OTel GenAI conventions, OpenInference
and the Vercel AI SDK. Inputs and outputs come from `semconv_io`.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import (
    MAX_SESSION_ID,
    REFUSED_SESSION_KEY,
    IngestWarning,
    ObservationRecord,
    TraceUpdate,
)
from powerrag.domain.timeutil import in_range, now_us
from powerrag.ingest import frameworks
from powerrag.ingest.otlp import SpanData
from powerrag.ingest.otlp_wire import MAX_VALUE_DEPTH
from powerrag.ingest.semconv_io import extract_io
from powerrag.ingest.trace_attrs import (
    attribute_value,
    first_text,
    refused_session_message,
)
from powerrag.ingest.usage import sent_usage_details, usage_details
from powerrag.ingest.values import (
    as_str,
    checked_cost,
    cost_map,
    dumps,
    parse_json_maybe,
    to_json_text,
)

LF = "langfuse."
OBS_META = "langfuse.observation.metadata"
TRACE_META = "langfuse.trace.metadata"
_INT32 = range(-(2**31), 2**31)  # observations.prompt_version is an INTEGER column
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

_TYPES = {
    "span",
    "generation",
    "event",
    "agent",
    "tool",
    "chain",
    "retriever",
    "evaluator",
    "embedding",
    "guardrail",
}
_OPENINFERENCE_KINDS = {
    "CHAIN": "CHAIN",
    "RETRIEVER": "RETRIEVER",
    "LLM": "GENERATION",
    "EMBEDDING": "EMBEDDING",
    "AGENT": "AGENT",
    "TOOL": "TOOL",
    "GUARDRAIL": "GUARDRAIL",
    "EVALUATOR": "EVALUATOR",
    "RERANKER": "RETRIEVER",
}
_GENAI_OPERATIONS = {
    "chat": "GENERATION",
    "completion": "GENERATION",
    "text_completion": "GENERATION",
    "generate_content": "GENERATION",
    "generate": "GENERATION",
    "embeddings": "EMBEDDING",
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
    "execute_tool": "TOOL",
}
_LEVEL_ALIASES = {
    "DEBUG": "DEBUG",
    "TRACE": "DEBUG",
    "VERBOSE": "DEBUG",
    "DEFAULT": "DEFAULT",
    "INFO": "DEFAULT",
    "LOG": "DEFAULT",
    "NOTICE": "DEFAULT",
    "OK": "DEFAULT",
    "SUCCESS": "DEFAULT",
    "WARNING": "WARNING",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "ERROR",
    "CRITICAL": "ERROR",
}
_MODEL_KEYS = (
    "langfuse.observation.model.name",
    "gen_ai.response.model",
    "ai.model.id",
    "gen_ai.request.model",
    "llm.response.model",
    "llm.model_name",
    "model",
)
_USER_KEYS = (
    "langfuse.user.id",
    "user.id",
    f"{OBS_META}.langfuse_user_id",
    f"{TRACE_META}.langfuse_user_id",
    "ai.telemetry.metadata.userId",
)
_SESSION_KEYS = (
    "langfuse.session.id",
    "session.id",
    "gen_ai.conversation.id",
    f"{OBS_META}.langfuse_session_id",
    f"{TRACE_META}.langfuse_session_id",
    "ai.telemetry.metadata.sessionId",
)
_TAG_KEYS = (
    "langfuse.trace.tags",
    "langfuse.tags",
    f"{OBS_META}.langfuse_tags",
    f"{TRACE_META}.langfuse_tags",
    "ai.telemetry.metadata.tags",
    "tag.tags",
)
_TRACE_UPDATE_KEYS = frozenset(
    (
        "langfuse.trace.name",
        "langfuse.trace.input",
        "langfuse.trace.output",
        "langfuse.trace.public",
        "langfuse.public",
        *_USER_KEYS,
        *_SESSION_KEYS,
        *_TAG_KEYS,
    )
)
_ENV_KEYS = ("langfuse.environment", "deployment.environment.name", "deployment.environment")
_EXCLUDED_TELEMETRY_META = {"userId", "sessionId", "tags", "langfusePrompt"}
# Attributes consumed into input/output/metadata, left out of `metadata.attributes`.
_CONSUMED_PREFIXES = (
    "langfuse.",
    "gen_ai.prompt",
    "gen_ai.completion",
    "llm.input_messages",
    "llm.output_messages",
    "ai.telemetry.metadata",
    "ai.prompt",
    "ai.response.text",
)
_CONSUMED_KEYS = frozenset(
    (
        "input.value",
        "output.value",
        "input",
        "output",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "mlflow.spanInputs",
        "mlflow.spanOutputs",
        "traceloop.entity.input",
        "traceloop.entity.output",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "ai.toolCall.args",
        "ai.toolCall.result",
        "ai.result.text",
        "ai.response.object",
        "ai.result.object",
        "ai.response.toolCalls",
        "ai.result.toolCalls",
    )
)


@dataclass(frozen=True, slots=True)
class MappedSpan:
    observation: ObservationRecord
    trace_update: TraceUpdate | None
    warnings: tuple[IngestWarning, ...] = ()


class SpanRejectedError(ValueError):
    """A span that cannot be stored; the rest of its batch still is."""

    def __init__(self, span: SpanData, reason: str) -> None:
        super().__init__(f"span {span.span_id} of trace {span.trace_id}: {reason}")
        self.span = span
        self.reason = reason


def map_span(span: SpanData, *, ingestion_version: int | None = None) -> MappedSpan:
    """Map one span; raises SpanRejectedError when its ids or times are unusable."""
    attrs = span.attributes
    _check_ids(span)
    start, end = _times(span)
    is_root = span.parent_span_id is None or attrs.get("langfuse.internal.as_root") in (
        True,
        "true",
    )
    obs_type = observation_type(span)
    environment = _environment(attrs, span.resource)
    version = as_str(attrs.get("langfuse.version")) or as_str(span.resource.get("service.version"))
    io_in, io_out = extract_io(span)
    usage, cost = usage_details(attrs, span.scope.name), _cost(attrs)
    sent_usage = sent_usage_details(attrs, usage)
    model = _model(attrs)
    json_values = ingestion_version is not None and ingestion_version >= 4
    resource_meta = _metadata(span.resource, TRACE_META, json_values)
    origin = _origin(span)
    obs_meta = {**resource_meta, **_metadata(attrs, OBS_META, json_values), **_attributes(span)}
    origin_text = dumps(origin)
    observation = ObservationRecord(
        id=span.span_id,
        trace_id=span.trace_id,
        type=obs_type,
        name=frameworks.observation_name(span),
        start_time=start,
        end_time=None if obs_type == "EVENT" and end == start else end,
        parent_observation_id=None if is_root else span.parent_span_id,
        environment=environment,
        level=_level(span),
        status_message=as_str(attrs.get("langfuse.observation.status_message"))
        or (span.status_message or None),
        version=version,
        completion_start_time=_completion_start(attrs, start),
        model=model,
        model_parameters=_model_parameters(attrs, span.scope.name),
        input=io_in,
        output=io_out,
        metadata=dumps(obs_meta),
        usage_details=usage,
        cost_details=cost,
        provided_usage=sent_usage,
        prompt_name=_prompt_name(attrs, obs_type),
        prompt_version=_prompt_version(attrs, obs_type),
        is_app_root=attrs.get("langfuse.internal.is_app_root") in (True, "true"),
        origin=origin_text,
        origin_id=hashlib.blake2b(origin_text.encode(), digest_size=8).hexdigest(),
    )
    warnings: list[IngestWarning] = []
    update = None
    trace_meta = _metadata(attrs, TRACE_META, json_values)
    if is_root or trace_meta or resource_meta or any(attrs.get(k) for k in _TRACE_UPDATE_KEYS):
        session_id, refused = _session_id(attrs, span, warnings, json_values)
        if refused is not None:
            trace_meta = {**trace_meta, REFUSED_SESSION_KEY: refused}
        update = TraceUpdate(
            trace_id=span.trace_id,
            source_id=span.span_id,
            timestamp=start,
            is_root=is_root,
            name=as_str(attrs.get("langfuse.trace.name")),
            user_id=first_text(attrs, _USER_KEYS, json_values),
            session_id=session_id,
            release=as_str(attrs.get("langfuse.release"))
            or as_str(span.resource.get("langfuse.release")),
            version=version,
            environment=environment,
            public=_public(attrs),
            tags=_tags(attrs, json_values),
            metadata=_trace_metadata(obs_meta, origin, resource_meta, trace_meta, is_root),
            input=to_json_text(attrs.get("langfuse.trace.input")),
            output=to_json_text(attrs.get("langfuse.trace.output")),
        )
    return MappedSpan(observation, update, tuple(warnings))


def _origin(span: SpanData) -> JSONObject:
    """What Langfuse adds to every OTel observation's metadata (reference §1.11)."""
    return {
        "resourceAttributes": span.resource,
        "scope": {
            "name": span.scope.name,
            "version": span.scope.version,
            "attributes": span.scope.attributes,
        },
    }


def _attributes(span: SpanData) -> JSONObject:
    """Spans from other instrumentations keep their unmapped attributes in metadata.

    So nothing an OpenInference or GenAI exporter sent is lost.
    """
    if span.scope.name.startswith("langfuse-sdk"):
        return {}
    extra = {
        k: v if isinstance(v, str) else dumps(v)
        for k, v in span.attributes.items()
        if not k.startswith(_CONSUMED_PREFIXES)
        and k not in _CONSUMED_KEYS
        and k not in frameworks.CONSUMED_KEYS
    }
    return {"attributes": extra} if extra else {}


def _trace_metadata(
    obs_meta: JSONObject,
    origin: JSONObject,
    resource_meta: JSONObject,
    trace_meta: JSONObject,
    is_root: bool,
) -> JSONObject:
    # Langfuse's legacy trace row: the root span lends its whole observation metadata;
    # other spans only their trace-level keys and provenance (reference §1.8).
    if is_root:
        return {**obs_meta, **origin, **trace_meta}
    return {**resource_meta, **trace_meta, **origin}


def _check_ids(span: SpanData) -> None:
    _check_id(span, "traceId", span.trace_id, 32)
    _check_id(span, "spanId", span.span_id, 16)
    if span.parent_span_id is not None:
        _check_id(span, "parentSpanId", span.parent_span_id, 16)


_HEX_DIGITS = frozenset("0123456789abcdef")


def _check_id(span: SpanData, what: str, value: str, digits: int) -> None:
    """OTLP ids are fixed-size byte strings, hex in JSON; all zeros is the spec's invalid id
    (opentelemetry-proto trace.proto, `trace_id` and `span_id`). `int(text, 16)` would also
    take "0x…", "-…" and "_", which are not ids."""
    if len(value) != digits or not _HEX_DIGITS.issuperset(value):
        raise SpanRejectedError(span, f"{what} must be {digits} hex characters, got {value!r}")
    if value == "0" * digits:
        raise SpanRejectedError(span, f"{what} must not be all zeros (the invalid id)")


def _times(span: SpanData) -> tuple[int, int | None]:
    start_ns, end_ns = span.start_ns, span.end_ns
    if start_ns is None and end_ns is None:
        now = now_us()
        return now, now
    start = (start_ns if start_ns is not None else end_ns or 0) // 1000
    end = (end_ns if end_ns is not None else start_ns or 0) // 1000
    for value in (start, end):
        if not in_range(value):
            raise SpanRejectedError(
                span, f"timestamp {value * 1000} ns is out of range (1990-2200)"
            )
    return start, max(end, start)


def observation_type(span: SpanData) -> str:
    """The observation type (reference §1.14), SPAN when nothing says otherwise."""
    attrs = span.attributes
    declared = attrs.get("langfuse.observation.type")
    if isinstance(declared, str) and declared in _TYPES:
        if declared == "span" and _is_old_python_generation(span):
            return "GENERATION"
        return declared.upper()
    kind = attrs.get("openinference.span.kind")
    if isinstance(kind, str) and kind.upper() in _OPENINFERENCE_KINDS:
        return _OPENINFERENCE_KINDS[kind.upper()]
    operation = attrs.get("gen_ai.operation.name")
    if isinstance(operation, str) and operation in _GENAI_OPERATIONS:
        return _GENAI_OPERATIONS[operation]
    found = frameworks.observation_type(span)
    if found is not None:
        return found
    if any(attrs.get(k) for k in _MODEL_KEYS if k not in ("ai.model.id", "llm.response.model")):
        return "GENERATION"
    return "SPAN"


def _is_old_python_generation(span: SpanData) -> bool:
    # Python SDK <= 3.3 labelled generations as spans (reference §1.14, rule 0).
    if span.scope.name != "langfuse-sdk" or span.resource.get("telemetry.sdk.language") != "python":
        return False
    parts = span.scope.version.split(".")
    try:
        old = (int(parts[0]), int(parts[1])) <= (3, 3)
    except (ValueError, IndexError):
        return False
    keys = (
        "model.name",
        "cost_details",
        "usage_details",
        "completion_start_time",
        "model.parameters",
        "prompt.name",
        "prompt.version",
    )
    return old and any(f"langfuse.observation.{k}" in span.attributes for k in keys)


def normalise_environment(value: Any) -> str:
    """Langfuse's rule (reference §2.4): lower-case, no `langfuse` prefix, ≤ 40 chars."""
    if not isinstance(value, str) or not value:
        return "default"
    env = value.strip().lower()
    while env.startswith("langfuse"):
        env = env[len("langfuse") :].lstrip("-_")
    env = env[:40]
    if not env or not all(c.isascii() and (c.isalnum() or c in "-_") for c in env):
        return "default"
    return env


def _environment(attrs: JSONObject, resource: JSONObject) -> str:
    for key in _ENV_KEYS:
        for source in (attrs, resource):
            if source.get(key):
                return normalise_environment(source[key])
    return "default"


def _level(span: SpanData) -> str:
    raw = span.attributes.get("langfuse.observation.level")
    if isinstance(raw, str) and raw.strip().upper() in _LEVEL_ALIASES:
        return _LEVEL_ALIASES[raw.strip().upper()]
    if span.status_code == 2:
        return "ERROR"
    return "DEBUG" if frameworks.is_debug_span(span) else "DEFAULT"


def _completion_start(attrs: JSONObject, start: int) -> int | None:
    from powerrag.domain.timeutil import parse_iso

    raw = attrs.get("langfuse.observation.completion_start_time")
    if isinstance(raw, str) and raw:
        text = parse_json_maybe(raw) if raw.startswith('"') else raw
        try:
            return parse_iso(str(text))
        except ValueError:
            return None
    for key in ("ai.response.msToFirstChunk", "ai.stream.msToFirstChunk"):
        value = attrs.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            moment = start + math.ceil(value * 1000) if math.isfinite(value) else None
            if moment is None or not in_range(moment):
                raise InvalidRequestError(
                    f"{key} = {value!r} puts the completion start out of range (1990-2200)"
                )
            return moment
    return None


def _model(attrs: JSONObject) -> str | None:
    if attrs.get("gen_ai.operation.name") in ("invoke_agent", "agent_step"):
        return None
    return first_text(attrs, _MODEL_KEYS, json_values=False) or frameworks.genkit_model(attrs)


def _model_parameters(attrs: JSONObject, scope: str) -> str | None:
    params = frameworks.model_parameters(attrs, scope)
    if params is None:
        params = _generic_model_parameters(attrs)
    explicit = parse_json_maybe(attrs.get("langfuse.observation.model.parameters"))
    if isinstance(explicit, dict):
        params.update(explicit)
    if not params:
        return None
    # Langfuse answers strings and numbers as sent, any other value as its JSON text
    # (reference §1.13; `"stop": "[\"a\"]"`, docs/api.md).
    return dumps({k: v if _is_text_or_number(v) else dumps(v) for k, v in params.items()})


def _is_text_or_number(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _generic_model_parameters(attrs: JSONObject) -> JSONObject:
    params: JSONObject = {}
    for key in ("llm.invocation_parameters", "model_config"):
        obj = parse_json_maybe(attrs.get(key))
        if isinstance(obj, dict):
            params.update(obj)
    for key, value in attrs.items():
        for prefix in ("gen_ai.request.", "llm.invocation_parameters."):
            if key.startswith(prefix) and key != "gen_ai.request.model":
                params[key[len(prefix) :]] = value
    return params


def _cost(attrs: JSONObject) -> dict[str, float]:
    explicit = cost_map(
        attrs.get("langfuse.observation.cost_details"), "langfuse.observation.cost_details"
    )
    if explicit:
        return explicit
    for key in ("gen_ai.usage.cost", "llm.cost.total"):
        value = attrs.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return checked_cost({"total": float(value)}, key)
    return {}


def _metadata(attrs: JSONObject, prefix: str, json_values: bool) -> JSONObject:
    """Metadata of one domain: a whole object and/or flattened `<prefix>.<key>` keys.

    Python SDK 5 JSON-encodes every value (ingestion version 4); older SDKs send
    strings raw and other values as JSON text or native values (tests/data/sdk-traffic.md §4.2).
    """
    result: JSONObject = {}
    whole = attrs.get(prefix)
    if whole is None and prefix == OBS_META:
        whole = attrs.get("langfuse.metadata")
    whole_obj = parse_json_maybe(whole) if isinstance(whole, str) else whole
    if isinstance(whole_obj, dict):
        result.update(whole_obj)
    elif isinstance(whole, str) and _json_depth(whole) > MAX_VALUE_DEPTH:
        # Only an object is merged; JSON this deep is refused by name, never dropped unseen.
        raise InvalidRequestError(f"{prefix} is nested over {MAX_VALUE_DEPTH} levels")
    prefixes = [prefix + "."]
    if prefix == OBS_META:
        prefixes += ["langfuse.metadata.", "ai.telemetry.metadata."]
    for key, value in attrs.items():
        for p in prefixes:
            if key.startswith(p):
                name = key[len(p) :]
                if p == "ai.telemetry.metadata." and name in _EXCLUDED_TELEMETRY_META:
                    continue
                result[name] = _meta_value(value, json_values)
    return result


def _meta_value(value: Any, json_values: bool) -> Any:
    if not isinstance(value, str):
        return value
    if json_values:
        return parse_json_maybe(value)
    stripped = value.lstrip()
    if stripped[:1] in ("{", "[") or stripped in ("true", "false", "null") or _is_number(stripped):
        return parse_json_maybe(value)
    return value


def _json_depth(text: str) -> int:
    """How deeply the arrays and objects of JSON text nest (its strings left out)."""
    if text.lstrip()[:1] not in ("[", "{"):
        return 0
    brackets = _JSON_STRING.sub("", text)
    steps = (1 if c in "[{" else -1 if c in "]}" else 0 for c in brackets)
    return max(accumulate(steps), default=0)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text[:1].isdigit() or text[:1] == "-"


def _session_id(
    attrs: JSONObject, span: SpanData, warnings: list[IngestWarning], json_values: bool
) -> tuple[str | None, str | None]:
    """(the session id, or a refused one): ids in any script up to 200 characters are kept."""
    value = first_text(attrs, _SESSION_KEYS, json_values)
    if value is None or len(value) <= MAX_SESSION_ID:
        return value, None
    message = refused_session_message(span.trace_id, value)
    warnings.append(IngestWarning(message, trace_id=span.trace_id, span_id=span.span_id))
    return None, value


def _public(attrs: JSONObject) -> bool | None:
    raw = attrs.get("langfuse.trace.public", attrs.get("langfuse.public"))
    if raw is None:
        return None
    return raw is True or raw == "true"


def _tags(attrs: JSONObject, json_values: bool) -> tuple[str, ...]:
    for key in _TAG_KEYS:
        raw = attribute_value(attrs, key, json_values)
        if not raw:
            continue
        if isinstance(raw, list):
            return tuple(str(t) for t in raw if t not in (None, ""))
        if isinstance(raw, str):
            if raw.startswith("["):
                parsed = parse_json_maybe(raw)
                if isinstance(parsed, list):
                    return tuple(str(t) for t in parsed)
            if "," in raw:
                return tuple(t.strip() for t in raw.split(",") if t.strip())
            return (raw,)
    return ()


def _prompt_name(attrs: JSONObject, obs_type: str) -> str | None:
    if obs_type != "GENERATION":
        return None
    prompt_keys = ("langfuse.observation.prompt.name", "langfuse.prompt.name")
    return first_text(attrs, prompt_keys, json_values=False) or as_str(
        frameworks.ai_sdk_prompt(attrs).get("name")
    )


def _prompt_version(attrs: JSONObject, obs_type: str) -> int | None:
    if obs_type != "GENERATION":
        return None
    candidates = {
        "langfuse.observation.prompt.version": attrs.get("langfuse.observation.prompt.version"),
        "langfuse.prompt.version": attrs.get("langfuse.prompt.version"),
        "ai.telemetry.metadata.langfusePrompt": frameworks.ai_sdk_prompt(attrs).get("version"),
    }
    for key, value in candidates.items():
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value) if len(value) <= 10 else _INT32.stop
        if isinstance(value, int) and not isinstance(value, bool):
            if value not in _INT32:
                raise InvalidRequestError(
                    f"{key} is out of range: prompt versions are integers up to {_INT32.stop - 1}"
                )
            return value
    return None
