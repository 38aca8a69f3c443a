"""OpenTelemetry's own OpenAI instrumentation against a real `powerrag serve`.

`opentelemetry-instrumentation-openai-v2` (older GenAI conventions, content capture on)
puts no prompt or completion on its span: they go out as OTLP log events. A chat
completion against a local fake OpenAI endpoint, exported to PowerRAG's base OTLP
endpoint, must read back with the user's prompt as the span's input and the completion
as its output.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.support.fake_openai import FakeOpenAI, text
from tests.support.sdk import PROGRAMS, Sdk, Server, run_file

pytestmark = [pytest.mark.sdk, pytest.mark.one_engine]

OTEL_OPENAI = Sdk("otel-openai-v2", "py")
REPLY = "Paris is the capital of France."
PROMPT_TOKENS, COMPLETION_TOKENS = 21, 9


def test_prompt_and_completion_sent_as_log_events_become_the_span_s_io(
    server_for: Callable[[Sdk], Server],
) -> None:
    server = server_for(OTEL_OPENAI)
    with FakeOpenAI([text(REPLY)], usage=[(PROMPT_TOKENS, COMPLETION_TOKENS)]) as fake:
        output = run_file(
            OTEL_OPENAI, PROGRAMS / "otel_openai_chat.py", server.project, "chat", fake.base_url
        )
    assert f"reply: {REPLY}" in output, output
    assert [r["messages"][-1]["content"] for r in fake.requests] == [
        "What is the capital of France?"
    ]
    with httpx.Client(base_url=server.url, auth=server.auth) as api:
        traces = api.get("/api/public/traces").json()["data"]
        assert len(traces) == 1, traces
        trace = api.get(f"/api/public/traces/{traces[0]['id']}").json()
    [generation] = trace["observations"]
    assert generation["name"] == "chat gpt-4o-mini"
    assert generation["type"] == "GENERATION"
    assert (generation["usageDetails"]["input"], generation["usageDetails"]["output"]) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
    )
    assert generation["input"] == [
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert generation["output"] == {"role": "assistant", "content": REPLY}
