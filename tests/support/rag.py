"""RAG sessions with exact timing, sent as OTLP/protobuf: fast data for the replay's tests.

Each turn is a root span (the turn's question and answer) holding a retriever returning
three scored documents, a tool call with arguments and result, and a generation. A
retriever may speak OpenInference instead (`retrieval.documents.N.document.*` attributes
under an OpenInference scope); a step may fail (status ERROR with a message).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from powerrag.demo import SECOND_NS, otlp_span, send_export

LANGFUSE_SCOPE = "langfuse-sdk"
OPENINFERENCE_SCOPE = "openinference.instrumentation.langchain"

DOCUMENTS = [
    {
        "page_content": "Refunds are accepted within 30 days of delivery.",
        "metadata": {"title": "Refund policy", "score": 0.92},
    },
    {
        "page_content": "Headphones carry a two-year warranty.\nKeep the receipt.",
        "metadata": {"source": "warranty.md", "score": 0.81},
    },
    {
        "page_content": "Refunds reach the card in 5-7 business days.",
        "metadata": {"title": "Refund timing", "score": 0.47},
    },
]


@dataclass(frozen=True)
class RagStep:
    """One child of a turn; times in seconds from the turn's start."""

    kind: str  # retriever, tool, generation
    name: str
    start: float
    end: float
    input: Any
    output: Any
    error: str = ""
    openinference: bool = False


@dataclass(frozen=True)
class RagTurn:
    """A turn starting `at` seconds into the session and lasting `length` seconds."""

    at: float
    length: float
    question: str
    answer: str
    steps: list[RagStep] = field(default_factory=list)


def rag_turn(
    at: float, question: str, answer: str, *, tool_seconds: float = 1.0, error: str = ""
) -> RagTurn:
    """The usual RAG turn: retrieve (0.1-0.4 s), a `search` tool, then the LLM (1 s)."""
    tool_end = 0.5 + tool_seconds
    return RagTurn(
        at,
        tool_end + 1.2,
        question,
        answer,
        [
            RagStep("retriever", "retrieve-docs", 0.1, 0.4, {"query": question}, DOCUMENTS),
            RagStep(
                "tool",
                "search",
                0.5,
                tool_end,
                {"query": question, "limit": 3},
                None if error else {"hits": 3, "top": "Refund policy"},
                error,
            ),
            RagStep("generation", "answer-llm", tool_end + 0.1, tool_end + 1.1, question, answer),
        ],
    )


def _openinference_attrs(step: RagStep, session_id: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "openinference.span.kind": "RETRIEVER",
        "session.id": session_id,
        "input.value": json.dumps(step.input),
    }
    for i, doc in enumerate(step.output):
        meta = dict(doc["metadata"])
        score = meta.pop("score")
        attrs[f"retrieval.documents.{i}.document.content"] = doc["page_content"]
        attrs[f"retrieval.documents.{i}.document.id"] = f"doc-{i}"
        attrs[f"retrieval.documents.{i}.document.score"] = score
        attrs[f"retrieval.documents.{i}.document.metadata"] = json.dumps(meta)
    return attrs


def turn_spans(session_id: str, turn: RagTurn, t0_ns: int) -> tuple[str, dict[str, list[Span]]]:
    """The trace id (hex) and the spans of one turn by scope name, root first."""
    trace = secrets.token_bytes(16)
    start = t0_ns + int(turn.at * SECOND_NS)
    session = {"langfuse.session.id": session_id, "langfuse.user.id": "rag-user"}
    root = otlp_span(
        trace,
        None,
        "rag-turn",
        start,
        start + int(turn.length * SECOND_NS),
        {
            **session,
            "langfuse.trace.name": "rag-turn",
            "langfuse.observation.input": json.dumps(turn.question),
            "langfuse.observation.output": json.dumps(turn.answer),
        },
    )
    spans: dict[str, list[Span]] = {LANGFUSE_SCOPE: [root], OPENINFERENCE_SCOPE: []}
    for step in turn.steps:
        begin, end = start + int(step.start * SECOND_NS), start + int(step.end * SECOND_NS)
        if step.openinference:
            attrs = _openinference_attrs(step, session_id)
            spans[OPENINFERENCE_SCOPE].append(
                otlp_span(trace, root.span_id, step.name, begin, end, attrs)
            )
            continue
        attrs = {
            **session,
            "langfuse.observation.type": step.kind,
            "langfuse.observation.input": json.dumps(step.input),
            "langfuse.observation.output": None if step.output is None else json.dumps(step.output),
        }
        if step.kind == "generation":
            attrs["langfuse.observation.model.name"] = "gpt-4o-mini"
            attrs["langfuse.observation.usage_details"] = json.dumps({"input": 40, "output": 12})
        if step.error:
            attrs["langfuse.observation.level"] = "ERROR"
            attrs["langfuse.observation.status_message"] = step.error
        spans[LANGFUSE_SCOPE].append(
            otlp_span(trace, root.span_id, step.name, begin, end, attrs, step.error)
        )
    return trace.hex(), spans


def send(client: httpx.Client, spans: dict[str, list[Span]]) -> None:
    """POST spans as OTLP/protobuf, one scope each, as an OpenTelemetry exporter does."""
    send_export(client, {"service.name": "rag-app"}, spans)


def send_session(
    client: httpx.Client, session_id: str, turns: list[RagTurn], t0_ns: int
) -> list[str]:
    """Send every turn; the trace ids in turn order."""
    ids = []
    for turn in turns:
        trace_id, spans = turn_spans(session_id, turn, t0_ns)
        send(client, spans)
        ids.append(trace_id)
    return ids
