"""Pricing tiers chosen by usage conditions, and the totals of provided cost (reference §6)."""

from __future__ import annotations

from typing import Any

import pytest

from powerrag.domain.cost import (
    ModelPrice,
    PriceBook,
    compute_cost,
    model_from_json,
    normalise_usage,
    split_usage,
)


def _model(conditions: list[dict[str, Any]], priority: int = 1) -> Any:
    return model_from_json(
        {
            "id": "m1",
            "modelName": "m",
            "matchPattern": "(?i)^m$",
            "pricingTiers": [
                {"id": "std", "name": "Standard", "isDefault": True, "prices": {"input": 1.0}},
                {
                    "id": "big",
                    "name": "Large context",
                    "isDefault": False,
                    "priority": priority,
                    "conditions": conditions,
                    "prices": {"input": 2.0},
                },
            ],
        }
    )


def _tier(conditions: list[dict[str, Any]], usage: dict[str, int]) -> str | None:
    return compute_cost(usage=usage, provided_cost={}, model=_model(conditions)).tier_id


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("gt", 10, "std"),
        ("gt", 9, "big"),
        ("gte", 10, "big"),
        ("gte", 11, "std"),
        ("lt", 11, "big"),
        ("lt", 10, "std"),
        ("lte", 10, "big"),
        ("lte", 9, "std"),
        ("eq", 10, "big"),
        ("eq", 9, "std"),
        ("neq", 9, "big"),
        ("neq", 10, "std"),
        ("between", 0, "std"),
    ],
)
def test_a_usage_condition_compares_the_sum_of_its_matching_keys(
    operator: str, value: int, expected: str
) -> None:
    condition = {"usageDetailPattern": "input", "operator": operator, "value": value}
    assert _tier([condition], {"input": 6, "cached_input": 4, "output": 100}) == expected


def test_a_usage_pattern_ignores_case_unless_told_otherwise() -> None:
    usage = {"Input": 11}
    loose = {"usageDetailPattern": "^input$", "operator": "gt", "value": 10}
    strict = {**loose, "caseSensitive": True}
    assert _tier([loose], usage) == "big"
    assert _tier([strict], usage) == "std"


def test_a_usage_condition_without_a_value_compares_with_zero() -> None:
    assert _tier([{"usageDetailPattern": "input", "operator": "gt"}], {"input": 1}) == "big"
    assert _tier([{"usageDetailPattern": "input", "operator": "gt"}], {"output": 1}) == "std"


def test_a_metadata_condition_matches_one_of_its_values_as_text() -> None:
    condition = {"key": "region", "values": ["eu", 2]}
    model = _model([condition])
    for metadata, expected in (({"region": "eu"}, "big"), ({"region": 2}, "big"), ({}, "std")):
        cost = compute_cost(usage={"input": 1}, provided_cost={}, model=model, metadata=metadata)
        assert cost.tier_id == expected


def test_the_chosen_tier_prices_the_usage_and_is_named() -> None:
    cost = compute_cost(
        usage={"input": 5, "output": 7},
        provided_cost={},
        model=_model([{"usageDetailPattern": "input", "operator": "gte", "value": 5}]),
    )
    assert (cost.model_id, cost.tier_id, cost.tier_name) == ("m1", "big", "Large context")
    assert cost.cost_details == {"input": 10.0, "total": 10.0}
    assert cost.usage_details == {"input": 5, "output": 7, "total": 12}


def test_provided_cost_totals_only_input_and_output() -> None:
    both = compute_cost(usage={}, provided_cost={"input": 1.0, "output": 2.0}, model=None)
    other = compute_cost(usage={}, provided_cost={"input": 1.0, "cache": 2.0}, model=None)
    given = compute_cost(usage={}, provided_cost={"input": 1.0, "total": 5.0}, model=None)
    assert both.cost_details == {"input": 1.0, "output": 2.0, "total": 3.0}
    assert other.cost_details == {"input": 1.0, "cache": 2.0}
    assert given.cost_details == {"input": 1.0, "total": 5.0}
    assert both.model_id is None


def test_usage_gains_a_total_only_when_it_has_none() -> None:
    assert normalise_usage({"input": 2, "output": 3}) == {"input": 2, "output": 3, "total": 5}
    assert normalise_usage({"input": 2, "total": 9}) == {"input": 2, "total": 9}
    assert normalise_usage({}) == {}


def test_a_metadata_condition_refuses_other_values() -> None:
    model = _model([{"key": "region", "values": ["eu"]}])
    cost = compute_cost(
        usage={"input": 1}, provided_cost={}, model=model, metadata={"region": "us"}
    )
    assert cost.tier_id == "std"


def test_the_tier_with_the_lowest_priority_number_is_tried_first() -> None:
    always = [{"usageDetailPattern": "input", "operator": "gte", "value": 0}]
    model = model_from_json(
        {
            "id": "m1",
            "modelName": "m",
            "matchPattern": "m",
            "pricingTiers": [
                {"id": "std", "isDefault": True, "prices": {"input": 1.0}},
                {"id": "late", "priority": 2, "conditions": always, "prices": {"input": 3.0}},
                {"id": "early", "priority": 1, "conditions": always, "prices": {"input": 2.0}},
            ],
        }
    )
    assert compute_cost(usage={"input": 1}, provided_cost={}, model=model).tier_id == "early"


def test_a_model_built_without_its_compiled_pattern_still_matches() -> None:
    model = ModelPrice(id="m1", model_name="m", match_pattern="(?i)^gpt$", tiers=())
    assert model.matches("GPT")
    assert not model.matches("gpt-4")


def test_a_project_s_own_model_wins_over_the_built_in_one_only_in_that_project() -> None:
    builtin = model_from_json({"id": "b", "modelName": "m", "matchPattern": "^m$"})
    own = model_from_json({"id": "p", "modelName": "m", "matchPattern": "^m$"}, project_id="p1")
    book = PriceBook([builtin, own])
    assert book.match("p1", "m") is own
    assert book.match("p2", "m") is builtin
    assert book.match("p1", "n") is None


def test_without_a_total_key_the_total_is_input_plus_output() -> None:
    assert split_usage({"input": 12, "output": 3}) == (12.0, 3.0, 15.0)
    assert split_usage({"prompt_input": 2, "completion_output": 5}) == (2.0, 5.0, 7.0)
