"""Datasets and experiments through the real SDKs (Python 3.15, 4.18, 5.0.4; JS 5): each
creates a dataset and items, runs `dataset.run_experiment` with an item evaluator and a run
evaluator, and `run_experiment` on local data. Read back: the dataset run under the id the
SDK returned, one run item per dataset item linked to the trace the SDK ran it in, the
item scores on those traces, the run score on the dataset run.

The SDKs link differently: Python 3.x, 4.x and JS 5 call `POST /api/public/dataset-run-items`
(JS also sends experiment span attributes); Python 5 only sends `langfuse.experiment.*`
span attributes, under Langfuse's stable experiment id (ingest/experiments.py). SQLite only:
the store's datasets are covered on both engines in tests/storage/test_datasets_store.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.sdk import JS5, PROGRAMS, PY3, PY4, PY5, Sdk, Server, run_file

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("experiments"), "sdk-experiments")
    yield running
    running.stop()


def _printed(output: str) -> dict[str, Any]:
    line = next(line for line in output.splitlines() if line.startswith('{"runId"'))
    found: dict[str, Any] = json.loads(line)
    return found


def _get(api: httpx.Client, path: str, **params: str) -> Any:
    answer = api.get(path, params=params)
    assert answer.status_code == 200, (path, answer.text)
    return answer.json()


def _scores(api: httpx.Client, **params: str) -> dict[str, float]:
    found = _get(api, "/api/public/v2/scores", **params)["data"]
    return {s["name"]: s["value"] for s in found}


@pytest.mark.parametrize(
    ("sdk", "program"),
    [
        pytest.param(PY3, "py_experiment.py", id="py-3.15.0"),
        pytest.param(PY4, "py_experiment.py", id="py-4.18.0"),
        pytest.param(PY5, "py_experiment.py", id="py-5.0.4"),
        pytest.param(JS5, "js_experiment.mjs", id="js-v5"),
    ],
)
def test_an_experiment_on_a_dataset_reads_back_linked_and_scored(
    server: Server, sdk: Sdk, program: str, tmp_path: Path
) -> None:
    name = "capitals-" + sdk.name.replace(".", "-")
    flags = ("--item-run",) if sdk is PY3 else ()
    ran = _printed(run_file(sdk, PROGRAMS / program, server.project, name, name, *flags))
    project = server.project
    with httpx.Client(
        base_url=project.base_url, auth=(project.public_key, project.secret_key), timeout=30
    ) as api:
        dataset = _get(api, f"/api/public/v2/datasets/{name}")
        assert (dataset["description"], dataset["metadata"]) == ("capitals", {"suite": "geo"})
        items = _get(api, "/api/public/dataset-items", datasetName=name)["data"]
        assert sorted((i["id"], i["expectedOutput"]) for i in items) == [
            (f"{name}-France", "Paris"),
            (f"{name}-Japan", "Tokyo"),
        ]
        run = _get(api, f"/api/public/datasets/{name}/runs/{name}-run")
        assert run["id"] == ran["runId"] and run["datasetId"] == dataset["id"]
        assert run["description"] == "first model"
        linked = {i["datasetItemId"]: i["traceId"] for i in run["datasetRunItems"]}
        assert linked == ran["itemTraces"]
        for country, expected in (("France", 1.0), ("Japan", 0.0)):
            trace_id = linked[f"{name}-{country}"]
            trace = _get(api, f"/api/public/traces/{trace_id}")
            assert trace["name"] == "experiment-item-run"
            assert _scores(api, traceId=trace_id) == {"exact": expected}
        assert _scores(api, datasetRunId=run["id"]) == {"accuracy": 0.5}
        # Local data makes a scored trace and no dataset run.
        assert _scores(api, traceId=ran["localTrace"]) == {"exact": 1.0}
        runs = _get(api, f"/api/public/datasets/{name}/runs")["data"]
        expected_runs = {f"{name}-run"} | ({f"{name}-item-run"} if flags else set())
        assert {r["name"] for r in runs} == expected_runs
        if flags:
            by_hand = _get(api, f"/api/public/datasets/{name}/runs/{name}-item-run")
            assert [i["traceId"] for i in by_hand["datasetRunItems"]] == [ran["itemRunTrace"]]
            assert by_hand["description"] == "by hand"
