"""Score configs: a project's own score scales, and the rules a score naming one must follow.

The rules are Langfuse's (`validateConfigAgainstBody` in packages/shared/src/server/
ingestion/validateAndInflateScore.ts and the config schema in packages/shared/src/domain/
score-configs.ts, github.com/langfuse/langfuse): the score's data type and name are the
config's, an archived config takes no new scores, a number lies in [min, max], a category
is one of the config's labels (its number is the category's value), a boolean is 0 or 1.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.records import ScoreRecord

CONFIG_DATA_TYPES = ("NUMERIC", "BOOLEAN", "CATEGORICAL", "TEXT")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_ .()\-]{1,35}$")
MAX_DESCRIPTION = 2000
# Langfuse generates these for a BOOLEAN config; they cannot be sent.
BOOLEAN_CATEGORIES = (("False", 0.0), ("True", 1.0))


@dataclass(frozen=True, slots=True)
class Category:
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class ScoreConfig:
    id: str
    project_id: str
    name: str
    data_type: str
    is_archived: bool
    min_value: float | None
    max_value: float | None
    categories: tuple[Category, ...]
    description: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ConfigFields:
    """What a create or an update sets: the checked fields of a config."""

    name: str
    data_type: str
    is_archived: bool = False
    min_value: float | None = None
    max_value: float | None = None
    categories: tuple[Category, ...] = ()
    description: str | None = None


def _name(value: Any) -> str:
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise InvalidRequestError(
            "name must be 1 to 35 letters, numbers, underscores, spaces, periods, "
            f"parentheses or hyphens, got {value!r}"
        )
    return value


def _bound(doc: dict[str, Any], key: str) -> float | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequestError(f"{key} must be a finite number, got {value!r}")
    return float(value)


def _categories(value: Any) -> tuple[Category, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidRequestError("categories must be a list of {label, value}")
    found: list[Category] = []
    for index, item in enumerate(value):
        label = item.get("label") if isinstance(item, dict) else None
        number = item.get("value") if isinstance(item, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise InvalidRequestError(f"categories[{index}].label must be a non-empty string")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidRequestError(f"categories[{index}].value must be a number")
        found.append(Category(label, float(number)))
    if len({c.label for c in found}) != len(found):
        raise InvalidRequestError("categories must have distinct labels")
    if len({c.value for c in found}) != len(found):
        raise InvalidRequestError("categories must have distinct values")
    return tuple(found)


def _description(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise InvalidRequestError(f"description must be a string of at most {MAX_DESCRIPTION}")
    return value or None


def checked_fields(fields: ConfigFields) -> ConfigFields:
    """The fields' rules across each other: bounds only for numbers, categories by type."""
    kind = fields.data_type
    if kind != "NUMERIC" and (fields.min_value is not None or fields.max_value is not None):
        raise InvalidRequestError("minValue and maxValue are for NUMERIC configs only")
    low, high = fields.min_value, fields.max_value
    if low is not None and high is not None and low > high:
        raise InvalidRequestError(f"minValue ({low:g}) must not exceed maxValue ({high:g})")
    if kind == "CATEGORICAL" and not fields.categories:
        raise InvalidRequestError("a CATEGORICAL config needs at least one category")
    if kind == "BOOLEAN":
        if fields.categories and fields.categories != _boolean_categories():
            raise InvalidRequestError(
                "a BOOLEAN config's categories are generated; do not send them"
            )
        return dataclasses.replace(fields, categories=_boolean_categories())
    if kind in ("NUMERIC", "TEXT") and fields.categories:
        raise InvalidRequestError(f"categories are for CATEGORICAL configs, not {kind}")
    return fields


def _boolean_categories() -> tuple[Category, ...]:
    return tuple(Category(label, value) for label, value in BOOLEAN_CATEGORIES)


def create_fields(doc: Any) -> ConfigFields:
    """A CreateScoreConfigRequest, checked; InvalidRequestError names what is wrong."""
    if not isinstance(doc, dict):
        raise InvalidRequestError("the body must be a JSON object with name and dataType")
    kind = doc.get("dataType")
    if kind not in CONFIG_DATA_TYPES:
        raise InvalidRequestError(
            f"dataType must be one of {', '.join(CONFIG_DATA_TYPES)}, got {kind!r}"
        )
    return checked_fields(
        ConfigFields(
            name=_name(doc.get("name")),
            data_type=kind,
            min_value=_bound(doc, "minValue"),
            max_value=_bound(doc, "maxValue"),
            categories=_categories(doc.get("categories")),
            description=_description(doc.get("description")),
        )
    )


def updated_fields(config: ScoreConfig, doc: Any) -> ConfigFields:
    """An UpdateScoreConfigRequest over the stored config: absent or null keys keep theirs."""
    if not isinstance(doc, dict):
        raise InvalidRequestError("the body must be a JSON object")
    archived = doc.get("isArchived")
    if archived is not None and not isinstance(archived, bool):
        raise InvalidRequestError("isArchived must be true or false")
    keep = config.data_type == "BOOLEAN"
    return checked_fields(
        ConfigFields(
            name=config.name if doc.get("name") is None else _name(doc["name"]),
            data_type=config.data_type,
            is_archived=config.is_archived if archived is None else archived,
            min_value=config.min_value if "minValue" not in doc else _bound(doc, "minValue"),
            max_value=config.max_value if "maxValue" not in doc else _bound(doc, "maxValue"),
            categories=(
                config.categories
                if doc.get("categories") is None or keep
                else _categories(doc["categories"])
            ),
            description=(
                config.description if "description" not in doc else _description(doc["description"])
            ),
        )
    )


def _config_typed(config: ScoreConfig, score: ScoreRecord) -> ScoreRecord:
    """A score whose data type was inferred, read as its config's type where it can be:
    0 or 1 as a BOOLEAN, a label as TEXT."""
    if score.data_type_sent or score.data_type == config.data_type:
        return score
    if config.data_type == "BOOLEAN" and score.data_type == "NUMERIC" and score.value in (0, 1):
        label = "True" if score.value == 1 else "False"
        return dataclasses.replace(score, data_type="BOOLEAN", string_value=label)
    if config.data_type == "TEXT" and score.data_type == "CATEGORICAL":
        return dataclasses.replace(score, data_type="TEXT", value=None)
    return score


def checked_score(config: ScoreConfig, score: ScoreRecord) -> ScoreRecord:
    """The score as its config makes it (a category's number), or InvalidRequestError."""
    where = f"score {score.name!r} with config {config.id!r}"
    score = _config_typed(config, score)
    if score.data_type != config.data_type:
        raise InvalidRequestError(
            f"{where}: data type mismatch, expected {config.data_type}, got {score.data_type}"
        )
    if config.is_archived:
        raise InvalidRequestError(f"{where}: the config is archived and takes no new scores")
    if score.name != config.name:
        raise InvalidRequestError(f"{where}: name mismatch, expected {config.name!r}")
    if config.data_type == "NUMERIC" and score.value is not None:
        low, high = config.min_value, config.max_value
        if (low is not None and score.value < low) or (high is not None and score.value > high):
            shown = (
                f"[{'-∞' if low is None else f'{low:g}'}, {'∞' if high is None else f'{high:g}'}]"
            )
            raise InvalidRequestError(f"{where}: value {score.value:g} is outside {shown}")
    if config.data_type == "CATEGORICAL":
        match = next((c for c in config.categories if c.label == score.string_value), None)
        if match is None:
            labels = ", ".join(c.label for c in config.categories)
            raise InvalidRequestError(
                f"{where}: {score.string_value!r} is not one of its categories ({labels})"
            )
        return dataclasses.replace(score, value=match.value)
    return score
