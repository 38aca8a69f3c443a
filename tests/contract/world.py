"""The data every contract test starts from, and what each read must answer on it.

Five traces whose id order (a < b < c < d < e) differs from their time order
(b, d, c, e, a), two sessions, five scores. The second project holds the same
records under the same ids plus trace `t-x` and score `sc-x`, which match many
filters: a read of the first project that sees them leaks.
"""

from __future__ import annotations

from powerrag.domain.records import IngestBatch
from tests.support.project import PROJECT_ID
from tests.support.records import Child, TraceSpec, Usage, merged, score, trace_batch

P1 = PROJECT_ID
P2 = "contract-other-project"

A = TraceSpec(
    "t-a",
    50,
    name="chat",
    user_id="alice",
    session_id="s1",
    tags=("beta", "prod"),
    environment="production",
    release="r1",
    version="v1",
    input='{"question": "hi"}',
    children=(Child("a-gen", 0.5, usage=Usage(100, 40, 150, 0.25, 0.5, 1.0)),),
)
B = TraceSpec(
    "t-b",
    10,
    name="chat",
    user_id="bob",
    session_id="s1",
    tags=("prod",),
    environment="production",
    children=(Child("b-gen", 0.5, level="WARNING", usage=Usage(10, 4, 16, 0.125, 0.25, 0.5)),),
)
C = TraceSpec(
    "t-c",
    30,
    name="search",
    user_id="alice",
    session_id="s2",
    environment="staging",
    release="r2",
    children=(
        Child("c-gen", 0.5, level="ERROR", usage=Usage(1, 1, 3, 0.0625, 0.0625, 0.25)),
        Child("c-tool", 1.0, type="TOOL", level="ERROR", output='"the kettle is boiling"'),
    ),
)
D = TraceSpec("t-d", 20, name="search", tags=("beta",), version="v2")
E = TraceSpec(
    "t-e",
    40,
    name="summarise",
    user_id="carol",
    session_id="s2",
    tags=("beta", "gamma", "prod"),
    environment="production",
    children=(Child("e-gen", 0.5, usage=Usage(7, 3, 12, 0.5, 0.5, 2.0)),),
)
TRACES = (A, B, C, D, E)
# Only in the second project; it matches many of the filters the first project is read with.
X = TraceSpec(
    "t-x",
    35,
    name="chat",
    user_id="alice",
    session_id="s1",
    tags=("beta", "prod"),
    environment="production",
    children=(Child("x-gen", 0.5, level="ERROR", usage=Usage(1000, 0, 1000, 4.0, 0.0, 4.0)),),
)

SCORES = (
    score("sc-1", "quality", 51, value=0.9, trace_id="t-a"),
    score("sc-2", "quality", 31, value=0.2, trace_id="t-c", source="EVAL"),
    score(
        "sc-3",
        "verdict",
        11,
        data_type="CATEGORICAL",
        string_value="good",
        trace_id="t-b",
        source="ANNOTATION",
    ),
    score("sc-4", "rating", 60, value=1.0, session_id="s1"),
    score(
        "sc-5",
        "quality",
        41,
        data_type="BOOLEAN",
        value=1.0,
        string_value="True",
        trace_id="t-e",
        observation_id="e-gen",
    ),
)
SCORE_X = score("sc-x", "quality", 36, value=0.5, trace_id="t-x")


def world() -> IngestBatch:
    """The first project's records in one batch."""
    return merged(*(trace_batch(t) for t in TRACES), IngestBatch(scores=list(SCORES)))


def other_world() -> IngestBatch:
    """The second project's: the same records, and `t-x` with its score."""
    return merged(world(), trace_batch(X), IngestBatch(scores=[SCORE_X]))


def by_time(ids: set[str]) -> list[str]:
    """Trace ids newest first (the lists' default order)."""
    start = {t.id: t.start for t in (*TRACES, X)}
    return sorted(ids, key=lambda i: start[i], reverse=True)
