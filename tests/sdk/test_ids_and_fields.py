"""Through the real Python SDKs and their own read client: a session and user id set through
metadata land unquoted (Python SDK 5 JSON-encodes metadata values), and the four fields come
back in Langfuse's shape (docs/api.md): usage with the keys sent and still counted, a list
model parameter as its JSON text, an empty output as null, a trace score's null stringValue."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.sdk import PROGRAMS, PY3, PY4, PY5, Sdk, Server, read_back, run_file

pytestmark = [pytest.mark.sdk, pytest.mark.one_engine]

SESSION, USER = "会话-meta-1", "user-meta-1"
GPT_4O_INPUT, GPT_4O_OUTPUT = 2.5e-06, 1e-05  # src/powerrag/data/default-model-prices.json


@pytest.mark.parametrize("sdk", [PY3, PY4, PY5], ids=lambda s: s.name)
def test_metadata_ids_and_the_four_fields_read_back(
    server_for: Callable[[Sdk], Server], sdk: Sdk
) -> None:
    server = server_for(sdk)
    run_file(sdk, PROGRAMS / "py_ids_fields.py", server.project, "ids-fields")
    readback = read_back(sdk, server.project, [SESSION])
    [trace] = readback["traces"].values()
    assert (trace["sessionId"], trace["userId"]) == (SESSION, USER)
    llm = next(o for o in trace["observations"] if o["name"] == "ids-llm")
    assert llm["usageDetails"] == {"prompt_tokens": 100, "completion_tokens": 20, "total": 120}
    assert (llm["promptTokens"], llm["completionTokens"], llm["totalTokens"]) == (100, 20, 120)
    cost = 100 * GPT_4O_INPUT + 20 * GPT_4O_OUTPUT
    assert llm["calculatedTotalCost"] == pytest.approx(cost, abs=1e-12)
    assert trace["totalCost"] == pytest.approx(cost, abs=1e-12)
    assert llm["modelParameters"] == {"temperature": 0.2, "stop": '["a","b"]'}
    assert (llm["input"], llm["output"]) == ("question", None)
    [score] = trace["scores"]
    assert (score["name"], score["value"], score.get("stringValue", "absent")) == (
        "quality",
        0.5,
        None,
    )
