"""Prompts as Langfuse manages them: named, versioned text or chat templates with labels.

Rules follow Langfuse's server (github.com/langfuse/langfuse,
packages/shared/src/features/prompts/constants.ts, validation.ts, types.ts and
web/src/features/prompts/server/actions/createPrompt.ts): names may hold `/` folders but
not `|`, nor start or end with `/`, nor `//`; labels are lowercase `[a-z0-9_.-]`, at most
36 characters; `latest` always marks the newest version and cannot be set by hand; a
label names one version of a prompt at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError

LATEST = "latest"
PRODUCTION = "production"
TYPES = ("text", "chat")
MAX_NAME = 255
MAX_LABEL = 36
MAX_COMMIT_MESSAGE = 500
MAX_TAG = 200
_LABEL = re.compile(r"^[a-z0-9_\-.]+$")
_PLACEHOLDER = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
# Langfuse's MUSTACHE_REGEX with VARIABLE_REGEX (packages/shared/src/utils/stringChecks.ts).
VARIABLE = re.compile(r"\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}")
# Page names of the prompt pages that a prompt may not take (web/urls.py builds them).
RESERVED_NAMES = ("new",)


@dataclass(frozen=True, slots=True)
class PromptVersion:
    """One version of a prompt; `prompt` is a string (text) or a list of messages (chat)."""

    id: str
    project_id: str
    name: str
    version: int
    type: str
    prompt: Any
    config: Any
    labels: tuple[str, ...]
    tags: tuple[str, ...]
    commit_message: str | None
    created_by: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class NewPrompt:
    """A validated request for a new version."""

    name: str
    type: str
    prompt: Any
    config: Any
    labels: tuple[str, ...]
    tags: tuple[str, ...] | None
    commit_message: str | None


@dataclass(frozen=True, slots=True)
class PromptMeta:
    """A prompt in the list: the versions and labels that match the filters."""

    name: str
    type: str
    versions: tuple[int, ...]
    labels: tuple[str, ...]
    tags: tuple[str, ...]
    last_updated_at: int
    last_config: Any


@dataclass(frozen=True, slots=True)
class PromptFilter:
    name: str | None = None
    label: str | None = None
    tag: str | None = None
    version: int | None = None
    from_updated_at: int | None = None
    to_updated_at: int | None = None


def _bad(message: str) -> InvalidRequestError:
    return InvalidRequestError(message, code="invalid_body")


def validate_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad("name is required (a non-empty string)")
    if len(value) > MAX_NAME:
        raise _bad(f"name must have at most {MAX_NAME} characters")
    if "|" in value:
        raise _bad("name cannot contain the '|' character")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise _bad("name cannot start or end with '/' nor contain '//'")
    if "<" in value or ">" in value:
        raise _bad("name cannot contain '<' or '>'")
    if value.strip() in RESERVED_NAMES:
        raise _bad(f"name cannot be {value.strip()!r}")
    return value.strip()


def validate_label(value: Any, *, allow_latest: bool = False) -> str:
    if not isinstance(value, str) or not _LABEL.match(value) or len(value) > MAX_LABEL:
        raise _bad(
            f"label {value!r} must be 1 to {MAX_LABEL} lowercase letters, digits, '_', '-' or '.'"
        )
    if value == LATEST and not allow_latest:
        raise _bad("label 'latest' is always assigned to the latest prompt version")
    return value


def validate_labels(value: Any, field: str = "labels") -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _bad(f"{field} must be a list of labels")
    return tuple(dict.fromkeys(validate_label(v) for v in value))


def _tags(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(t, str) and t and len(t) <= MAX_TAG for t in value
    ):
        raise _bad(f"tags must be a list of non-empty strings of at most {MAX_TAG} characters")
    return tuple(dict.fromkeys(value))


def _message(value: Any, index: int) -> dict[str, str]:
    """A chat message `{role, content}` or a placeholder `{type: placeholder, name}`."""
    where = f"prompt[{index}]"
    if not isinstance(value, dict):
        raise _bad(f"{where} must be an object")
    if value.get("type") == "placeholder":
        name = value.get("name")
        if not isinstance(name, str) or not _PLACEHOLDER.match(name):
            raise _bad(f"{where}.name must start with a letter and hold only letters, digits, '_'")
        return {"type": "placeholder", "name": name}
    role, content = value.get("role"), value.get("content")
    if not isinstance(role, str) or not isinstance(content, str):
        raise _bad(f"{where} needs a string role and a string content (or type placeholder)")
    return {"role": role, "content": content}


def _body(value: Any, kind: str) -> Any:
    if kind == "text":
        if not isinstance(value, str):
            raise _bad("prompt must be a string for a text prompt")
        return value
    if not isinstance(value, list):
        raise _bad("prompt must be a list of messages for a chat prompt")
    messages = [_message(m, i) for i, m in enumerate(value)]
    names = set(placeholders(messages))
    clash = sorted(names.intersection(variables(messages)))
    if clash:
        raise _bad(f"variables and placeholders must be unique, these are not: {', '.join(clash)}")
    return messages


def parse_new(body: Any) -> NewPrompt:
    """A create request (Langfuse's CreatePromptRequest) checked field by field."""
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    kind = body.get("type") or "text"
    if kind not in TYPES:
        raise _bad(f"type must be 'text' or 'chat', got {kind!r}")
    config = body.get("config")
    commit = body.get("commitMessage")
    if commit is not None and (not isinstance(commit, str) or len(commit) > MAX_COMMIT_MESSAGE):
        raise _bad(f"commitMessage must be a string of at most {MAX_COMMIT_MESSAGE} characters")
    return NewPrompt(
        name=validate_name(body.get("name")),
        type=kind,
        prompt=_body(body.get("prompt"), kind),
        config={} if config is None else config,
        labels=validate_labels(body.get("labels")),
        tags=_tags(body.get("tags")),
        commit_message=commit or None,
    )


def variables(prompt: Any) -> list[str]:
    """The `{{name}}` variables of a text or of a chat prompt's messages, first use first."""
    texts = [prompt] if isinstance(prompt, str) else [m.get("content", "") for m in prompt]
    return list(dict.fromkeys(v for text in texts for v in VARIABLE.findall(text)))


def placeholders(prompt: Any) -> list[str]:
    if isinstance(prompt, str):
        return []
    return [m["name"] for m in prompt if m.get("type") == "placeholder"]


def folder_of(name: str) -> str:
    """The folder part of a name: `a/b/c` -> `a/b`; `` for a name without one."""
    return name.rpartition("/")[0]


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    name: str
    average: float
    count: int


@dataclass(frozen=True, slots=True)
class VersionUsage:
    """What the generations that used one version did: how many, cost, latency, scores."""

    version: int
    generations: int
    total_cost: float | None
    average_latency_us: float | None
    scores: tuple[ScoreSummary, ...]


def compiled(prompt: Any, values: dict[str, str], inserted: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages a prompt becomes: a text prompt is one user message; a chat prompt's
    messages get their variables filled and each placeholder replaced by its messages.
    A variable or placeholder without a value is a 400 naming it."""
    missing = [v for v in variables(prompt) if v not in values]
    missing += [p for p in placeholders(prompt) if p not in inserted]
    if missing:
        raise _bad(f"no value for {', '.join(missing)}")

    def fill(text: str) -> str:
        return VARIABLE.sub(lambda m: values[m.group(1)], text)

    if isinstance(prompt, str):
        return [{"role": "user", "content": fill(prompt)}]
    messages: list[dict[str, Any]] = []
    for message in prompt:
        if message.get("type") == "placeholder":
            messages.extend(_inserted(inserted[message["name"]], message["name"]))
        else:
            messages.append({"role": message["role"], "content": fill(message["content"])})
    return messages


def _inserted(value: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and isinstance(m.get("role"), str) for m in value
    ):
        raise _bad(f"placeholder {name} must be a JSON list of messages with a role")
    return value
