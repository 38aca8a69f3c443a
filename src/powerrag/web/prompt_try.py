"""The "Try it" form of a prompt version: its view model, and the form read back as a call
(powerrag/playground.py). Variables are fields `var_<name>`, placeholders `ph_<name>`."""

from __future__ import annotations

from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.prompts import PromptVersion, placeholders, variables
from powerrag.playground import Attempt, Choice


def _default_model(version: PromptVersion, choices: list[Choice]) -> str:
    config = version.config if isinstance(version.config, dict) else {}
    if isinstance(config.get("model"), str) and config["model"]:
        return str(config["model"])
    return choices[0].models[0] if choices[0].models else ""


def try_view(
    version: PromptVersion, choices: list[Choice], tried: dict[str, Any] | None
) -> dict[str, Any] | None:
    """None when the project has no LLM connection (the form is not shown), unless a form
    was refused: its error still shows."""
    if not choices:
        return {"connections": [], "error": tried.get("error")} if tried else None
    typed = tried or {}
    return {
        "connections": [{"id": c.id, "provider": c.provider, "models": c.models} for c in choices],
        "connection": typed.get("connection", choices[0].id),
        "model": typed.get("model", _default_model(version, choices)),
        "models": sorted({m for c in choices for m in c.models}),
        "variables": [
            {"name": v, "value": typed.get(f"var_{v}", "")} for v in variables(version.prompt)
        ],
        "placeholders": [
            {"name": p, "value": typed.get(f"ph_{p}", "")} for p in placeholders(version.prompt)
        ],
        "error": typed.get("error"),
    }


def _messages(text: str, name: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidRequestError(f"placeholder {name} must be a JSON list of messages") from None


def try_attempt(version: PromptVersion, form: dict[str, str]) -> Attempt:
    """The form as a call; a blank field counts as absent, so compiling names it."""
    values = {v: form[f"var_{v}"] for v in variables(version.prompt) if form.get(f"var_{v}")}
    inserted = {
        p: _messages(form[f"ph_{p}"], p)
        for p in placeholders(version.prompt)
        if form.get(f"ph_{p}", "").strip()
    }
    return Attempt(
        connection_id=form.get("connection", ""),
        model=form.get("model", ""),
        values=values,
        placeholders=inserted,
    )
