"""Two `powerrag serve` processes on one PostgreSQL database, as replicas behind a proxy."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from powerrag.app import create_app
from powerrag.bootstrap import bootstrap
from powerrag.config import Settings
from powerrag.domain.changes import Change
from powerrag.store.database import Store
from powerrag.store.infra.change_feed import PostgresChangeFeed
from powerrag.store.infra.schema import metadata, sessions
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.project import AUTH, PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.recorded import writes
from tests.support.server import ServerProcess
from tests.support.turns import OTLP_JSON, turn_body

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Recorded SDK traffic of several SDKs, sent alternately to the two replicas.
RECORDED = [
    "python-langfuse-3.15.0-rich.jsonl",
    "python-langfuse-5.0.4-rich.jsonl",
    "js-tracing-5.11.1-rich.jsonl",
    "python-langfuse-4.18.0-seed-ported.jsonl",
]
# Columns that hold the time of writing rather than anything the SDK sent.
WRITE_TIMES = {"created_at", "updated_at", "first_seen_at", "last_used_at"}


class Replica(ServerProcess):
    """A `powerrag serve` child process on a shared database, with a client holding the key."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        super().__init__(
            data_dir,
            project_id=PROJECT_ID,
            project_name="Test project",
            public_key=PUBLIC_KEY,
            secret_key=SECRET_KEY,
            database_url=database_url,
        )
        self.client = httpx.Client(base_url=self.url, headers={"authorization": AUTH}, timeout=30)
        self.start()

    def stop(self) -> None:
        self.client.close()
        super().stop()


@pytest.fixture
def shared_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = unique_db_name("replicas")
    yield postgres_server.create_database(name)
    postgres_server.drop_database(name)


@pytest.fixture
def replicas(shared_url: str, tmp_path: Path) -> Iterator[tuple[Replica, Replica]]:
    started: list[Replica] = []
    try:
        for name in ("a", "b"):
            started.append(Replica(shared_url, tmp_path / name))
        yield started[0], started[1]
    finally:
        for replica in started:
            replica.stop()


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the ingested tables, without times of writing, in key order."""
    store = Store.open(url, migrate_on_start=False)
    result: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with store.connect() as conn:
            for name in ("traces", "trace_updates", "observations", "sessions", "scores"):
                table = metadata.tables[name]
                columns = [c for c in table.c if c.name not in WRITE_TIMES]
                query = select(*columns).order_by(*table.primary_key.columns)
                result[name] = [tuple(row) for row in conn.execute(query)]
    finally:
        store.close()
    return result


def _replay_into_sqlite(tmp_path: Path) -> str:
    """The same traffic through one in-process server on SQLite: the expected rows."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    store = Store.open(url)
    bootstrap(
        store,
        {
            "LANGFUSE_INIT_PROJECT_ID": PROJECT_ID,
            "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": PUBLIC_KEY,
            "LANGFUSE_INIT_PROJECT_SECRET_KEY": SECRET_KEY,
        },
    )
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app) as client:
        for name in RECORDED:
            for rec in writes(name):
                response = client.post(rec.url, content=rec.body, headers=rec.replay_headers())
                assert response.status_code < 300, (rec.file, rec.seq, response.text)
    store.close()
    return url


def test_a_listener_hears_traces_ingested_by_either_replica(
    replicas: tuple[Replica, Replica], shared_url: str
) -> None:
    listener = Store.open(shared_url, migrate_on_start=False)
    heard: queue.Queue[Change] = queue.Queue()
    try:
        listener.changes.subscribe(heard.put)
        assert isinstance(listener.changes, PostgresChangeFeed)
        assert listener.changes.listening.wait(10)
        headers = {"content-type": "application/json"}
        for turn, replica in enumerate(replicas):
            body = turn_body(turn, "watched-session")
            assert replica.client.post(OTLP_JSON, content=body, headers=headers).status_code == 200

        changes = [heard.get(timeout=10), heard.get(timeout=10)]
    finally:
        listener.close()
    assert sorted(c.trace_ids for c in changes) == [
        frozenset({f"{1:032x}"}),
        frozenset({f"{2:032x}"}),
    ]
    assert {c.session_ids for c in changes} == {frozenset({"watched-session"})}
    assert {c.project_id for c in changes} == {PROJECT_ID}


def test_sdk_traffic_split_across_replicas_arrives_complete(
    replicas: tuple[Replica, Replica], shared_url: str, tmp_path: Path
) -> None:
    a, b = replicas
    sent = 0
    for name in RECORDED:
        for rec in writes(name):
            target = (a, b)[sent % 2]
            response = target.client.post(rec.url, content=rec.body, headers=rec.replay_headers())
            assert response.status_code < 300, (rec.file, rec.seq, response.text)
            sent += 1

    stored = _snapshot(shared_url)
    expected = _snapshot(_replay_into_sqlite(tmp_path))
    for table, rows in expected.items():
        assert rows, table
        assert stored[table] == rows, table
    # Reads from either replica see everything, whichever replica ingested it.
    for replica in (a, b):
        listed = replica.client.get("/api/public/traces", params={"limit": 100}).json()
        assert listed["meta"]["totalItems"] == len(expected["traces"])


def test_one_session_ingested_concurrently_by_both_replicas_has_exact_figures(
    replicas: tuple[Replica, Replica], shared_url: str
) -> None:
    a, b = replicas
    turns, session_id = 120, "one-busy-conversation"
    headers = {"content-type": "application/json"}

    def send(turn: int) -> int:
        target = (a, b)[turn % 2]
        return target.client.post(
            OTLP_JSON, content=turn_body(turn, session_id), headers=headers
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(turns)))

    assert set(statuses) == {200}
    store = Store.open(shared_url, migrate_on_start=False)
    try:
        with store.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == session_id)).one()._mapping
    finally:
        store.close()
    assert row["trace_count"] == turns
    assert row["input_tokens"] == 10 * turns
    assert row["output_tokens"] == 5 * turns
    assert row["total_tokens"] == 15 * turns
    assert row["total_cost"] == 0.75 * turns
    for replica in (a, b):
        seen = replica.client.get(f"/api/public/sessions/{session_id}").json()
        assert len(seen["traces"]) == turns
