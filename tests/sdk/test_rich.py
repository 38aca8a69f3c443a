"""A rich scenario on every SDK version: nested spans, generations with provided and inferred
cost, errors, tags, user, metadata, trace and session scores and a 20-turn session. What the read
API returns must equal tests/sdk/expected/rich.json exactly (costs to 1e-9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.sdk import JS4, JS5, PROGRAMS, PY3, PY4, PY5, Sdk, Server, read_back, run_file
from tests.support.sdk_views import (
    RICH_FIELDS,
    metadata_subset,
    observations_view,
    scores_view,
    session_traces,
)

pytestmark = pytest.mark.sdk

TABLE = json.loads(
    (Path(__file__).resolve().parent / "expected" / "rich.json").read_text(encoding="utf-8")
)
COST_TOLERANCE = 1e-9


def merged(base: Any, override: Any) -> Any:
    """`base` with the nested values of `override` put in."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    return {k: merged(base[k], override[k]) if k in override else base[k] for k in base} | {
        k: v for k, v in override.items() if k not in base
    }


def expected_for(sdk: Sdk) -> dict[str, Any]:
    table = merged(TABLE, TABLE["overrides"].get(sdk.language, {}))
    return {key: table[key] for key in ("sessionScores", "totals", "traces")}


def differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Every place where `got` differs from `want`, as "path: got != want" lines; numbers
    where either side is a float (costs) may differ by COST_TOLERANCE."""
    if isinstance(got, dict) and isinstance(want, dict):
        keys = sorted(set(got) | set(want))
        missing = object()
        return [
            line
            for k in keys
            for line in differences(got.get(k, missing), want.get(k, missing), f"{path}/{k}")
        ]
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [
            line
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for line in differences(g, w, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(got, numbers)
        and isinstance(want, numbers)
        and not isinstance(got, bool)
        and (isinstance(got, float) or isinstance(want, float))
    ):
        same = abs(got - want) <= COST_TOLERANCE
    else:
        same = type(got) is type(want) and got == want
    return [] if same else [f"{path}: got {got!r}, expected {want!r}"]


def trace_view(trace: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    view = {
        "userId": trace["userId"],
        "tags": trace["tags"],
        "input": trace["input"],
        "output": trace["output"],
        "totalCost": trace["totalCost"],
        "scores": scores_view(trace["scores"]),
        "observations": observations_view(trace, RICH_FIELDS, want.get("observations")),
    }
    if "metadata" in want:
        view["metadata"] = metadata_subset(trace["metadata"], want["metadata"])
    return view


def totals(traces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Session figures, added up from every trace and observation the API returned."""
    observations = [o for t in traces.values() for o in t["observations"]]

    def tokens(key: str) -> int:
        return sum(int((o.get("usageDetails") or {}).get(key, 0)) for o in observations)

    return {
        "traces": len(traces),
        "observations": len(observations),
        "errors": sum(o["level"] == "ERROR" for o in observations),
        "inputTokens": tokens("input"),
        "outputTokens": tokens("output"),
        "totalTokens": tokens("total"),
        "totalCost": sum(t["totalCost"] for t in traces.values()),
    }


CASES = [
    pytest.param(PY3, "py_rich_v3.py", id="py-3.15.0"),
    pytest.param(PY4, "py_rich_v4.py", id="py-4.18.0"),
    pytest.param(PY5, "py_rich_v4.py", id="py-5.0.4"),
    pytest.param(JS4, "js_rich.mjs", id="js-4.6.1"),
    pytest.param(JS5, "js_rich.mjs", id="js-5.11.1"),
]


@pytest.mark.parametrize(("sdk", "program"), CASES)
def test_rich_scenario_reads_back_as_the_table(
    server_for: Callable[[Sdk], Server], sdk: Sdk, program: str
) -> None:
    server = server_for(sdk)
    run_file(sdk, PROGRAMS / program, server.project, "rich")
    session = TABLE["session"]
    readback = read_back(sdk, server.project, [session], scores=True)
    traces = session_traces(readback, session)
    want = expected_for(sdk)
    got = {
        "sessionScores": scores_view(readback["sessionScores"][session]),
        "totals": totals(traces),
        "traces": {
            name: trace_view(trace, want["traces"].get(name, {})) for name, trace in traces.items()
        },
    }
    diffs = differences(got, want)
    assert not diffs, "read back differs from expected/rich.json:\n" + "\n".join(diffs)
