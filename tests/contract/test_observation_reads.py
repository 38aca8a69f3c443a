"""ObservationReader: each filter alone in each project, order, keyset pages, trees."""

from __future__ import annotations

import pytest

from powerrag.domain.filters import ObservationCursor, ObservationFilter, PageRequest, TimeRange
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2
from tests.support.records import at

ALL = PageRequest(1, 100)
# Newest first (start time; the second project's t-x at 35 s and x-gen at 35.5 s between).
NEWEST = [
    "a-gen", "t-a-root", "e-gen", "t-e-root", "x-gen", "t-x-root", "c-tool", "c-gen",
    "t-c-root", "t-d-root", "b-gen", "t-b-root",
]  # fmt: skip
ROOTS = {"t-a-root", "t-b-root", "t-c-root", "t-d-root", "t-e-root"}

# (filter, the first project's observations, which of the second project's t-x match too)
FILTERS = [
    pytest.param(
        ObservationFilter(trace_id="t-c"), {"t-c-root", "c-gen", "c-tool"}, set(), id="trace"
    ),
    pytest.param(ObservationFilter(types=("TOOL",)), {"c-tool"}, set(), id="type"),
    pytest.param(
        ObservationFilter(types=("GENERATION",)),
        {"a-gen", "b-gen", "c-gen", "e-gen"},
        {"x-gen"},
        id="type-generation",
    ),
    pytest.param(ObservationFilter(name="a-gen"), {"a-gen"}, set(), id="name"),
    pytest.param(ObservationFilter(level="ERROR"), {"c-gen", "c-tool"}, {"x-gen"}, id="level"),
    pytest.param(
        ObservationFilter(user_id="alice"),
        {"t-a-root", "a-gen", "t-c-root", "c-gen", "c-tool"},
        {"t-x-root", "x-gen"},
        id="trace-user",
    ),
    pytest.param(
        ObservationFilter(session_id="s1"),
        {"t-a-root", "a-gen", "t-b-root", "b-gen"},
        {"t-x-root", "x-gen"},
        id="trace-session",
    ),
    pytest.param(
        ObservationFilter(environments=("staging",)),
        {"t-c-root", "c-gen", "c-tool"},
        set(),
        id="env",
    ),
    pytest.param(
        ObservationFilter(start_time=TimeRange(at(30), at(40.5))),
        {"t-c-root", "c-gen", "c-tool", "t-e-root"},
        {"t-x-root", "x-gen"},
        id="time-start-inclusive-end-exclusive",
    ),
    pytest.param(ObservationFilter(is_root=True), ROOTS, {"t-x-root"}, id="roots"),
    pytest.param(
        ObservationFilter(parent_observation_id="t-c-root"), {"c-gen", "c-tool"}, set(), id="parent"
    ),
]


@pytest.mark.parametrize(("f", "expected", "x_matches"), FILTERS)
def test_each_filter_answers_exactly_its_observations_in_each_project(
    filled: StoreUnderTest, f: ObservationFilter, expected: set[str], x_matches: set[str]
) -> None:
    with filled.reading() as data:
        for project_id, ids in ((P1, expected), (P2, expected | x_matches)):
            rows = data.list_observations(project_id, f, ALL)
            assert [r.id for r in rows] == [i for i in NEWEST if i in ids]
            assert {r.project_id for r in rows} <= {project_id}
            assert data.count_observations(project_id, f) == len(ids)


def test_keyset_and_numbered_pages(filled: StoreUnderTest) -> None:
    seen: list[str] = []
    cursor: ObservationCursor | None = None
    with filled.reading() as data:
        for _ in range(5):
            rows = data.list_observations_after(P2, ObservationFilter(), cursor, 5)
            seen += [r.id for r in rows]
            if not rows:
                break
            last = rows[-1]
            cursor = ObservationCursor(last.start_time, last.trace_id, last.id)
        assert seen == NEWEST
        first_only = [i for i in NEWEST if not i.startswith(("x-", "t-x"))]
        page = data.list_observations(P1, ObservationFilter(), PageRequest(2, 4))
        assert [r.id for r in page] == first_only[4:8]
        assert data.list_observations(P1, ObservationFilter(), PageRequest(4, 4)) == []


def test_a_traces_observations_trees_and_generations(filled: StoreUnderTest) -> None:
    with filled.reading() as data:
        assert [o.id for o in data.trace_observations(P1, "t-c")] == ["t-c-root", "c-gen", "c-tool"]
        nodes = data.tree_nodes(P1, ["t-c", "t-a"])
        assert [(n.trace_id, n.id, n.parent_observation_id) for n in nodes] == [
            ("t-a", "t-a-root", None),
            ("t-a", "a-gen", "t-a-root"),
            ("t-c", "t-c-root", None),
            ("t-c", "c-gen", "t-c-root"),
            ("t-c", "c-tool", "t-c-root"),
        ]
        assert [n.id for n in data.tree_nodes(P1, ["t-c", "t-a"], limit=3)] == [
            "t-a-root",
            "a-gen",
            "t-c-root",
        ]
        generations = data.generations_of(P1, ["t-c", "t-x"])
        assert [(g.id, g.trace_id) for g in generations] == [("c-gen", "t-c")]
        tool = data.get_observations(P1, ["c-tool", "x-gen"])
        assert [(o.id, o.output, o.trace_user_id, o.trace_session_id) for o in tool] == [
            ("c-tool", '"the kettle is boiling"', "alice", "s2")
        ]
        assert data.observation_ids_by_trace(P2, ["t-c", "t-x", "t-none"]) == {
            "t-c": ["t-c-root", "c-gen", "c-tool"],
            "t-x": ["t-x-root", "x-gen"],
            "t-none": [],
        }
