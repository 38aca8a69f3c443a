"""Live streams cost nothing to sessions they do not watch, and their number is capped.

Issue 19, M2: every commit used to cost one query per open stream of the project
(ingest p50 3 ms without streams, 208 ms with 500). A commit now wakes only the
streams of the sessions it touched, and streams are capped per client address,
per session and per server with a clear 429 / 503.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.live import EventStream, events_path, send_turn, signed_in_admin
from tests.support.search import app_indexer

OTHER_SESSIONS = 100


@pytest.fixture
def admin(store: Store, settings: Settings) -> Iterator[TestClient]:
    yield from signed_in_admin(store, settings)


@pytest.fixture
def quiet_admin(store: Store, settings: Settings) -> Iterator[TestClient]:
    """An admin of an app whose background workers (lifecycle sweep, search indexer) run no
    statements of their own: only the commit's are counted."""
    for client in signed_in_admin(store, replace(settings, lifecycle_interval_seconds=0)):
        app_indexer(client).stop()
        yield client


@pytest.fixture
def capped(store: Store, settings: Settings) -> Iterator[TestClient]:
    limits = replace(
        settings, live_streams_per_client=2, live_streams_per_session=3, live_streams_max=5
    )
    yield from signed_in_admin(store, limits)


class StatementCounter:
    """Every statement the store's engine runs (writer, readers, streams' checks)."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        event.listen(store.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


async def _let_woken_streams_run() -> None:
    # Only yields to the loop (no waiting on time): a stream woken by the commit reaches
    # whatever query it makes, which closing it then waits for.
    for _ in range(50):
        await asyncio.sleep(0)


def _statements_of_a_commit(client: TestClient, counter: StatementCounter, streams: int) -> int:
    """Statements run for one commit to `target` while `streams` streams watch other sessions."""
    watching = [
        EventStream(client, events_path(f"other-{i}"), address=f"10.0.{i // 250}.{i % 250}")
        for i in range(streams)
    ]
    assert all(s.status == 200 for s in watching)
    before = counter.count
    send_turn(client, f"target-turn-{streams}", "target")
    assert client.portal is not None
    client.portal.call(_let_woken_streams_run)
    for stream in watching:
        stream.close()
    return counter.count - before


def test_streams_of_other_sessions_add_no_query_to_a_commit(
    quiet_admin: TestClient, store: Store
) -> None:
    admin = quiet_admin
    for i in range(OTHER_SESSIONS):
        send_turn(admin, f"other-turn-{i}", f"other-{i}")
    send_turn(admin, "target-turn", "target")
    counter = StatementCounter(store)

    with_one = _statements_of_a_commit(admin, counter, 1)
    with_many = _statements_of_a_commit(admin, counter, OTHER_SESSIONS)

    assert with_many == with_one


def test_a_commit_tells_the_session_stream_its_own_traces_only(admin: TestClient) -> None:
    send_turn(admin, "a1", "session-a")
    send_turn(admin, "b1", "session-b")
    a_stream = EventStream(admin, events_path("session-a"))

    send_turn(admin, "b2", "session-b")
    send_turn(admin, "a2", "session-a")

    event = a_stream.next_event()
    assert event is not None and event[0] == "turns"
    assert json.loads(event[1]) == {"ids": ["a2"]}
    a_stream.close()


def _refused(stream: EventStream, status: int, words: str) -> None:
    assert stream.status == status
    answer = json.loads(stream.body())
    assert answer["status"] == status and words in answer["message"], answer
    assert stream.headers["retry-after"] == "10"


def test_streams_are_capped_per_address_per_session_and_per_server(capped: TestClient) -> None:
    for session_id in ("s1", "s2", "s3"):
        send_turn(capped, f"turn-{session_id}", session_id)
    path = events_path
    opened = [EventStream(capped, path("s1"), address="10.0.0.1") for _ in range(2)]

    _refused(
        EventStream(capped, path("s2"), address="10.0.0.1"),
        429,
        "your address already holds 2 live streams",
    )
    opened.append(EventStream(capped, path("s1"), address="10.0.0.2"))
    _refused(
        EventStream(capped, path("s1"), address="10.0.0.3"),
        429,
        "this session already has 3 live viewers",
    )
    opened += [EventStream(capped, path("s2"), address=f"10.0.0.{i}") for i in (3, 4)]
    _refused(
        EventStream(capped, path("s3"), address="10.0.0.5"),
        503,
        "this server already holds its 5 live streams",
    )
    assert all(s.status == 200 for s in opened)

    opened.pop().close()  # a place frees as soon as a stream ends
    again = EventStream(capped, path("s3"), address="10.0.0.5")
    assert again.status == 200
    for stream in [*opened, again]:
        stream.close()
