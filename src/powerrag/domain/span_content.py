"""GenAI message content sent apart from its span (OTLP log events), and how it becomes
the span's input and output.

OpenTelemetry's GenAI instrumentations on the older conventions send every message of a
chat as its own log event (`gen_ai.user.message`, `gen_ai.choice`, ...), on the newer
ones the whole exchange as one `gen_ai.client.inference.operation.details` event
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-events/). Either arrives
before or after its span; `span_io` turns whatever has arrived into the span's input
(an OpenAI-style message list) and output (the choice message, or a list of them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# What one event contributes: messages of the input, choices of the output, or both at
# once for a details event (which is complete on its own).
MESSAGE, CHOICE, DETAILS = "message", "choice", "details"
KINDS = (MESSAGE, CHOICE, DETAILS)


@dataclass(frozen=True, slots=True)
class SpanContentEvent:
    """One content log event of a span.

    `key` identifies the event within its span: the same record in the same place of a
    resent body has the same key, so a resend stores nothing new. `body` is JSON text
    `{"input": [messages], "output": [messages]}` in OpenAI's message shape.
    """

    trace_id: str
    span_id: str
    key: str
    kind: str
    time_ns: int
    seq: int
    body: str
    choice_index: int = 0


def _parts(body: str) -> tuple[list[Any], list[Any]]:
    value = json.loads(body)
    return list(value.get("input") or []), list(value.get("output") or [])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def span_io(events: Sequence[SpanContentEvent]) -> tuple[str | None, str | None]:
    """The (input, output) JSON text the events make, each None when none carries it.

    Messages keep the order they were sent in (record time, then place in the request).
    The latest details event, when there is one, is the whole exchange and wins over
    single-message events. One choice is the output itself; several stay a list.
    """
    ordered = sorted(events, key=lambda e: (e.time_ns, e.seq, e.key))
    details = [e for e in ordered if e.kind == DETAILS]
    chosen = details[-1:] if details else ordered
    inputs: list[Any] = []
    for event in chosen:
        inputs.extend(_parts(event.body)[0])
    outputs: list[Any] = []
    for event in sorted(chosen, key=lambda e: e.choice_index):  # stable: sent order kept
        outputs.extend(_parts(event.body)[1])
    output: Any = outputs[0] if len(outputs) == 1 else outputs
    return (_dumps(inputs) if inputs else None, _dumps(output) if outputs else None)
