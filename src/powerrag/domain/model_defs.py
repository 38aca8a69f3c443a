"""Model definitions as Langfuse's models API creates them: name, pattern, start, prices.

A body (`CreateModelRequest` in Langfuse's OpenAPI document) is checked here field by
field; what is wrong is an InvalidRequestError naming it, with Langfuse's wording where
it has one (`web/src/features/public-api/types/models.ts` in github.com/langfuse/langfuse).
Flat prices become one default tier named "Standard", as Langfuse stores them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from powerrag.domain.cost import ModelPrice, model_from_json
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.timeutil import in_range, parse_iso

UNITS = ("TOKENS", "CHARACTERS", "MILLISECONDS", "SECONDS", "REQUESTS", "IMAGES")
TOKENIZERS = ("openai", "claude")
_FIELDS = (
    "modelName",
    "matchPattern",
    "startDate",
    "unit",
    "inputPrice",
    "outputPrice",
    "totalPrice",
    "pricingTiers",
    "tokenizerId",
    "tokenizerConfig",
)
_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
MAX_NAME = 200
MAX_PATTERN = 1000


@dataclass(frozen=True, slots=True)
class ModelDefinition:
    """A stored model (a project's own) or a bundled one (`project_id` None)."""

    id: str
    project_id: str | None
    model_name: str
    match_pattern: str
    start_date: int | None
    unit: str | None
    tokenizer_id: str | None
    tokenizer_config: str | None
    pricing_tiers: str
    created_at: int
    updated_at: int

    @property
    def tiers(self) -> list[JSONObject]:
        value = json.loads(self.pricing_tiers)
        return value if isinstance(value, list) else []

    @property
    def default_prices(self) -> dict[str, float]:
        tier = next((t for t in self.tiers if t.get("isDefault")), None)
        return dict(tier.get("prices") or {}) if tier else {}

    def price(self) -> ModelPrice:
        entry = {
            "id": self.id,
            "modelName": self.model_name,
            "matchPattern": self.match_pattern,
            "pricingTiers": self.tiers,
        }
        return model_from_json(entry, self.project_id, self.start_date)


def builtin_definition(entry: JSONObject, created_at: int, updated_at: int) -> ModelDefinition:
    """One entry of the bundled default-model-prices.json as a definition."""
    config = entry.get("tokenizerConfig")
    return ModelDefinition(
        id=str(entry["id"]),
        project_id=None,
        model_name=str(entry["modelName"]),
        match_pattern=str(entry["matchPattern"]),
        start_date=None,
        unit="TOKENS",
        tokenizer_id=entry.get("tokenizerId"),
        tokenizer_config=json.dumps(config) if config is not None else None,
        pricing_tiers=json.dumps(entry.get("pricingTiers") or []),
        created_at=created_at,
        updated_at=updated_at,
    )


def checked_pattern(pattern: Any) -> str:
    """A usable match pattern: a non-empty regular expression."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise InvalidRequestError("matchPattern is required and must be a non-empty string")
    if len(pattern) > MAX_PATTERN:
        raise InvalidRequestError(f"matchPattern is longer than {MAX_PATTERN} characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidRequestError(f"matchPattern is not a valid regex pattern: {exc}") from None
    return pattern


def _price(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidRequestError(f"{name} must be a number, got {value!r}")
    if value < 0:
        raise InvalidRequestError(f"{name} must not be negative, got {value!r}")
    return float(value)


def _start(value: Any) -> int | None:
    if value is None:
        return None
    try:
        start = parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        start = None
    if start is None or not in_range(start):
        raise InvalidRequestError(f"startDate must be an ISO 8601 datetime, got {value!r}")
    return start


def _flat_tier(model_id: str, body: dict[str, Any]) -> list[JSONObject]:
    prices = {k: _price(f"{k}Price", body.get(f"{k}Price")) for k in ("input", "output", "total")}
    if (prices["input"] or prices["output"]) and prices["total"]:
        raise InvalidRequestError("If input and/or output price is set, total price must be null")
    kept = {k: v for k, v in prices.items() if v is not None}
    default = {"id": f"{model_id}_tier_default", "name": "Standard", "isDefault": True}
    return [{**default, "priority": 0, "conditions": [], "prices": kept}]


def _condition(where: str, cond: Any) -> JSONObject:
    if not isinstance(cond, dict):
        raise InvalidRequestError(f"{where} must be an object")
    if "usageDetailPattern" in cond:
        checked_pattern_named(f"{where}.usageDetailPattern", cond["usageDetailPattern"])
        if cond.get("operator") not in _OPERATORS:
            raise InvalidRequestError(f"{where}.operator must be one of {', '.join(_OPERATORS)}")
        return {
            "usageDetailPattern": cond["usageDetailPattern"],
            "operator": cond["operator"],
            "value": _price(f"{where}.value", cond.get("value")) or 0.0,
            "caseSensitive": bool(cond.get("caseSensitive")),
        }
    values = cond.get("values")
    if cond.get("source") not in ("model_parameters", "metadata") or not cond.get("key"):
        raise InvalidRequestError(
            f"{where} needs usageDetailPattern, or source (model_parameters or metadata) and key"
        )
    if cond.get("operator") != "in" or not isinstance(values, list) or not values:
        raise InvalidRequestError(f"{where} needs operator 'in' and at least one value")
    return {"source": cond["source"], "key": str(cond["key"]), "operator": "in", "values": values}


def checked_pattern_named(name: str, pattern: Any) -> None:
    try:
        checked_pattern(pattern)
    except InvalidRequestError as exc:
        raise InvalidRequestError(str(exc).replace("matchPattern", name, 1)) from None


def _tier(model_id: str, index: int, tier: Any) -> JSONObject:
    where = f"pricingTiers[{index}]"
    if not isinstance(tier, dict):
        raise InvalidRequestError(f"{where} must be an object")
    name, prices = tier.get("name"), tier.get("prices")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError(f"{where}.name is required")
    if not isinstance(prices, dict) or not prices:
        raise InvalidRequestError(f"{where}.prices must define at least one price")
    priority = tier.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidRequestError(f"{where}.priority must be an integer")
    conditions = tier.get("conditions") or []
    if not isinstance(conditions, list):
        raise InvalidRequestError(f"{where}.conditions must be a list")
    default = tier.get("isDefault") is True
    if default and (priority != 0 or conditions):
        raise InvalidRequestError("the default tier must have priority 0 and no conditions")
    return {
        "id": f"{model_id}_tier_default" if default else f"{model_id}_tier_{index}",
        "name": name,
        "isDefault": default,
        "priority": priority,
        "conditions": [_condition(f"{where}.conditions[{i}]", c) for i, c in enumerate(conditions)],
        "prices": {str(k): _price(f"{where}.prices.{k}", v) for k, v in prices.items()},
    }


def _tiers(model_id: str, tiers: list[Any]) -> list[JSONObject]:
    made = [_tier(model_id, i, t) for i, t in enumerate(tiers)]
    if sum(1 for t in made if t["isDefault"]) != 1:
        raise InvalidRequestError("pricingTiers must include exactly one default tier")
    for key in ("name", "priority"):
        if len({t[key] for t in made}) != len(made):
            raise InvalidRequestError(f"pricingTiers must have unique {key}s")
    return made


def _pricing(model_id: str, body: dict[str, Any]) -> list[JSONObject]:
    flat = any(body.get(f"{k}Price") is not None for k in ("input", "output", "total"))
    tiers = body.get("pricingTiers")
    if tiers is not None and not isinstance(tiers, list):
        raise InvalidRequestError("pricingTiers must be a list")
    if flat and tiers:
        raise InvalidRequestError(
            "Must provide either flat prices (inputPrice/outputPrice/totalPrice) OR "
            "pricingTiers, not both"
        )
    if not flat and not tiers:
        raise InvalidRequestError(
            "Must provide either flat prices (inputPrice/outputPrice/totalPrice) OR pricingTiers"
        )
    return _tiers(model_id, tiers) if tiers else _flat_tier(model_id, body)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError("modelName is required and must be a non-empty string")
    if len(value) > MAX_NAME:
        raise InvalidRequestError(f"modelName is longer than {MAX_NAME} characters")
    return value


def _tokenizer(body: dict[str, Any]) -> tuple[str | None, str | None]:
    tokenizer, config = body.get("tokenizerId"), body.get("tokenizerConfig")
    if tokenizer is not None and tokenizer not in TOKENIZERS:
        raise InvalidRequestError(f"tokenizerId must be one of {', '.join(TOKENIZERS)} or null")
    return tokenizer, json.dumps(config) if config is not None else None


def definition_from_body(body: Any, model_id: str, project_id: str, now: int) -> ModelDefinition:
    """A new model of the project from a CreateModelRequest body."""
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a JSON object")
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise InvalidRequestError(f"unknown field {unknown[0]!r}; fields are {', '.join(_FIELDS)}")
    unit = body.get("unit")
    if unit is not None and unit not in UNITS:
        raise InvalidRequestError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    tokenizer_id, tokenizer_config = _tokenizer(body)
    return ModelDefinition(
        id=model_id,
        project_id=project_id,
        model_name=_name(body.get("modelName")),
        match_pattern=checked_pattern(body.get("matchPattern")),
        start_date=_start(body.get("startDate")),
        unit=unit,
        tokenizer_id=tokenizer_id,
        tokenizer_config=tokenizer_config,
        pricing_tiers=json.dumps(_pricing(model_id, body)),
        created_at=now,
        updated_at=now,
    )
