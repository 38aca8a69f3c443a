"""SessionReader: each filter alone in each project, the sorts, pages, environments."""

from __future__ import annotations

import pytest

from powerrag.domain.filters import PageRequest, SessionFilter, SessionOrder, TimeRange
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import at

ALL = PageRequest(1, 100)
BY_ID = SessionOrder("id", False)

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
