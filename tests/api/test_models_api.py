"""`/api/public/models`: a project's own prices cost its observations, on both engines.

Prices are powers of two so every cost is exact in floating point: a wrong rule (a
built-in price, the older start date, no re-costing) gives a different number.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from powerrag import cli
from powerrag.store.database import Store
from tests.support.clickhouse import with_clickhouse
from tests.support.project import PROJECT_ID

IN_PRICE, OUT_PRICE = 2.0**-10, 2.0**-8
GENERATION_AT = "2026-02-01T10:00:00Z"


def _generation(obs_id: str, model: str, session: str, at: str = GENERATION_AT) -> list[Any]:
    trace_id = f"t-{obs_id}"
    return [
        {
            "id": f"ev-t-{obs_id}",
            "type": "trace-create",
            "timestamp": at,
            "body": {"id": trace_id, "timestamp": at, "sessionId": session},
        },
        {
            "id": f"ev-{obs_id}",
            "type": "generation-create",
            "timestamp": at,
            "body": {
                "id": obs_id,
                "traceId": trace_id,
                "startTime": at,
                "model": model,
                "usageDetails": {"input": 1024, "output": 256},
            },
        },
    ]


def _send(api: TestClient, batch: list[Any]) -> None:
    answer = api.post("/api/public/ingestion", json={"batch": batch})
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text


def _create(api: TestClient, **body: Any) -> dict[str, Any]:
    answer = api.post("/api/public/models", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _session_cost(store: Store, session_id: str) -> float:
    """The session row's stored total, as the sessions list and replay show it."""
    with store.reading() as data:
        found = data.get_session(PROJECT_ID, session_id)
    assert found is not None
    return found.total_cost


def _observation(api: TestClient, obs_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/public/observations/{obs_id}")
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_a_custom_model_prices_new_observations_and_is_listed_beside_the_builtins(
    api: TestClient, store: Store
) -> None:
    made = _create(
        api,
        modelName="acme-llm",
        matchPattern="(?i)^acme-llm$",
        unit="TOKENS",
        inputPrice=IN_PRICE,
        outputPrice=OUT_PRICE,
    )
    assert made["isLangfuseManaged"] is False
    assert (made["inputPrice"], made["outputPrice"], made["totalPrice"]) == (
        IN_PRICE,
        OUT_PRICE,
        None,
    )
    assert made["prices"] == {"input": {"price": IN_PRICE}, "output": {"price": OUT_PRICE}}
    assert [t["name"] for t in made["pricingTiers"]] == ["Standard"]
    assert api.get(f"/api/public/models/{made['id']}").json() == made

    _send(api, _generation("gen-1", "ACME-LLM", "sess-acme"))
    obs = _observation(api, "gen-1")
    assert obs["costDetails"] == {"input": 1.0, "output": 1.0, "total": 2.0}
    assert (obs["modelId"], obs["inputPrice"]) == (made["id"], IN_PRICE)
    assert _session_cost(store, "sess-acme") == 2.0

    listed = api.get("/api/public/models", params={"limit": 100, "page": 1}).json()
    assert listed["meta"]["totalItems"] == 168
    every = [
        m
        for p in (1, 2)
        for m in api.get("/api/public/models", params={"limit": 100, "page": p}).json()["data"]
    ]
    assert sum(1 for m in every if not m["isLangfuseManaged"]) == 1
    builtin = next(m for m in every if m["modelName"] == "gpt-4o")
    assert builtin["isLangfuseManaged"] is True and builtin["inputPrice"] == 2.5e-6
    assert api.get(f"/api/public/models/{builtin['id']}").json()["isLangfuseManaged"] is True


def test_project_models_win_over_builtins_and_the_newest_start_date_in_force(
    api: TestClient,
) -> None:
    _create(api, modelName="gpt-4o", matchPattern="(?i)^gpt-4o$", unit="TOKENS", totalPrice=2.0**-9)
    _create(
        api,
        modelName="gpt-4o-march",
        matchPattern="(?i)^gpt-4o$",
        startDate="2026-03-01T00:00:00Z",
        unit="TOKENS",
        totalPrice=2.0**-7,
    )
    _send(api, _generation("feb", "gpt-4o", "s-feb", "2026-02-15T00:00:00Z"))
    _send(api, _generation("apr", "gpt-4o", "s-apr", "2026-04-15T00:00:00Z"))
    # 1,280 tokens: at 2^-9 (no start date) in February, at 2^-7 (from March) in April.
    assert _observation(api, "feb")["costDetails"] == {"total": 2.5}
    assert _observation(api, "apr")["costDetails"] == {"total": 10.0}


@with_clickhouse
def test_recosting_updates_observations_traces_and_sessions_exactly(
    api: TestClient, store: Store
) -> None:
    _send(api, _generation("old-1", "house-model", "sess-r"))
    _send(api, _generation("old-2", "house-model-v2", "sess-r", "2026-02-02T10:00:00Z"))
    assert _session_cost(store, "sess-r") == 0.0
    made = _create(
        api, modelName="house", matchPattern="^house-model", unit="TOKENS", inputPrice=IN_PRICE
    )
    # Stored observations keep their cost until re-costed on request.
    assert _session_cost(store, "sess-r") == 0.0
    answer = api.post(f"/api/public/models/{made['id']}/recost")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"modelId": made["id"], "observations": 2, "traces": 2, "sessions": 1}
    assert _observation(api, "old-2")["costDetails"] == {"input": 1.0, "total": 1.0}
    session = api.get("/api/public/sessions", params={"limit": 10}).json()["data"]
    assert [s["id"] for s in session] == ["sess-r"]
    assert _session_cost(store, "sess-r") == 2.0

    assert api.delete(f"/api/public/models/{made['id']}").json() == {
        "message": "Model successfully deleted"
    }
    assert api.get(f"/api/public/models/{made['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"matchPattern": "(unclosed"}, "matchPattern is not a valid regex"),
        ({"matchPattern": ""}, "matchPattern is required"),
        ({"inputPrice": -1}, "inputPrice must not be negative"),
        ({"inputPrice": "cheap"}, "inputPrice must be a number"),
        ({"totalPrice": 1.0}, "total price must be null"),
        ({"inputPrice": None}, "Must provide either flat prices"),
        ({"unit": "LITRES"}, "unit must be one of"),
        ({"startDate": "yesterday"}, "startDate must be an ISO 8601 datetime"),
        ({"modelName": ""}, "modelName is required"),
        (
            {
                "pricingTiers": [
                    {"name": "a", "isDefault": False, "priority": 1, "prices": {"input": 1}}
                ]
            },
            "not both",
        ),
        ({"colour": "red"}, "unknown field 'colour'"),
    ],
)
def test_bad_models_are_refused_naming_the_field(
    api: TestClient, body: dict[str, Any], named: str
) -> None:
    base = {"modelName": "m", "matchPattern": "^m$", "unit": "TOKENS", "inputPrice": 1.0}
    answer = api.post("/api/public/models", json={**base, **body})
    assert answer.status_code == 400, answer.text
    assert named in answer.json()["message"]


def test_pricing_tiers_need_exactly_one_default_and_names_are_unique(api: TestClient) -> None:
    tier = {
        "name": "Big",
        "isDefault": False,
        "priority": 1,
        "conditions": [],
        "prices": {"input": 1},
    }
    body = {"modelName": "tiered", "matchPattern": "^t$", "unit": "TOKENS", "pricingTiers": [tier]}
    answer = api.post("/api/public/models", json=body)
    assert answer.status_code == 400
    assert "exactly one default tier" in answer.json()["message"]
    default = {**tier, "name": "Standard", "isDefault": True, "priority": 0}
    made = _create(api, **{**body, "pricingTiers": [default, tier]})
    assert [t["isDefault"] for t in made["pricingTiers"]] == [True, False]
    again = api.post("/api/public/models", json={**body, "pricingTiers": [default]})
    assert again.status_code == 400
    assert again.json()["message"] == "Model name 'tiered' already exists in project"


def test_builtin_models_cannot_be_deleted(api: TestClient) -> None:
    builtin = api.get("/api/public/models", params={"limit": 1}).json()["data"][0]
    answer = api.delete(f"/api/public/models/{builtin['id']}")
    assert answer.status_code == 404
    assert "cannot delete built-in models" in answer.json()["message"]


def test_the_cli_recomputes_costs_like_the_api(
    api: TestClient, store: Store, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _send(api, _generation("cli-1", "house-model", "sess-cli"))
    made = _create(
        api, modelName="house", matchPattern="^house-model$", unit="TOKENS", outputPrice=OUT_PRICE
    )
    command = ["recost", "--project", PROJECT_ID, "--model", made["id"]]
    assert cli.main([*command, "--database-url", database_url]) == 0
    assert capsys.readouterr().out == (
        "recomputed 1 observations in 1 traces and 1 sessions with the prices of house\n"
    )
    # 256 output tokens at 2^-8.
    assert _session_cost(store, "sess-cli") == 1.0
    missing = ["recost", "--project", PROJECT_ID, "--model", "no-such-model"]
    assert cli.main([*missing, "--database-url", database_url]) == 2
    assert "No model with this id found." in capsys.readouterr().err
