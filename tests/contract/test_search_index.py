"""SearchIndex: a text filter finds a write once `index_search` has run, per project, and
a deleted trace is not found even when it was written again before its indexing."""

from __future__ import annotations

from powerrag.domain.filters import (
    PageRequest,
    SessionFilter,
    SessionOrder,
    TraceFilter,
    TraceOrder,
)
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2, other_world, world

ALL = PageRequest(1, 100)


def _traces(sut: StoreUnderTest, project_id: str, words: str) -> set[str]:
    with sut.reading() as data:
        rows = data.list_traces(project_id, TraceFilter(text=words), TraceOrder(), ALL)
    return {r.id for r in rows}


def test_a_write_is_found_by_text_once_indexed_in_its_project_only(sut: StoreUnderTest) -> None:
    sut.write(P1, world(), indexed=False)
    sut.write(P2, other_world(), indexed=False)
    assert _traces(sut, P1, "kettle") == set()
    assert sut.index.search_backlog(P1).traces == 5
    assert sut.index.search_backlog().traces == 11

    assert sut.index.index_search(100, P1) == 5
    assert _traces(sut, P1, "kettle") == {"t-c"}
    assert _traces(sut, P2, "kettle") == set()
    with sut.reading() as data:
        found = data.list_sessions(P1, SessionFilter(text="kettle"), SessionOrder(), ALL)
    assert [s.id for s in found] == ["s2"]
    assert sut.index.search_backlog().traces == 6
    assert sut.index.index_search(100) == 6
    assert _traces(sut, P2, "kettle") == {"t-c"}
    assert sut.index.index_search(100) == 0


def test_a_deleted_trace_written_again_before_indexing_is_not_found(sut: StoreUnderTest) -> None:
    sut.write(P1, world())
    assert _traces(sut, P1, "kettle") == {"t-c"}
    sut.write(P1, world(), indexed=False)
    assert sut.writer.delete_traces(P1, ["t-c"]) == 1
    assert sut.index.search_backlog(P1).traces == 4
    assert sut.index.index_search(100) == 4
    assert _traces(sut, P1, "kettle") == set()
