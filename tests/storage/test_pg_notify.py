"""The change feed: subscribers hear of commits, on PostgreSQL also of other replicas' commits."""

from __future__ import annotations

import queue

import pytest

from powerrag.domain.changes import Change
from powerrag.domain.records import IngestBatch, ObservationRecord, ScoreRecord, TraceUpdate
from powerrag.store.database import Store
from powerrag.store.infra.change_feed import PostgresChangeFeed
from tests.support.pg import PostgresServer
from tests.support.project import PROJECT_ID

START_US = 1_767_225_600_000_000
WAIT_SECONDS = 10


def _batch(trace_id: str, session_id: str | None = None) -> IngestBatch:
    return IngestBatch(
        observations=[ObservationRecord(f"obs-{trace_id}", trace_id, "SPAN", "step", START_US)],
        trace_updates=[TraceUpdate(trace_id, f"u-{trace_id}", START_US, session_id=session_id)],
    )


def _collect(store: Store) -> queue.Queue[Change]:
    heard: queue.Queue[Change] = queue.Queue()
    store.changes.subscribe(heard.put)
    if isinstance(store.changes, PostgresChangeFeed):
        assert store.changes.listening.wait(WAIT_SECONDS)
    return heard


def test_a_commit_is_told_once_to_this_process(store: Store) -> None:
    heard = _collect(store)

    store.write_batches([(PROJECT_ID, _batch("t1", "s1")), (PROJECT_ID, _batch("t2"))])

    change = heard.get(timeout=WAIT_SECONDS)
    pairs = frozenset({("s1", "t1")})  # which changed trace is in which session
    assert change == Change(PROJECT_ID, frozenset({"t1", "t2"}), frozenset({"s1"}), pairs)
    with pytest.raises(queue.Empty):
        heard.get(timeout=1)  # not a second time through LISTEN on PostgreSQL


def test_scores_name_their_trace_and_session(store: Store) -> None:
    heard = _collect(store)
    score = ScoreRecord("sc1", "quality", "NUMERIC", START_US, value=1, session_id="s9")

    store.write_batches([(PROJECT_ID, IngestBatch(scores=[score]))])

    assert heard.get(timeout=WAIT_SECONDS) == Change(PROJECT_ID, frozenset(), frozenset({"s9"}))


def test_unsubscribed_callbacks_are_not_called(store: Store) -> None:
    heard: queue.Queue[Change] = queue.Queue()
    unsubscribe = store.changes.subscribe(heard.put)
    unsubscribe()

    store.write_batches([(PROJECT_ID, _batch("t1"))])

    assert heard.empty()


@pytest.mark.postgres
def test_a_replica_hears_what_another_replica_committed(
    postgres_server: PostgresServer, postgres_test_db: str
) -> None:
    postgres_server.empty_database(postgres_test_db.rsplit("/", 1)[1])
    replica_a, replica_b = Store.open(postgres_test_db), Store.open(postgres_test_db)
    try:
        heard = _collect(replica_a)
        # Many traces in sessions with the longest ids: more than one notification's worth.
        many = [f"trace-{i:03}" for i in range(250)]
        session_of = {t: t.ljust(200, "x") for t in many}
        batches = [(PROJECT_ID, _batch(t, session_of[t])) for t in many]

        replica_b.write_batches(batches)

        traces: set[str] = set()
        sessions: set[str] = set()
        while traces != set(many) or sessions != set(session_of.values()):
            change = heard.get(timeout=WAIT_SECONDS)
            assert change.project_id == PROJECT_ID
            traces |= change.trace_ids
            sessions |= change.session_ids
    finally:
        replica_a.close()
        replica_b.close()
