"""Writer: idempotent, order-independent, sessions joined by any span, figures, deletes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from powerrag.domain.filters import (
    ObservationFilter,
    PageRequest,
    ScoreFilter,
    SessionFilter,
    SessionOrder,
    TraceFilter,
    TraceOrder,
)
from powerrag.domain.records import IngestBatch
from powerrag.domain.rows import SessionRow, TraceRow
from powerrag.store.base import TraceData
from tests.contract.engines import StoreUnderTest
from tests.contract.world import P1, P2, A, C, other_world, world
from tests.support.records import (
    Child,
    TraceSpec,
    Usage,
    at,
    child_batch,
    root_batch,
    trace_batch,
)

ALL = PageRequest(1, 100)


def _snapshot(
    data: TraceData, project_id: str
) -> tuple[list[TraceRow], list[SessionRow], int, int]:
    """Every trace and session (write times left out) and the observation and score counts."""
    traces = data.list_traces(project_id, TraceFilter(), TraceOrder("id", False), ALL)
    sessions = data.list_sessions(project_id, SessionFilter(), SessionOrder("id", False), ALL)
    return (
        [dataclasses.replace(t, created_at=0, updated_at=0) for t in traces],
        [dataclasses.replace(s, first_seen_at=0, updated_at=0) for s in sessions],
        data.count_observations(project_id, ObservationFilter()),
        data.count_scores(project_id, ScoreFilter()),
    )


def test_the_same_batch_twice_equals_it_once(sut: StoreUnderTest) -> None:
    sut.write(P1, world())
    with sut.reading() as data:
        once = _snapshot(data, P1)
    sut.write(P1, world())
    sut.writer.write_batches([(P1, world()), (P1, world())])
    with sut.reading() as data:
        assert _snapshot(data, P1) == once
    assert (len(once[0]), len(once[1]), once[2], once[3]) == (5, 2, 10, 5)


def test_children_before_their_root_give_the_same_trace(sut: StoreUnderTest) -> None:
    """Each child in its own request, the root last, against the whole trace at once."""
    sut.write(P1, *(child_batch(C, child) for child in reversed(C.children)), root_batch(C))
    sut.write(P2, trace_batch(C))
    with sut.reading() as data:
        late, whole = data.get_trace(P1, "t-c"), data.get_trace(P2, "t-c")
        assert late is not None and whole is not None
        assert dataclasses.replace(late, project_id=P2, created_at=0, updated_at=0) == (
            dataclasses.replace(whole, created_at=0, updated_at=0)
        )
        assert (late.name, late.root_observation_id, late.timestamp, late.end_time) == (
            "search",
            "t-c-root",
            at(30),
            at(32),
        )
        assert (late.observation_count, late.error_count, late.level) == (3, 2, "ERROR")
        assert late.session_id == "s2"


# A trace whose root names no session: one child carries it, another does not.
JOINER = TraceSpec(
    "t-j",
    70,
    name="joined",
    user_id="dora",
    children=(
        Child("j-gen", 0.5, usage=Usage(5, 6, 20, 0.25, 0.25, 1.0), session_id="s3"),
        Child("j-tool", 1.0, type="TOOL", level="ERROR", usage=Usage(2, 1, 4, 0.5, 0.5, 2.0)),
    ),
)


@pytest.mark.parametrize(
    "order",
    [pytest.param(("j-gen", "root", "j-tool"), id="carrier-first"), ("root", "j-tool", "j-gen")],
)
def test_a_trace_joins_the_session_whichever_span_carries_the_id(
    sut: StoreUnderTest, order: tuple[str, ...]
) -> None:
    children = {c.id: child_batch(JOINER, c) for c in JOINER.children}
    sut.write(P1, *(root_batch(JOINER) if part == "root" else children[part] for part in order))
    with sut.reading() as data:
        trace = data.get_trace(P1, "t-j")
        assert trace is not None and trace.session_id == "s3"
        assert [
            t.id for t in data.list_traces(P1, TraceFilter(session_id="s3"), TraceOrder(), ALL)
        ] == ["t-j"]
        session = data.get_session(P1, "s3")
        assert session is not None
        # Every observation counts, not only the one that carried the id.
        assert (session.trace_count, session.input_tokens, session.output_tokens) == (1, 7, 7)
        assert (session.total_tokens, session.total_cost, session.error_count) == (24, 3.0, 1)
        assert json.loads(session.user_ids) == ["dora"]


FIGURES = ("trace_count", "error_count", "input_tokens", "output_tokens", "total_tokens")
COSTS = ("input_cost", "output_cost", "total_cost")


def _figures(row: SessionRow | None) -> dict[str, object]:
    assert row is not None
    names = ("created_at", "last_activity_at", "environment", *FIGURES, *COSTS)
    return {"user_ids": json.loads(row.user_ids)} | {n: getattr(row, n) for n in names}


def test_session_figures_sum_their_traces_totals_as_sent(sut: StoreUnderTest) -> None:
    """Totals are the `total` the SDK sent (150 + 16), not input + output (140 + 14)."""
    sut.write(P1, world())
    with sut.reading() as data:
        s1, s2 = _figures(data.get_session(P1, "s1")), _figures(data.get_session(P1, "s2"))
    assert s1 == {
        "user_ids": ["alice", "bob"],
        "created_at": at(10),
        "last_activity_at": at(52),
        "environment": "production",
        "trace_count": 2,
        "error_count": 0,
        "input_tokens": 110,
        "output_tokens": 44,
        "total_tokens": 166,
        "input_cost": 0.375,
        "output_cost": 0.75,
        "total_cost": 1.5,
    }
    assert s2 == {
        "user_ids": ["alice", "carol"],
        "created_at": at(30),
        "last_activity_at": at(42),
        "environment": "production",
        "trace_count": 2,
        "error_count": 2,
        "input_tokens": 8,
        "output_tokens": 4,
        "total_tokens": 15,
        "input_cost": 0.5625,
        "output_cost": 0.5625,
        "total_cost": 2.25,
    }


def test_a_trace_moving_session_leaves_the_old_one(sut: StoreUnderTest) -> None:
    """A later update of t-a names s2: s1 keeps only t-b, s2 gains t-a's figures."""
    sut.write(P1, world())
    move = dataclasses.replace(A, start=A.start + 1, session_id="s2", children=())
    moved = root_batch(move)
    moved.observations.clear()  # only the trace update: the root span stays as it was
    sut.write(
        P1,
        IngestBatch(trace_updates=[dataclasses.replace(moved.trace_updates[0], source_id="later")]),
    )
    with sut.reading() as data:
        s1, s2 = data.get_session(P1, "s1"), data.get_session(P1, "s2")
    assert s1 is not None and s2 is not None
    assert (s1.trace_count, s1.total_tokens, json.loads(s1.user_ids)) == (1, 16.0, ["bob"])
    assert (s2.trace_count, s2.total_tokens, s2.total_cost) == (3, 165.0, 3.25)


def test_delete_traces_removes_what_hangs_off_them_and_refreshes_sessions(
    sut: StoreUnderTest,
) -> None:
    sut.write(P1, world())
    sut.write(P2, other_world())
    assert sut.writer.delete_traces(P1, ["t-a", "t-nope"]) == 1
    with sut.reading() as data:
        assert data.get_trace(P1, "t-a") is None
        assert data.get_observations(P1, ["t-a-root", "a-gen"]) == []
        assert data.count_observations(P1, ObservationFilter(trace_id="t-a")) == 0
        assert data.get_score(P1, "sc-1") is None
        assert data.trace_scores(P1, ["t-a"]) == []
        s1 = data.get_session(P1, "s1")
        assert s1 is not None
        assert (s1.trace_count, s1.total_tokens, s1.total_cost) == (1, 16.0, 0.5)
        assert json.loads(s1.user_ids) == ["bob"]
        # The second project's identical trace is untouched.
        assert data.get_trace(P2, "t-a") is not None
        assert data.get_score(P2, "sc-1") is not None
        assert len(data.get_observations(P2, ["t-a-root", "a-gen"])) == 2
    assert sut.writer.delete_traces(P1, ["t-c", "t-e"]) == 2
    with sut.reading() as data:
        assert data.get_session(P1, "s2") is None
        assert data.count_sessions(P1, SessionFilter()) == 1
        assert data.get_session(P2, "s2") is not None
        assert data.count_scores(P1, ScoreFilter()) == 2  # sc-3 on t-b, sc-4 on s1


def test_session_flags_are_set_and_kept_by_later_writes(sut: StoreUnderTest) -> None:
    sut.write(P1, world())
    assert sut.writer.set_session_flag(P1, "s1", "bookmarked", True)
    assert sut.writer.set_session_flag(P1, "s2", "public", True)
    assert not sut.writer.set_session_flag(P1, "s-nope", "public", True)
    sut.write(P1, world())  # a resend recomputes both sessions
    with sut.reading() as data:
        s1, s2 = data.get_session(P1, "s1"), data.get_session(P1, "s2")
        marked = data.list_sessions(P1, SessionFilter(bookmarked=True), SessionOrder(), ALL)
        assert data.get_session(P2, "s1") is None
    assert s1 is not None and s2 is not None
    assert (s1.bookmarked, s1.public, s2.bookmarked, s2.public) == (True, False, False, True)
    assert [s.id for s in marked] == ["s1"]
    assert sut.writer.set_session_flag(P1, "s1", "bookmarked", False)
    with sut.reading() as data:
        assert data.count_sessions(P1, SessionFilter(bookmarked=True)) == 0
    # A marked session whose traces all left keeps its row, with the figures of no traces.
    assert sut.writer.delete_traces(P1, ["t-c", "t-e"]) == 2
    with sut.reading() as data:
        emptied = data.get_session(P1, "s2")
    assert emptied is not None and emptied.public
    assert (emptied.trace_count, emptied.total_tokens, emptied.user_ids) == (0, 0.0, "[]")


def test_a_deleted_score_is_gone_from_every_read(sut: StoreUnderTest) -> None:
    sut.write(P1, world())
    sut.write(P2, other_world())
    assert sut.writer.delete_score(P1, "sc-1")
    assert not sut.writer.delete_score(P1, "sc-1")
    assert not sut.writer.delete_score(P1, "sc-nope")
    with sut.reading() as data:
        assert data.get_score(P1, "sc-1") is None
        assert [s.id for s in data.trace_scores(P1, ["t-a"])] == []
        assert data.count_scores(P1, ScoreFilter()) == 4
        assert data.get_score(P2, "sc-1") is not None
