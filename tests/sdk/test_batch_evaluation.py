"""`run_batched_evaluation` of the pinned Python SDKs sends the JSON `filter` parameter
(api/json_filters.py): with a filter its evaluators see only the matching items, and a
resumed run (whose resume point is itself a filter condition, or a cursor) continues
where the first one stopped. SQLite only: the filter translation is checked on both
engines in tests/contract/test_json_filters.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.support.sdk import PY4, PY5, Project, run_program
from tests.support.server import ServerProcess

pytestmark = pytest.mark.sdk

# Six traces a second apart; t1, t2, t4, t5 are tagged production, t3 and t6 staging.
# Each has one GENERATION (named after its trace) and one SPAN.
TAGS = {
    1: "production",
    2: "production",
    3: "staging",
    4: "production",
    5: "production",
    6: "staging",
}
PRODUCTION = (
    '[{"type": "arrayOptions", "column": "tags", "operator": "any of", "value": ["production"]}]'
)
GENERATIONS = '[{"type": "string", "column": "type", "operator": "=", "value": "GENERATION"}]'


def _stamp(n: int) -> str:
    return f"2026-03-01T10:00:0{n}.000Z"


def _batch() -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for n, tag in TAGS.items():
        trace = {"id": f"t{n}", "name": "answer", "timestamp": _stamp(n), "tags": [tag]}
        trace.update(input=f"question {n}", output=f"answer {n}")
        events.append(
            {"id": f"e-t{n}", "type": "trace-create", "timestamp": _stamp(n), "body": trace}
        )
        for kind, oid in (("generation-create", f"g{n}"), ("span-create", f"s{n}")):
            body = {"id": oid, "traceId": f"t{n}", "name": oid, "startTime": _stamp(n)}
            events.append({"id": f"e-{oid}", "type": kind, "timestamp": _stamp(n), "body": body})
    return events


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("batch-eval") / "data"
    process = ServerProcess(data_dir, project_id="batch-eval")
    process.start()
    answer = httpx.post(
        f"{process.url}/api/public/ingestion",
        json={"batch": _batch()},
        auth=process.auth,
        timeout=30,
    )
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text
    yield process
    process.stop()


def _project(server: ServerProcess) -> Project:
    return Project(server.project_id, server.public_key, server.secret_key, server.url)


def _scored(server: ServerProcess, name: str) -> list[str]:
    """The traces or observations holding a score of this name, sorted."""
    answer = httpx.get(
        f"{server.url}/api/public/v2/scores",
        params={"name": name, "limit": 100},
        auth=server.auth,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return sorted(s["observationId"] or s["traceId"] for s in answer.json()["data"])


PY4_PROGRAM = """
import json, sys
from langfuse import get_client
from langfuse.batch_evaluation import BatchEvaluationResumeToken, EvaluatorInputs
from langfuse.experiment import Evaluation

FILTER, RESUME_AT = sys.argv[1], sys.argv[2]
langfuse = get_client()


def mapper(*, item):
    return EvaluatorInputs(input=item.input, output=item.output, metadata={})


def judged(*, input, output, expected_output=None, metadata=None, **kwargs):
    return Evaluation(name="py4-judged", value=1.0)


first = langfuse.run_batched_evaluation(
    scope="traces", mapper=mapper, evaluators=[judged], filter=FILTER, fetch_batch_size=1
)
token = BatchEvaluationResumeToken(
    scope="traces", filter=FILTER, last_processed_timestamp=RESUME_AT,
    last_processed_id="t2", items_processed=2,
)
resumed = langfuse.run_batched_evaluation(
    scope="traces", mapper=mapper, evaluators=[judged], filter=FILTER, resume_from=token
)
langfuse.flush()
print(json.dumps({"first": sorted(first.item_evaluations), "resumed": sorted(resumed.item_evaluations)}))
"""


def test_py4_traces_filter_and_resume_touch_only_matching_traces(server: ServerProcess) -> None:
    out = run_program(PY4, PY4_PROGRAM, ".py", _project(server), "batch", (PRODUCTION, _stamp(2)))
    seen = json.loads(out.strip().splitlines()[-1])
    # SDK 4 resumes traces after the token's timestamp (`timestamp > …`, its
    # _build_timestamp_filter): the production traces newer than t2.
    assert seen == {"first": ["t1", "t2", "t4", "t5"], "resumed": ["t4", "t5"]}
    assert _scored(server, "py4-judged") == ["t1", "t2", "t4", "t4", "t5", "t5"]


PY5_PROGRAM = """
import json, sys
from langfuse import get_client
from langfuse.batch_evaluation import EvaluatorInputs
from langfuse.experiment import Evaluation

FILTER = sys.argv[1]
langfuse = get_client()


def mapper(*, item):
    return EvaluatorInputs(input=item.input, output=item.output, metadata={})


def judged(*, input, output, expected_output=None, metadata=None, **kwargs):
    return Evaluation(name="py5-judged", value=1.0)


first = langfuse.run_batched_evaluation(
    mapper=mapper, evaluators=[judged], filter=FILTER, fetch_batch_size=2, max_items=3
)
resumed = langfuse.run_batched_evaluation(
    mapper=mapper, evaluators=[judged], filter=FILTER, fetch_batch_size=2,
    resume_from=first.resume_token,
)
langfuse.flush()
print(json.dumps({
    "first": sorted(first.item_evaluations),
    "resumed": sorted(resumed.item_evaluations),
    "token": first.resume_token is not None,
}))
"""


def test_py5_observations_filter_resumes_where_it_stopped(server: ServerProcess) -> None:
    out = run_program(PY5, PY5_PROGRAM, ".py", _project(server), "batch", (GENERATIONS,))
    seen = json.loads(out.strip().splitlines()[-1])
    # Newest first: g6, g5, g4 in the first run (max_items=3), then g3, g2, g1 from its cursor.
    assert seen == {"first": ["g4", "g5", "g6"], "resumed": ["g1", "g2", "g3"], "token": True}
    assert _scored(server, "py5-judged") == ["g1", "g2", "g3", "g4", "g5", "g6"]


def test_an_unsupported_condition_is_refused_naming_it(server: ServerProcess) -> None:
    bad = '[{"type": "number", "column": "latency", "operator": ">", "value": 1}]'
    answer = httpx.get(
        f"{server.url}/api/public/traces", params={"filter": bad}, auth=server.auth, timeout=30
    )
    assert answer.status_code == 400
    assert (
        "filter[0] (number 'latency' '>'): column 'latency' is not supported on traces"
        in (answer.json()["message"])
    )
