"""LLM-as-judge evaluators: the prompt's `{{variables}}`, the output definition, the answer.

The judge is asked for a JSON object `{"reasoning": ..., "score": ...}` (OpenAI's
`response_format` json_schema, https://platform.openai.com/docs/guides/structured-outputs),
and its answer is checked against the evaluator's output definition before it becomes a
score; a malformed answer is a `MalformedAnswerError` (the job retries, then fails with it).
Shapes follow Langfuse's `unstableCreateLlmAsJudgeEvaluatorRequest` (its OpenAPI document).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError

DATA_TYPES = ("NUMERIC", "BOOLEAN", "CATEGORICAL")
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MAX_PROMPT = 50_000


@dataclass(frozen=True, slots=True)
class Evaluator:
    id: str
    project_id: str
    name: str
    version: int
    prompt: str
    # {"dataType", "reasoning": {"description"}, "score": {"description", ...}}
    output_definition: dict[str, Any]
    # {"provider", "model"} or None: the project's first LLM connection and model.
    model_config: dict[str, str] | None
    # Default mapping [{"variable", "source", "jsonPath"}] rules inherit, or None.
    mapping: list[dict[str, Any]] | None
    created_at: int
    updated_at: int

    @property
    def variables(self) -> list[str]:
        return variables(self.prompt)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validated answer: the score's value and the judge's reasoning."""

    data_type: str
    value: float | None
    string_value: str | None
    reasoning: str


class MalformedAnswerError(Exception):
    """The judge's answer is not the JSON object the output definition asks for."""


def variables(prompt: str) -> list[str]:
    """The prompt's `{{variables}}`, each once, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in _VARIABLE.finditer(prompt)))


def render(prompt: str, values: dict[str, str]) -> str:
    """The prompt with each `{{variable}}` replaced by its value (in one pass: a value that
    itself contains `{{x}}` is not expanded again)."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), prompt)


def _description(value: Any, where: str) -> str:
    if not isinstance(value, dict) or not isinstance(value.get("description"), str):
        raise InvalidRequestError(f"{where}.description is required (a string)")
    return str(value["description"])


def output_definition(value: Any) -> dict[str, Any]:
    """The checked, normalised output definition (400 naming the wrong field)."""
    if not isinstance(value, dict):
        raise InvalidRequestError("outputDefinition must be an object")
    data_type = value.get("dataType")
    if data_type not in DATA_TYPES:
        raise InvalidRequestError(
            f"outputDefinition.dataType must be one of {', '.join(DATA_TYPES)}, got {data_type!r}"
        )
    reasoning = _description(value.get("reasoning"), "outputDefinition.reasoning")
    score_in = value.get("score")
    score: dict[str, Any] = {"description": _description(score_in, "outputDefinition.score")}
    assert isinstance(score_in, dict)
    if data_type == "NUMERIC":
        for bound in ("minValue", "maxValue"):
            found = score_in.get(bound)
            if found is not None and (
                isinstance(found, bool) or not isinstance(found, int | float)
            ):
                raise InvalidRequestError(f"outputDefinition.score.{bound} must be a number")
            score[bound] = None if found is None else float(found)
    elif data_type == "CATEGORICAL":
        categories = score_in.get("categories")
        if (
            not isinstance(categories, list)
            or not categories
            or not all(isinstance(c, str) and c for c in categories)
        ):
            raise InvalidRequestError(
                "outputDefinition.score.categories must be a non-empty list of strings"
            )
        if score_in.get("shouldAllowMultipleMatches", False) is not False:
            raise InvalidRequestError(
                "outputDefinition.score.shouldAllowMultipleMatches: only false is supported"
            )
        score["categories"] = list(dict.fromkeys(categories))
        score["shouldAllowMultipleMatches"] = False
    return {"dataType": data_type, "reasoning": {"description": reasoning}, "score": score}


def model_config(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("provider"), str)
        or not isinstance(value.get("model"), str)
        or not value["provider"]
        or not value["model"]
    ):
        raise InvalidRequestError("modelConfig must be {provider, model}, both strings")
    return {"provider": value["provider"], "model": value["model"]}


def response_schema(definition: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of the answer, for `response_format: {"type": "json_schema"}`."""
    score = definition["score"]
    kind = definition["dataType"]
    if kind == "NUMERIC":
        schema: dict[str, Any] = {"type": "number"}
    elif kind == "BOOLEAN":
        schema = {"type": "boolean"}
    else:
        schema = {"type": "string", "enum": score["categories"]}
    schema["description"] = score["description"]
    return {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string", "description": definition["reasoning"]["description"]},
            "score": schema,
        },
        "required": ["reasoning", "score"],
        "additionalProperties": False,
    }


def json_instruction(definition: dict[str, Any]) -> str:
    """The same request in words, for endpoints that refuse `response_format`."""
    return (
        "Answer with only a JSON object, no other text, matching this JSON schema:\n"
        + json.dumps(response_schema(definition), sort_keys=True)
    )


def _json_object(text: str) -> dict[str, Any]:
    body = text.strip()
    # Models asked by instruction alone often fence their JSON in ```json … ```.
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", body, re.DOTALL)
    if fenced:
        body = fenced.group(1)
    try:
        found = json.loads(body)
    except ValueError:
        raise MalformedAnswerError(f"the judge's answer is not JSON: {text[:200]!r}") from None
    if not isinstance(found, dict):
        raise MalformedAnswerError(f"the judge's answer is not a JSON object: {text[:200]!r}")
    return found


def parse_answer(definition: dict[str, Any], text: str) -> Verdict:
    """The verdict in the judge's answer, or MalformedAnswerError saying what is wrong."""
    found = _json_object(text)
    reasoning, score = found.get("reasoning"), found.get("score")
    if not isinstance(reasoning, str):
        raise MalformedAnswerError("the judge's answer has no string 'reasoning'")
    kind = definition["dataType"]
    limits = definition["score"]
    if kind == "BOOLEAN":
        if not isinstance(score, bool):
            raise MalformedAnswerError(f"'score' must be true or false, got {score!r}")
        return Verdict(kind, 1.0 if score else 0.0, "True" if score else "False", reasoning)
    if kind == "CATEGORICAL":
        if score not in limits["categories"]:
            raise MalformedAnswerError(
                f"'score' must be one of {limits['categories']}, got {score!r}"
            )
        return Verdict(kind, None, str(score), reasoning)
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise MalformedAnswerError(f"'score' must be a number, got {score!r}")
    low, high = limits.get("minValue"), limits.get("maxValue")
    if (low is not None and score < low) or (high is not None and score > high):
        raise MalformedAnswerError(f"'score' {score} is outside [{low}, {high}]")
    return Verdict(kind, float(score), None, reasoning)
