"""Input and output of a span, from the first convention that carries them.

The order follows Langfuse (reference §1.10): Langfuse attributes, the frameworks known
by their scope (Genkit, Vercel AI SDK, Flue), GenAI span events, Google ADK / Logfire /
LiveKit, MLflow, TraceLoop, OpenInference, `input`/`output`, Pydantic AI, flattened
`gen_ai.prompt.N.*` / `llm.input_messages.N.*`, then the GenAI message attributes.
Framework-specific rules live in `frameworks`. Results are JSON text.
"""

from __future__ import annotations

import re
from typing import Any

from powerrag.domain.jsondoc import JSONObject
from powerrag.ingest import frameworks
from powerrag.ingest.otlp import SpanData
from powerrag.ingest.values import dumps, parse_json_maybe, to_json_text

IO = tuple[str | None, str | None]

_PAIRS = (
    ("mlflow.spanInputs", "mlflow.spanOutputs"),
    ("traceloop.entity.input", "traceloop.entity.output"),
    ("input.value", "output.value"),
    ("input", "output"),
)
_ROLE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


def extract_io(span: SpanData) -> IO:
    attrs = span.attributes
    # An empty string is no value: Langfuse reads it back as null (docs/api.md).
    inp, out = (attrs.get(f"langfuse.observation.{k}") for k in ("input", "output"))
    inp, out = (None if v == "" else v for v in (inp, out))
    if inp is not None or out is not None:
        return to_json_text(inp), to_json_text(out)
    scoped = frameworks.scoped_io(span, _genai_messages)
    if scoped is not None:
        return scoped
    for extractor in (
        _genai_events,
        frameworks.agent_io,
        _pairs,
        frameworks.pydantic_io,
        _flattened,
        _genai_messages,
    ):
        found = extractor(span)
        if found[0] is not None or found[1] is not None:
            return found
    return None, None


def _genai_events(span: SpanData) -> IO:
    for name, _, attrs in span.events:
        if name == "gen_ai.client.inference.operation.details":
            return _genai_messages_from(attrs)
    inputs: list[JSONObject] = []
    outputs: list[Any] = []
    for name, _, attrs in span.events:
        if name in _ROLE_EVENTS:
            inputs.append(
                {"role": _ROLE_EVENTS[name], **{k: parse_json_maybe(v) for k, v in attrs.items()}}
            )
        elif name == "gen_ai.choice":
            outputs.append({k: parse_json_maybe(v) for k, v in attrs.items()})
        elif name == "gen_ai.content.prompt":
            inputs.append(parse_json_maybe(attrs.get("gen_ai.prompt")))
        elif name == "gen_ai.content.completion":
            outputs.append(parse_json_maybe(attrs.get("gen_ai.completion")))
    out: Any = outputs[0] if len(outputs) == 1 else outputs or None
    inp: Any = (
        inputs[0] if len(inputs) == 1 and not isinstance(inputs[0], dict) else inputs
    ) or None
    return (dumps(inp) if inp is not None else None, dumps(out) if out is not None else None)


def _pairs(span: SpanData) -> IO:
    attrs = span.attributes
    for in_key, out_key in _PAIRS:
        inp, out = attrs.get(in_key), attrs.get(out_key)
        if frameworks.truthy(inp) or frameworks.truthy(out):
            return to_json_text(inp), to_json_text(out)
    return None, None


_INDEXED = re.compile(r"^(\d+)\.(.+)$")


def _unflatten(attrs: JSONObject, prefix: str) -> list[Any] | None:
    """Rebuild `prefix.N.a.b` keys into a list of nested objects."""
    items: dict[int, JSONObject] = {}
    for key, value in attrs.items():
        if not key.startswith(prefix):
            continue
        match = _INDEXED.match(key[len(prefix) :])
        if not match or int(match.group(1)) > 10_000:
            continue
        node = items.setdefault(int(match.group(1)), {})
        parts = match.group(2).split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    if not items:
        return None
    return [_listify(items[i]) for i in sorted(items)]


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


def _flattened(span: SpanData) -> IO:
    attrs = span.attributes
    for in_prefix, out_prefix in (
        ("gen_ai.prompt.", "gen_ai.completion."),
        ("llm.input_messages.", "llm.output_messages."),
    ):
        inp, out = _unflatten(attrs, in_prefix), _unflatten(attrs, out_prefix)
        if inp is not None or out is not None:
            inp = [m.get("message", m) if isinstance(m, dict) else m for m in inp or []] or None
            out = [m.get("message", m) if isinstance(m, dict) else m for m in out or []] or None
            return (dumps(inp) if inp else None, dumps(out) if out else None)
    return None, None


def _genai_messages(span: SpanData) -> IO:
    return _genai_messages_from(span.attributes)


def _genai_messages_from(attrs: JSONObject) -> IO:
    inp = parse_json_maybe(attrs.get("gen_ai.input.messages"))
    out = parse_json_maybe(attrs.get("gen_ai.output.messages"))
    system = attrs.get("gen_ai.system_instructions")
    if frameworks.truthy(system):
        inp = frameworks.with_system(inp, system)
    if inp is None and out is None:
        inp = attrs.get("gen_ai.tool.call.arguments")
        out = attrs.get("gen_ai.tool.call.result")
        return to_json_text(inp), to_json_text(out)
    return (dumps(inp) if inp is not None else None, dumps(out) if out is not None else None)
