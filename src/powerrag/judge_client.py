"""One call to an OpenAI-compatible Chat Completions endpoint, for a judge.

The judge is asked for structured output with `response_format: {"type": "json_schema"}`
(https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format);
an endpoint that refuses it (HTTP 400 naming `response_format`, as many self-hosted
servers do) is asked again with the schema as an instruction. Requests go through the
outbound policy (powerrag/outbound.py) like webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from powerrag.domain.evaluators import json_instruction, response_schema
from powerrag.outbound import DeliveryError, Destinations, RefusedDestinationError, send

TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Completion:
    messages: list[dict[str, Any]]
    content: str
    model: str
    prompt_tokens: int
    completion_tokens: int


class RetryableJudgeError(Exception):
    """Worth another attempt later: 429, 5xx, no answer, an answer that is not JSON."""


class PermanentJudgeError(Exception):
    """Retrying will not help: a refused destination, a wrong key, an unknown model."""


def _request(
    url: str, key: str, headers: dict[str, str], body: dict[str, Any], allowed: Destinations
) -> tuple[int, bytes]:
    sent = {
        "content-type": "application/json",
        "user-agent": "PowerRAG-judge",
        **headers,
        "authorization": f"Bearer {key}",
    }
    try:
        answer = send(url, orjson.dumps(body), sent, allowed, timeout=TIMEOUT_SECONDS)
    except RefusedDestinationError as exc:
        raise PermanentJudgeError(str(exc)) from None
    except DeliveryError as exc:
        raise RetryableJudgeError(f"no answer from the LLM: {exc}") from None
    return answer.status_code, answer.content


def _refuses_schema(status: int, content: bytes) -> bool:
    return status in (400, 422) and (b"response_format" in content or b"json_schema" in content)


def complete(
    base_url: str,
    key: str,
    headers: dict[str, str],
    model: str,
    prompt: str,
    definition: dict[str, Any],
    allowed: Destinations,
) -> Completion:
    url = base_url.rstrip("/") + "/chat/completions"
    messages = [{"role": "user", "content": prompt}]
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "temperature": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "evaluation",
                "strict": True,
                "schema": response_schema(definition),
            },
        },
    }
    status, content = _request(url, key, headers, body, allowed)
    if _refuses_schema(status, content):
        messages = [{"role": "system", "content": json_instruction(definition)}, *messages]
        body = {"model": model, "messages": messages, "temperature": 0}
        status, content = _request(url, key, headers, body, allowed)
    return _checked(status, content, messages, model)


def chat(
    base_url: str,
    key: str,
    headers: dict[str, str],
    model: str,
    messages: list[dict[str, Any]],
    allowed: Destinations,
) -> Completion:
    """One plain chat completion of the given messages (the prompt playground's call)."""
    url = base_url.rstrip("/") + "/chat/completions"
    body = {"model": model, "messages": messages}
    status, content = _request(url, key, headers, body, allowed)
    return _checked(status, content, messages, model)


def _checked(status: int, content: bytes, messages: list[dict[str, Any]], model: str) -> Completion:
    excerpt = content[:300].decode(errors="replace")
    if status == 429 or status >= 500:
        raise RetryableJudgeError(f"the LLM answered HTTP {status}: {excerpt}")
    if status >= 300:
        raise PermanentJudgeError(f"the LLM answered HTTP {status}: {excerpt}")
    return _completion(messages, model, content)


def _completion(messages: list[dict[str, Any]], model: str, content: bytes) -> Completion:
    try:
        answer = orjson.loads(content)
        text = answer["choices"][0]["message"]["content"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        raise RetryableJudgeError(
            f"the LLM's answer is not a chat completion: {content[:200]!r}"
        ) from None
    usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
    return Completion(
        messages=messages,
        content=text if isinstance(text, str) else "",
        model=str(answer.get("model") or model),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )
