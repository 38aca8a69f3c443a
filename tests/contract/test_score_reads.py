"""ScoreReader: each filter alone with its exact answer in each project, order, keyset pages."""

from __future__ import annotations

import pytest

from powerrag.domain.filters import PageRequest, ScoreCursor, ScoreFilter, TimeRange
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import at

ALL = PageRequest(1, 100)
# Newest first: sc-4 (60 s), sc-1 (51), sc-5 (41), sc-x (36, second project), sc-2 (31), sc-3 (11).
NEWEST = ["sc-4", "sc-1", "sc-5", "sc-x", "sc-2", "sc-3"]

# (filter, the first project's scores, whether the second project's `sc-x` matches too)
FILTERS = [
    pytest.param(ScoreFilter(), {"sc-1", "sc-2", "sc-3", "sc-4", "sc-5"}, True, id="none"),
    pytest.param(ScoreFilter(names=("quality",)), {"sc-1", "sc-2", "sc-5"}, True, id="name"),
    pytest.param(ScoreFilter(ids=("sc-3", "sc-x")), {"sc-3"}, True, id="ids"),
    pytest.param(ScoreFilter(sources=("EVAL",)), {"sc-2"}, False, id="source"),
    pytest.param(ScoreFilter(data_types=("CATEGORICAL",)), {"sc-3"}, False, id="data-type"),
    pytest.param(ScoreFilter(string_values=("good",)), {"sc-3"}, False, id="string-value"),
    pytest.param(ScoreFilter(value=(">=", 0.9)), {"sc-1", "sc-4", "sc-5"}, False, id="value-ge"),
    pytest.param(ScoreFilter(value=("<", 0.9)), {"sc-2"}, True, id="value-lt"),
    pytest.param(ScoreFilter(value_min=0.2, value_max=0.5), {"sc-2"}, True, id="value-range"),
    pytest.param(ScoreFilter(trace_ids=("t-a",)), {"sc-1"}, False, id="trace"),
    pytest.param(ScoreFilter(session_ids=("s1",)), {"sc-4"}, False, id="session"),
    pytest.param(ScoreFilter(observation_ids=("e-gen",)), {"sc-5"}, False, id="observation"),
    pytest.param(ScoreFilter(user_id="alice"), {"sc-1", "sc-2"}, True, id="trace-user"),
    pytest.param(ScoreFilter(trace_tags=("gamma",)), {"sc-5"}, False, id="trace-tags"),
    pytest.param(
        ScoreFilter(timestamp=TimeRange(at(31), at(51))),
        {"sc-2", "sc-5"},
        True,
        id="time-start-inclusive-end-exclusive",
    ),
    pytest.param(ScoreFilter(v1_only=True), {"sc-1", "sc-2", "sc-3", "sc-5"}, True, id="v1"),
]


@pytest.mark.parametrize(("f", "expected", "x_matches"), FILTERS)
def test_each_filter_answers_exactly_its_scores_in_each_project(
    filled: StoreUnderTest, f: ScoreFilter, expected: set[str], x_matches: bool
) -> None:
    in_other = expected | ({"sc-x"} if x_matches else set())
    with filled.reading() as data:
        for project_id, ids in ((P1, expected), (P2, in_other)):
            rows = data.list_scores(project_id, f, ALL)
            assert [r.id for r in rows] == [i for i in NEWEST if i in ids]
            assert {r.project_id for r in rows} <= {project_id}
            assert data.count_scores(project_id, f) == len(ids)


def test_keyset_pages_walk_every_score_once_in_order(filled: StoreUnderTest) -> None:
    seen: list[str] = []
    cursor: ScoreCursor | None = None
    with filled.reading() as data:
        for _ in range(4):
            rows = data.list_scores_after(P2, ScoreFilter(), cursor, 2)
            seen += [r.id for r in rows]
            if not rows:
                break
            cursor = ScoreCursor(rows[-1].timestamp, rows[-1].id)
        assert seen == NEWEST
        assert [r.id for r in data.list_scores(P1, ScoreFilter(), PageRequest(3, 2))] == ["sc-3"]
        assert data.list_scores(P1, ScoreFilter(), PageRequest(4, 2)) == []


def test_scores_of_traces_and_sessions_carry_their_trace(filled: StoreUnderTest) -> None:
    with filled.reading() as data:
        assert [s.id for s in data.trace_scores(P1, ["t-a", "t-e", "t-x"])] == ["sc-5", "sc-1"]
        assert [s.id for s in data.session_scores(P1, ["s1", "s2"])] == ["sc-4"]
        one = data.get_score(P1, "sc-1")
        assert one is not None
        assert (one.value, one.trace_user_id, one.trace_environment) == (0.9, "alice", "production")
        assert data.get_score(P1, "sc-x") is None
        assert data.score_ids_by_trace(P2, ["t-a", "t-x", "t-d"]) == {
            "t-a": ["sc-1"],
            "t-x": ["sc-x"],
            "t-d": [],
        }
