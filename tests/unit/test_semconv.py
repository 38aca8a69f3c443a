"""Span → observation mapping: Langfuse attributes and the GenAI/OpenInference fallbacks."""

from __future__ import annotations

import json

import pytest

from powerrag.ingest.semconv import (
    MappedSpan,
    SpanRejectedError,
    map_span,
    normalise_environment,
)
from tests.support.spans import T0, span


def test_langfuse_generation_attributes_map_field_for_field() -> None:
    mapped = map_span(
        span(
            {
                "langfuse.observation.type": "generation",
                "langfuse.observation.model.name": "gpt-4o",
                "langfuse.observation.model.parameters": '{"temperature": 0.2}',
                "langfuse.observation.input": '[{"role": "user", "content": "hi"}]',
                "langfuse.observation.output": "Paris",
                "langfuse.observation.usage_details": '{"input": 12, "output": 3}',
                "langfuse.observation.cost_details": '{"input": 0.00012, "output": 9e-05}',
                "langfuse.observation.completion_start_time": '"2025-11-23T12:00:00.250000Z"',
                "langfuse.observation.level": "warn",
                "langfuse.observation.status_message": "slow",
                "langfuse.version": "v3",
                "langfuse.environment": "Langfuse-Staging",
            },
            parent="00000000000000ff",
        )
    )
    obs = mapped.observation
    assert (obs.type, obs.model, obs.level, obs.status_message) == (
        "GENERATION",
        "gpt-4o",
        "WARNING",
        "slow",
    )
    assert json.loads(obs.model_parameters or "") == {"temperature": 0.2}
    assert json.loads(obs.input or "") == [{"role": "user", "content": "hi"}]
    assert json.loads(obs.output or "") == "Paris"  # raw strings are quoted once
    assert obs.usage_details == {"input": 12, "output": 3}
    assert obs.cost_details == {"input": 0.00012, "output": 9e-05}
    assert obs.version == "v3"
    assert obs.environment == "staging"
    assert obs.completion_start_time is not None
    assert obs.parent_observation_id == "00000000000000ff"
    assert mapped.trace_update is None  # a child without trace attributes


def test_root_span_speaks_for_its_trace() -> None:
    mapped = map_span(
        span(
            {
                "session.id": "chat-1",
                "user.id": "u-1",
                "langfuse.trace.tags": ["b", "a"],
                "langfuse.trace.metadata.tenant": "acme",
                "langfuse.trace.public": True,
                "langfuse.trace.input": '{"q": 1}',
            },
            name="root",
        )
    )
    update = mapped.trace_update
    assert update is not None and update.is_root
    assert (update.session_id, update.user_id, update.public) == ("chat-1", "u-1", True)
    assert update.tags == ("b", "a")
    assert update.metadata["tenant"] == "acme"
    assert update.input == '{"q": 1}'


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("langfuse.session.id", "s-1"),
        ("session.id", "s-1"),
        ("gen_ai.conversation.id", "s-1"),
        ("langfuse.observation.metadata.langfuse_session_id", "s-1"),
        ("ai.telemetry.metadata.sessionId", "s-1"),
    ],
)
def test_session_id_is_found_under_every_convention(key: str, value: str) -> None:
    mapped = map_span(span({key: value}, parent="00000000000000ff"))
    assert mapped.trace_update is not None
    assert mapped.trace_update.session_id == "s-1"


def test_a_session_id_over_200_characters_is_dropped_named_and_kept_in_metadata() -> None:
    mapped = map_span(span({"session.id": "x" * 201}))
    update = mapped.trace_update
    assert update is not None and update.session_id is None
    assert update.metadata["powerrag_refused_session_id"] == "x" * 201
    assert [w.message for w in mapped.warnings] == [
        "session id dropped from trace 0000000000000000000000000000abcd: 201 characters, "
        "longer than 200; kept in the trace's metadata as powerrag_refused_session_id"
    ]


@pytest.mark.parametrize("kept", ["会话-1", "séance-été", "chat-🦜-1", "会" * 200])
def test_a_session_id_in_any_script_up_to_200_characters_is_kept(kept: str) -> None:
    mapped = map_span(span({"session.id": kept}))
    update = mapped.trace_update
    assert update is not None and update.session_id == kept and mapped.warnings == ()
    assert "powerrag_refused_session_id" not in update.metadata


def test_non_string_session_id_is_coerced() -> None:
    mapped = map_span(span({"session.id": 42}))
    assert mapped.trace_update is not None and mapped.trace_update.session_id == "42"


def test_otel_status_error_gives_level_error_and_message() -> None:
    obs = map_span(span({}, status=2, message="ValueError: boom")).observation
    assert (obs.level, obs.status_message) == ("ERROR", "ValueError: boom")


def test_metadata_encodings_of_each_sdk() -> None:
    py3 = {
        "langfuse.observation.metadata.component": "router",
        "langfuse.observation.metadata.attempt": 1,
        "langfuse.observation.metadata.nested": '{"k": [1, 2]}',
    }
    py5 = {
        "langfuse.observation.metadata.component": '"router"',
        "langfuse.observation.metadata.attempt": "1",
        "langfuse.observation.metadata.code": '"123"',
    }
    expected = {"component": "router", "attempt": 1, "nested": {"k": [1, 2]}}
    assert _user_metadata(map_span(span(py3))) == expected
    v4 = _user_metadata(map_span(span(py5), ingestion_version=4))
    assert v4 == {"component": "router", "attempt": 1, "code": "123"}


def _user_metadata(mapped: MappedSpan) -> dict[str, object]:
    meta = json.loads(mapped.observation.metadata or "")
    return {k: v for k, v in meta.items() if k not in ("resourceAttributes", "scope")}


def test_metadata_says_where_the_span_came_from() -> None:
    mapped = map_span(
        span(
            {"input.value": "q", "http.route": "/chat", "retry.count": 2},
            scope="openinference.instrumentation.langchain",
            resource={"service.name": "bot"},
        )
    )
    meta = json.loads(mapped.observation.metadata or "")
    # Resource and scope travel apart (stored once per distinct value), keyed by their hash.
    origin = json.loads(mapped.observation.origin or "")
    assert "resourceAttributes" not in meta and "scope" not in meta
    assert origin["resourceAttributes"] == {"service.name": "bot"}
    assert origin["scope"]["name"] == "openinference.instrumentation.langchain"
    again = map_span(
        span(
            {"x": 1},
            scope="openinference.instrumentation.langchain",
            resource={"service.name": "bot"},
        )
    )
    other = map_span(span({}, scope="other", resource={"service.name": "bot"}))
    assert (
        again.observation.origin_id == mapped.observation.origin_id != other.observation.origin_id
    )
    # Unmapped attributes of other instrumentations are kept; mapped ones are not repeated.
    assert meta["attributes"] == {"http.route": "/chat", "retry.count": "2"}


def test_openinference_llm_span() -> None:
    obs = map_span(
        span(
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "input.value": '{"messages": [{"role": "user", "content": "hi"}]}',
                "output.value": "hello",
                "llm.token_count.prompt": 10,
                "llm.token_count.completion": 4,
                "llm.token_count.total": 14,
                "llm.invocation_parameters": '{"temperature": 0}',
            },
            scope="openinference.instrumentation.openai",
        )
    ).observation
    assert (obs.type, obs.model) == ("GENERATION", "gpt-4o-mini")
    assert obs.usage_details == {"input": 10, "output": 4, "total": 14}
    assert json.loads(obs.output or "") == "hello"
    assert json.loads(obs.model_parameters or "") == {"temperature": 0}


def test_openinference_flattened_messages() -> None:
    obs = map_span(
        span(
            {
                "openinference.span.kind": "LLM",
                "llm.input_messages.0.message.role": "system",
                "llm.input_messages.0.message.content": "be brief",
                "llm.input_messages.1.message.role": "user",
                "llm.input_messages.1.message.content": "hi",
                "llm.output_messages.0.message.role": "assistant",
                "llm.output_messages.0.message.content": "hello",
            },
            scope="openinference",
        )
    ).observation
    assert json.loads(obs.input or "") == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    assert json.loads(obs.output or "") == [{"role": "assistant", "content": "hello"}]


def test_genai_semconv_chat_span() -> None:
    obs = map_span(
        span(
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.response.model": "gpt-4o-2024-08-06",
                "gen_ai.request.temperature": 0.5,
                "gen_ai.usage.input_tokens": 100,
                "gen_ai.usage.output_tokens": 20,
                "gen_ai.usage.cache_read_input_tokens": 30,
                "gen_ai.input.messages": '[{"role": "user", "content": "hi"}]',
                "gen_ai.output.messages": '[{"role": "assistant", "content": "yo"}]',
                "gen_ai.system_instructions": "be nice",
            },
            scope="opentelemetry.instrumentation.openai",
        )
    ).observation
    assert (obs.type, obs.model) == ("GENERATION", "gpt-4o-2024-08-06")
    assert obs.usage_details == {"input": 70, "output": 20, "input_cached_tokens": 30}
    assert json.loads(obs.input or "")[0] == {"role": "system", "content": "be nice"}
    assert json.loads(obs.model_parameters or "") == {"temperature": 0.5}


def test_genai_message_events() -> None:
    obs = map_span(
        span(
            {"gen_ai.operation.name": "chat"},
            events=[
                ("gen_ai.user.message", T0, {"content": "hi"}),
                ("gen_ai.choice", T0, {"message": '{"content": "yo"}', "index": 0}),
            ],
            scope="x",
        )
    ).observation
    assert json.loads(obs.input or "") == [{"role": "user", "content": "hi"}]
    assert json.loads(obs.output or "") == {"message": {"content": "yo"}, "index": 0}


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"gen_ai.operation.name": "embeddings"}, "EMBEDDING"),
        ({"gen_ai.operation.name": "execute_tool"}, "TOOL"),
        ({"gen_ai.tool.name": "search"}, "TOOL"),
        ({"openinference.span.kind": "RETRIEVER"}, "RETRIEVER"),
        ({"langfuse.observation.type": "guardrail"}, "GUARDRAIL"),
        ({"langfuse.observation.type": "GUARDRAIL"}, "SPAN"),  # only lower case counts
        ({}, "SPAN"),
    ],
)
def test_observation_type_rules(attrs: dict[str, object], expected: str) -> None:
    assert map_span(span(attrs, scope="x")).observation.type == expected


def test_bad_ids_reject_the_span() -> None:
    with pytest.raises(SpanRejectedError, match="traceId"):
        map_span(span(trace_id="xyz"))
    with pytest.raises(SpanRejectedError, match="spanId"):
        map_span(span(span_id="0" * 16))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Production", "production"),
        ("langfuse-prod", "prod"),
        ("bad env!", "default"),
        ("", "default"),
        ("x" * 50, "x" * 40),
    ],
)
def test_environment_normalisation(raw: str, expected: str) -> None:
    assert normalise_environment(raw) == expected
