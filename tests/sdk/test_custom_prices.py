"""A custom price set through the Python SDK's API client costs the generations the SDK
sends from then on, and the session's figures show it (Python SDK 5, SQLite; the engines
are covered by tests/api/test_models_api.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.support.sdk import PY5, Server, run_program

pytestmark = pytest.mark.sdk

PROGRAM = """
import json
import sys

from langfuse import get_client, propagate_attributes

langfuse = get_client()
model = langfuse.api.models.create(
    model_name="acme-llm",
    match_pattern="(?i)^acme-llm$",
    unit="TOKENS",
    input_price=2**-10,
    output_price=2**-8,
)
for turn_number in (1, 2):
    with langfuse.start_as_current_observation(name=f"turn-{turn_number}") as turn:
        with propagate_attributes(session_id="priced-session", user_id="ada"):
            with langfuse.start_as_current_observation(
                name="answer",
                as_type="generation",
                model="Acme-LLM",
                usage_details={"input": 1024 * turn_number, "output": 256},
            ):
                pass
langfuse.flush()
query = {
    "view": "observations",
    "dimensions": [{"field": "sessionId"}],
    "metrics": [
        {"measure": "totalCost", "aggregation": "sum"},
        {"measure": "inputTokens", "aggregation": "sum"},
    ],
    "filters": [{"column": "type", "operator": "=", "value": "GENERATION", "type": "string"}],
    "fromTimestamp": "2000-01-01T00:00:00Z",
    "toTimestamp": "2100-01-01T00:00:00Z",
}
metrics = langfuse.api.metrics.metrics(query=json.dumps(query))
with open(sys.argv[1], "w") as out:
    json.dump({"model": model.id, "managed": model.is_langfuse_managed, "metrics": metrics.data}, out)
"""


def test_a_custom_price_costs_the_sdk_s_generations_and_their_session(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", "custom-prices")
    try:
        out = tmp_path / "answer.json"
        run_program(PY5, PROGRAM, ".py", server.project, "custom-prices", (str(out),))
        answer = json.loads(out.read_text())
        assert answer["managed"] is False
        # Turn 1: 1,024 input tokens at 2^-10 and 256 output at 2^-8, $2; turn 2: $3.
        assert answer["metrics"] == [
            {"sessionId": "priced-session", "sum_totalCost": 5.0, "sum_inputTokens": 3072.0}
        ]
        page = httpx.get(
            f"{server.url}/api/public/observations",
            params={"type": "GENERATION"},
            auth=server.auth,
            timeout=30,
        ).json()["data"]
        assert sorted(o["calculatedTotalCost"] for o in page) == [2.0, 3.0]
        assert {o["modelId"] for o in page} == {answer["model"]}
    finally:
        server.stop()
