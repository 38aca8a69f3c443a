"""Two `powerrag serve` replicas on one PostgreSQL and one ClickHouse reached over HTTP.

ClickHouse is chDB behind the test-only HTTP bridge (tests/support/chbridge.py), in a
process of its own: the replicas only talk HTTP to it, as they would to a ClickHouse server.
Both replicas start at the same moment with the same LANGFUSE_INIT_* (a user included).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from powerrag.store.clickhouse.store import ClickHouseStore
from powerrag.store.database import Store
from tests.support import dying_writer
from tests.support.chbridge import BridgeProcess
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.server import ServerProcess
from tests.support.turns import OTLP_JSON, TURN_COST, TURN_OBSERVATIONS, TURN_TOKENS, turn_body
from tests.support.web import EMAIL, PASSWORD, csrf_of

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TURNS = 120
BUSY, CRASHED = "one-busy-conversation", "a-writer-died-here"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def shape(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(PostgreSQL URL, ClickHouse URL through the bridge) of a new database pair."""
    bridge = BridgeProcess(tmp_path_factory.mktemp("bridge") / "chdb")
    name = unique_db_name("chreplicas")
    bridge.start()
    try:
        yield postgres_server.create_database(name), bridge.url(name)
    finally:
        bridge.stop()
        postgres_server.drop_database(name)


class Replica(ServerProcess):
    """A replica with an API client and a UI client signed in as the init user."""

    def __init__(self, shape: tuple[str, str], data_dir: Path) -> None:
        database_url, clickhouse_url = shape
        super().__init__(
            data_dir,
            user=(EMAIL, PASSWORD),
            database_url=database_url,
            clickhouse_url=clickhouse_url,
            # The test runs the reconciler itself: a replica's pass would take its lock.
            reconcile_interval_seconds="0",
        )
        self.api = httpx.Client(base_url=self.url, auth=self.auth, timeout=60)
        self.ui = httpx.Client(base_url=self.url, timeout=60)

    def sign_in(self) -> None:
        page = self.ui.get("/login")
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        assert self.ui.post("/login", data=form).status_code == 303

    def stop(self) -> None:
        self.api.close()
        self.ui.close()
        super().stop()


@pytest.fixture(scope="module")
def replicas(
    shape: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Replica, Replica]]:
    pair = (
        Replica(shape, tmp_path_factory.mktemp("a") / "data"),
        Replica(shape, tmp_path_factory.mktemp("b") / "data"),
    )
    try:
        # Started at the same moment: the first-start set-up (migrations, the init user,
        # project and key) must not race (accounts.ensure_user, store/clickhouse/migrate.py).
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Replica.start, pair))  # re-raises a failed start, with its log
        for replica in pair:
            replica.sign_in()
        yield pair
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Replica.stop, pair))


def _figures(replica: Replica, session_id: str) -> dict[str, Any]:
    """The session's figures as one replica answers them: its summary on the sessions list
    (the UI's JSON twin) and its traces through the public API."""
    listed = replica.ui.get(f"/project/{replica.project_id}/sessions", params={"format": "json"})
    (summary,) = [s for s in listed.json()["sessions"] if s["id"] == session_id]
    detail = replica.api.get(f"/api/public/sessions/{session_id}").json()
    traces: list[dict[str, Any]] = []
    for page in (1, 2):
        params = {"sessionId": session_id, "fields": "core,metrics,observations", "page": page}
        answer = replica.api.get("/api/public/traces", params={**params, "limit": 100}).json()
        traces += answer["data"]
    return {
        "summary": (
            summary["traceCount"],
            (summary["inputTokens"], summary["outputTokens"], summary["totalTokens"]),
            summary["totalCost"],
        ),
        "session traces": len(detail["traces"]),
        "traces": len(traces),
        "cost": round(sum(t["totalCost"] for t in traces), 6),
        "observations": sum(len(t["observations"]) for t in traces),
    }


def _expected(traces: int, generations: int, observations: int) -> dict[str, Any]:
    tokens = tuple(generations * n for n in TURN_TOKENS)
    cost = generations * TURN_COST
    return {
        "summary": (traces, tokens, cost),
        "session traces": traces,
        "traces": traces,
        "cost": cost,
        "observations": observations,
    }


def test_concurrent_traces_of_one_session_through_both_replicas_give_exact_figures(
    replicas: tuple[Replica, Replica],
) -> None:
    def send(turn: int) -> int:
        target = replicas[turn % 2]
        return target.api.post(OTLP_JSON, content=turn_body(turn, BUSY), headers=JSON).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(TURNS)))

    assert set(statuses) == {200}
    expected = _expected(TURNS, TURNS, TURN_OBSERVATIONS * TURNS)
    for replica in replicas:
        assert _figures(replica, BUSY) == expected


def test_a_writer_killed_between_insert_and_commit_is_repaired_by_the_reconciler(
    replicas: tuple[Replica, Replica], shape: tuple[str, str]
) -> None:
    turns, first = 4, 1000  # trace ids of their own: turn_body's are the turn + 1
    for turn in range(first, first + turns):
        body = turn_body(turn, CRASHED)
        assert replicas[turn % 2].api.post(OTLP_JSON, content=body, headers=JSON).status_code == 200
    before = _expected(turns, turns, TURN_OBSERVATIONS * turns)
    assert _figures(replicas[0], CRASHED) == before

    database_url, clickhouse_url = shape
    status = dying_writer.run(
        database_url, clickhouse_url, replicas[0].project_id, CRASHED, f"{first + 1:032x}"
    )
    assert status == dying_writer.DIED
    # The raw rows are in ClickHouse, the summaries are not: both replicas answer the stale
    # figures, and a trace's observation list (read from the raw rows) has the added one.
    stale = {**before, "observations": before["observations"] + 1}
    for replica in replicas:
        assert _figures(replica, CRASHED) == stale

    store = Store.open(database_url, clickhouse_url=clickhouse_url, migrate_on_start=False)
    assert isinstance(store, ClickHouseStore)
    try:
        assert store.reconcile() == (2, 1)  # the late trace and the one it added to; their session
        assert store.reconcile() == (0, 0)
    finally:
        store.close()
    # A new trace (root + generation) and a generation added to an existing trace.
    repaired = _expected(turns + 1, turns + 2, TURN_OBSERVATIONS * turns + 3)
    for replica in replicas:
        assert _figures(replica, CRASHED) == repaired
