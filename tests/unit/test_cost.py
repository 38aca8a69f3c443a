"""Cost rules (reference §6) against the bundled default model prices."""

from __future__ import annotations

import pytest

from powerrag.domain.cost import PriceBook, compute_cost, split_usage
from powerrag.store.database import load_default_prices

BOOK = PriceBook(load_default_prices())


def test_all_bundled_models_load() -> None:
    assert len(load_default_prices()) == 167


def test_usage_times_default_tier_price() -> None:
    model = BOOK.match("p", "gpt-4o")
    assert model is not None
    cost = compute_cost(usage={"input": 1000, "output": 100}, provided_cost={}, model=model)
    assert cost.cost_details["input"] == pytest.approx(1000 * 2.5e-6, abs=1e-12)
    assert cost.cost_details["output"] == pytest.approx(100 * 1e-5, abs=1e-12)
    assert cost.total_cost == pytest.approx(0.0025 + 0.001, abs=1e-12)
    assert cost.usage_details["total"] == 1100  # total = sum of provided keys


def test_match_pattern_is_case_insensitive_and_accepts_provider_prefix() -> None:
    assert BOOK.match("p", "OpenAI/GPT-4o") is not None
    assert BOOK.match("p", "gpt-4o-unknown-suffix-xyz") is None


def test_provided_cost_wins() -> None:
    model = BOOK.match("p", "gpt-4o")
    cost = compute_cost(
        usage={"input": 1000}, provided_cost={"input": 0.5, "output": 0.25}, model=model
    )
    assert cost.cost_details == {"input": 0.5, "output": 0.25, "total": 0.75}


def test_conditional_tier_by_model_parameters() -> None:
    model = BOOK.match("p", "gpt-4o")
    assert model is not None
    standard = compute_cost(usage={"input": 100}, provided_cost={}, model=model)
    fast = compute_cost(
        usage={"input": 100}, provided_cost={}, model=model, params={"service_tier": "priority"}
    )
    assert fast.tier_name == "Fast mode" and standard.tier_name == "Standard"
    assert fast.cost_details["input"] > standard.cost_details["input"]


def test_no_model_no_cost() -> None:
    cost = compute_cost(usage={"input": 5}, provided_cost={}, model=None)
    assert cost.cost_details == {} and cost.total_cost is None


def test_split_usage_sums_keys_by_side() -> None:
    details = {"input": 12, "output": 3, "total": 15, "cache_read_input_tokens": 2}
    assert split_usage(details) == (14.0, 3.0, 15.0)
