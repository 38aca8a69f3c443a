"""SessionReader: each filter alone in each project, the sorts, pages, environments."""

from __future__ import annotations

import pytest

from powerrag.domain.filters import (
    PageRequest,
    ScoreCondition,
    SessionFilter,
    SessionOrder,
    TimeRange,
)
from powerrag.domain.rows import ScoreSummary
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import at

ALL = PageRequest(1, 100)
BY_ID = SessionOrder("id", False)


def _score(
    name: str, low: float | None = None, high: float | None = None, category: str | None = None
) -> SessionFilter:
    return SessionFilter(score=ScoreCondition(name, low, high, category))


FILTERS = [
    pytest.param(SessionFilter(), ["s1", "s2"], id="none"),
    pytest.param(SessionFilter(user_id="bob"), ["s1"], id="user"),
    pytest.param(SessionFilter(user_id="carol"), ["s2"], id="other-user"),
    pytest.param(SessionFilter(created=TimeRange(start=at(30))), ["s2"], id="created-from"),
    pytest.param(SessionFilter(created=TimeRange(end=at(30))), ["s1"], id="created-to"),
    pytest.param(SessionFilter(active=TimeRange(start=at(45))), ["s1"], id="active-from"),
    pytest.param(SessionFilter(active=TimeRange(end=at(30))), ["s1"], id="active-to"),
    pytest.param(SessionFilter(environments=("production",)), ["s1", "s2"], id="environment"),
    pytest.param(SessionFilter(environments=("staging",)), [], id="no-environment"),
    pytest.param(SessionFilter(id_contains="2"), ["s2"], id="id-contains"),
    pytest.param(SessionFilter(text="kettle"), ["s2"], id="text"),
    # quality: s1 has 0.9 (t-a; 0.7 with t-x in the second project), s2 0.2 and true (0.6).
    pytest.param(_score("quality", low=0.65), ["s1"], id="score-average-from"),
    pytest.param(_score("quality", high=0.65), ["s2"], id="score-average-to"),
    pytest.param(_score("quality", low=0.6, high=0.6), ["s2"], id="score-average-exact"),
    pytest.param(_score("quality", low=0.95), [], id="score-average-above-all"),
    pytest.param(_score("verdict", category="good"), ["s1"], id="score-category"),
    pytest.param(_score("verdict", category="bad"), [], id="score-other-category"),
    # rating is a score of the session itself; verdict's only score is categorical.
    pytest.param(_score("rating", high=1.0), ["s1"], id="score-of-the-session"),
    pytest.param(_score("verdict", low=0.0), [], id="score-average-of-no-number"),
    pytest.param(_score("rating"), ["s1"], id="score-any"),
]


@pytest.mark.parametrize(("f", "expected"), FILTERS)
def test_each_filter_answers_exactly_its_sessions_in_each_project(
    filled: StoreUnderTest, f: SessionFilter, expected: list[str]
) -> None:
    """The second project has the same sessions: its extra trace joins s1 and matches no
    filter s1 did not already match, so both projects answer the same ids."""
    with filled.reading() as data:
        for project_id in (P1, P2):
            rows = data.list_sessions(project_id, f, BY_ID, ALL)
            assert [r.id for r in rows] == expected
            assert {r.project_id for r in rows} <= {project_id}
            assert data.count_sessions(project_id, f) == len(expected)


@pytest.mark.parametrize(
    ("order", "first", "second"),
    [
        pytest.param(SessionOrder("cost", True), ["s2", "s1"], ["s1", "s2"], id="cost"),
        pytest.param(SessionOrder("total_tokens", False), ["s2", "s1"], ["s2", "s1"], id="tokens"),
        # Equal trace counts in the first project: ties by id in the sort's direction.
        pytest.param(SessionOrder("traces", True), ["s2", "s1"], ["s1", "s2"], id="traces"),
        pytest.param(SessionOrder("traces", False), ["s1", "s2"], ["s2", "s1"], id="traces-asc"),
        pytest.param(SessionOrder("errors", True), ["s2", "s1"], ["s2", "s1"], id="errors"),
        pytest.param(SessionOrder("created", True), ["s2", "s1"], ["s2", "s1"], id="created"),
    ],
)
def test_sorts_in_each_project(
    filled: StoreUnderTest, order: SessionOrder, first: list[str], second: list[str]
) -> None:
    """In the second project t-x (cost 4, 1000 tokens, one error) belongs to s1."""
    with filled.reading() as data:
        assert [r.id for r in data.list_sessions(P1, SessionFilter(), order, ALL)] == first
        assert [r.id for r in data.list_sessions(P2, SessionFilter(), order, ALL)] == second


def test_pages_one_session_and_environments(filled: StoreUnderTest) -> None:
    with filled.reading() as data:
        assert [
            r.id for r in data.list_sessions(P1, SessionFilter(), BY_ID, PageRequest(2, 1))
        ] == ["s2"]
        assert data.list_sessions(P1, SessionFilter(), BY_ID, PageRequest(3, 1)) == []
        one, other = data.get_session(P1, "s1"), data.get_session(P2, "s1")
        assert one is not None and other is not None
        assert (one.trace_count, other.trace_count) == (2, 3)
        assert (one.total_cost, other.total_cost) == (1.5, 5.5)
        assert (one.error_count, other.error_count) == (0, 1)
        assert data.get_session(P1, "s-none") is None
        assert data.list_environments(P1) == ["production"]


def test_score_summaries_span_the_session_and_its_traces(filled: StoreUnderTest) -> None:
    """s1: t-a's quality 0.9, t-b's verdict, its own rating; s2: t-c's quality 0.2 and
    t-e's observation's boolean true. The second project adds t-x's 0.5 to s1."""
    with filled.reading() as data:
        first = data.score_summaries(P1, ["s1", "s2", "s-none"])
        second = data.score_summaries(P2, ["s1"])
        names = data.score_names(P1)
    assert [(s.session_id, s.name, s.numeric_count, s.categories) for s in first] == [
        ("s1", "quality", 1, ()),
        ("s1", "rating", 1, ()),
        ("s1", "verdict", 0, (("good", 1),)),
        ("s2", "quality", 2, ()),
    ]
    assert [s.average for s in first] == [
        pytest.approx(0.9, abs=1e-12),
        1.0,
        None,
        pytest.approx(0.6, abs=1e-12),
    ]
    assert second[0] == ScoreSummary("s1", "quality", pytest.approx(0.7, abs=1e-12), 2, ())
    assert [s.name for s in second] == ["quality", "rating", "verdict"]
    assert names == ["quality", "rating", "verdict"]
