"""TraceReader: each filter alone with its exact answer, ordering, paging, project isolation."""

from __future__ import annotations

import pytest

from powerrag.domain.filters import PageRequest, TimeRange, TraceFilter, TraceOrder
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2, by_time
from tests.support.records import at

ALL = PageRequest(1, 100)
NEWEST = TraceOrder()

# (filter, the first project's traces, whether the second project's `t-x` matches too)
FILTERS = [
    pytest.param(TraceFilter(), {"t-a", "t-b", "t-c", "t-d", "t-e"}, True, id="none"),
    pytest.param(TraceFilter(name="chat"), {"t-a", "t-b"}, True, id="name"),
    pytest.param(TraceFilter(user_id="alice"), {"t-a", "t-c"}, True, id="user"),
    pytest.param(TraceFilter(session_id="s2"), {"t-c", "t-e"}, False, id="session"),
    pytest.param(TraceFilter(session_id="s1"), {"t-a", "t-b"}, True, id="session-s1"),
    pytest.param(TraceFilter(tags=("beta",)), {"t-a", "t-d", "t-e"}, True, id="one-tag"),
    pytest.param(TraceFilter(tags=("beta", "prod")), {"t-a", "t-e"}, True, id="every-tag"),
    pytest.param(TraceFilter(tags=("gamma", "none")), set(), False, id="missing-tag"),
    pytest.param(
        TraceFilter(timestamp=TimeRange(at(20), at(40))),
        {"t-d", "t-c"},
        True,
        id="time-start-inclusive-end-exclusive",
    ),
    pytest.param(TraceFilter(timestamp=TimeRange(start=at(40))), {"t-e", "t-a"}, False, id="from"),
    pytest.param(TraceFilter(timestamp=TimeRange(end=at(20))), {"t-b"}, False, id="to"),
    pytest.param(
        TraceFilter(timestamp=TimeRange(at(20.000001), at(30.000001))),
        {"t-c"},
        False,
        id="time-one-microsecond",
    ),
    pytest.param(TraceFilter(environments=("staging",)), {"t-c"}, False, id="environment"),
    pytest.param(
        TraceFilter(environments=("production", "staging")),
        {"t-a", "t-b", "t-c", "t-e"},
        True,
        id="environments",
    ),
    pytest.param(TraceFilter(environments=("default",)), {"t-d"}, False, id="default-env"),
    pytest.param(TraceFilter(level="ERROR"), {"t-c"}, True, id="level-error"),
    pytest.param(TraceFilter(level="WARNING"), {"t-b"}, False, id="level-warning"),
    pytest.param(TraceFilter(release="r2"), {"t-c"}, False, id="release"),
    pytest.param(TraceFilter(version="v2"), {"t-d"}, False, id="version"),
    pytest.param(TraceFilter(text="KETTLE"), {"t-c"}, False, id="text-in-observation"),
    pytest.param(TraceFilter(text="summar"), {"t-e"}, False, id="text-in-name"),
    # A value of the JSON input: its keys ("question") are structure, not words (domain/search.py).
    pytest.param(TraceFilter(text="hi"), {"t-a"}, False, id="text-in-input"),
]


@pytest.mark.parametrize(("f", "expected", "x_matches"), FILTERS)
def test_each_filter_answers_exactly_its_traces_in_each_project(
    filled: StoreUnderTest, f: TraceFilter, expected: set[str], x_matches: bool
) -> None:
    in_other = expected | ({"t-x"} if x_matches else set())
    with filled.reading() as data:
        for project_id, ids in ((P1, expected), (P2, in_other)):
            rows = data.list_traces(project_id, f, NEWEST, ALL)
            assert [r.id for r in rows] == by_time(ids)
            assert {r.project_id for r in rows} <= {project_id}
            assert data.count_traces(project_id, f) == len(ids)


ORDERS = [
    pytest.param(TraceOrder("timestamp", True), ["t-a", "t-e", "t-c", "t-d", "t-b"], id="newest"),
    pytest.param(TraceOrder("timestamp", False), ["t-b", "t-d", "t-c", "t-e", "t-a"], id="oldest"),
    pytest.param(TraceOrder("id", False), ["t-a", "t-b", "t-c", "t-d", "t-e"], id="id"),
    # Ties (two names each) are broken by id in the same direction.
    pytest.param(TraceOrder("name", True), ["t-e", "t-d", "t-c", "t-b", "t-a"], id="name-desc"),
    # NULL sorts as the smallest value on every engine: first ascending, last descending.
    pytest.param(TraceOrder("user_id", False), ["t-d", "t-a", "t-c", "t-b", "t-e"], id="user-asc"),
    pytest.param(TraceOrder("user_id", True), ["t-e", "t-b", "t-c", "t-a", "t-d"], id="user-desc"),
]


@pytest.mark.parametrize(("order", "expected"), ORDERS)
def test_order(filled: StoreUnderTest, order: TraceOrder, expected: list[str]) -> None:
    with filled.reading() as data:
        assert [r.id for r in data.list_traces(P1, TraceFilter(), order, ALL)] == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(1, ["t-a", "t-e"], id="first"),
        pytest.param(2, ["t-c", "t-d"], id="middle"),
        pytest.param(3, ["t-b"], id="last-partial"),
        pytest.param(4, [], id="past-the-end"),
    ],
)
def test_pages_of_two(filled: StoreUnderTest, page: int, expected: list[str]) -> None:
    with filled.reading() as data:
        rows = data.list_traces(P1, TraceFilter(), NEWEST, PageRequest(page, 2))
        assert [r.id for r in rows] == expected
        assert data.count_traces(P1, TraceFilter()) == 5


def test_get_trace_resolves_io_from_its_root_and_is_scoped_by_project(
    filled: StoreUnderTest,
) -> None:
    with filled.reading() as data:
        a = data.get_trace(P1, "t-a")
        assert a is not None
        assert (a.input, a.root_observation_id, a.observation_count) == (
            '{"question": "hi"}',
            "t-a-root",
            2,
        )
        bare = data.get_trace(P1, "t-a", with_io=False)
        assert bare is not None and (bare.input, bare.output) == (None, None)
        assert data.get_trace(P1, "t-x") is None
        assert data.get_trace(P2, "t-x") is not None


def test_session_traces_in_time_order_paged_and_named(filled: StoreUnderTest) -> None:
    with filled.reading() as data:
        assert [t.id for t in data.session_traces(P1, "s1")] == ["t-b", "t-a"]
        assert [t.id for t in data.session_traces(P2, "s1")] == ["t-b", "t-x", "t-a"]
        page = data.session_traces(P2, "s1", limit=1, offset=1)
        assert [t.id for t in page] == ["t-x"]
        named = data.session_traces(P2, "s1", trace_ids=["t-a", "t-x", "t-c"])
        assert [t.id for t in named] == ["t-x", "t-a"]
        assert [(t.id, t.timestamp, t.end_time) for t in data.session_timeline(P1, "s2")] == [
            ("t-c", at(30), at(32)),
            ("t-e", at(40), at(42)),
        ]
        assert sorted(data.traces_in_session(P1, "s1", ["t-a", "t-c", "t-x"])) == ["t-a"]
