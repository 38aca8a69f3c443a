"""What particular frameworks' OTel instrumentations put where: input, output, name, type.

Each rule follows Langfuse's OtelIngestionProcessor (`extractInputAndOutput`, `extractName`,
`extractModelName`) and ObservationTypeMapper, in their order of precedence:
https://github.com/langfuse/langfuse/blob/62751446149b702b419a9292ddfc2280cdf74b8c/packages/shared/src/server/otel/OtelIngestionProcessor.ts
The generic conventions (Langfuse's own attributes, OTel GenAI, OpenInference, flattened
messages) stay in `semconv_io`, which calls these at their place in the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from powerrag.domain.jsondoc import JSONObject
from powerrag.ingest.otlp import SpanData
from powerrag.ingest.values import dumps, parse_json_maybe, to_json_text

IO = tuple[str | None, str | None]
NONE: IO = (None, None)

GENKIT, VERCEL, FLUE = "genkit-tracer", "ai", "@flue/opentelemetry"
PYDANTIC_AI, LIVEKIT = "pydantic-ai", "livekit-agents"

# Read here into input/output; left out of `metadata.attributes` as Langfuse does.
CONSUMED_KEYS = frozenset(
    (
        "gcp.vertex.agent.llm_request",
        "gcp.vertex.agent.llm_response",
        "gcp.vertex.agent.tool_call_args",
        "gcp.vertex.agent.tool_response",
        "prompt",
        "all_messages_events",
        "events",
        "lk.input_text",
        "lk.user_transcript",
        "lk.chat_ctx",
        "lk.user_input",
        "lk.function_tool.output",
        "lk.response.text",
        "final_result",
        "pydantic_ai.all_messages",
        "genkit:input",
        "genkit:output",
        "flue.turn.input",
        "flue.turn.output",
        "flue.tool.arguments",
        "flue.tool.result",
        "flue.task.prompt",
        "flue.task.result",
        "flue.operation.result",
        "flue.workflow.payload",
        "flue.workflow.result",
    )
)
_FLUE_IN = ("flue.turn.input", "flue.tool.arguments", "flue.task.prompt", "flue.workflow.payload")
_FLUE_OUT = (
    "flue.turn.output",
    "flue.tool.result",
    "flue.task.result",
    "flue.operation.result",
    "flue.workflow.result",
)
_VERCEL_IN = ("ai.prompt.messages", "ai.prompt", "ai.toolCall.args")
_VERCEL_OUT = (
    "ai.result.text",  # AI SDK < 4
    "ai.toolCall.result",
    "ai.response.object",
    "ai.result.object",
    "ai.response.toolCalls",
    "ai.result.toolCalls",
)
_VERCEL_GENERATIONS = (
    "ai.generateText.doGenerate",
    "ai.streamText.doStream",
    "ai.generateObject.doGenerate",
    "ai.streamObject.doStream",
)
_VERCEL_EMBEDDINGS = ("ai.embedMany.doEmbed", "ai.embed.doEmbed")
_VERCEL_MODEL_KEYS = (
    "langfuse.observation.model.name",
    "ai.model.id",
    "gen_ai.request.model",
    "gen_ai.response.model",
)
_GENKIT_TYPES = {
    "background-model": "GENERATION",
    "model": "GENERATION",
    "embedder": "EMBEDDING",
    "tool": "TOOL",
    "tool.v2": "TOOL",
    "retriever": "RETRIEVER",
    "evaluator": "EVALUATOR",
}
_LIVEKIT_TYPES = {"agent_turn": "AGENT", "start_agent_activity": "AGENT", "function_tool": "TOOL"}
# LiveKit's plumbing spans are shown at DEBUG level (Langfuse's LIVEKIT_DEBUG_SPAN_NAMES).
_LIVEKIT_DEBUG = frozenset(
    (
        "user_speaking",
        "eou_detection",
        "llm_request_run",
        "tts_node",
        "tts_request",
        "tts_request_run",
        "tts_stream_adapter",
        "agent_speaking",
        "drain_agent_activity",
        "on_exit",
        "on_enter",
        "llm_fallback_adapter",
        "tts_fallback_adapter",
        "start_agent_activity",
    )
)


def truthy(value: Any) -> bool:
    """JavaScript truthiness, which Langfuse's `a || b` chains test (an empty list counts)."""
    return value is not None and value != "" and value != 0


def _first(attrs: JSONObject, keys: tuple[str, ...]) -> Any:
    return next((attrs[k] for k in keys if truthy(attrs.get(k))), None)


def _io(inp: Any, out: Any) -> IO:
    return to_json_text(inp), to_json_text(out)


def _object(value: Any) -> Any:
    parsed = parse_json_maybe(value)
    return parsed if isinstance(parsed, dict | list) else None


def scoped_io(span: SpanData, genai: Callable[[SpanData], IO]) -> IO | None:
    """Genkit, the Vercel AI SDK and Flue, recognised by their scope; None for other scopes.

    `genai` reads the OTel GenAI attributes, which fill the gaps of an AI SDK span.
    """
    attrs, scope = span.attributes, span.scope.name
    if scope == GENKIT:
        inp, out = _object(attrs.get("genkit:input")), _object(attrs.get("genkit:output"))
        inp = inp.get("messages", inp) if isinstance(inp, dict) else inp
        out = out.get("message", out) if isinstance(out, dict) else out
        return (
            dumps(inp) if inp is not None else to_json_text(attrs.get("genkit:input")),
            dumps(out) if out is not None else to_json_text(attrs.get("genkit:output")),
        )
    if scope == VERCEL:
        inp, out = _vercel(attrs)
        if inp is None or out is None:
            fallback = genai(span)
            return inp or fallback[0], out or fallback[1]
        return inp, out
    if scope == FLUE:
        found = _io(_first(attrs, _FLUE_IN), _first(attrs, _FLUE_OUT))
        return found if found != NONE else None
    return None


def _vercel(attrs: JSONObject) -> IO:
    inp = next((attrs[k] for k in _VERCEL_IN if k in attrs), None)
    text, calls = attrs.get("ai.response.text"), attrs.get("ai.response.toolCalls")
    if text is not None and calls is not None:
        body = {"role": "assistant", "content": text, "tool_calls": parse_json_maybe(calls)}
        return to_json_text(inp), dumps(body)
    out = text if truthy(text) else next((attrs[k] for k in _VERCEL_OUT if k in attrs), None)
    return _io(inp, out)


def agent_io(span: SpanData) -> IO:
    """Google ADK, Logfire, LiveKit: after the GenAI events, before MLflow (reference §1.10)."""
    attrs = span.attributes
    inp, out = attrs.get("gcp.vertex.agent.llm_request"), attrs.get("gcp.vertex.agent.llm_response")
    # ADK writes "{}" into llm_request/llm_response on tool spans (google/adk-python
    # src/google/adk/telemetry/tracing.py, trace_tool_call).
    if inp == "{}" or not truthy(inp):
        inp = attrs.get("gcp.vertex.agent.tool_call_args")
    if out == "{}" or not truthy(out):
        out = attrs.get("gcp.vertex.agent.tool_response")
    for pair in (
        (inp, out),
        (attrs.get("prompt"), attrs.get("all_messages_events")),
        (
            _first(attrs, ("lk.input_text", "lk.user_transcript", "lk.chat_ctx")),
            _first(attrs, ("lk.function_tool.output", "lk.response.text")),
        ),
    ):
        if truthy(pair[0]) or truthy(pair[1]):
            return _io(pair[0] if truthy(pair[0]) else None, pair[1] if truthy(pair[1]) else None)
    return _logfire_events(attrs.get("events"))


def _logfire_events(raw: Any) -> IO:
    """Logfire's one `events` attribute: the `gen_ai.choice` event is the output."""
    events = parse_json_maybe(raw) if isinstance(raw, str) else raw
    if not isinstance(events, list):
        return NONE
    is_choice = [isinstance(e, dict) and e.get("event.name") == "gen_ai.choice" for e in events]
    choice = next((e for e, c in zip(events, is_choice, strict=True) if c), None)
    others = [e for e, c in zip(events, is_choice, strict=True) if not c]
    return (dumps(others) if others else None, dumps(choice) if choice is not None else None)


def pydantic_io(span: SpanData) -> IO:
    """Pydantic AI's agent run (`pydantic_ai.all_messages`, `final_result`) and version-2 tools.

    Attribute names from pydantic_ai/capabilities/instrumentation.py (pydantic-ai-slim 2.68.0).
    """
    attrs = span.attributes
    if span.scope.name == PYDANTIC_AI:
        inp, out = attrs.get("pydantic_ai.all_messages"), attrs.get("final_result")
        if truthy(inp) and truthy(attrs.get("gen_ai.system_instructions")):
            inp = with_system(parse_json_maybe(inp), attrs["gen_ai.system_instructions"])
        if truthy(inp) or truthy(out):
            return _io(inp if truthy(inp) else None, out if truthy(out) else None)
    inp, out = attrs.get("tool_arguments"), attrs.get("tool_response")
    if truthy(inp) or truthy(out):
        return _io(inp, out)
    return NONE


def with_system(messages: Any, system: Any) -> Any:
    """`messages` with `gen_ai.system_instructions` first as a system message, unless one is
    there; the instructions' parts are joined into one text (Langfuse's prependSystemInstructions).
    """
    if not isinstance(messages, list):
        return messages
    if any(isinstance(m, dict) and m.get("role") == "system" for m in messages):
        return messages
    parsed = parse_json_maybe(system)
    if isinstance(parsed, list):
        content = "\n".join(_part_text(p) for p in parsed)
    else:
        content = parsed if isinstance(parsed, str) else dumps(parsed)
    return [{"role": "system", "content": content}, *messages]


def _part_text(part: Any) -> str:
    if isinstance(part, dict) and truthy(part.get("content")):
        content = part["content"]
        return content if isinstance(content, str) else dumps(content)
    return part if isinstance(part, str) else dumps(part)


def observation_name(span: SpanData) -> str:
    """The first name a convention gives: tool, Genkit action, Logfire message, AI SDK call."""
    attrs = span.attributes
    tool = attrs.get("gen_ai.tool.name")
    if truthy(tool) and span.scope.name != "langfuse-sdk":
        return tool if isinstance(tool, str) else dumps(tool)
    if "genkit:name" in attrs:
        return str(attrs["genkit:name"])
    for key in ("logfire.msg", "ai.toolCall.name"):
        if isinstance(attrs.get(key), str) and attrs[key]:
            return str(attrs[key])
    if isinstance(attrs.get("ai.operationId"), str):
        function_id = attrs.get("ai.telemetry.functionId")
        prefix = f"{function_id}:" if function_id else ""
        return f"{prefix}{attrs['ai.operationId']}"
    return span.name


def genkit_model(attrs: JSONObject) -> str | None:
    """Genkit names the model in `genkit:name`, but only on model spans."""
    name = attrs.get("genkit:name")
    if attrs.get("genkit:metadata:subtype") == "model" and truthy(name):
        return name if isinstance(name, str) else dumps(name)
    return None


def observation_type(span: SpanData) -> str | None:
    """Rules 4-9 of the type mapper (reference §1.14): Genkit, the AI SDK, GenAI tool
    attributes, Flue, LiveKit; None when none applies."""
    attrs = span.attributes
    subtype = attrs.get("genkit:metadata:subtype")
    if isinstance(subtype, str) and subtype in _GENKIT_TYPES:
        return _GENKIT_TYPES[subtype]
    if any(truthy(attrs.get(k)) for k in _VERCEL_MODEL_KEYS):
        if _is_ai_operation(attrs, _VERCEL_GENERATIONS):
            return "GENERATION"
        if _is_ai_operation(attrs, _VERCEL_EMBEDDINGS):
            return "EMBEDDING"
    if _is_ai_operation(attrs, ("ai.toolCall",)):
        return "TOOL"
    if truthy(attrs.get("gen_ai.tool.name")) or truthy(attrs.get("gen_ai.tool.call.id")):
        return "TOOL"
    if truthy(attrs.get("flue.tool.name")) or truthy(attrs.get("flue.tool.call_id")):
        return "TOOL"
    if truthy(attrs.get("flue.task.id")) or truthy(attrs.get("flue.task.agent")):
        return "AGENT"
    if span.scope.name == LIVEKIT:
        return _LIVEKIT_TYPES.get(span.name)
    return None


def _is_ai_operation(attrs: JSONObject, operations: tuple[str, ...]) -> bool:
    # `operation.name` carries the function id after the operation ("ai.streamText.doStream
    # my-fn"), so it is a prefix match; `ai.operationId` is the operation alone.
    name, op_id = attrs.get("operation.name"), attrs.get("ai.operationId")
    return (isinstance(name, str) and name.startswith(operations)) or op_id in operations


def is_debug_span(span: SpanData) -> bool:
    return span.scope.name == LIVEKIT and span.name in _LIVEKIT_DEBUG


_VERCEL_PARAMETERS = (
    ("maxSteps", ("ai.settings.maxSteps",)),
    ("toolChoice", ("ai.prompt.toolChoice",)),
    ("maxTokens", ("gen_ai.request.max_tokens",)),
    ("finishReason", ("gen_ai.response.finish_reasons", "gen_ai.finishReason")),
    ("system", ("gen_ai.system", "ai.model.provider")),
    ("maxRetries", ("ai.settings.maxRetries",)),
    ("mode", ("ai.settings.mode",)),
    ("temperature", ("gen_ai.request.temperature",)),
    ("service_tier", ("gen_ai.request.service_tier",)),
)


def model_parameters(attrs: JSONObject, scope: str) -> JSONObject | None:
    """Genkit's request `config`, or the AI SDK's settings as text (Langfuse's
    `extractModelParameters`); None for other scopes. Settings a span lacks are left out."""
    if scope == GENKIT:
        config = (_object(attrs.get("genkit:input")) or {}).get("config")
        if config is None:
            request = (_object(attrs.get("genkit:output")) or {}).get("request")
            config = request.get("config") if isinstance(request, dict) else None
        if not isinstance(config, dict):
            return None
        return {k: v if isinstance(v, str | int | float) else dumps(v) for k, v in config.items()}
    if scope != VERCEL:
        return None
    params: JSONObject = {}
    for name, keys in _VERCEL_PARAMETERS:
        value = next((attrs[k] for k in keys if attrs.get(k) is not None), None)
        if value is not None:
            params[name] = _js_text(value)
    provider = _object(attrs.get("ai.response.providerMetadata"))
    openai = provider.get("openai") if isinstance(provider, dict) else None
    tier = openai.get("serviceTier") if isinstance(openai, dict) else None
    if isinstance(tier, str):
        params["service_tier"] = tier
    return params


def _js_text(value: Any) -> str:
    """JavaScript's `String(value)`: lists join with commas, booleans are lower case."""
    if isinstance(value, list):
        return ",".join(_js_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else dumps(value)


def ai_sdk_prompt(attrs: JSONObject) -> JSONObject:
    """The Langfuse prompt an AI SDK call names in `ai.telemetry.metadata.langfusePrompt`."""
    found = _object(attrs.get("ai.telemetry.metadata.langfusePrompt"))
    return found if isinstance(found, dict) else {}
