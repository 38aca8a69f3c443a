""" "Try it" on a prompt version: compile it, call one of the project's LLM connections, and
record the call as a trace of the project linked to the version (docs/ui.md, Prompts).

The call goes through the judge's client (powerrag/judge_client.py), so the outbound
allow-list applies, and is recorded by the same function as a judge call (judging.call_trace).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from powerrag import judge_client, judging
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.eval_rules import LlmConnection
from powerrag.domain.prompts import PromptVersion, compiled
from powerrag.outbound import Destinations
from powerrag.store import evaluation
from powerrag.store.database import Store

ENVIRONMENT = "powerrag-playground"


@dataclass(frozen=True, slots=True)
class Choice:
    """A connection the form offers, with its models."""

    id: str
    provider: str
    models: list[str]


@dataclass(frozen=True, slots=True)
class Attempt:
    connection_id: str
    model: str
    values: dict[str, str]
    placeholders: dict[str, Any]


def choices(store: Store, project_id: str) -> list[Choice]:
    with store.connect() as conn:
        every: list[LlmConnection] = evaluation.page(conn, "connection", project_id, 100)
    return [Choice(c.id, c.provider, list(c.custom_models)) for c in every]


def run(
    store: Store,
    allowed: Destinations,
    version: PromptVersion,
    attempt: Attempt,
    clock: Any,
) -> str:
    """The new trace's id; a refused call raises InvalidRequestError with the reason."""
    messages = compiled(version.prompt, attempt.values, attempt.placeholders)
    with store.connect() as conn:
        found: LlmConnection | None = evaluation.get(
            conn, "connection", version.project_id, attempt.connection_id
        )
    if found is None:
        raise InvalidRequestError(f"no LLM connection {attempt.connection_id!r} in this project")
    if not attempt.model.strip():
        raise InvalidRequestError("choose a model")
    started = clock()
    try:
        secret = judging.connection_secret(store, found)
        completion = judge_client.chat(
            found.base_url or "https://api.openai.com/v1",
            secret["secretKey"],
            secret.get("extraHeaders") or {},
            attempt.model.strip(),
            messages,
            allowed,
        )
    except (judge_client.PermanentJudgeError, judge_client.RetryableJudgeError) as exc:
        raise InvalidRequestError(str(exc)) from None
    now = clock()
    trace_id = uuid.uuid4().hex
    call = judging.CallTrace(
        trace_id=trace_id,
        source="playground",
        trace_name=f"playground: {version.name}",
        generation_name=version.name,
        environment=ENVIRONMENT,
        tag=ENVIRONMENT,
        metadata={"connectionId": found.id, "provider": found.provider},
        prompt_name=version.name,
        prompt_version=version.version,
    )
    store.write_batches(
        [(version.project_id, judging.call_trace(call, completion, started, now))], now
    )
    return trace_id
