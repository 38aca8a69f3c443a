"""Usage and cost of an observation, following Langfuse's rules (reference §6).

Provided cost wins. Otherwise every usage key with a price of the same name in
the matched model's pricing tier costs price × units, and `total` is the sum
unless a `total` price exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from powerrag.domain.jsondoc import JSONObject


@dataclass(frozen=True, slots=True)
class Recosted:
    """What re-costing with a model's current prices changed: observations, their traces
    and the sessions of those."""

    observations: int
    traces: int
    sessions: int


@dataclass(frozen=True, slots=True)
class PricingTier:
    id: str
    name: str
    is_default: bool
    priority: int
    conditions: tuple[JSONObject, ...]
    prices: dict[str, float]


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """A model definition: a name pattern and its pricing tiers."""

    id: str
    model_name: str
    match_pattern: str
    tiers: tuple[PricingTier, ...]
    project_id: str | None = None
    # Microseconds; the model prices observations that start at or after it (None: always).
    start_date: int | None = None
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, model: str) -> bool:
        regex = self._regex or _compile(self.match_pattern)
        return regex.search(model) is not None

    @property
    def default_tier(self) -> PricingTier | None:
        return next((t for t in self.tiers if t.is_default), self.tiers[0] if self.tiers else None)


@dataclass(frozen=True, slots=True)
class Cost:
    """The outcome for one observation."""

    usage_details: dict[str, int]
    cost_details: dict[str, float]
    model_id: str | None = None
    tier_id: str | None = None
    tier_name: str | None = None

    @property
    def total_cost(self) -> float | None:
        return self.cost_details.get("total")


def _compile(pattern: str) -> re.Pattern[str]:
    # Langfuse patterns are PostgreSQL regexes led by `(?i)`; Python's `re` reads them as is.
    return re.compile(pattern)


def model_from_json(
    entry: JSONObject, project_id: str | None = None, start_date: int | None = None
) -> ModelPrice:
    """Build a ModelPrice from one entry of default-model-prices.json (or a stored model)."""
    tiers = tuple(
        PricingTier(
            id=str(t["id"]),
            name=str(t.get("name") or ""),
            is_default=bool(t.get("isDefault")),
            priority=int(t.get("priority") or 0),
            conditions=tuple(t.get("conditions") or ()),
            prices={k: float(v) for k, v in (t.get("prices") or {}).items()},
        )
        for t in entry.get("pricingTiers") or ()
    )
    pattern = str(entry["matchPattern"])
    return ModelPrice(
        id=str(entry["id"]),
        model_name=str(entry["modelName"]),
        match_pattern=pattern,
        tiers=tiers,
        project_id=project_id,
        start_date=start_date,
        _regex=_compile(pattern),
    )


class PriceBook:
    """All model definitions, chosen as the models API documents it: a project's own models
    before the built-in ones, then the newest `start_date` not after the observation's start
    (https://langfuse.com/docs/observability/features/token-and-cost-tracking)."""

    def __init__(self, models: list[ModelPrice]) -> None:
        self._builtin = _newest_first([m for m in models if m.project_id is None])
        self._by_project: dict[str, list[ModelPrice]] = {}
        for m in models:
            if m.project_id is not None:
                self._by_project.setdefault(m.project_id, []).append(m)
        self._by_project = {k: _newest_first(v) for k, v in self._by_project.items()}
        self._cache: dict[tuple[str, str], list[ModelPrice]] = {}

    def layered(self, custom: list[ModelPrice]) -> PriceBook:
        """This book with a project's own models over it (the built-in list is shared)."""
        book = PriceBook(custom)
        book._builtin = self._builtin
        return book

    def match(self, project_id: str, model: str, at: int | None = None) -> ModelPrice | None:
        """The model pricing `model` for an observation starting at `at` (None: any time)."""
        key = (project_id, model)
        if key not in self._cache:
            candidates = self._by_project.get(project_id, []) + self._builtin
            self._cache[key] = [m for m in candidates if m.matches(model)]
        return next((m for m in self._cache[key] if _in_force(m, at)), None)


def _newest_first(models: list[ModelPrice]) -> list[ModelPrice]:
    # Langfuse's order: `start_date DESC NULLS LAST` (packages/shared/src/server/ingestion/
    # modelMatch.ts in github.com/langfuse/langfuse).
    return sorted(models, key=lambda m: (m.start_date is None, -(m.start_date or 0)))


def _in_force(model: ModelPrice, at: int | None) -> bool:
    return model.start_date is None or at is None or model.start_date <= at


def _usage_sum(usage: dict[str, int], pattern: str, case_sensitive: bool) -> int:
    regex = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    return sum(v for k, v in usage.items() if regex.search(k))


_OPERATORS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}


def _condition_holds(
    cond: JSONObject, usage: dict[str, int], params: JSONObject, meta: JSONObject
) -> bool:
    if "usageDetailPattern" in cond:
        total = _usage_sum(usage, str(cond["usageDetailPattern"]), bool(cond.get("caseSensitive")))
        op = _OPERATORS.get(str(cond.get("operator")))
        return op is not None and bool(op(total, float(cond.get("value") or 0)))
    source = params if cond.get("source") == "model_parameters" else meta
    value = source.get(str(cond.get("key")))
    return value is not None and str(value) in {str(v) for v in cond.get("values") or ()}


def select_tier(
    model: ModelPrice, usage: dict[str, int], params: JSONObject, meta: JSONObject
) -> PricingTier | None:
    """The first non-default tier whose conditions all hold, else the default tier."""
    if usage:
        for tier in sorted((t for t in model.tiers if not t.is_default), key=lambda t: t.priority):
            if all(_condition_holds(c, usage, params, meta) for c in tier.conditions):
                return tier
    return model.default_tier


def normalise_usage(usage: dict[str, int]) -> dict[str, int]:
    """Provided usage, with `total` as the sum of all keys when it is missing."""
    if usage and "total" not in usage:
        return {**usage, "total": sum(usage.values())}
    return dict(usage)


def compute_cost(
    *,
    usage: dict[str, int],
    provided_cost: dict[str, float],
    model: ModelPrice | None,
    params: JSONObject | None = None,
    metadata: JSONObject | None = None,
) -> Cost:
    """Usage and cost for one observation (reference §6.3)."""
    usage_details = normalise_usage(usage)
    if provided_cost:
        cost = dict(provided_cost)
        if "total" not in cost and set(cost) <= {"input", "output"}:
            cost["total"] = sum(cost.values())
        return Cost(usage_details, cost, model.id if model else None)
    if model is None or not usage_details:
        return Cost(usage_details, {}, model.id if model else None)
    tier = select_tier(model, usage, params or {}, metadata or {})
    if tier is None:
        return Cost(usage_details, {}, model.id)
    cost = {k: tier.prices[k] * v for k, v in usage_details.items() if k in tier.prices}
    if cost and "total" not in cost:
        cost["total"] = sum(cost.values())
    return Cost(usage_details, cost, model.id, tier.id, tier.name)


def split_usage(details: JSONObject) -> tuple[float, float, float]:
    """(input, output, total) as Langfuse aggregates them: keys containing "input"/"output"."""
    inp = sum(float(v) for k, v in details.items() if "input" in k.lower())
    out = sum(float(v) for k, v in details.items() if "output" in k.lower())
    total = float(details["total"]) if "total" in details else inp + out
    return inp, out, total
