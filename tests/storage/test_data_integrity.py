"""What deleting traces leaves behind, and late observation updates (issue 19, L4-L6)."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import pytest
from sqlalchemy import insert, select, update

from powerrag.domain.records import IngestBatch, ObservationPatch, ObservationRecord, TraceUpdate
from powerrag.store.database import Store
from powerrag.store.infra.schema import comments, observations, sessions
from tests.support.project import PROJECT_ID

T0 = 1_767_225_600_000_000  # 2026-01-01, microseconds
SECOND = 1_000_000


def _turn(trace_id: str, user_id: str, cost: float, tokens: int, level: str) -> IngestBatch:
    observation = ObservationRecord(
        f"obs-{trace_id}",
        trace_id,
        "GENERATION",
        "llm",
        T0,
        end_time=T0 + SECOND,
        level=level,
        usage_details={"input": tokens // 2, "output": tokens - tokens // 2, "total": tokens},
        cost_details={"total": cost},
    )
    update_ = TraceUpdate(trace_id, f"u-{trace_id}", T0, session_id="s1", user_id=user_id)
    return IngestBatch(observations=[observation], trace_updates=[update_])


def _session(store: Store) -> dict[str, Any] | None:
    with store.connect() as conn:
        row = conn.execute(select(sessions).where(sessions.c.id == "s1")).mappings().first()
    return None if row is None else dict(row)


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    names = ("trace_count", "error_count", "total_tokens", "total_cost")
    return {"user_ids": orjson.loads(row["user_ids"]), **{n: row[n] for n in names}}


@pytest.mark.parametrize("flag", ["bookmarked", "public"])
def test_deleting_traces_recomputes_a_marked_session_down_to_nothing(
    store: Store, flag: str
) -> None:
    store.write_batches(
        [
            (PROJECT_ID, _turn("t1", "alice", 1.5, 10, "DEFAULT")),
            (PROJECT_ID, _turn("t2", "bob", 2.25, 20, "ERROR")),
        ]
    )
    with store.transaction() as conn:
        conn.execute(update(sessions).where(sessions.c.id == "s1").values({flag: True}))

    store.delete_traces(PROJECT_ID, ["t2"])
    row = _session(store)
    assert row is not None
    assert _figures(row) == {
        "user_ids": ["alice"],
        "trace_count": 1,
        "error_count": 0,
        "total_tokens": 10.0,
        "total_cost": 1.5,
    }

    store.delete_traces(PROJECT_ID, ["t1"])
    row = _session(store)
    assert row is not None and row[flag]  # the owner's mark stays, nothing of the traces
    assert _figures(row) == {
        "user_ids": [],
        "trace_count": 0,
        "error_count": 0,
        "total_tokens": 0.0,
        "total_cost": 0.0,
    }
    assert row["input_tokens"] == row["output_tokens"] == 0.0
    assert row["input_cost"] == row["output_cost"] == 0.0


def test_deleting_every_trace_of_an_unmarked_session_removes_it(store: Store) -> None:
    store.write_batches([(PROJECT_ID, _turn("t1", "alice", 1.5, 10, "DEFAULT"))])

    store.delete_traces(PROJECT_ID, ["t1"])

    assert _session(store) is None


def _comment(comment_id: str, object_type: str, object_id: str) -> dict[str, Any]:
    return {
        "id": comment_id,
        "project_id": PROJECT_ID,
        "object_type": object_type,
        "object_id": object_id,
        "content": f"about {object_id}",
        "author_user_id": None,
        "created_at": T0,
        "updated_at": T0,
    }


def _comment_ids(store: Store) -> set[str]:
    with store.connect() as conn:
        return set(conn.execute(select(comments.c.id)).scalars())


def test_comments_go_with_their_trace_and_do_not_return_with_its_id(store: Store) -> None:
    store.write_batches(
        [
            (PROJECT_ID, _turn("t1", "alice", 1.5, 10, "DEFAULT")),
            (PROJECT_ID, _turn("t2", "bob", 2.25, 20, "DEFAULT")),
        ]
    )
    with store.transaction() as conn:
        conn.execute(
            insert(comments),
            [
                _comment("c-trace", "TRACE", "t1"),
                _comment("c-observation", "OBSERVATION", "obs-t1"),
                _comment("c-other-trace", "TRACE", "t2"),
                _comment("c-other-observation", "OBSERVATION", "obs-t2"),
                _comment("c-session", "SESSION", "s1"),
            ],
        )

    store.delete_traces(PROJECT_ID, ["t1"])
    store.write_batches([(PROJECT_ID, _turn("t1", "carol", 1.0, 4, "DEFAULT"))])

    assert _comment_ids(store) == {"c-other-trace", "c-other-observation", "c-session"}


def _observation(store: Store, observation_id: str = "o1") -> dict[str, Any]:
    with store.connect() as conn:
        query = select(observations).where(observations.c.id == observation_id)
        return dict(conn.execute(query).mappings().one())


def _patch(timestamp: int, **fields: Any) -> IngestBatch:
    return IngestBatch(observation_patches=[ObservationPatch("o1", "t1", fields, timestamp)])


EVENTS = {
    "create": _patch(
        T0, type="GENERATION", name="answer", start_time=T0, input='"question"', output='"draft"'
    ),
    "update": _patch(T0 + 3 * SECOND, output='"final"', end_time=T0 + 3 * SECOND),
    "late": _patch(T0 + 2 * SECOND, output='"stale"', level="WARNING", status_message="slow"),
}


@pytest.mark.parametrize("order", list(itertools.permutations(EVENTS)), ids="-".join)
def test_observation_events_merge_by_time_whatever_their_arrival_order(
    store: Store, order: tuple[str, ...]
) -> None:
    for name in order:  # one commit each: later ones read what the earlier stored
        store.write_batches([(PROJECT_ID, EVENTS[name])])

    row = _observation(store)
    fields = ("type", "name", "start_time", "end_time", "input", "output", "level")
    assert {f: row[f] for f in fields} == {
        "type": "GENERATION",
        "name": "answer",
        "start_time": T0,
        "end_time": T0 + 3 * SECOND,
        "input": '"question"',
        "output": '"final"',  # the newest event's, never the late one's
        "level": "WARNING",  # set by no newer event
    }
    assert row["status_message"] == "slow"


def _span(end: int, output: str) -> IngestBatch:
    span = ObservationRecord("o1", "t1", "SPAN", "step", T0, end_time=end, output=output)
    return IngestBatch(observations=[span])


def test_a_resent_older_span_does_not_overwrite_a_newer_one(store: Store) -> None:
    store.write_batches([(PROJECT_ID, _span(T0 + 5 * SECOND, '"newer"'))])

    store.write_batches([(PROJECT_ID, _span(T0 + 2 * SECOND, '"older"'))])
    assert (_observation(store)["output"], _observation(store)["end_time"]) == (
        '"newer"',
        T0 + 5 * SECOND,
    )

    store.write_batches([(PROJECT_ID, _span(T0 + 9 * SECOND, '"newest"'))])
    assert (_observation(store)["output"], _observation(store)["end_time"]) == (
        '"newest"',
        T0 + 9 * SECOND,
    )
