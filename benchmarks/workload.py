"""A deterministic, seeded OTLP workload: sessions × traces × spans of LLM-app telemetry.

Every trace is an agent turn of four spans (agent root, retriever, LLM generation,
tool call) carrying Langfuse, OTel GenAI and OpenInference attributes, ~2.5 KB each,
encoded as OTLP/HTTP protobuf `ExportTraceServiceRequest` bodies of N spans.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

CONTENT_TYPE = "application/x-protobuf"
BASE_TIME_NS = 1_780_000_000_000_000_000  # 2026-05-28, fixed so every run sends the same bytes
SESSION_GAP_NS = 60_000_000_000
TURN_GAP_NS = 20_000_000_000
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "gemini-1.5-pro")
_PROSE = (
    "the customer asked about refund policy for annual plans and whether the invoice "
    "includes tax retrieval found three relevant passages in the knowledge base please "
    "summarise account settings billing cycle password reset latency error timeout "
    "retry embedding vector index chunk document answer question context assistant "
    "tool weather search order status shipping delayed warehouse tracking number"
)


@dataclass(frozen=True, slots=True)
class Shape:
    """How much to generate: `sessions` × `traces` turns × `spans` per turn (fixed at 4)."""

    sessions: int
    traces: int = 5
    spans: int = 4
    seed: int = 42

    @property
    def total_spans(self) -> int:
        return self.sessions * self.traces * self.spans

    @staticmethod
    def for_spans(total: int, *, traces: int = 5, seed: int = 42) -> Shape:
        """The smallest shape with at least `total` spans."""
        per_session = traces * 4
        return Shape(sessions=max(1, -(-total // per_session)), traces=traces, seed=seed)


class _Text:
    """Cheap varied prose: slices of one seeded corpus, so generation does not dominate."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        words = _PROSE.split()
        self._corpus = " ".join(rng.choice(words) for _ in range(40_000))

    def take(self, size: int) -> str:
        start = self._rng.randrange(0, len(self._corpus) - size - 1)
        return self._corpus[start : start + size]


def _kv(key: str, value: str | int | float | bool) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _span(
    trace_id: bytes,
    span_id: bytes,
    parent: bytes | None,
    name: str,
    start: int,
    end: int,
    attrs: dict[str, str | int | float | bool],
) -> Span:
    span = Span(
        trace_id=trace_id,
        span_id=span_id,
        name=name,
        kind=Span.SPAN_KIND_INTERNAL,
        start_time_unix_nano=start,
        end_time_unix_nano=end,
    )
    if parent is not None:
        span.parent_span_id = parent
    span.attributes.extend(_kv(k, v) for k, v in attrs.items())
    return span


class Generator:
    """Yields the spans of a Shape in session order; the same seed gives the same bytes."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self._rng = random.Random(shape.seed)
        self._text = _Text(self._rng)

    def _id(self, size: int) -> bytes:
        return self._rng.getrandbits(size * 8).to_bytes(size, "big")

    def spans(self) -> Iterator[Span]:
        for s in range(self.shape.sessions):
            session_id = f"sess-{self.shape.seed}-{s:07d}"
            user_id = f"user-{s % 997:03d}"
            for t in range(self.shape.traces):
                start = BASE_TIME_NS + s * SESSION_GAP_NS + t * TURN_GAP_NS
                yield from self.turn(session_id, user_id, t, start)

    def _messages(self) -> tuple[str, str]:
        """Chat-message input of 1–2 KB and a shorter assistant answer."""
        history = [{"role": "system", "content": self._text.take(180)}]
        for _ in range(self._rng.randint(2, 4)):
            history.append(
                {"role": "user", "content": self._text.take(self._rng.randint(140, 250))}
            )
            history.append({"role": "assistant", "content": self._text.take(140)})
        history.append({"role": "user", "content": self._text.take(120)})
        answer = {"role": "assistant", "content": self._text.take(self._rng.randint(250, 450))}
        return json.dumps(history), json.dumps(answer)

    def turn(self, session_id: str, user_id: str, turn: int, start: int) -> Iterator[Span]:
        """One agent turn: root, retriever, LLM generation and tool call."""
        trace_id, root = self._id(16), self._id(8)
        question = self._text.take(self._rng.randint(80, 160))
        yield self._root(trace_id, root, session_id, user_id, turn, start, question)
        yield self._retrieve(trace_id, root, start + 10_000_000, question)
        yield self._generation(trace_id, root, start + 220_000_000)
        yield self._tool(trace_id, root, start + 2_110_000_000)

    def wide_trace(self, session_id: str, observations: int) -> tuple[str, list[Span]]:
        """(trace id hex, spans): one root and `observations - 1` children cycling the kinds."""
        trace_id, root = self._id(16), self._id(8)
        question = self._text.take(120)
        spans = [self._root(trace_id, root, session_id, "user-wide", 0, BASE_TIME_NS, question)]
        kinds = (self._generation, self._tool)
        for i in range(observations - 1):
            start = BASE_TIME_NS + (i + 1) * 30_000_000
            if i % 3 == 0:
                spans.append(self._retrieve(trace_id, root, start, question))
            else:
                spans.append(kinds[i % 2](trace_id, root, start))
        return trace_id.hex(), spans

    def _root(
        self, trace_id: bytes, span_id: bytes, session_id: str, user_id: str, turn: int,
        start: int, question: str,
    ) -> Span:  # fmt: skip
        answer = self._text.take(self._rng.randint(700, 1000))
        return _span(trace_id, span_id, None, "agent-turn", start, start + 2_400_000_000, {
            "langfuse.trace.name": "support-agent",
            "session.id": session_id,
            "user.id": user_id,
            "langfuse.environment": "production",
            "langfuse.trace.tags": json.dumps(["benchmark", f"turn-{turn}"]),
            "langfuse.trace.metadata.tenant": f"tenant-{len(user_id) + turn % 7}",
            "openinference.span.kind": "AGENT",
            "input.value": question,
            "output.value": answer,
            "langfuse.observation.input": json.dumps({"question": question, "turn": turn}),
            "langfuse.observation.output": json.dumps({"answer": answer}),
        })  # fmt: skip

    def _retrieve(self, trace_id: bytes, parent: bytes, start: int, question: str) -> Span:
        docs = [
            {"id": f"doc-{self._rng.randrange(10_000)}", "text": self._text.take(620)}
            for _ in range(3)
        ]
        return _span(trace_id, self._id(8), parent, "retrieve", start, start + 200_000_000, {
            "openinference.span.kind": "RETRIEVER",
            "langfuse.observation.type": "retriever",
            "input.value": question,
            "input.mime_type": "text/plain",
            "output.value": json.dumps(docs),
            "output.mime_type": "application/json",
            "retrieval.top_k": 3,
            "langfuse.observation.metadata.index": "kb-v3",
        })  # fmt: skip

    def _generation(self, trace_id: bytes, parent: bytes, start: int) -> Span:
        messages, reply = self._messages()
        model = MODELS[self._rng.randrange(len(MODELS))]
        prompt_tokens, completion_tokens = self._rng.randint(300, 900), self._rng.randint(40, 300)
        return _span(trace_id, self._id(8), parent, "chat " + model, start, start + 1_880_000_000, {
            "langfuse.observation.type": "generation",
            "openinference.span.kind": "LLM",
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.request.model": model,
            "gen_ai.response.model": model,
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 512,
            "gen_ai.usage.input_tokens": prompt_tokens,
            "gen_ai.usage.output_tokens": completion_tokens,
            "llm.model_name": model,
            "llm.token_count.prompt": prompt_tokens,
            "llm.token_count.completion": completion_tokens,
            "llm.token_count.total": prompt_tokens + completion_tokens,
            "langfuse.observation.input": messages,
            "langfuse.observation.output": reply,
            "langfuse.observation.completion_start_time": str(start + 380_000_000),
        })  # fmt: skip

    def _tool(self, trace_id: bytes, parent: bytes, start: int) -> Span:
        args = json.dumps(
            {"order_id": f"A{self._rng.randrange(10**6):06d}", "note": self._text.take(600)}
        )
        return _span(trace_id, self._id(8), parent, "lookup_order", start, start + 240_000_000, {
            "langfuse.observation.type": "tool",
            "openinference.span.kind": "TOOL",
            "gen_ai.tool.name": "lookup_order",
            "gen_ai.tool.call.id": f"call_{self._rng.getrandbits(48):012x}",
            "tool.name": "lookup_order",
            "input.value": args,
            "output.value": json.dumps({"status": "shipped", "detail": self._text.take(1300)}),
            "langfuse.observation.level": "DEFAULT",
        })  # fmt: skip


def encode(spans: list[Span]) -> bytes:
    """One OTLP/HTTP protobuf export request with the given spans."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.attributes.extend(
        [_kv("service.name", "bench-support-agent"), _kv("telemetry.sdk.language", "python")]
    )
    ss = rs.scope_spans.add()
    ss.scope.name = "powerrag-benchmark"
    ss.scope.version = "1.0.0"
    ss.spans.extend(spans)
    return bytes(req.SerializeToString())


def batches(shape: Shape, batch_size: int) -> Iterator[tuple[bytes, int]]:
    """(body, span count) for each request, lazily: large shapes never sit in memory."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    pending: list[Span] = []
    for span in Generator(shape).spans():
        pending.append(span)
        if len(pending) == batch_size:
            yield encode(pending), len(pending)
            pending = []
    if pending:
        yield encode(pending), len(pending)


def main() -> None:
    """Print the workload's size figures as one JSON line (a quick sanity check)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    shape = Shape.for_spans(args.spans, seed=args.seed)
    sizes = [len(body) for body, _ in batches(shape, args.batch)]
    print(
        json.dumps(
            {
                "tool": "workload",
                "spans": shape.total_spans,
                "sessions": shape.sessions,
                "requests": len(sizes),
                "bytes": sum(sizes),
                "bytes_per_span": round(sum(sizes) / shape.total_spans),
            }
        )
    )


if __name__ == "__main__":
    main()
